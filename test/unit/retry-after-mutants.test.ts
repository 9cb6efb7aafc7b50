import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseResetMs, parseRetryAfterMs } from '../../src';

// Exact values at the edges of Retry-After and rate-limit reset parsing (kept apart from retry-after.test.ts).

const NOW = Date.UTC(2026, 0, 1);

describe('parseRetryAfterMs edges', () => {
  it('rounds fractions of a millisecond up and clamps at 30 days', () => {
    expect(MAX_RETRY_AFTER_MS).toBe(2_592_000_000);
    expect(parseRetryAfterMs('0.0001', NOW)).toBe(1);
    expect(parseRetryAfterMs('2592000', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs('2592001', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs('2591999', NOW)).toBe(2_591_999_000);
    expect(parseRetryAfterMs(Infinity, NOW)).toBeUndefined();
  });

  it('reads HTTP dates, with a broken clock counting from 0', () => {
    const date = new Date(NOW + 1_500).toUTCString();
    expect(parseRetryAfterMs(date, NOW)).toBe(1_000); // HTTP dates have whole seconds
    expect(parseRetryAfterMs(date, NaN)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfterMs('Someday, 99 Foo 2015', NOW)).toBeUndefined();
  });
});

describe('parseResetMs edges', () => {
  it('sums units and clamps', () => {
    expect(parseResetMs('1m30s')).toBe(90_000);
    expect(parseResetMs('1.5s')).toBe(1_500);
    expect(parseResetMs('2h')).toBe(7_200_000);
    expect(parseResetMs('10ms')).toBe(10);
    expect(parseResetMs(' 3S ')).toBe(3_000);
    expect(parseResetMs(5)).toBe(5_000);
    expect(parseResetMs('999999999h')).toBe(MAX_RETRY_AFTER_MS);
  });

  it('refuses anything with unparsed text in it', () => {
    for (const value of ['1s later', 'x1s', '1x', '1s 2s', null, undefined, {}, ''])
      expect(parseResetMs(value)).toBeUndefined();
  });
});
