import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { typeScriptBlocks, type CodeBlock } from '../helpers/markdown-blocks';

/**
 * Every TypeScript block in README.md and docs/*.md is type-checked against this package, as a user's file would be:
 * imports of `temporal-resilience/...` resolve to the entry points' sources. A block whose fence says `ts fragment`
 * is deliberately incomplete and is parsed for syntax only; `file=NAME` writes a block under that name, so blocks of
 * one page can import each other. Any other word in a fence is an error, so a typo cannot skip a block.
 */

const ROOT = join(__dirname, '../..');
const OUT = join(ROOT, 'node_modules/.cache/docs-code-blocks');
const ENTRY_POINTS: Record<string, string> = {
  'temporal-resilience': 'index.ts',
  'temporal-resilience/workflow': 'workflows/index.ts',
  'temporal-resilience/activity': 'activities/index.ts',
  'temporal-resilience/client': 'client/index.ts',
  'temporal-resilience/testing': 'testing/index.ts',
};

const pages = (): string[] => [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Type-checks the complete blocks together; returns one line per diagnostic, naming page and line. */
function typeCheck(blocks: readonly CodeBlock[]): string[] {
  rmSync(OUT, { recursive: true, force: true });
  const where = new Map<string, CodeBlock>();
  blocks.forEach((block, n) => {
    const dir = join(OUT, block.page.replace(/[^\w]+/g, '_'));
    mkdirSync(dir, { recursive: true });
    const path = join(dir, block.file ?? `block-${n}.ts`);
    // Each block is a module of its own, so top-level names of different blocks never collide.
    writeFileSync(path, `${block.code}\nexport {};\n`);
    where.set(path, block);
  });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    baseUrl: ROOT,
    paths: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, [join(ROOT, file)]])),
  };
  const program = ts.createProgram([...where.keys()], options);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && where.has(d.file.fileName))
    .map((d) => {
      const block = where.get(d.file!.fileName)!;
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${block.page}:${block.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

function syntaxCheck(block: CodeBlock): string[] {
  const out = ts.transpileModule(block.code, { reportDiagnostics: true, fileName: 'fragment.ts' });
  return (out.diagnostics ?? []).map(
    (d) => `${block.page}:${block.line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
  );
}

describe('code blocks in README.md and docs/', () => {
  const blocks = pages().flatMap((page) => typeScriptBlocks(page, readFileSync(join(ROOT, page), 'utf8')));

  it('finds the blocks, the README quick start among them', () => {
    expect(blocks.filter((b) => !b.fragment).length).toBeGreaterThan(5);
    expect(blocks.filter((b) => b.page === 'README.md' && b.file).map((b) => b.file)).toEqual([
      'activities.ts',
      'workflows.ts',
      'worker.ts',
      'client.ts',
    ]);
  });

  it('type-checks every complete block against the package, and catches a wrong one', () => {
    const wrong: CodeBlock = {
      page: 'self-check.md',
      line: 1,
      code: "import { activityOptions } from 'temporal-resilience/workflow';\nactivityOptions('no-such-preset');",
      fragment: false,
    };
    const diagnostics = typeCheck([...blocks.filter((b) => !b.fragment), wrong]);
    expect(diagnostics.filter((d) => !d.startsWith('self-check.md'))).toEqual([]);
    expect(diagnostics.filter((d) => d.startsWith('self-check.md')).join('\n')).toMatch(/no-such-preset/);
  }, 120_000);

  it('parses every block marked as a fragment', () => {
    expect(blocks.filter((b) => b.fragment).flatMap(syntaxCheck)).toEqual([]);
    expect(syntaxCheck({ page: 'self-check.md', line: 1, code: 'const = ;', fragment: true })).not.toEqual(
      [],
    );
  });

  it('rejects an unknown word in a fence instead of skipping the block', () => {
    expect(() => typeScriptBlocks('x.md', '```ts fragmnet\nconst a = 1;\n```\n')).toThrow(
      /unknown word 'fragmnet'/,
    );
  });
});
