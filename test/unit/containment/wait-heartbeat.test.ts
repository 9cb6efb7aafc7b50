import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryGovernorStore } from '../../../interceptors/containment/governor-store';
import { ToolGovernor } from '../../../interceptors/containment/tool-governor';
import { toolSettingsOf } from '../../../interceptors/containment/tool-options';
import { waitHeartbeatMs } from '../../../interceptors/resilience-activity-inbound-interceptor';

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

// Every heartbeat that reaches the server is a write to the execution: an attempt waiting for a slot beats as rarely
// as its heartbeat timeout allows, not every second.
describe('how often an attempt waiting in the worker heartbeats', () => {
  it('is a third of the heartbeat timeout, at most every 10 s', () => {
    expect(waitHeartbeatMs({ heartbeatTimeoutMs: 3_000 })).toBe(1_000);
    expect(waitHeartbeatMs({ heartbeatTimeoutMs: 30_000 })).toBe(10_000);
    expect(waitHeartbeatMs({ heartbeatTimeoutMs: 120_000 })).toBe(10_000);
    expect(waitHeartbeatMs({ heartbeatTimeoutMs: 200 })).toBe(100);
  });

  it('is every 10 s without a heartbeat timeout (only to hear of a cancellation)', () => {
    expect(waitHeartbeatMs({})).toBe(10_000);
    expect(waitHeartbeatMs({ heartbeatTimeoutMs: 0 })).toBe(10_000);
  });

  it('is the cadence the governor beats at while the attempt waits', async () => {
    const g = new ToolGovernor(
      'search',
      toolSettingsOf({ maxConcurrency: 1 }, 60_000),
      new MemoryGovernorStore(),
    );
    await g.acquire({ leaseTtlMs: 60_000, maxWaitMs: 30_000 });
    const heartbeat = vi.fn();
    void g.acquire({ leaseTtlMs: 60_000, maxWaitMs: 30_000, heartbeat, heartbeatEveryMs: 10_000 });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(heartbeat).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(heartbeat).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(heartbeat).toHaveBeenCalledTimes(2);
  });
});
