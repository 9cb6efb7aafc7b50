import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import * as activities from '../../examples/activities';

/** The reference workflows' source file: the SDK bundler compiles TypeScript itself. */
export const EXAMPLE_WORKFLOWS_PATH = join(__dirname, '../../examples/workflows/index.ts');

/** A real worker on the test server running the reference app; `overrides` add interceptors, plugins, etc. */
export function createExampleWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  overrides: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: EXAMPLE_WORKFLOWS_PATH,
    activities,
    ...overrides,
  });
}
