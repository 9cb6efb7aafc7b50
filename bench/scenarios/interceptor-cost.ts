/**
 * The interceptors' own cost per call, in-process: the same no-op activity run through MockActivityEnvironment with
 * and without the toolkit's interceptors; the difference is what the toolkit adds to each attempt.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createResilienceInterceptors } from '../../index';
import type { Row } from '../table';

const INFO = {
  activityType: 'noop',
  workflowType: 'bench',
  workflowExecution: { workflowId: 'bench', runId: 'run' },
  currentAttemptScheduledTimestampMs: Date.now(),
};

async function timePerCall(env: MockActivityEnvironment, calls: number): Promise<number> {
  const noop = async () => 1;
  for (let i = 0; i < 1_000; i++) await env.run(noop); // warm up
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await env.run(noop);
  return Number(process.hrtime.bigint() - started) / 1e3 / calls;
}

export async function runInterceptorCost(calls = 5_000): Promise<Row[]> {
  const rows: Row[] = [];
  for (let round = 0; round < 3; round++) {
    const bare = await timePerCall(new MockActivityEnvironment(INFO), calls);
    const toolkit = await timePerCall(
      new MockActivityEnvironment(INFO, { interceptors: createResilienceInterceptors().activity }),
      calls,
    );
    rows.push({
      round: round + 1,
      'bare µs/call': bare,
      'toolkit µs/call': toolkit,
      'toolkit adds µs/call': toolkit - bare,
    });
  }
  return rows;
}
