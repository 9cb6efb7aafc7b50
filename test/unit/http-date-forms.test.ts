import { describe, expect, it } from 'vitest';
import { parseHttpDate, parseResetMs, parseResetTimeMs } from '../../src/classification/retry-after';

// The dates and durations providers send in Retry-After and rate-limit reset headers, at the edges of each form
// (retry-after.test.ts covers one value of each form and the garbage that must be refused).

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

describe('parseHttpDate', () => {
  it.each(MONTHS.map((month, i) => [month, i] as const))('reads the month %s', (month, index) => {
    expect(parseHttpDate(`Thu, 01 ${month} 2026 00:00:00 GMT`)).toBe(Date.UTC(2026, index, 1));
  });

  it('RFC 850 two-digit years: 70 to 99 are 19xx, 00 to 69 are 20xx', () => {
    expect(parseHttpDate('Thursday, 01-Jan-70 00:00:00 GMT')).toBe(Date.UTC(1970, 0, 1));
    expect(parseHttpDate('Sunday, 01-Jan-69 00:00:00 GMT')).toBe(Date.UTC(2069, 0, 1));
    expect(parseHttpDate('Thursday, 01-Jan-26 12:30:15 GMT')).toBe(Date.UTC(2026, 0, 1, 12, 30, 15));
  });

  it('asctime with a two-digit day', () => {
    expect(parseHttpDate('Mon Nov 16 08:49:37 2026')).toBe(Date.UTC(2026, 10, 16, 8, 49, 37));
  });

  it('the last valid hour, minute and second; a leap second reads as :59', () => {
    expect(parseHttpDate('Thu, 31 Dec 2026 23:59:59 GMT')).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    expect(parseHttpDate('Thu, 31 Dec 2026 23:59:60 GMT')).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    for (const time of ['24:00:00', '23:60:00', '23:59:61'])
      expect(parseHttpDate(`Thu, 31 Dec 2026 ${time} GMT`)).toBeUndefined();
  });

  it('the last day of each month exists, the day after does not', () => {
    expect(parseHttpDate('Sat, 28 Feb 2026 00:00:00 GMT')).toBe(Date.UTC(2026, 1, 28));
    expect(parseHttpDate('Sun, 29 Feb 2026 00:00:00 GMT')).toBeUndefined();
    expect(parseHttpDate('Tue, 29 Feb 2028 00:00:00 GMT')).toBe(Date.UTC(2028, 1, 29));
    expect(parseHttpDate('Fri, 31 Apr 2026 00:00:00 GMT')).toBeUndefined();
  });
});

describe('parseResetMs (delays)', () => {
  it('reads sub-millisecond units as Go prints them, and upper case', () => {
    expect(parseResetMs('1500us')).toBe(2);
    expect(parseResetMs('1500µs')).toBe(2);
    expect(parseResetMs('2000000ns')).toBe(2);
    expect(parseResetMs('2H0M0S')).toBe(7_200_000);
    expect(parseResetMs(' 6ms ')).toBe(6);
    expect(parseResetMs(12)).toBe(12_000);
  });

  it('refuses a value longer than 64 characters', () => {
    expect(parseResetMs(`${'0'.repeat(62)}1s`)).toBe(1_000);
    expect(parseResetMs(`${'0'.repeat(63)}1s`)).toBeUndefined();
    expect(parseResetMs(undefined)).toBeUndefined();
  });
});

describe('parseResetTimeMs (absolute times)', () => {
  const NOW = Date.UTC(2026, 0, 1);

  it('reads RFC 3339 with a space or a lower-case t and z, fractions, and offsets', () => {
    expect(parseResetTimeMs('2026-01-01 00:00:30Z', NOW)).toBe(30_000);
    expect(parseResetTimeMs('2026-01-01t00:00:30z', NOW)).toBe(30_000);
    expect(parseResetTimeMs('2026-01-01T00:00:30.250Z', NOW)).toBe(30_250);
    expect(parseResetTimeMs('2026-01-01T01:00:30+01:00', NOW)).toBe(30_000);
    expect(parseResetTimeMs('2025-12-31T23:00:30-01:00', NOW)).toBe(30_000);
  });

  it('reads epoch seconds of 9 to 11 digits only (not a count of seconds)', () => {
    expect(parseResetTimeMs(String(NOW / 1000 + 1.5), NOW)).toBe(1_500);
    expect(parseResetTimeMs('999999999', 999_999_998_000)).toBe(1_000);
    expect(parseResetTimeMs('12345678', NOW)).toBeUndefined();
    expect(parseResetTimeMs('123456789012', NOW)).toBeUndefined();
    expect(parseResetTimeMs(NOW / 1000 + 3, NOW)).toBe(3_000);
  });

  it('refuses RFC 3339 without a zone, and impossible times', () => {
    expect(parseResetTimeMs('2026-01-01T00:00:30', NOW)).toBeUndefined();
    expect(parseResetTimeMs('2026-13-01T00:00:30Z', NOW)).toBeUndefined();
    expect(parseResetTimeMs({}, NOW)).toBeUndefined();
  });
});
