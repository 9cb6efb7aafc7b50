/**
 * `npm run demo`: the reference app end to end on a real Temporal server, with a readable report.
 *
 * Starts an embedded dev server (or uses TEMPORAL_ADDRESS), the fake provider and a worker, runs each scenario,
 * prints what the provider saw, and stops everything it started.
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createDevServerEnv, FakeProvider } from '../testing';
import * as activities from './activities';

interface DemoServer {
  readonly client: Client;
  readonly nativeConnection: NativeConnection;
  readonly description: string;
  close(): Promise<void>;
}

async function startServer(): Promise<DemoServer> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (address) {
    const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
    const connection = await Connection.connect({ address });
    const nativeConnection = await NativeConnection.connect({ address });
    return {
      client: new Client({ connection, namespace }),
      nativeConnection,
      description: `existing server at ${address} (namespace ${namespace})`,
      close: async () => {
        await nativeConnection.close();
        await connection.close();
      },
    };
  }
  const env = await createDevServerEnv({ server: { log: { format: 'pretty', level: 'error' } } });
  return {
    client: env.client,
    nativeConnection: env.nativeConnection,
    description: 'embedded Temporal dev server (in memory)',
    close: () => env.teardown(),
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const server = await startServer();
  const provider = await FakeProvider.start();
  const taskQueue = `demo-${Date.now()}`;
  const worker = await Worker.create({
    connection: server.nativeConnection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    workflowsPath: join(__dirname, 'workflows.ts'),
    activities,
  });
  const lines: string[] = [`temporal-resilience demo on ${server.description}`, ''];
  try {
    await worker.runUntil(async () => {
      provider.route('/flaky', { script: [{ status: 503 }, { status: 503 }], then: { status: 200 } });
      const result = await server.client.workflow.execute('callProviderWorkflow', {
        taskQueue,
        workflowId: `demo-flaky-${Date.now()}`,
        args: [{ url: provider.url('/flaky'), initialIntervalSeconds: 1 }],
      });
      const statuses = provider.requests('/flaky').map((r) => r.status);
      lines.push(
        'Scenario: a provider answers 503 twice, then recovers',
        `  provider saw ${provider.calls('/flaky')} calls, answered ${statuses.join(', ')}`,
        `  workflow result: HTTP ${result.status}`,
        '',
      );
    });
  } finally {
    await provider.close();
    await server.close();
  }
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
