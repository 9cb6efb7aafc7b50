import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_MS,
  parseHttpDate,
  parseResetMs,
  parseResetTimeMs,
  parseRetryAfterMs,
  parseRetryAfterMsHeader,
} from '../../src';

const NOW = Date.UTC(2026, 0, 1);

describe('parseRetryAfterMs', () => {
  it.each([
    ['5', 5000],
    ['0', 0],
    [' 12 ', 12_000],
    ['1.5', 1500],
    [new Date(NOW + 90_000).toUTCString(), 90_000],
    [new Date(NOW - 90_000).toUTCString(), 0],
    ['99999999999999999999', MAX_RETRY_AFTER_MS],
    [7, 7000],
  ])('%s -> %s ms', (value, expected) => {
    expect(parseRetryAfterMs(value, NOW)).toBe(expected);
  });

  it.each(['abc', '-5', '', '1e3', 'NaN', 'Infinity-ish?', null, undefined, {}, []])(
    '%s is malformed',
    (value) => {
      expect(parseRetryAfterMs(value, NOW)).toBeUndefined();
    },
  );
});

describe('parseResetMs', () => {
  it.each([
    ['6m0s', 360_000],
    ['1s', 1000],
    ['250ms', 250],
    ['1h2m3s', 3_723_000],
    ['12', 12_000],
    ['0.5', 500],
    // OpenAI's Go-style durations, as its rate-limit guide shows them.
    ['12s', 12_000],
    ['1m30s', 90_000],
    ['6ms', 6],
    ['2h0m0s', 7_200_000],
    ['17.034s', 17_034],
  ])('%s -> %s ms', (value, expected) => {
    expect(parseResetMs(value)).toBe(expected);
  });

  it.each(['soon', '5 minutes', '', '-1s', '1m30', 's', '1x'])('%s is malformed', (value) => {
    expect(parseResetMs(value)).toBeUndefined();
  });
});

describe('parseHttpDate (strict RFC 9110 forms only)', () => {
  const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT'],
    ['RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT'],
    ['asctime', 'Sun Nov  6 08:49:37 1994'],
  ])('%s', (_form, text) => {
    expect(parseHttpDate(text)).toBe(expected);
  });

  it.each([
    'garbage 1',
    '1 2 3',
    'Retry in 5',
    '2026-01-01T00:00:00Z',
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 06 Nov 94 08:49:37 GMT',
    'Sun, 31 Feb 2026 08:49:37 GMT',
    'Sun, 06 Nov 1994 25:49:37 GMT',
    'sun, 06 nov 1994 08:49:37 gmt',
    'x'.repeat(10_000),
  ])('rejects %s', (text) => {
    expect(parseHttpDate(text)).toBeUndefined();
  });

  it('a garbage Retry-After with a digit is absent, not a past date (WAIT 0)', () => {
    // Date.parse('May 5') and Date.parse('a 1') are finite: the lenient parser turned these into WAIT 0 ms.
    for (const value of ['a 1', 'May 5', 'Tuesday 3', 'v2 later']) {
      expect(parseRetryAfterMs(value, NOW)).toBeUndefined();
    }
  });
});

describe('parseRetryAfterMsHeader and parseResetTimeMs', () => {
  it('retry-after-ms is milliseconds', () => {
    expect(parseRetryAfterMsHeader('1500')).toBe(1500);
    expect(parseRetryAfterMsHeader('12.5')).toBe(13);
    expect(parseRetryAfterMsHeader('-1')).toBeUndefined();
    expect(parseRetryAfterMsHeader('soon')).toBeUndefined();
  });

  it('reads RFC 3339 times and epoch seconds against nowMs', () => {
    expect(parseResetTimeMs(new Date(NOW + 30_000).toISOString(), NOW)).toBe(30_000);
    expect(parseResetTimeMs('2026-01-01T00:00:30+00:00', NOW)).toBe(30_000);
    expect(parseResetTimeMs(String(NOW / 1000 + 42), NOW)).toBe(42_000);
    expect(parseResetTimeMs(new Date(NOW - 5_000).toISOString(), NOW)).toBe(0);
    expect(parseResetTimeMs('12', NOW)).toBeUndefined();
    expect(parseResetTimeMs('tomorrow', NOW)).toBeUndefined();
  });
});
