import { describe, expect, it } from 'vitest';
import { aimdLimit, DEFAULT_AIMD } from '../../../src/containment/concurrency-limit';
import {
  admit,
  atRest,
  holdUntil,
  initialToolState,
  paceFromReport,
  pauseUntil,
  releaseHold,
  settle,
  spendResend,
  type AdmissionVerdict,
  type ToolSettings,
  type ToolState,
} from '../../../src/containment/tool-state';
import { TEST_TOOL_SETTINGS } from './tool-settings-fixture';

const settings: ToolSettings = TEST_TOOL_SETTINGS;

let nextId = 0;
function ask(state: ToolState, nowMs: number, extra: { owner?: string; tokens?: number } = {}) {
  const leaseId = `l${++nextId}`;
  const r = admit(state, { nowMs, leaseId, leaseTtlMs: 10_000, ...extra }, settings);
  return { ...r, leaseId };
}
function done(
  state: ToolState,
  leaseId: string,
  verdict: AdmissionVerdict,
  outcome: 'success' | 'cap' | 'failure' | 'ignored',
  nowMs: number,
) {
  if (!verdict.go) throw new Error('not admitted');
  return settle(
    state,
    { nowMs, leaseId, outcome, probe: verdict.probe, holdProbe: verdict.holdProbe, epoch: verdict.epoch },
    settings,
  );
}

describe('tool state machine', () => {
  it('admits up to the concurrency limit, then makes callers wait for a slot (no time given)', () => {
    let s = initialToolState(settings, 0);
    const a = ask(s, 0);
    s = a.state;
    const b = ask(s, 0);
    s = b.state;
    expect([a.verdict.go, b.verdict.go]).toEqual([true, true]);
    expect(ask(s, 0).verdict).toEqual({ go: false, gate: 'concurrency', reason: 'concurrency-limit' });
    s = done(s, a.leaseId, a.verdict, 'success', 10);
    expect(ask(s, 10).verdict.go).toBe(true);
  });

  it('fails attempts at once during a quota hold, then lets exactly one probe go', () => {
    let s = holdUntil(initialToolState(settings, 0), 5_000, 'insufficient_quota', settings, 0);
    expect(ask(s, 4_999).verdict).toEqual({
      go: false,
      gate: 'hold',
      untilMs: 5_000,
      reason: 'insufficient_quota',
    });
    const probe = ask(s, 5_000);
    expect(probe.verdict).toMatchObject({ go: true, holdProbe: true });
    s = probe.state;
    expect(ask(s, 5_001).verdict).toMatchObject({ go: false, gate: 'hold-probe' });
    s = done(s, probe.leaseId, probe.verdict, 'success', 5_100);
    expect(s.hold).toBeUndefined();
    expect(ask(s, 5_100).verdict.go).toBe(true);
  });

  it('bounds a hold by maxHoldMs whatever the provider said', () => {
    const s = holdUntil(initialToolState(settings, 0), 10_800_000, 'retry-after-long', settings, 1_000);
    expect(s.hold?.untilMs).toBe(61_000);
  });

  it('holds again when the probe after a hold meets the quota again', () => {
    let s = holdUntil(initialToolState(settings, 0), 1_000, 'quota', settings, 0);
    const probe = ask(s, 1_000);
    s = holdUntil(probe.state, 9_000, 'quota', settings, 1_100);
    s = done(s, probe.leaseId, probe.verdict, 'success', 1_100);
    expect(s.hold).toEqual({ untilMs: 9_000, reason: 'quota' });
  });

  it('pauses everyone but the activity whose answer set the pause', () => {
    const s = pauseUntil(initialToolState(settings, 0), 3_000, 'retry-after', 'wf/run/1');
    expect(ask(s, 1_000).verdict).toEqual({
      go: false,
      gate: 'pause',
      untilMs: 3_000,
      reason: 'retry-after',
    });
    expect(ask(s, 1_000, { owner: 'wf/run/1' }).verdict.go).toBe(true);
    expect(ask(s, 3_000).verdict.go).toBe(true);
    expect(pauseUntil(s, 2_000, 'shorter')).toBe(s);
  });

  it('never opens the circuit on CAPs, and shrinks the limit instead', () => {
    let s: ToolState = { ...initialToolState(settings, 0), limit: { value: 6, slowStart: true, epoch: 0 } };
    const calls = Array.from({ length: 6 }, () => {
      const c = ask(s, 0);
      s = c.state;
      return c;
    });
    for (const c of calls) s = done(s, c.leaseId, c.verdict, 'cap', 200);
    expect(s.circuit.name).toBe('closed');
    // One decrease (one epoch); the burst's other CAPs count what got through: none of 6, so the minimum, 1.
    expect(s.limit.value).toBe(1);
    expect(s.limit.epoch).toBe(1);
  });

  it('opens the circuit on RETRY failures, waits for the probe time, and lets one probe through', () => {
    let s = initialToolState(settings, 0);
    for (let i = 0; i < 2; i++) {
      const c = ask(s, i);
      s = done(c.state, c.leaseId, c.verdict, 'failure', i);
    }
    expect(s.circuit).toMatchObject({ name: 'open', probeAtMs: 1_001 });
    expect(ask(s, 500).verdict).toEqual({ go: false, gate: 'open', untilMs: 1_001, reason: 'circuit-open' });
    const probe = ask(s, 1_001);
    expect(probe.verdict).toMatchObject({ go: true, probe: true });
    expect(ask(probe.state, 1_002).verdict).toEqual({
      go: false,
      gate: 'half-open',
      reason: 'circuit-half-open',
    });
    s = done(probe.state, probe.leaseId, probe.verdict, 'success', 1_200);
    expect(s.circuit.name).toBe('closed');
  });

  it('paces requests under a configured rate, and tells how long to wait for the next token', () => {
    const paced: ToolSettings = {
      ...settings,
      requestsPerSecond: 5,
      limit: aimdLimit({ ...DEFAULT_AIMD, max: 100 }),
    };
    let s = initialToolState(paced, 0);
    const goes: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const r = admit(s, { nowMs: 0, leaseId: `p${i}`, leaseTtlMs: 1_000 }, paced);
      s = r.state;
      goes.push(r.verdict.go);
    }
    expect(goes).toEqual([true, true, true, true, false]);
    const refused = admit(s, { nowMs: 0, leaseId: 'x', leaseTtlMs: 1_000 }, paced).verdict;
    expect(refused).toEqual({ go: false, gate: 'rate', untilMs: 250, reason: 'rate-limit' });
  });

  it('paces declared LLM tokens under a tokens-per-minute budget and corrects by the tokens really used', () => {
    const tpm: ToolSettings = {
      ...settings,
      tokensPerMinute: 10_000,
      limit: aimdLimit({ ...DEFAULT_AIMD, max: 100 }),
    };
    let s = initialToolState(tpm, 0);
    const first = admit(s, { nowMs: 0, leaseId: 'a', leaseTtlMs: 1_000, tokens: 6_000 }, tpm);
    expect(first.verdict.go).toBe(true);
    s = first.state;
    const second = admit(s, { nowMs: 0, leaseId: 'b', leaseTtlMs: 1_000, tokens: 6_000 }, tpm).verdict;
    // 8,000 usable per minute (headroom 0.8); 2,000 left; 4,000 more come in 30 s.
    expect(second).toEqual({ go: false, gate: 'tokens', untilMs: 30_000, reason: 'token-rate-limit' });
    if (!first.verdict.go) throw new Error();
    s = settle(
      s,
      {
        nowMs: 10,
        leaseId: 'a',
        outcome: 'success',
        probe: false,
        holdProbe: false,
        epoch: 0,
        tokensUsed: 1_000,
        tokensDeclared: 6_000,
      },
      tpm,
    );
    expect(admit(s, { nowMs: 10, leaseId: 'c', leaseTtlMs: 1_000, tokens: 6_000 }, tpm).verdict.go).toBe(
      true,
    );
  });

  it('pauses at a reported budget of 0 until the reset, and syncs the bucket to a reported one', () => {
    let s = initialToolState(settings, 0);
    s = paceFromReport(s, 'requests', { remaining: 0, resetMs: 2_000, limit: 100 }, settings, 1_000);
    expect(s.pause).toEqual({ untilMs: 3_000, reason: 'rate-limit-exhausted' });
    const t = paceFromReport(
      initialToolState(settings, 0),
      'requests',
      { remaining: 30, resetMs: 7_000, limit: 100 },
      settings,
      0,
    );
    // 20 kept in reserve of 100 (headroom 0.8): 10 usable now, refilling at 70 per 7 s.
    expect(t.requests).toMatchObject({ capacity: 80, refillPerMs: 0.01, updatedAtMs: 0 });
    expect(t.requests?.tokens).toBeCloseTo(10, 9);
  });

  it('lets a lease whose holder died expire', () => {
    let s = initialToolState(settings, 0);
    s = ask(s, 0).state;
    s = ask(s, 0).state;
    expect(ask(s, 9_999).verdict.go).toBe(false);
    expect(ask(s, 10_000).verdict.go).toBe(true);
  });

  it('banks local re-sends: each costs one, answered calls earn them back', () => {
    let s = initialToolState(settings, 0);
    const spent: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const r = spendResend(s);
      s = r.state;
      spent.push(r.allowed);
    }
    expect(spent).toEqual([true, true, true, false]);
    const c = ask(s, 0);
    s = done(c.state, c.leaseId, c.verdict, 'success', 1);
    const c2 = ask(s, 1);
    s = done(c2.state, c2.leaseId, c2.verdict, 'success', 2);
    expect(spendResend(s).allowed).toBe(true);
  });

  it('is at rest (may be forgotten) only with nothing in flight, held, paused or open', () => {
    const fresh = initialToolState(settings, 0);
    expect(atRest(fresh, 0)).toBe(true);
    expect(atRest(ask(fresh, 0).state, 0)).toBe(false);
    expect(atRest(pauseUntil(fresh, 10, 'x'), 0)).toBe(false);
    expect(atRest(holdUntil(fresh, 10, 'x', settings, 0), 0)).toBe(false);
    expect(atRest(releaseHold(holdUntil(fresh, 10, 'x', settings, 0)), 0)).toBe(true);
  });
});
