/** Memory bound: 10,000 distinct tool keys through the limiter and circuit registry. */
import { ToolRegistry } from '../../interceptors';
import type { Row } from '../table';

function heapMb(): number {
  global.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

export function runMemoryBound(keys = 10_000): Row[] {
  const rows: Row[] = [];
  for (const maxTools of [1_000, keys * 2]) {
    const before = heapMb();
    const registry = new ToolRegistry({ maxTools });
    for (let i = 0; i < keys; i++) {
      registry.toolFor(`user-${i}`);
    }
    const after = heapMb();
    rows.push({
      registry: maxTools === 1_000 ? 'bounded (maxTools 1,000)' : `unbounded stand-in (maxTools ${maxTools})`,
      'tool keys': keys,
      'tools kept': registry.size,
      'heap growth MB': after - before,
    });
    registry.shutdown();
  }
  return rows;
}
