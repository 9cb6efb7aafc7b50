import { describe, expect, it } from 'vitest';
import {
  CIRCUIT_TRANSITIONS,
  DEFAULT_CIRCUIT_SETTINGS,
  IllegalCircuitTransitionError,
  assertTransition,
  circuitAfter,
  circuitAt,
  circuitByOperator,
  circuitGate,
  closedCircuit,
  type CircuitSettings,
  type CircuitState,
} from '../../../src/containment/circuit';

const settings: CircuitSettings = { ...DEFAULT_CIRCUIT_SETTINGS, volumeThreshold: 4 };

function run(
  outcomes: Array<'success' | 'counted-failure' | 'answered'>,
  s = settings,
  start = closedCircuit(0, s.openMs),
) {
  let c: CircuitState = start;
  outcomes.forEach((o, i) => (c = circuitAfter(c, o, false, s, i)));
  return c;
}

describe('circuit transitions', () => {
  it('lists every legal pair and rejects the rest', () => {
    expect(() => assertTransition('closed', 'half-open')).toThrow(IllegalCircuitTransitionError);
    expect(() => assertTransition('forced-open', 'open')).toThrow(
      'circuit cannot go from forced-open to open',
    );
    for (const [from, tos] of Object.entries(CIRCUIT_TRANSITIONS)) {
      for (const to of tos) expect(() => assertTransition(from as never, to)).not.toThrow();
    }
  });

  it('never opens on CAP answers, however many', () => {
    const c = run(Array(50).fill('answered'));
    expect(c.name).toBe('closed');
  });

  it('opens at the failure rate once the volume is reached, with the first open period', () => {
    expect(run(['counted-failure', 'counted-failure', 'counted-failure']).name).toBe('closed');
    const c = run(['success', 'counted-failure', 'counted-failure', 'counted-failure']);
    expect(c).toEqual({ name: 'open', openedAtMs: 3, probeAtMs: 3 + 1_000, openMs: 1_000 });
  });

  it('does not open below the threshold rate', () => {
    const c = run(['success', 'success', 'success', 'counted-failure', 'success', 'counted-failure']);
    expect(c.name).toBe('closed');
  });

  it('starts a new window after rollingCountTimeout', () => {
    let c: CircuitState = closedCircuit(0, 1_000);
    for (let i = 0; i < 3; i++) c = circuitAfter(c, 'counted-failure', false, settings, i);
    c = circuitAfter(c, 'counted-failure', false, settings, 20_000);
    expect(c).toMatchObject({ name: 'closed', calls: 1, failures: 1, windowStartMs: 20_000 });
  });

  it('opens after N counted failures in a row in consecutive mode; an answer resets the count', () => {
    const s: CircuitSettings = { ...settings, mode: 'consecutive', consecutiveFailures: 3 };
    expect(
      run(['counted-failure', 'counted-failure', 'answered', 'counted-failure', 'counted-failure'], s).name,
    ).toBe('closed');
    expect(run(['counted-failure', 'counted-failure', 'counted-failure'], s).name).toBe('open');
  });

  it('reads half-open once the probe time has come, and admits exactly one probe', () => {
    const open: CircuitState = { name: 'open', openedAtMs: 0, probeAtMs: 1_000, openMs: 1_000 };
    expect(circuitGate(open, settings, 999)).toEqual({ pass: false, state: 'open', untilMs: 1_000 });
    const first = circuitGate(open, settings, 1_000);
    expect(first).toMatchObject({ pass: true, probe: true });
    const afterProbe = first.pass ? first.circuit : open;
    expect(circuitGate(afterProbe, settings, 1_001)).toEqual({ pass: false, state: 'half-open' });
  });

  it('closes on any answer to the probe; a failed one reopens as long for five probes, then 1.5x longer, up to the cap', () => {
    const half: CircuitState = { name: 'half-open', probes: 1, probeStartedAtMs: 1_000, openMs: 1_000 };
    expect(circuitAfter(half, 'answered', true, settings, 1_100).name).toBe('closed');
    expect(circuitAfter(half, 'success', true, settings, 1_100)).toMatchObject({
      name: 'closed',
      openMs: 1_000,
    });
    expect(circuitAfter(half, 'counted-failure', true, settings, 1_100)).toEqual({
      name: 'open',
      openedAtMs: 1_100,
      probeAtMs: 2_100,
      openMs: 1_000,
      failedProbes: 1,
    });
    const fifth: CircuitState = { ...half, failedProbes: 4 };
    expect(circuitAfter(fifth, 'counted-failure', true, settings, 0)).toMatchObject({
      openMs: 1_000,
      failedProbes: 5,
    });
    const sixth: CircuitState = { ...half, failedProbes: 5 };
    expect(circuitAfter(sixth, 'counted-failure', true, settings, 0)).toMatchObject({
      openMs: 1_500,
      failedProbes: 6,
    });
    const long: CircuitState = { ...half, openMs: 20_000, failedProbes: 9 };
    expect(circuitAfter(long, 'counted-failure', true, settings, 0)).toMatchObject({
      openMs: 30_000,
      probeAtMs: 30_000,
    });
  });

  it('ignores answers of calls that were not the probe while half-open', () => {
    const half: CircuitState = { name: 'half-open', probes: 1, probeStartedAtMs: 1_000, openMs: 1_000 };
    expect(circuitAfter(half, 'counted-failure', false, settings, 1_100)).toBe(half);
  });

  it('gives the probe slot back when the probe is cancelled', () => {
    const half: CircuitState = { name: 'half-open', probes: 1, probeStartedAtMs: 1_000, openMs: 1_000 };
    expect(circuitAfter(half, 'cancelled', true, settings, 1_100)).toMatchObject({
      name: 'half-open',
      probes: 0,
    });
  });

  it('lets another probe go when the one out is lost', () => {
    const half: CircuitState = { name: 'half-open', probes: 1, probeStartedAtMs: 0, openMs: 1_000 };
    expect(circuitGate(half, settings, settings.probeTimeoutMs - 1).pass).toBe(false);
    expect(circuitGate(half, settings, settings.probeTimeoutMs).pass).toBe(true);
  });

  it('obeys operators: forced open until a time, disabled, closed', () => {
    const closed = closedCircuit(0, 1_000);
    const forced = circuitByOperator(closed, 'forced-open', settings, 0, 5_000);
    expect(circuitGate(forced, settings, 4_999)).toEqual({
      pass: false,
      state: 'forced-open',
      untilMs: 5_000,
    });
    expect(circuitAt(forced, 5_000).name).toBe('half-open');
    const disabled = circuitByOperator(forced, 'disabled', settings, 0);
    expect(run(Array(20).fill('counted-failure'), settings, disabled).name).toBe('disabled');
    expect(circuitByOperator(disabled, 'closed', settings, 0).name).toBe('closed');
  });
});
