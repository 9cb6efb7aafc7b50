// Pins the edges of how provider answers are read: how deep and how many error codes are collected from a body,
// which spent budget's wait wins when several are spent, that each reset format is parsed only its own way, when the
// next Pacific midnight falls around the US daylight-saving changes, and that quota wording past the first 64 KiB of
// a body is not scanned. Each is a wait a user's worker takes, or a bound that keeps a hostile body cheap.
import { describe, expect, it } from 'vitest';
import { matchesAny, DEFAULT_QUOTA_PATTERNS, MAX_SCANNED_TEXT } from '../../src/classification/patterns';
import { blockingBudgetWait, codesOf, resetMsOf } from '../../src/classification/providers/evaluate-profiles';
import type { ProviderProfile, ProviderSignals } from '../../src/classification/providers/provider-profile';
import { msUntilWindowEnds } from '../../src/classification/providers/reset-windows';

const NOW = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

describe('codesOf bounds', () => {
  it('arrays count as a level: a code five levels down is not read, four is', () => {
    expect([...codesOf([[[[{ code: 'four' }]]]])]).toEqual(['four']);
    expect([...codesOf([[[[[{ code: 'five' }]]]]])]).toEqual([]);
  });

  it('stops visiting once 16 codes are collected', () => {
    const item = (n: number) => ({
      code: `c${n}`,
      type: `t${n}`,
      status: `s${n}`,
      error_code: `e${n}`,
      reason: `r${n}`,
    });
    const body = { error: { ...item(0), details: [1, 2, 3, 4, 5].map(item) } };
    expect([...codesOf(body)]).toEqual(
      [0, 1, 2, 3].flatMap((n) => [`c${n}`, `t${n}`, `s${n}`, `e${n}`, `r${n}`]),
    );
  });
});

describe('blockingBudgetWait: the longest spent budget blocks', () => {
  const profile: ProviderProfile = {
    name: 'p',
    budgets: ['a', 'b', 'c'].map((n) => ({
      name: n,
      remaining: `${n}-remaining`,
      reset: `${n}-reset`,
      resetFormat: 'delay' as const,
    })),
  };
  const wait = (headers: Record<string, string>) =>
    blockingBudgetWait([profile], {
      status: 429,
      headers,
      body: undefined,
      text: '',
      codes: new Set(),
      nowMs: NOW,
      maxWaitMs: 60_000,
    } satisfies ProviderSignals);

  it('the longer of two spent budgets, whichever comes first', () => {
    expect(wait({ 'a-remaining': '0', 'a-reset': '40', 'b-remaining': '0', 'b-reset': '10' })).toEqual({
      ms: 40_000,
      budget: 'a',
    });
    expect(wait({ 'a-remaining': '0', 'a-reset': '10', 'b-remaining': '0', 'b-reset': '40' })).toEqual({
      ms: 40_000,
      budget: 'b',
    });
  });

  it('of equally long spent budgets, the first is named', () => {
    expect(
      wait({
        'a-remaining': '0',
        'a-reset': '20',
        'b-remaining': '5',
        'b-reset': '90',
        'c-remaining': '0',
        'c-reset': '20',
      }),
    ).toEqual({ ms: 20_000, budget: 'a' });
  });
});

describe('resetMsOf: each format parsed its own way', () => {
  it('delay: seconds or durations, never a timestamp', () => {
    expect(resetMsOf('delay', '30', NOW)).toBe(30_000);
    expect(resetMsOf('delay', '2026-01-01T00:00:30Z', NOW)).toBeUndefined();
  });

  it('time: a timestamp or epoch seconds, never a duration', () => {
    expect(resetMsOf('time', '2026-01-01T00:00:30Z', NOW)).toBe(30_000);
    expect(resetMsOf('time', String(NOW / 1000 + 5), NOW)).toBe(5000);
    expect(resetMsOf('time', '12s', NOW)).toBeUndefined();
  });

  it('auto: either', () => {
    expect(resetMsOf('auto', '2026-01-01T00:00:30Z', NOW)).toBe(30_000);
    expect(resetMsOf('auto', '12s', NOW)).toBe(12_000);
  });
});

describe('msUntilWindowEnds next-pacific-day', () => {
  it('half an hour after Pacific midnight, the next is 23.5 hours away', () => {
    expect(msUntilWindowEnds('next-pacific-day', Date.UTC(2026, 0, 15, 8, 30))).toBe(23.5 * HOUR);
  });

  it('the evening before daylight saving starts (2026-03-08) is still PST', () => {
    // 2026-03-08 05:00 UTC = 21:00 PST on the 7th; midnight PST is 08:00 UTC.
    expect(msUntilWindowEnds('next-pacific-day', Date.UTC(2026, 2, 8, 5))).toBe(3 * HOUR);
  });

  it('the evening before daylight saving ends (2026-11-01) is still PDT', () => {
    // 2026-11-01 05:00 UTC = 22:00 PDT on Oct 31; midnight PDT is 07:00 UTC.
    expect(msUntilWindowEnds('next-pacific-day', Date.UTC(2026, 10, 1, 5))).toBe(2 * HOUR);
  });
});

describe('matchesAny scans only the first 64 KiB', () => {
  it('quota wording right at the end of 64 KiB matches, past it does not', () => {
    const words = 'insufficient_quota';
    expect(matchesAny(DEFAULT_QUOTA_PATTERNS, 'x'.repeat(MAX_SCANNED_TEXT - words.length) + words)).toBe(
      true,
    );
    expect(matchesAny(DEFAULT_QUOTA_PATTERNS, 'x'.repeat(MAX_SCANNED_TEXT - words.length + 1) + words)).toBe(
      false,
    );
    expect(matchesAny(DEFAULT_QUOTA_PATTERNS, 'x'.repeat(MAX_SCANNED_TEXT) + words)).toBe(false);
  });
});
