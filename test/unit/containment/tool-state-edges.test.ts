import { describe, expect, it } from 'vitest';
import type { CircuitState } from '../../../src/containment/circuit';
import {
  admit,
  atRest,
  circuitNow,
  holdUntil,
  initialToolState,
  liveLeases,
  paceFromReport,
  pauseUntil,
  settle,
  slotsOf,
  type AdmissionVerdict,
  type CallOutcome,
  type ToolSettings,
  type ToolState,
} from '../../../src/containment/tool-state';
import { TEST_TOOL_SETTINGS } from './tool-settings-fixture';

// The tool state machine at its edges, with explicit `nowMs` (tool-state.test.ts covers each facet once): which gate
// answers when several are shut, that a refusal changes nothing, the pause's owner, the one probe after a quota hold,
// token corrections, and what a provider's report does to the state.

const settings: ToolSettings = TEST_TOOL_SETTINGS;
const paced: ToolSettings = { ...settings, requestsPerSecond: 10, tokensPerMinute: 6_000 };
const openCircuit: CircuitState = { name: 'open', openedAtMs: 0, probeAtMs: 5_000, openMs: 5_000 };
const halfOpen: CircuitState = { name: 'half-open', probes: 0, probeStartedAtMs: 0, openMs: 1_000 };

let ids = 0;
const ask = (
  state: ToolState,
  nowMs: number,
  extra: { owner?: string; tokens?: number } = {},
  s: ToolSettings = settings,
) => {
  const leaseId = `lease-${++ids}`;
  return { ...admit(state, { nowMs, leaseId, leaseTtlMs: 10_000, ...extra }, s), leaseId };
};
const end = (
  state: ToolState,
  call: { leaseId: string; verdict: AdmissionVerdict },
  outcome: CallOutcome,
  nowMs: number,
  more: { tokensUsed?: number; tokensDeclared?: number } = {},
  s: ToolSettings = settings,
) => {
  if (!call.verdict.go) throw new Error('not admitted');
  const { probe, holdProbe, epoch } = call.verdict;
  return settle(state, { nowMs, leaseId: call.leaseId, outcome, probe, holdProbe, epoch, ...more }, s);
};
/** A state with `n` calls in flight. */
const busy = (state: ToolState, n: number, nowMs = 0) => {
  for (let i = 0; i < n; i++) state = ask(state, nowMs).state;
  return state;
};

describe('a fresh state', () => {
  it('starts closed, with the whole re-send budget, pacing at headroom x the configured rates', () => {
    expect(initialToolState(paced, 7)).toEqual({
      limit: { value: 2, slowStart: true, epoch: 0 },
      leases: {},
      resendBudget: 3,
      circuit: { name: 'closed', windowStartMs: 7, calls: 0, failures: 0, consecutive: 0, openMs: 1_000 },
      requests: { capacity: 8, tokens: 8, refillPerMs: 8 / 1_000, updatedAtMs: 7 },
      tokens: { capacity: 4_800, tokens: 4_800, refillPerMs: 4_800 / 60 / 1_000, updatedAtMs: 7 },
    });
  });

  it('a request rate under one per second still lets one request go', () => {
    expect(initialToolState({ ...settings, requestsPerSecond: 0.5 }, 0).requests).toMatchObject({
      capacity: 1,
      refillPerMs: 0.4 / 1_000,
    });
  });

  it('with the circuit disabled in the settings, starts disabled', () => {
    const off = { ...settings, circuit: { ...settings.circuit, enabled: false } };
    expect(initialToolState(off, 0).circuit).toEqual({ name: 'disabled', openMs: 1_000 });
  });

  it('uses whole slots of the limit, at least one', () => {
    const s = initialToolState(settings, 0);
    expect(slotsOf({ ...s, limit: { ...s.limit, value: 3.9 } })).toBe(3);
    expect(slotsOf({ ...s, limit: { ...s.limit, value: 0.3 } })).toBe(1);
  });
});

describe('which gate answers', () => {
  const fresh = () => initialToolState(paced, 0);
  const fewTokens = (): ToolState => ({ ...fresh(), tokens: { ...fresh().tokens!, tokens: 4_600 } });

  it('a quota hold first, whatever else is shut', () => {
    const s: ToolState = {
      ...busy(fresh(), 2),
      circuit: openCircuit,
      pause: { untilMs: 9_000, reason: 'retry-after' },
      hold: { untilMs: 8_000, reason: 'insufficient_quota' },
    };
    expect(ask(s, 100).verdict).toEqual({
      go: false,
      gate: 'hold',
      untilMs: 8_000,
      reason: 'insufficient_quota',
    });
  });

  it('then an open circuit, with its probe time', () => {
    const s: ToolState = {
      ...busy(fresh(), 2),
      circuit: openCircuit,
      pause: { untilMs: 9_000, reason: 'x' },
    };
    expect(ask(s, 100).verdict).toEqual({ go: false, gate: 'open', untilMs: 5_000, reason: 'circuit-open' });
    const forced: ToolState = { ...s, circuit: { name: 'forced-open', openMs: 1_000 } };
    expect(ask(forced, 100).verdict).toEqual({
      go: false,
      gate: 'forced-open',
      reason: 'circuit-forced-open',
    });
  });

  it('then a pause, then the concurrency limit, then the request rate, then the tokens', () => {
    const paused: ToolState = { ...busy(fresh(), 2), pause: { untilMs: 9_000, reason: 'retry-after' } };
    expect(ask(paused, 100).verdict).toEqual({
      go: false,
      gate: 'pause',
      untilMs: 9_000,
      reason: 'retry-after',
    });
    expect(ask(busy(fresh(), 2), 100).verdict).toMatchObject({ gate: 'concurrency' });
    const noRequests: ToolState = { ...fresh(), requests: { ...fresh().requests!, tokens: 0.5 } };
    // Half a request token short at 8 per second: 62.5 ms, waited as 63.
    expect(ask(noRequests, 0, { tokens: 99_999 }, paced).verdict).toEqual({
      go: false,
      gate: 'rate',
      untilMs: 63,
      reason: 'rate-limit',
    });
    // 200 LLM tokens short at 4 800 per minute: 2.5 s.
    expect(ask(fewTokens(), 0, { tokens: 4_800 }, paced).verdict).toEqual({
      go: false,
      gate: 'tokens',
      untilMs: 2_500,
      reason: 'token-rate-limit',
    });
  });

  it('the half-open probe slot last: a call held back by another gate does not use it up', () => {
    const s: ToolState = { ...busy(fresh(), 2), circuit: halfOpen };
    const refused = ask(s, 100);
    expect(refused.verdict).toMatchObject({ gate: 'concurrency' });
    expect(refused.state).toBe(s);
    const probeOut: ToolState = { ...fresh(), circuit: { ...halfOpen, probes: 1 } };
    expect(ask(probeOut, 100).verdict).toEqual({ go: false, gate: 'half-open', reason: 'circuit-half-open' });
    const probe = ask({ ...fresh(), circuit: halfOpen }, 100);
    expect(probe.verdict).toEqual({ go: true, probe: true, holdProbe: false, epoch: 0 });
    expect(probe.state.circuit).toMatchObject({ name: 'half-open', probes: 1 });
  });

  it('a refusal takes nothing: no lease, no request token, no LLM tokens', () => {
    const s = fewTokens();
    const refused = ask(s, 0, { tokens: 4_800 }, paced);
    expect(refused.verdict.go).toBe(false);
    expect(refused.state).toBe(s);
  });

  it('an admitted call takes a lease, one request token and its declared tokens', () => {
    const { state, leaseId } = ask(fresh(), 0, { tokens: 1_000 }, paced);
    expect(state.leases).toEqual({ [leaseId]: 10_000 });
    expect(state.requests?.tokens).toBe(7);
    expect(state.tokens?.tokens).toBe(3_800);
    // No declared tokens (or 0): the token bucket is not touched.
    expect(ask(fresh(), 0, { tokens: 0 }, paced).state.tokens?.tokens).toBe(4_800);
    expect(ask(fresh(), 0, {}, paced).state.tokens?.tokens).toBe(4_800);
  });
});

describe('a pause', () => {
  const paused: ToolState = {
    ...initialToolState(settings, 0),
    pause: { untilMs: 5_000, reason: 'retry-after', owner: 'wf/run/act-1' },
  };

  it('holds back everyone but the activity whose answer set it, until its end', () => {
    expect(ask(paused, 100, { owner: 'wf/run/act-1' }).verdict.go).toBe(true);
    expect(ask(paused, 100, { owner: 'wf/run/act-2' }).verdict).toMatchObject({ gate: 'pause' });
    expect(ask(paused, 100).verdict).toMatchObject({ gate: 'pause' });
    expect(ask(paused, 5_000).verdict.go).toBe(true);
  });

  it('a pause without an owner holds back every attempt, those without an owner too', () => {
    const anonymous = pauseUntil(initialToolState(settings, 0), 5_000, 'retry-after');
    expect(anonymous.pause).toEqual({ untilMs: 5_000, reason: 'retry-after' });
    expect(ask(anonymous, 100).verdict).toMatchObject({ gate: 'pause' });
  });

  it('is never shortened, and an endless one is ignored', () => {
    expect(pauseUntil(paused, 4_000, 'other')).toBe(paused);
    expect(pauseUntil(paused, 5_000, 'other')).toBe(paused);
    expect(pauseUntil(paused, 6_000, 'other').pause).toEqual({ untilMs: 6_000, reason: 'other' });
    expect(pauseUntil(paused, Infinity, 'other')).toBe(paused);
    expect(pauseUntil(paused, Number.NaN, 'other')).toBe(paused);
  });
});

describe('a quota hold', () => {
  const held = holdUntil(initialToolState(settings, 0), 5_000, 'insufficient_quota', settings, 0);

  it('fails attempts until its end, then lets exactly one probe go', () => {
    expect(ask(held, 4_999).verdict).toMatchObject({ gate: 'hold' });
    const probe = ask(held, 5_000);
    expect(probe.verdict).toEqual({ go: true, probe: false, holdProbe: true, epoch: 0 });
    expect(probe.state.hold).toEqual({
      untilMs: 5_000,
      reason: 'insufficient_quota',
      probeLease: probe.leaseId,
    });
    expect(ask(probe.state, 5_001).verdict).toEqual({
      go: false,
      gate: 'hold-probe',
      reason: 'insufficient_quota',
    });
    // The probe's holder died: its lease expired, so another probe may go.
    expect(ask(probe.state, 15_000).verdict).toMatchObject({ go: true, holdProbe: true });
  });

  it('ends when its probe is answered; a cancelled probe lets another go; other calls leave it', () => {
    const probe = ask(held, 5_000);
    expect(end(probe.state, probe, 'success', 5_100).hold).toBeUndefined();
    expect(end(probe.state, probe, 'failure', 5_100).hold).toBeUndefined();
    const cancelled = end(probe.state, probe, 'ignored', 5_100);
    expect(cancelled.hold).toEqual({ untilMs: 5_000, reason: 'insufficient_quota' });
    expect(ask(cancelled, 5_200).verdict).toMatchObject({ go: true, holdProbe: true });
    // A call admitted before the hold, answered after it started, does not end it.
    const before = ask(initialToolState(settings, 0), 0);
    const heldLater = holdUntil(before.state, 5_000, 'quota', settings, 10);
    expect(end(heldLater, before, 'success', 20).hold).toEqual({ untilMs: 5_000, reason: 'quota' });
  });

  it('is bounded by maxHoldMs, is never shortened, and is replaced when its probe met the quota again', () => {
    const s = initialToolState(settings, 0);
    expect(holdUntil(s, Infinity, 'q', settings, 1_000).hold).toEqual({ untilMs: 61_000, reason: 'q' });
    expect(holdUntil(s, Number.NaN, 'q', settings, 1_000)).toBe(s);
    expect(holdUntil(held, 4_000, 'other', settings, 0)).toBe(held);
    expect(holdUntil(held, 5_000, 'other', settings, 0)).toBe(held);
    expect(holdUntil(held, 6_000, 'other', settings, 0).hold).toEqual({ untilMs: 6_000, reason: 'other' });
    const probing = ask(held, 5_000).state;
    expect(holdUntil(probing, 5_000, 'again', settings, 5_000).hold).toEqual({
      untilMs: 5_000,
      reason: 'again',
    });
  });
});

describe('settling a call', () => {
  it('corrects the declared tokens by the tokens really used', () => {
    const call = ask(initialToolState(paced, 0), 0, { tokens: 1_000 }, paced);
    const over = end(call.state, call, 'success', 0, { tokensDeclared: 1_000, tokensUsed: 1_500 }, paced);
    expect(over.tokens?.tokens).toBe(3_300);
    const under = end(call.state, call, 'success', 0, { tokensDeclared: 1_000, tokensUsed: 200 }, paced);
    expect(under.tokens?.tokens).toBe(4_600);
    // Nothing declared: everything used is charged.
    expect(end(call.state, call, 'success', 0, { tokensUsed: 100 }, paced).tokens?.tokens).toBe(3_700);
    expect(end(call.state, call, 'success', 0, {}, paced).tokens?.tokens).toBe(3_800);
  });

  it('a CAP or an answered call closes a half-open circuit like a success; a failure reopens it; a cancel gives the slot back', () => {
    const base = { ...initialToolState(settings, 0), circuit: halfOpen };
    const probe = ask(base, 100);
    for (const outcome of ['success', 'cap', 'answered'] as const)
      expect(end(probe.state, probe, outcome, 200).circuit.name).toBe('closed');
    expect(end(probe.state, probe, 'failure', 200).circuit).toMatchObject({ name: 'open', probeAtMs: 1_200 });
    expect(end(probe.state, probe, 'ignored', 200).circuit).toMatchObject({ name: 'half-open', probes: 0 });
  });

  it('only failures count toward opening the circuit', () => {
    let s = initialToolState(settings, 0);
    for (const outcome of ['cap', 'answered', 'ignored', 'cap'] as const) {
      const c = ask(s, 0);
      s = end(c.state, c, outcome, 1);
    }
    // Three answered calls and no failure; the cancelled one is not a call the tool answered.
    expect(s.circuit).toMatchObject({ name: 'closed', calls: 3, failures: 0 });
    for (let i = 0; i < 3; i++) {
      const c = ask(s, 2);
      s = end(c.state, c, 'failure', 3);
    }
    expect(s.circuit.name).toBe('open');
  });

  it('a CAP cuts the limit by the calls in flight, itself included; only successes grow it and earn re-sends', () => {
    let s: ToolState = { ...initialToolState(settings, 0), limit: { value: 8, slowStart: false, epoch: 0 } };
    const calls = [];
    for (let i = 0; i < 5; i++) {
      const c = ask(s, 0);
      s = c.state;
      calls.push(c);
    }
    expect(end(s, calls[0]!, 'cap', 1).limit).toMatchObject({ value: 4, epoch: 1 });
    expect(end(s, calls[0]!, 'answered', 1).limit).toBe(s.limit);
    expect(end(s, calls[0]!, 'failure', 1).limit).toBe(s.limit);
    const spent = { ...s, resendBudget: 1 };
    expect(end(spent, calls[0]!, 'success', 1).resendBudget).toBe(1.5);
    expect(end(spent, calls[0]!, 'failure', 1).resendBudget).toBe(1);
    expect(end({ ...s, resendBudget: 2.8 }, calls[0]!, 'success', 1).resendBudget).toBe(3);
  });

  it('releases the lease', () => {
    const c = ask(initialToolState(settings, 0), 0);
    const s = end(c.state, c, 'success', 1);
    expect(s.leases).toEqual({});
    expect(s).not.toHaveProperty('hold');
  });
});

describe('what a provider reports', () => {
  const fresh = () => initialToolState(settings, 0);

  it('a budget at 0 pauses until its reset, named after the budget', () => {
    expect(paceFromReport(fresh(), 'tokens', { remaining: 0, resetMs: 500 }, settings, 1_000).pause).toEqual({
      untilMs: 1_500,
      reason: 'token-limit-exhausted',
    });
    expect(paceFromReport(fresh(), 'requests', { remaining: -1, resetMs: 0 }, settings, 1_000).pause).toEqual(
      {
        untilMs: 1_000,
        reason: 'rate-limit-exhausted',
      },
    );
  });

  it('a reset time that is negative, not a number or endless changes nothing', () => {
    const s = fresh();
    for (const resetMs of [-1, Number.NaN, Infinity])
      expect(paceFromReport(s, 'requests', { remaining: 0, resetMs, limit: 10 }, settings, 0)).toBe(s);
  });

  it('without a known limit nothing is synced', () => {
    const s = fresh();
    expect(paceFromReport(s, 'requests', { remaining: 5, resetMs: 1_000 }, settings, 0)).toBe(s);
    expect(paceFromReport(s, 'requests', { remaining: 5, resetMs: 1_000, limit: 0 }, settings, 0)).toBe(s);
  });

  it('syncs the request bucket counting the other calls in flight, the token bucket not', () => {
    const s = busy(fresh(), 2);
    const report = { remaining: 50, resetMs: 10_000, limit: 100 };
    // 50 left, 20 kept in reserve, and one other call in flight (the answering call is not counted).
    expect(paceFromReport(s, 'requests', report, settings, 0).requests?.tokens).toBeCloseTo(29, 9);
    expect(paceFromReport(s, 'tokens', report, settings, 0).tokens?.tokens).toBeCloseTo(30, 9);
  });
});

describe('at rest', () => {
  const fresh = initialToolState(settings, 0);

  it('an expired lease, an ended hold or pause, a half-open or disabled circuit are at rest', () => {
    expect(atRest(busy(fresh, 1), 10_000)).toBe(true);
    expect(liveLeases(busy(fresh, 2), 9_999)).toBe(2);
    expect(liveLeases(busy(fresh, 2), 10_000)).toBe(0);
    expect(atRest(holdUntil(fresh, 10, 'q', settings, 0), 10)).toBe(true);
    expect(atRest(pauseUntil(fresh, 10, 'r'), 10)).toBe(true);
    expect(atRest({ ...fresh, circuit: halfOpen }, 0)).toBe(true);
    expect(atRest({ ...fresh, circuit: { name: 'disabled', openMs: 1 } }, 0)).toBe(true);
  });

  it('an open circuit is not, until its probe time; a forced-open one is not', () => {
    expect(atRest({ ...fresh, circuit: openCircuit }, 4_999)).toBe(false);
    expect(atRest({ ...fresh, circuit: openCircuit }, 5_000)).toBe(true);
    expect(circuitNow({ ...fresh, circuit: openCircuit }, 5_000).name).toBe('half-open');
    expect(atRest({ ...fresh, circuit: { name: 'forced-open', openMs: 1 } }, 0)).toBe(false);
  });
});
