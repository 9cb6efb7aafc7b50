import { describe, expect, it } from 'vitest';
import { classifyHttp, DEFAULT_MAX_WAIT_MS, normalizeHeaders, type ClassificationRule } from '../../src';

// Boundaries of the HTTP classifier, one per line of its decision table (kept apart from classify-http.test.ts, which
// covers the providers' real answers).

const NOW = Date.UTC(2026, 0, 1);
const c = (
  status: number,
  more: Parameters<typeof classifyHttp>[0] extends infer R ? Partial<R> : never = {},
  options = {},
) => classifyHttp({ status, now: NOW, ...more }, options);

describe('status and Retry-After', () => {
  it('Retry-After up to maxWaitMs is WAIT, one second more is STOP', () => {
    expect(DEFAULT_MAX_WAIT_MS).toBe(60_000);
    expect(c(429, { headers: { 'retry-after': '60' } })).toEqual({
      kind: 'wait',
      reason: 'retry-after',
      retryAfterMs: 60_000,
      status: 429,
    });
    expect(c(429, { headers: { 'retry-after': '61' } })).toEqual({
      kind: 'stop',
      reason: 'retry-after-long',
      retryAfterMs: 61_000,
      status: 429,
    });
    expect(c(429, { headers: { 'retry-after': '5' } }, { maxWaitMs: 5_000 }).kind).toBe('wait');
    expect(c(429, { headers: { 'retry-after': '6' } }, { maxWaitMs: 5_000 }).kind).toBe('stop');
  });

  it('429 without Retry-After is CAP; 503 without it is RETRY, with it WAIT or STOP', () => {
    expect(c(429)).toEqual({ kind: 'cap', reason: 'no-retry-after', status: 429 });
    expect(c(503)).toEqual({ kind: 'retry', reason: 'http-503', status: 503 });
    expect(c(503, { headers: { 'Retry-After': '2' } })).toEqual({
      kind: 'wait',
      reason: 'retry-after',
      retryAfterMs: 2000,
      status: 503,
    });
    expect(c(503, { headers: { 'Retry-After': '3600' } }).kind).toBe('stop');
    // Other statuses ignore Retry-After for the decision but report it.
    expect(c(500, { headers: { 'retry-after': '2' } })).toEqual({
      kind: 'retry',
      reason: 'http-500',
      status: 500,
    });
  });

  it.each([
    [408, 'retry', 'http-408'],
    [500, 'retry', 'http-500'],
    [502, 'retry', 'http-502'],
    [599, 'retry', 'http-599'],
    [400, 'fail', 'bad-request'],
    [401, 'fail', 'unauthorized'],
    [403, 'fail', 'forbidden'],
    [404, 'fail', 'not-found'],
    [409, 'fail', 'conflict'],
    [413, 'fail', 'payload-too-large'],
    [422, 'fail', 'validation'],
    [418, 'fail', 'http-418'],
    [499, 'fail', 'http-499'],
    [399, 'fail', 'unexpected-status-399'],
    [200, 'fail', 'unexpected-status-200'],
  ])('%i is %s (%s)', (status, kind, reason) => {
    expect(c(status)).toEqual({ kind, reason, status });
  });

  it('a status outside 100-599 is no HTTP status: FAIL invalid-status, with no status reported', () => {
    expect(c(600)).toEqual({ kind: 'fail', reason: 'invalid-status' });
  });

  it('a status that is not an integer is no status: FAIL invalid-status, none reported', () => {
    expect(classifyHttp({ status: 429.5, now: NOW })).toEqual({ kind: 'fail', reason: 'invalid-status' });
    expect(classifyHttp({ status: NaN as number, now: NOW }).status).toBeUndefined();
  });

  it('reads an HTTP-date Retry-After against the response time, then the option, then the clock', () => {
    const date = new Date(NOW + 30_000).toUTCString();
    expect(classifyHttp({ status: 429, headers: { 'retry-after': date }, now: NOW }).retryAfterMs).toBe(
      30_000,
    );
    expect(classifyHttp({ status: 429, headers: { 'retry-after': date } }, { nowMs: NOW }).retryAfterMs).toBe(
      30_000,
    );
    expect(
      classifyHttp({ status: 429, headers: { 'retry-after': date }, now: NOW + 10_000 }, { nowMs: NOW })
        .retryAfterMs,
    ).toBe(20_000);
    expect(
      classifyHttp({ status: 429, headers: { 'retry-after': date }, now: NaN }, { nowMs: NOW + 5_000 })
        .retryAfterMs,
    ).toBe(25_000);
  });
});

describe('wording', () => {
  it('quota wording stops 402, 403, 429 and 503, but not other statuses', () => {
    const body = { error: { code: 'insufficient_quota' } };
    for (const status of [402, 403, 429, 503])
      expect(c(status, { body })).toEqual({ kind: 'stop', reason: 'quota-text', status });
    // Wording alone (no provider code, which is a structured signal and stops at any status):
    expect(c(500, { body: 'you exceeded your current quota' }).kind).toBe('retry');
    expect(c(400, { body: 'you exceeded your current quota' }).kind).toBe('fail');
    // The Retry-After is still reported with it.
    expect(c(429, { body, headers: { 'retry-after': '5' } })).toEqual({
      kind: 'stop',
      reason: 'quota-text',
      retryAfterMs: 5000,
      status: 429,
    });
  });

  it('context-length wording fails a 4xx only', () => {
    const body = 'This model has a maximum context length of 8192 tokens';
    expect(c(400, { body })).toEqual({ kind: 'fail', reason: 'context-length-exceeded', status: 400 });
    expect(c(499, { body }).reason).toBe('context-length-exceeded');
    expect(c(500, { body })).toEqual({ kind: 'retry', reason: 'http-500', status: 500 });
  });

  it('custom patterns replace the defaults', () => {
    expect(c(429, { body: 'piggy bank empty' }, { quotaPatterns: [/piggy bank/] }).reason).toBe('quota-text');
    expect(c(429, { body: 'insufficient_quota' }, { quotaPatterns: [/piggy bank/] }).kind).toBe('cap');
    expect(c(400, { body: 'too many words' }, { contextLengthPatterns: [/too many words/] }).reason).toBe(
      'context-length-exceeded',
    );
  });

  it('reads only the first 64 KiB of a body', () => {
    expect(c(429, { body: 'x'.repeat(64 * 1024) + 'insufficient_quota' }).kind).toBe('cap');
    expect(c(429, { body: 'x'.repeat(64 * 1024 - 20) + 'insufficient_quota' }).kind).toBe('stop');
  });

  it('matches JSON bodies, and survives unserialisable ones', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(c(429, { body: circular }).kind).toBe('cap');
    expect(c(429, { body: null }).kind).toBe('cap');
    expect(c(429, { body: { message: 'You exceeded your current quota' } }).kind).toBe('stop');
  });
});

describe('rules', () => {
  const rule = (r: Partial<ClassificationRule>): ClassificationRule => ({
    kind: 'fail',
    reason: 'rule',
    ...r,
  });

  it('a matching rule wins over everything, and keeps the Retry-After', () => {
    expect(c(429, { headers: { 'retry-after': '5' } }, { rules: [rule({ status: 429 })] })).toEqual({
      kind: 'fail',
      reason: 'rule',
      retryAfterMs: 5000,
      status: 429,
    });
  });

  it('matches status (one or several), header (any case, with or without a pattern) and body; all must hold', () => {
    expect(c(429, {}, { rules: [rule({ status: [500, 429] })] }).reason).toBe('rule');
    expect(c(429, {}, { rules: [rule({ status: [500] })] }).reason).toBe('no-retry-after');
    expect(
      c(429, { headers: { 'X-Thing': 'abc' } }, { rules: [rule({ header: { name: 'x-THING' } })] }).reason,
    ).toBe('rule');
    expect(c(429, {}, { rules: [rule({ header: { name: 'x-thing' } })] }).reason).toBe('no-retry-after');
    expect(
      c(
        429,
        { headers: { 'x-thing': 'abc' } },
        { rules: [rule({ header: { name: 'x-thing', pattern: /^b/ } })] },
      ).reason,
    ).toBe('no-retry-after');
    expect(
      c(
        429,
        { headers: { 'x-thing': 'abc' } },
        { rules: [rule({ header: { name: 'x-thing', pattern: /^a/ } })] },
      ).reason,
    ).toBe('rule');
    expect(c(429, { body: 'hello' }, { rules: [rule({ body: /hell/, status: 429 })] }).reason).toBe('rule');
    expect(c(429, { body: 'hello' }, { rules: [rule({ body: /bye/, status: 429 })] }).reason).toBe(
      'no-retry-after',
    );
    // A code rule never matches an HTTP response (it has no code).
    expect(c(429, {}, { rules: [rule({ code: 'ECONNRESET' })] }).reason).toBe('no-retry-after');
  });

  it('the first matching rule wins, and a global regex is not thrown off by its last match', () => {
    const rules = [rule({ status: 429, reason: 'first' }), rule({ status: 429, reason: 'second' })];
    expect(c(429, {}, { rules }).reason).toBe('first');
    const sticky = [rule({ body: /quota/g, reason: 'g' })];
    expect(c(429, { body: 'quota' }, { rules: sticky }).reason).toBe('g');
    expect(c(429, { body: 'quota' }, { rules: sticky }).reason).toBe('g');
    const quotaG = [/my quota/g];
    expect(c(429, { body: 'my quota' }, { quotaPatterns: quotaG }).kind).toBe('stop');
    expect(c(429, { body: 'my quota' }, { quotaPatterns: quotaG }).kind).toBe('stop');
  });
});

describe('normalizeHeaders', () => {
  it('lower-cases names, joins arrays, keeps numbers, drops the rest', () => {
    expect(
      normalizeHeaders({ 'Retry-After': '5', 'X-A': ['1', 2, '3'], 'X-N': 7, 'X-U': undefined, 'X-O': {} }),
    ).toEqual({
      'retry-after': '5',
      'x-a': '1, 3',
      'x-n': '7',
    });
  });

  it('reads a Headers object through entries()', () => {
    const headers = new Headers({ 'Retry-After': '9' });
    expect(normalizeHeaders(headers)).toEqual({ 'retry-after': '9' });
    expect(normalizeHeaders(new Map([['X-Y', 'z']]))).toEqual({ 'x-y': 'z' });
  });

  it('never throws', () => {
    expect(normalizeHeaders(null)).toEqual({});
    expect(normalizeHeaders('a: b')).toEqual({});
    expect(normalizeHeaders([['a', 'b']])).toEqual({ '0': 'a, b' });
    const hostile = {
      entries: () => {
        throw new Error('no');
      },
    };
    expect(normalizeHeaders(hostile)).toEqual({});
  });
});
