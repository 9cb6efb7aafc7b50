// Pins exact verdicts of classifyError and classifyHttp where a slip would change what a worker does: each TLS
// certificate code is a permanent FAIL, AggregateError members that are null or tied, the cause-depth limit, the
// `x-should-retry: true` override only for a bare 4xx FAIL, the clock used for HTTP-date Retry-After, and the strict
// forms a status string may take. Also the two matching details of user rules (exact codes, 64 KiB of body).
import { describe, expect, it } from 'vitest';
import { classifyError, MAX_CAUSE_DEPTH } from '../../src/classification/classify-error';
import { classifyHttp, numericStatus } from '../../src/classification/classify-http';
import { findRule } from '../../src/classification/rules';

describe('classifyError, permanent codes', () => {
  it.each([
    ['CERT_HAS_EXPIRED', 'tls-certificate'],
    ['CERT_NOT_YET_VALID', 'tls-certificate'],
    ['CERT_REVOKED', 'tls-certificate'],
    ['CERT_UNTRUSTED', 'tls-certificate'],
    ['CERT_REJECTED', 'tls-certificate'],
    ['CERT_SIGNATURE_FAILURE', 'tls-certificate'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls-certificate'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls-certificate'],
    ['UNABLE_TO_GET_ISSUER_CERT', 'tls-certificate'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls-certificate'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-certificate'],
    ['HOSTNAME_MISMATCH', 'tls-certificate'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls-protocol'],
    ['ENOTFOUND', 'dns-not-found'],
  ])('%s is FAIL %s', (code, reason) => {
    expect(classifyError(Object.assign(new Error(''), { code }))).toEqual({ kind: 'fail', reason });
  });
});

describe('classifyError, AggregateError members', () => {
  it('skips a null member and keeps the next verdict', () => {
    expect(classifyError({ errors: [null, { code: 'ENOTFOUND' }] })).toEqual({
      kind: 'fail',
      reason: 'dns-not-found',
    });
  });

  it('keeps the first of two members of equal severity', () => {
    expect(classifyError({ errors: [{ code: 'ECONNRESET' }, { code: 'ETIMEDOUT' }] })).toEqual({
      kind: 'retry',
      reason: 'econnreset',
    });
  });

  it('does not read an error it has already seen in the chain again', () => {
    let reads = 0;
    const error: Record<string, unknown> = {
      get code() {
        reads++;
        return reads === 1 ? undefined : 'ENOTFOUND';
      },
    };
    error.errors = [error];
    expect(classifyError(error)).toEqual({ kind: 'retry', reason: 'unknown' });
    expect(reads).toBe(1);
  });

  it('ignores a function, even one carrying a status', () => {
    const fn = Object.assign(() => undefined, { status: 503 });
    expect(classifyError({ errors: [fn] })).toEqual({ kind: 'retry', reason: 'unknown' });
    expect(classifyError(fn)).toEqual({ kind: 'retry', reason: 'unknown' });
  });
});

describe('classifyError, cause depth', () => {
  const chain = (links: number): unknown => {
    let error: Record<string, unknown> = { code: 'ENOTFOUND' };
    for (let i = 0; i < links; i++) error = { message: 'wrapped', cause: error };
    return error;
  };

  it(`follows ${MAX_CAUSE_DEPTH} causes and no more`, () => {
    expect(MAX_CAUSE_DEPTH).toBe(32);
    expect(classifyError(chain(MAX_CAUSE_DEPTH))).toEqual({ kind: 'fail', reason: 'dns-not-found' });
    expect(classifyError(chain(MAX_CAUSE_DEPTH + 1))).toEqual({ kind: 'retry', reason: 'unknown' });
  });
});

describe('classifyHttp, x-should-retry: true', () => {
  const yes = { 'x-should-retry': 'true' };

  it('turns a bare 400 FAIL into RETRY', () => {
    expect(classifyHttp({ status: 400, headers: yes })).toStrictEqual({
      kind: 'retry',
      reason: 'should-retry-true',
      status: 400,
    });
  });

  it('leaves a 408 RETRY as it is', () => {
    expect(classifyHttp({ status: 408, headers: yes })).toStrictEqual({
      kind: 'retry',
      reason: 'http-408',
      status: 408,
    });
  });

  it('does not turn a 5xx FAIL (from a rule) into RETRY', () => {
    const rules = [{ status: 500, kind: 'fail' as const, reason: 'http-500' }];
    expect(classifyHttp({ status: 500, headers: yes }, { rules })).toStrictEqual({
      kind: 'fail',
      reason: 'http-500',
      status: 500,
    });
  });
});

describe('classifyHttp, exact shapes', () => {
  it('a rule verdict without Retry-After has no retryAfterMs key', () => {
    const rules = [{ status: 418, kind: 'retry' as const, reason: 'teapot' }];
    expect(classifyHttp({ status: 418 }, { rules })).toStrictEqual({
      kind: 'retry',
      reason: 'teapot',
      status: 418,
    });
  });

  it('reads an HTTP-date Retry-After against options.nowMs', () => {
    const nowMs = Date.UTC(1994, 10, 6, 8, 49, 27);
    expect(
      classifyHttp({ status: 503, headers: { 'retry-after': 'Sun, 06 Nov 1994 08:49:37 GMT' } }, { nowMs }),
    ).toStrictEqual({ kind: 'wait', reason: 'retry-after', retryAfterMs: 10_000, status: 503 });
  });

  it('context-length wording does not turn a 200 into a context-length FAIL', () => {
    expect(classifyHttp({ status: 200, body: 'maximum context length is 8192 tokens' })).toStrictEqual({
      kind: 'fail',
      reason: 'unexpected-status-200',
      status: 200,
    });
  });

  it('a 404 is FAIL not-found', () => {
    expect(classifyHttp({ status: 404 })).toStrictEqual({ kind: 'fail', reason: 'not-found', status: 404 });
  });
});

describe('numericStatus', () => {
  it.each([['429.0'], ['0429'], ['+429'], ['4e2'], [[429]], [' 42 ']])('rejects %j', (value) => {
    expect(numericStatus(value)).toBeUndefined();
  });

  it.each([
    [' 429 ', 429],
    ['503', 503],
    [404, 404],
  ])('reads %j as %d', (value, expected) => {
    expect(numericStatus(value)).toBe(expected);
  });
});

describe('findRule', () => {
  it('matches a string code exactly, not as a substring', () => {
    const rule = { code: 'ECONNRESET', kind: 'fail' as const, reason: 'x' };
    expect(findRule([rule], { headers: {}, text: '', code: 'ECONN' })).toBeUndefined();
    expect(findRule([rule], { headers: {}, text: '', code: 'ECONNRESET' })).toBe(rule);
  });

  it('tests a body pattern over the first 64 KiB only', () => {
    const rule = { body: /overloaded/, kind: 'retry' as const, reason: 'x' };
    expect(findRule([rule], { headers: {}, text: `${'x'.repeat(64 * 1024)}overloaded` })).toBeUndefined();
    expect(findRule([rule], { headers: {}, text: `${'x'.repeat(64 * 1024 - 10)}overloaded` })).toBe(rule);
  });
});
