/**
 * Records the workflow histories that test/integration/replay.test.ts replays: run with
 * `npx tsx scripts/record-replay-histories.ts` after a deliberate change to the reference workflows' commands, and
 * commit the files it writes under test/replay/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { resiliencePlugin } from '../index';
import { createTimeSkippingEnv, FakeProvider, withTimeSkipping } from '../testing';
import * as activities from '../examples/activities';
import { installTravelApi } from '../examples/travel-api';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await createTimeSkippingEnv();
  const provider = await FakeProvider.start();
  installTravelApi(provider, { failAt: 'cars', compensationFailures: { hotels: 1 } }, '/trip');
  provider.route('/outreach/llm/draft', { then: { status: 200, body: { text: 'hello' } } });
  provider.route('/outreach/email/send', {
    script: [{ status: 503 }],
    then: { status: 200, body: { id: 'msg' } },
  });
  const taskQueue = 'record-replay';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: join(__dirname, '../examples/workflows/index.ts'),
    activities,
    plugins: [resiliencePlugin()],
  });
  const runs = [
    {
      file: 'trip-booking-saga.json',
      type: 'tripBookingWorkflow',
      args: [{ trip: { baseUrl: provider.url('/trip'), traveller: 'ada', amountCents: 1000 } }],
    },
    {
      file: 'prospect-outreach.json',
      type: 'prospectOutreachWorkflow',
      args: [{ prospect: { baseUrl: provider.url('/outreach'), email: 'a@example.com', company: 'Acme' } }],
    },
  ];
  await worker.runUntil(async () => {
    for (const run of runs) {
      const handle = await env.client.workflow.start(run.type, {
        taskQueue,
        workflowId: `replay-${run.type}`,
        args: run.args,
      });
      await withTimeSkipping(env, (client) => client.result(handle.workflowId)).catch(() => undefined);
      const history = await handle.fetchHistory();
      writeFileSync(
        join(__dirname, '../test/replay', run.file),
        JSON.stringify(JSON.parse(historyToJSON(history)), null, 1),
      );
      console.log(`wrote test/replay/${run.file} (${history.events?.length} events)`);
    }
  });
  await provider.close();
  await env.teardown();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
