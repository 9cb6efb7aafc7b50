import { describe, expect, it } from 'vitest';
import { aimdLimit, DEFAULT_AIMD, type LimitState } from '../../../src/containment/concurrency-limit';

const limit = aimdLimit();

describe('aimdLimit', () => {
  it('starts small for a tool never seen, and at the configured maximum when there is one', () => {
    expect(limit.initial()).toEqual({ value: 2, slowStart: true, epoch: 0 });
    expect(aimdLimit({ ...DEFAULT_AIMD, max: 7 }).initial()).toEqual({
      value: 7,
      slowStart: false,
      epoch: 0,
    });
    const learned: LimitState = { value: 5, slowStart: false, epoch: 3 };
    expect(limit.initial(learned)).toEqual(learned);
  });

  it('grows by one per answered call in slow start while the limit is in use, not when it is idle', () => {
    const s = limit.initial();
    expect(limit.onSuccess(s, { nowMs: 0, inFlight: 2, epoch: 0 }).value).toBe(3);
    expect(limit.onSuccess(s, { nowMs: 0, inFlight: 1, epoch: 0 }).value).toBe(3);
    const big: LimitState = { value: 10, slowStart: true, epoch: 0 };
    expect(limit.onSuccess(big, { nowMs: 0, inFlight: 4, epoch: 0 })).toBe(big);
  });

  it('cuts to 0.9 x the calls in flight on a CAP and leaves slow start', () => {
    const s: LimitState = { value: 10, slowStart: true, epoch: 0 };
    expect(limit.onCap(s, { nowMs: 1_000, inFlight: 6, epoch: 0 })).toEqual({
      value: 5,
      slowStart: false,
      epoch: 1,
      ceiling: 6,
      decreasedAtMs: 1_000,
      burst: { inFlight: 6, caps: 1 },
    });
  });

  it('decreases once per congestion epoch: CAPs from calls issued before the decrease are counted, not cut again, later ones cut', () => {
    const s: LimitState = { value: 10, slowStart: true, epoch: 0 };
    const once = limit.onCap(s, { nowMs: 0, inFlight: 10, epoch: 0 });
    expect(once.value).toBe(9);
    // The burst's second CAP: 8 of its 10 calls got through, so 8 at once is what the tool takes (not 0.9 x 9).
    const counted = limit.onCap(once, { nowMs: 5_000, inFlight: 9, epoch: 0 });
    expect(counted).toMatchObject({ value: 8, epoch: 1, ceiling: 9, burst: { inFlight: 10, caps: 2 } });
    // A CAP from two epochs back says nothing about the burst just cut.
    const twice = limit.onCap({ ...once, epoch: 2 }, { nowMs: 5_000, inFlight: 9, epoch: 0 });
    expect(twice.value).toBe(9);
    // A call sent after the cut and refused all the same: the limit is still too high, however soon it came.
    expect(limit.onCap(once, { nowMs: 1, inFlight: 9, epoch: 1 }).value).toBe(8);
  });

  it('learns a capacity of 2 from a burst of 4 with two CAPs, and grows slowly near it', () => {
    let s: LimitState = { value: 4, slowStart: true, epoch: 0 };
    s = limit.onCap(s, { nowMs: 0, inFlight: 4, epoch: 0 });
    expect(s.value).toBe(3);
    s = limit.onCap(s, { nowMs: 1, inFlight: 3, epoch: 0 });
    expect(s.value).toBe(2);
    // Within a slot of the wall: ten times slower than 1/limit per answered call.
    expect(limit.onSuccess(s, { nowMs: 2, inFlight: 2, epoch: 1 }).value).toBeCloseTo(2 + 1 / 20);
  });

  it('never goes under the minimum', () => {
    const s: LimitState = { value: 1, slowStart: false, epoch: 0 };
    expect(limit.onCap(s, { nowMs: 0, inFlight: 1, epoch: 0 }).value).toBe(1);
  });

  it('grows additively after a CAP, ten times slower within a slot of the last CAP', () => {
    const s: LimitState = { value: 4, slowStart: false, epoch: 1, ceiling: 8 };
    expect(limit.onSuccess(s, { nowMs: 0, inFlight: 4, epoch: 1 }).value).toBeCloseTo(4.25);
    const near: LimitState = { value: 7, slowStart: false, epoch: 1, ceiling: 8 };
    expect(limit.onSuccess(near, { nowMs: 0, inFlight: 7, epoch: 1 }).value).toBeCloseTo(7 + 1 / 70);
  });

  it('never grows past the configured maximum', () => {
    const capped = aimdLimit({ ...DEFAULT_AIMD, max: 3 });
    const s: LimitState = { value: 3, slowStart: true, epoch: 0 };
    expect(capped.onSuccess(s, { nowMs: 0, inFlight: 3, epoch: 0 }).value).toBe(3);
  });

  it('converges to a provider capacity within one slot, with few CAPs (simulated rounds)', () => {
    for (const capacity of [2, 5, 9]) {
      let state = limit.initial();
      let caps = 0;
      for (let round = 0; round < 200; round++) {
        const slots = Math.max(1, Math.floor(state.value));
        const epoch = state.epoch;
        // All slots are sent at once; the provider answers those above its capacity with a CAP.
        for (let i = 1; i <= slots; i++) {
          if (i > capacity) {
            caps++;
            state = limit.onCap(state, { nowMs: round * 1_000, inFlight: slots, epoch });
          } else state = limit.onSuccess(state, { nowMs: round * 1_000, inFlight: slots, epoch });
        }
      }
      expect(Math.abs(Math.floor(state.value) - capacity)).toBeLessThanOrEqual(1);
      // Probing a known wall is slow: a few CAPs in 200 rounds, not one per round.
      expect(caps).toBeLessThan(40);
    }
  });
});
