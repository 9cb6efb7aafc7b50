import { describe, expect, it } from 'vitest';
import { aimdLimit, DEFAULT_AIMD, type LimitState } from '../../../src/containment/concurrency-limit';

// AIMD at the edges the simulated rounds of concurrency-limit.test.ts do not reach: a learned limit outside the
// configured bounds, a CAP when fewer calls were out than the limit allows, the smallest burst.

const limit = aimdLimit();
const sample = (inFlight: number, epoch = 0, nowMs = 0) => ({ nowMs, inFlight, epoch });

describe('aimdLimit edges', () => {
  it('a learned limit (from the store, another worker, an older configuration) is brought within min and max', () => {
    const capped = aimdLimit({ ...DEFAULT_AIMD, max: 7 });
    expect(capped.initial({ value: 50, slowStart: false, epoch: 4 })).toEqual({
      value: 7,
      slowStart: false,
      epoch: 4,
    });
    expect(limit.initial({ value: 0.2, slowStart: true, epoch: 0 }).value).toBe(1);
  });

  it('a CAP never raises the limit, however many calls were in flight', () => {
    const s: LimitState = { value: 3, slowStart: false, epoch: 2 };
    expect(limit.onCap(s, sample(20, 2, 500))).toMatchObject({
      value: 3,
      slowStart: false,
      epoch: 3,
      ceiling: 20,
      decreasedAtMs: 500,
    });
  });

  it('a CAP with one call in flight keeps one slot, and marks the wall just above it', () => {
    const s: LimitState = { value: 4, slowStart: true, epoch: 0 };
    expect(limit.onCap(s, sample(1))).toMatchObject({ value: 1, ceiling: 2 });
  });

  it('an answered call at the configured maximum changes nothing, in or out of slow start', () => {
    const capped = aimdLimit({ ...DEFAULT_AIMD, max: 5 });
    for (const slowStart of [true, false]) {
      const s: LimitState = { value: 5, slowStart, epoch: 1 };
      expect(capped.onSuccess(s, sample(5, 1))).toBe(s);
    }
  });

  it('after slow start, growth is one slot per limit-many answered calls', () => {
    let s: LimitState = { value: 4, slowStart: false, epoch: 1 };
    for (let i = 0; i < 4; i++) s = limit.onSuccess(s, sample(4, 1));
    expect(s.value).toBeGreaterThan(4.9);
    expect(s.value).toBeLessThan(5);
  });
});
