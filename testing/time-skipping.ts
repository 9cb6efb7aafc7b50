import { WorkflowClient } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

/**
 * Runs `fn` with time skipping unlocked once for its whole duration, handing it a plain workflow client.
 *
 * The SDK's time-skipping client unlocks and re-locks time skipping around each `result()` call. With several
 * workflows awaited in parallel those calls interleave, the test server's lock count stops reaching zero, and
 * retries then wait in real time (observed here: 10 parallel workflows took 37 s of real time for 36 s of backoff).
 * Awaiting them all inside one unlocked window keeps time skipping on. On a dev server it just runs `fn`.
 *
 * @example
 * ```ts
 * const results = await withTimeSkipping(env, (client) => Promise.all(ids.map((id) => client.result(id))));
 * ```
 */
export async function withTimeSkipping<T>(
  env: TestWorkflowEnvironment,
  fn: (client: WorkflowClient) => Promise<T>,
): Promise<T> {
  const client = new WorkflowClient({ connection: env.connection, namespace: env.namespace ?? 'default' });
  const testService = env.supportsTimeSkipping ? env.connection.testService : undefined;
  if (!testService) return fn(client);
  await testService.unlockTimeSkipping({});
  try {
    return await fn(client);
  } finally {
    await testService.lockTimeSkipping({});
  }
}
