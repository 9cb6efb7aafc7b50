// Pins the exact shape of the state machine's records (no `untilMs`/`owner` keys when there is none, since stores
// serialise them and callers branch on `in`), the token gate for calls that declare no tokens, the pruning of
// expired leases (a live lease still holds its slot), and the leaf helpers (circuit gate, token bucket, budgets
// report) at their edges.
import { describe, expect, it } from 'vitest';
import {
  circuitByOperator,
  circuitGate,
  closedCircuit,
  DEFAULT_CIRCUIT_SETTINGS,
  IllegalCircuitTransitionError,
} from '../../../src/containment/circuit';
import { rateLimitReport } from '../../../src/containment/rate-limit-report';
import { take } from '../../../src/containment/token-bucket';
import type { ProviderProfile } from '../../../src/classification/providers/provider-profile';
import { admit, initialToolState, pauseUntil, type ToolState } from '../../../src/containment/tool-state';
import { TEST_TOOL_SETTINGS } from './tool-settings-fixture';

const NOW = 1_000_000;
const settings = TEST_TOOL_SETTINGS;
const fresh = (): ToolState => initialToolState(settings, NOW);

describe('admit: exact verdicts and leases', () => {
  it('a circuit forced open without an end refuses with no untilMs at all', () => {
    const state: ToolState = {
      ...fresh(),
      circuit: circuitByOperator(fresh().circuit, 'forced-open', settings.circuit, NOW),
    };
    const { verdict } = admit(state, { nowMs: NOW, leaseId: 'a', leaseTtlMs: 1_000 }, settings);
    expect(verdict).toStrictEqual({ go: false, gate: 'forced-open', reason: 'circuit-forced-open' });
  });

  it('a call declaring 0 tokens skips the token gate even when the bucket is overdrawn', () => {
    const state: ToolState = {
      ...fresh(),
      tokens: { capacity: 1_000, tokens: -50, refillPerMs: 1, updatedAtMs: NOW },
    };
    const { verdict, state: next } = admit(
      state,
      { nowMs: NOW, leaseId: 'a', leaseTtlMs: 1_000, tokens: 0 },
      settings,
    );
    expect(verdict.go).toBe(true);
    expect(next.tokens).toEqual({ capacity: 1_000, tokens: -50, refillPerMs: 1, updatedAtMs: NOW });
  });

  it('an expired lease frees its slot but a live one keeps it', () => {
    const oneSlot: ToolState = { ...fresh(), limit: { ...fresh().limit, value: 1 } };
    const withLive: ToolState = { ...oneSlot, leases: { dead: NOW, live: NOW + 1 } };
    expect(admit(withLive, { nowMs: NOW, leaseId: 'b', leaseTtlMs: 500 }, settings).verdict).toEqual({
      go: false,
      gate: 'concurrency',
      reason: 'concurrency-limit',
    });
    const twoSlots: ToolState = { ...withLive, limit: { ...withLive.limit, value: 2 } };
    const admitted = admit(twoSlots, { nowMs: NOW, leaseId: 'b', leaseTtlMs: 500 }, settings);
    expect(admitted.verdict.go).toBe(true);
    expect(admitted.state.leases).toEqual({ live: NOW + 1, b: NOW + 500 });
  });
});

describe('pauseUntil', () => {
  it('a pause without an owner records no owner key', () => {
    expect(pauseUntil(fresh(), NOW + 5_000, 'retry-after').pause).toStrictEqual({
      untilMs: NOW + 5_000,
      reason: 'retry-after',
    });
    expect(pauseUntil(fresh(), NOW + 5_000, 'retry-after', 'wf-1').pause).toStrictEqual({
      untilMs: NOW + 5_000,
      reason: 'retry-after',
      owner: 'wf-1',
    });
  });
});

describe('circuit leaves', () => {
  it('an illegal transition error is named for logs', () => {
    const error = new IllegalCircuitTransitionError('closed', 'half-open');
    expect(error.name).toBe('IllegalCircuitTransitionError');
    expect(error.message).toBe('circuit cannot go from closed to half-open');
  });

  it('forced open without an end: the state and the gate carry no untilMs key', () => {
    const forced = circuitByOperator(closedCircuit(NOW, 1_000), 'forced-open', DEFAULT_CIRCUIT_SETTINGS, NOW);
    expect(forced).toStrictEqual({ name: 'forced-open', openMs: 1_000 });
    expect(circuitGate(forced, DEFAULT_CIRCUIT_SETTINGS, NOW)).toStrictEqual({
      pass: false,
      state: 'forced-open',
    });
  });

  it('with no probe slots configured, a half-open circuit with no probe out lets nobody through, however long', () => {
    const noProbes = { ...DEFAULT_CIRCUIT_SETTINGS, halfOpenProbes: 0 };
    const halfOpen = { name: 'half-open', probes: 0, probeStartedAtMs: 0, openMs: 1_000 } as const;
    expect(circuitGate(halfOpen, noProbes, NOW + noProbes.probeTimeoutMs)).toStrictEqual({
      pass: false,
      state: 'half-open',
    });
  });
});

describe('token bucket: a bucket that does not refill', () => {
  it('never says a finite wait, whatever its refill rate reads', () => {
    for (const refillPerMs of [0, -0.5]) {
      const bucket = { capacity: 10, tokens: 0, refillPerMs, updatedAtMs: NOW };
      expect(take(bucket, 1, NOW)).toEqual({ bucket, waitMs: Infinity });
    }
  });
});

describe('rateLimitReport: the tightest budget', () => {
  const profile = (budgets: { name: string; remaining: number; ms: number; limit?: number }[]) =>
    ({
      name: 'custom',
      readBudgets: () => budgets.map((b) => ({ ...b, tokens: false })),
    }) as ProviderProfile;

  it('paces by the least remaining, wherever it is in the list', () => {
    const least = { name: 'requests', remaining: 3, ms: 1_000, limit: 10 };
    const more = { name: 'requests', remaining: 7, ms: 2_000, limit: 20 };
    expect(rateLimitReport({}, NOW, [profile([least, more])])).toEqual({
      requests: { remaining: 3, resetMs: 1_000, limit: 10 },
    });
    expect(rateLimitReport({}, NOW, [profile([more, least])])).toEqual({
      requests: { remaining: 3, resetMs: 1_000, limit: 10 },
    });
  });

  it('on a tie, the first reported budget wins', () => {
    const first = { name: 'requests', remaining: 5, ms: 1_000, limit: 10 };
    const second = { name: 'requests', remaining: 5, ms: 9_000, limit: 90 };
    expect(rateLimitReport({}, NOW, [profile([first, second])])).toEqual({
      requests: { remaining: 5, resetMs: 1_000, limit: 10 },
    });
  });

  it('a budget without a limit reports no limit key', () => {
    expect(
      rateLimitReport({}, NOW, [profile([{ name: 'requests', remaining: 5, ms: 1_000 }])]),
    ).toStrictEqual({
      requests: { remaining: 5, resetMs: 1_000 },
    });
  });
});
