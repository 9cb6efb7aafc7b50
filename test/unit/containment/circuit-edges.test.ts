import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CIRCUIT_SETTINGS,
  circuitAfter,
  circuitAt,
  circuitByOperator,
  circuitGate,
  closedCircuit,
  type CircuitSettings,
  type CircuitState,
} from '../../../src/containment/circuit';

// The circuit at the edges of its settings, with explicit `nowMs` (circuit.test.ts covers the transitions): the
// exact threshold, the window boundary, the open period growing through real open → half-open → open cycles, several
// probes, and operators acting on a circuit already in their state.

const settings: CircuitSettings = { ...DEFAULT_CIRCUIT_SETTINGS, volumeThreshold: 4 };
type Outcome = 'success' | 'counted-failure' | 'answered';

function after(outcomes: Outcome[], s: CircuitSettings = settings, start = closedCircuit(0, s.openMs)) {
  let c: CircuitState = start;
  outcomes.forEach((o, i) => (c = circuitAfter(c, o, false, s, i)));
  return c;
}

describe('opening', () => {
  it('opens at exactly the threshold rate and volume (2 failures in 4 calls at 50 %)', () => {
    expect(after(['success', 'success', 'counted-failure', 'counted-failure'])).toEqual({
      name: 'open',
      openedAtMs: 3,
      probeAtMs: 1_003,
      openMs: 1_000,
    });
  });

  it('a success never opens it, even when the counts are over the threshold', () => {
    const c = after(['counted-failure', 'counted-failure', 'counted-failure', 'success']);
    expect(c).toEqual({
      name: 'closed',
      windowStartMs: 0,
      calls: 4,
      failures: 3,
      consecutive: 0,
      openMs: 1_000,
    });
  });

  it('a new window starts exactly rollingCountTimeout after the last one started', () => {
    let c: CircuitState = closedCircuit(0, 1_000);
    for (let i = 0; i < 3; i++) c = circuitAfter(c, 'counted-failure', false, settings, i);
    expect(circuitAfter(c, 'counted-failure', false, settings, 9_999).name).toBe('open');
    expect(circuitAfter(c, 'counted-failure', false, settings, 10_000)).toEqual({
      name: 'closed',
      windowStartMs: 10_000,
      calls: 1,
      failures: 1,
      consecutive: 4,
      openMs: 1_000,
    });
  });

  it('in consecutive mode, failures in a row count across windows', () => {
    const s: CircuitSettings = { ...settings, mode: 'consecutive', consecutiveFailures: 2 };
    const one = circuitAfter(closedCircuit(0, 1_000), 'counted-failure', false, s, 0);
    expect(circuitAfter(one, 'counted-failure', false, s, 60_000).name).toBe('open');
  });

  it('with the circuit disabled in the settings, nothing opens it', () => {
    expect(after(Array<Outcome>(20).fill('counted-failure'), { ...settings, enabled: false })).toMatchObject({
      name: 'closed',
      calls: 0,
    });
  });
});

describe('probing', () => {
  /** Opens a circuit, then lets `n` probes fail one after the other, each at its probe time. */
  function failProbes(n: number, s: CircuitSettings = settings) {
    let c = after(['counted-failure', 'counted-failure', 'counted-failure', 'counted-failure'], s);
    const periods: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = (c as { probeAtMs: number }).probeAtMs;
      const gate = circuitGate(c, s, at);
      if (!gate.pass) throw new Error('the probe did not go');
      c = circuitAfter(gate.circuit, 'counted-failure', true, s, at + 10);
      periods.push((c as { openMs: number }).openMs);
    }
    return { circuit: c, periods };
  }

  it('keeps one-second probes for five failed probes, then grows 1.5x per failed probe, up to 30 s', () => {
    const { periods } = failProbes(14);
    expect(periods).toEqual([
      1_000, 1_000, 1_000, 1_000, 1_000, 1_500, 2_250, 3_375, 5_062.5, 7_593.75, 11_390.625, 17_085.9375,
      25_628.90625, 30_000,
    ]);
  });

  it('a closing probe forgets the failed probes: the next outage starts at one second again', () => {
    const { circuit } = failProbes(7);
    const at = (circuit as { probeAtMs: number }).probeAtMs;
    const gate = circuitGate(circuit, settings, at);
    if (!gate.pass) throw new Error('the probe did not go');
    const closed = circuitAfter(gate.circuit, 'success', true, settings, at + 1);
    expect(closed).toEqual(closedCircuit(at + 1, 1_000));
  });

  it('an open circuit reads half-open from its probe time on, carrying its failed probes', () => {
    const open: CircuitState = {
      name: 'open',
      openedAtMs: 0,
      probeAtMs: 1_000,
      openMs: 1_500,
      failedProbes: 6,
    };
    expect(circuitAt(open, 999)).toBe(open);
    expect(circuitAt(open, 1_000)).toEqual({
      name: 'half-open',
      probes: 0,
      probeStartedAtMs: 1_000,
      openMs: 1_500,
      failedProbes: 6,
    });
    expect(circuitAt({ ...open, failedProbes: undefined }, 1_000)).not.toHaveProperty('failedProbes');
  });

  it('lets halfOpenProbes probes go at once, then refuses until one answers', () => {
    const s: CircuitSettings = { ...settings, halfOpenProbes: 2 };
    let c: CircuitState = { name: 'half-open', probes: 0, probeStartedAtMs: 0, openMs: 1_000 };
    for (const expected of [1, 2]) {
      const gate = circuitGate(c, s, 10);
      if (!gate.pass) throw new Error(`probe ${expected} refused`);
      expect(gate).toMatchObject({ probe: true, circuit: { probes: expected, probeStartedAtMs: 10 } });
      c = gate.circuit;
    }
    expect(circuitGate(c, s, 11)).toEqual({ pass: false, state: 'half-open' });
  });

  it('a probe that replaces a lost one is the only one out', () => {
    const s: CircuitSettings = { ...settings, halfOpenProbes: 2 };
    const lost: CircuitState = { name: 'half-open', probes: 2, probeStartedAtMs: 0, openMs: 1_000 };
    const gate = circuitGate(lost, s, s.probeTimeoutMs);
    expect(gate).toMatchObject({ pass: true, probe: true, circuit: { probes: 1, probeStartedAtMs: 60_000 } });
    // No probe out is not "lost": it just goes.
    const none: CircuitState = { name: 'half-open', probes: 0, probeStartedAtMs: 0, openMs: 1_000 };
    expect(circuitGate(none, settings, 120_000)).toMatchObject({ pass: true, circuit: { probes: 1 } });
  });

  it('a cancelled call that was not the probe, or a cancelled probe with none counted, changes nothing', () => {
    const half: CircuitState = { name: 'half-open', probes: 1, probeStartedAtMs: 0, openMs: 1_000 };
    expect(circuitAfter(half, 'cancelled', false, settings, 5)).toBe(half);
    const none: CircuitState = { ...half, probes: 0 };
    expect(circuitAfter(none, 'cancelled', true, settings, 5)).toEqual(none);
    const closed = closedCircuit(0, 1_000);
    expect(circuitAfter(closed, 'cancelled', true, settings, 5)).toBe(closed);
  });
});

describe('operators', () => {
  it('a circuit forced open with no end time stays open and says no time', () => {
    const forced = circuitByOperator(closedCircuit(0, 1_000), 'forced-open', settings, 0);
    expect(forced).toEqual({ name: 'forced-open', openMs: 1_000 });
    expect(circuitAt(forced, Number.MAX_SAFE_INTEGER)).toBe(forced);
    expect(circuitGate(forced, settings, 1e12)).toEqual({ pass: false, state: 'forced-open' });
  });

  it('forcing it open again moves the end time; a forced circuit read at its end is half-open, with no failed probes', () => {
    const first = circuitByOperator(closedCircuit(0, 1_000), 'forced-open', settings, 0, 5_000);
    const again = circuitByOperator(first, 'forced-open', settings, 10, 9_000);
    expect(again).toEqual({ name: 'forced-open', openMs: 1_000, untilMs: 9_000 });
    expect(circuitAt(again, 9_000)).toEqual({
      name: 'half-open',
      probes: 0,
      probeStartedAtMs: 9_000,
      openMs: 1_000,
    });
  });

  it('closing or disabling resets the open period to the configured one', () => {
    const grown: CircuitState = {
      name: 'open',
      openedAtMs: 0,
      probeAtMs: 50_000,
      openMs: 30_000,
      failedProbes: 20,
    };
    expect(circuitByOperator(grown, 'closed', settings, 7)).toEqual(closedCircuit(7, 1_000));
    expect(circuitByOperator(grown, 'disabled', settings, 7)).toEqual({ name: 'disabled', openMs: 1_000 });
    // Forcing it open keeps the period it had.
    expect(circuitByOperator(grown, 'forced-open', settings, 7)).toEqual({
      name: 'forced-open',
      openMs: 30_000,
    });
  });
});
