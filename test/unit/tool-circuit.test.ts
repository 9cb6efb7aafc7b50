import { afterEach, describe, expect, it } from 'vitest';
import { ToolCircuit, type CircuitStateChange } from '../../interceptors/tool-circuit';

const circuits: ToolCircuit[] = [];
function circuit(options: ConstructorParameters<typeof ToolCircuit>[1], changes: CircuitStateChange[] = []) {
  const c = new ToolCircuit('tool', options, (change) => changes.push(change));
  circuits.push(c);
  return c;
}
afterEach(() => circuits.splice(0).forEach((c) => c.shutdown()));

const settle = async (
  c: ToolCircuit,
  outcome: Parameters<Extract<ReturnType<ToolCircuit['admit']>, { admitted: true }>['settle']>[0],
) => {
  const admission = c.admit();
  if (!admission.admitted) throw new Error('refused');
  admission.settle(outcome);
  await new Promise((r) => setImmediate(r));
};

describe('ToolCircuit', () => {
  it('opens after N consecutive RETRY/CAP failures, and a FAIL in between resets the count', async () => {
    const changes: CircuitStateChange[] = [];
    const c = circuit({ mode: 'consecutive', consecutiveFailures: 3, resetTimeout: 60_000 }, changes);
    await settle(c, 'retry');
    await settle(c, 'cap');
    await settle(c, 'fail');
    await settle(c, 'retry');
    expect(c.snapshot().state).toBe('closed');
    await settle(c, 'retry');
    await settle(c, 'retry');
    expect(c.snapshot().state).toBe('open');
    expect(changes.map((ch) => [ch.from, ch.to])).toEqual([['closed', 'open']]);
    const refused = c.admit();
    expect(refused).toMatchObject({ admitted: false, state: 'open' });
    expect(!refused.admitted && refused.retryAfterMs).toBeGreaterThan(59_000);
  });

  it('never opens on a storm of FAIL, WAIT or STOP', async () => {
    const c = circuit({ volumeThreshold: 2, errorThresholdPercentage: 10 });
    for (let i = 0; i < 20; i++) await settle(c, (['fail', 'wait', 'stop'] as const)[i % 3]!);
    expect(c.snapshot()).toMatchObject({ state: 'closed', failures: 0, calls: 20 });
  });

  it('opens on the failure rate once the volume is reached', async () => {
    const c = circuit({ volumeThreshold: 4, errorThresholdPercentage: 50 });
    await settle(c, 'success');
    await settle(c, 'retry');
    await settle(c, 'retry');
    expect(c.snapshot().state).toBe('closed'); // 3 calls < volume 4
    await settle(c, 'retry');
    expect(c.snapshot().state).toBe('open'); // 3 of 4 failed
  });

  it('half-open lets the configured number of probes through; a success closes, a failure reopens', async () => {
    const changes: CircuitStateChange[] = [];
    const c = circuit(
      { mode: 'consecutive', consecutiveFailures: 1, resetTimeout: 50, halfOpenProbes: 2 },
      changes,
    );
    await settle(c, 'retry');
    await new Promise((r) => setTimeout(r, 80));
    expect(c.snapshot().state).toBe('half-open');
    const first = c.admit();
    const second = c.admit();
    const third = c.admit();
    expect([first.admitted, second.admitted, third.admitted]).toEqual([true, true, false]);
    if (first.admitted) first.settle('retry');
    expect(c.snapshot().state).toBe('open');
    await new Promise((r) => setTimeout(r, 80));
    await settle(c, 'success');
    expect(c.snapshot().state).toBe('closed');
    expect(changes.map((ch) => ch.to)).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('can be disabled', async () => {
    const c = circuit({ enabled: false, mode: 'consecutive', consecutiveFailures: 1 });
    await settle(c, 'retry');
    await settle(c, 'retry');
    expect(c.admit().admitted).toBe(true);
  });
});
