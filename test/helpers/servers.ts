import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDevServerEnv, createTimeSkippingEnv, FakeProvider } from '../../testing';

/** A real Temporal server and a fake provider, shared by the tests of one file. */
export interface Servers {
  env: TestWorkflowEnvironment;
  provider: FakeProvider;
}

/** Starts the time-skipping test server or the dev server (quiet), and a fake provider. */
export async function startServers(kind: 'time-skipping' | 'dev-server'): Promise<Servers> {
  const env =
    kind === 'time-skipping'
      ? await createTimeSkippingEnv()
      : await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
  return { env, provider: await FakeProvider.start() };
}

/** Stops what {@link startServers} started (either may be missing if start-up failed). */
export async function stopServers(servers: Partial<Servers>): Promise<void> {
  await servers.provider?.close();
  await servers.env?.teardown();
}
