/** Memory bound: 10,000 distinct tool keys through the per-tool governors and their in-memory store. */
import { GovernorRegistry, type Permit } from '../../interceptors';
import type { Row } from '../table';

function heapMb(): number {
  global.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

export async function runMemoryBound(keys = 10_000): Promise<Row[]> {
  const rows: Row[] = [];
  for (const maxTools of [1_000, keys * 2]) {
    const before = heapMb();
    const registry = new GovernorRegistry({ maxTools, quotaHoldMs: 60_000 });
    for (let i = 0; i < keys; i++) {
      // One call per key, as a per-user tool key would see.
      const permit = (await registry
        .governorFor(`user-${i}`)
        .acquire({ leaseTtlMs: 60_000, maxWaitMs: 0 })) as Permit;
      await permit.release('success');
    }
    const after = heapMb();
    rows.push({
      registry: maxTools === 1_000 ? 'bounded (maxTools 1,000)' : `unbounded stand-in (maxTools ${maxTools})`,
      'tool keys': keys,
      'governors kept': registry.size,
      'states kept': (await registry.store.entries()).length,
      'heap growth MB': after - before,
    });
    registry.shutdown();
  }
  return rows;
}
