import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseResetMs, parseRetryAfterMs } from '../../src';

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
  ])('%s -> %s ms', (value, expected) => {
    expect(parseResetMs(value)).toBe(expected);
  });

  it.each(['soon', '5 minutes', '', '-1s'])('%s is malformed', (value) => {
    expect(parseResetMs(value)).toBeUndefined();
  });
});
