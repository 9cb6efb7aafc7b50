// ESLint flat config. Type-aware rules catch floating promises; import restrictions keep each folder in the
// execution context its name promises (see "Architecture" in README.md).
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

const sandboxSafe = {
  paths: NODE_BUILTINS.map((name) => ({
    name,
    message: 'Node built-ins cannot run in the workflow sandbox.',
  })),
  patterns: [
    { group: ['node:*'], message: 'Node built-ins cannot run in the workflow sandbox.' },
    {
      group: [
        '@temporalio/activity',
        '@temporalio/worker',
        '@temporalio/client',
        '@temporalio/testing',
        'opossum',
      ],
      message: 'Pure and workflow code may import only @temporalio/common, @temporalio/workflow and src/.',
    },
    {
      group: [
        '**/activities',
        '**/activities/**',
        '**/interceptors',
        '**/interceptors/**',
        '**/testing',
        '**/testing/**',
        '**/client',
        '**/client/**',
      ],
      message: 'Pure and workflow code may not import Node-side folders.',
    },
  ],
};

export default tseslint.config(
  // test/consumer/app is a user's app, checked inside its own install against the packed package.
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.temporal/**',
      'demo-output/**',
      'docs/api/**',
      'test/consumer/app/**',
      'reports/**',
      '.stryker-tmp/**',
      'eslint.config.mjs',
      'stryker.config.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...sandboxSafe,
          patterns: [
            ...sandboxSafe.patterns,
            {
              group: ['@temporalio/workflow', '**/workflows', '**/workflows/**'],
              message: 'src/ is pure: no workflow APIs.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/ is pure: take configuration as parameters.' },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', sandboxSafe],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'Use workflow time, not Date.now().',
        },
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'Use workflow random, not Math.random().',
        },
      ],
    },
  },
  {
    files: ['activities/**/*.ts', 'interceptors/**/*.ts', 'client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows', '**/workflows/**'],
              message: 'Workflow code runs only in the sandbox.',
            },
          ],
        },
      ],
    },
  },
);
