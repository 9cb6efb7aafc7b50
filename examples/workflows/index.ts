/**
 * The reference app's workflows: the bundle entry the worker loads. Activities are imported with `import type`, so
 * nothing Node-only enters the sandbox.
 */
export * from './call-provider';
export * from './trip-booking';
export * from './prospect-outreach';
export * from './llm-call';
export * from './noop-batch';
