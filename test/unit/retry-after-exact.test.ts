// Pins the input guards and exact number forms of the Retry-After / reset header parsers, and the clamp at the
// infinities. A user relies on these: a header value that is not a string or number (an array from a multi-valued
// header, an object) must never turn into a wait, and a fractional or padded value must give the exact wait.
import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_MS,
  clampWaitMs,
  parseHttpDate,
  parseResetMs,
  parseResetTimeMs,
  parseRetryAfterMs,
  parseRetryAfterMsHeader,
} from '../../src/classification/retry-after';

const RESET_EPOCH_S = 1_767_225_630; // 2026-01-01T00:00:30Z
const RESET_EPOCH_MS = RESET_EPOCH_S * 1000;

describe('only strings and numbers are read', () => {
  it.each([[['5']], [[5]], [{ toString: (): string => '5' }]])(
    'parseRetryAfterMs(%j) is undefined',
    (value) => {
      expect(parseRetryAfterMs(value, 0)).toBeUndefined();
    },
  );

  it('parseRetryAfterMsHeader ignores arrays but reads numbers', () => {
    expect(parseRetryAfterMsHeader(['250'])).toBeUndefined();
    expect(parseRetryAfterMsHeader(250)).toBe(250);
    expect(parseRetryAfterMsHeader('250')).toBe(250);
  });

  it('parseResetMs ignores arrays', () => {
    expect(parseResetMs(['12'])).toBeUndefined();
    expect(parseResetMs(12)).toBe(12_000);
  });

  it('parseResetTimeMs ignores arrays', () => {
    expect(parseResetTimeMs([String(RESET_EPOCH_S)], 0)).toBeUndefined();
    expect(parseResetTimeMs(RESET_EPOCH_S, RESET_EPOCH_MS - 5000)).toBe(5000);
  });

  it('parseHttpDate ignores a non-string even when it prints as a date', () => {
    const disguised = { toString: () => 'Sun, 06 Nov 1994 08:49:37 GMT' };
    expect(parseHttpDate(disguised as unknown as string)).toBeUndefined();
  });
});

describe('parseRetryAfterMsHeader, exact forms', () => {
  it('trims', () => {
    expect(parseRetryAfterMsHeader(' 250 ')).toBe(250);
  });

  it('rounds a fraction with several digits up', () => {
    expect(parseRetryAfterMsHeader('1.25')).toBe(2);
  });

  it('rejects trailing text', () => {
    expect(parseRetryAfterMsHeader('250abc')).toBeUndefined();
  });
});

describe('parseResetMs, fractions of seconds', () => {
  it('reads "1.25" as 1250 ms', () => {
    expect(parseResetMs('1.25')).toBe(1250);
  });
});

describe('parseResetTimeMs, exact forms', () => {
  it('trims epoch seconds', () => {
    expect(parseResetTimeMs(` ${RESET_EPOCH_S} `, RESET_EPOCH_MS - 5000)).toBe(5000);
  });

  it('reads epoch seconds with a multi-digit fraction', () => {
    expect(parseResetTimeMs(`${RESET_EPOCH_S}.25`, RESET_EPOCH_MS)).toBe(250);
  });

  it('rejects an expanded-year timestamp (only four-digit years, from the start)', () => {
    expect(parseResetTimeMs('+002026-01-01T00:00:30Z', 0)).toBeUndefined();
  });
});

describe('parseHttpDate, time fields', () => {
  it('rejects minute 60 even when it would roll over within the same day', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:60:00 GMT')).toBeUndefined();
    expect(parseHttpDate('Sun, 06 Nov 1994 08:59:00 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 59, 0));
  });
});

describe('clampWaitMs at the infinities', () => {
  it('clamps +Infinity to the maximum and -Infinity to 0', () => {
    expect(clampWaitMs(Infinity)).toBe(MAX_RETRY_AFTER_MS);
    expect(clampWaitMs(-Infinity)).toBe(0);
    expect(clampWaitMs(NaN)).toBe(0);
  });
});
