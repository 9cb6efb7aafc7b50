import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities';

/** Runs `count` no-op activities in parallel: the workload of the overhead benchmark. */
export async function noopBatchWorkflow(count: number): Promise<number> {
  const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '30 seconds' });
  const results = await Promise.all(Array.from({ length: count }, () => noop()));
  return results.reduce((a, b) => a + b, 0);
}
