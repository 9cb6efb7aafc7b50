import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  classifyError,
  classifyHttp,
  HttpError,
  MAX_RETRY_AFTER_MS,
  ResilienceTimeoutError,
  type Classification,
} from '../../src';

const system = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

const rows: Array<[string, unknown, Partial<Classification>]> = [
  [
    'our HttpError 429 with a long Retry-After',
    new HttpError(429, { 'Retry-After': '10800' }),
    { kind: 'stop', reason: 'retry-after-long' },
  ],
  ['our HttpError 503', new HttpError(503), { kind: 'retry', reason: 'http-503' }],
  [
    'a provider SDK error with status and error body (OpenAI style)',
    Object.assign(new Error('429 You exceeded your current quota'), {
      status: 429,
      headers: { 'retry-after': '20' },
      error: { code: 'insufficient_quota' },
    }),
    { kind: 'stop', reason: 'quota-text' },
  ],
  [
    'an error with statusCode',
    Object.assign(new Error('Unprocessable'), { statusCode: 422 }),
    { kind: 'fail', reason: 'validation' },
  ],
  [
    'an axios-style error with response.status',
    Object.assign(new Error('Request failed'), { response: { status: 502, headers: {} } }),
    { kind: 'retry', reason: 'http-502' },
  ],
  ['ECONNRESET', system('ECONNRESET'), { kind: 'retry', reason: 'econnreset' }],
  ['ECONNREFUSED', system('ECONNREFUSED'), { kind: 'retry', reason: 'econnrefused' }],
  ['ETIMEDOUT', system('ETIMEDOUT'), { kind: 'retry', reason: 'etimedout' }],
  // Was RETRY 'dns' before issue 15: a host that does not resolve will not resolve on the next attempt either.
  ['DNS ENOTFOUND', system('ENOTFOUND'), { kind: 'fail', reason: 'dns-not-found' }],
  ['DNS EAI_AGAIN', system('EAI_AGAIN'), { kind: 'retry', reason: 'dns' }],
  ['undici connect timeout', system('UND_ERR_CONNECT_TIMEOUT'), { kind: 'retry', reason: 'connect-timeout' }],
  ['undici headers timeout', system('UND_ERR_HEADERS_TIMEOUT'), { kind: 'retry', reason: 'headers-timeout' }],
  ['undici body timeout', system('UND_ERR_BODY_TIMEOUT'), { kind: 'retry', reason: 'body-timeout' }],
  [
    'fetch failed wrapping a reset',
    new TypeError('fetch failed', { cause: system('ECONNRESET') }),
    { kind: 'retry', reason: 'econnreset' },
  ],
  [
    'AbortSignal.timeout',
    Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
    { kind: 'retry', reason: 'timeout' },
  ],
  [
    'our response timeout',
    new ResilienceTimeoutError('response', 1000, true),
    { kind: 'retry', reason: 'response-timeout' },
  ],
  [
    'our connect timeout',
    new ResilienceTimeoutError('connect', 1000, false),
    { kind: 'retry', reason: 'connect-timeout' },
  ],
  [
    'context length text',
    new Error("This model's maximum context length is 8192 tokens"),
    { kind: 'fail', reason: 'context-length-exceeded' },
  ],
  [
    'quota text without status',
    new Error('You exceeded your current quota, please check your plan'),
    { kind: 'stop', reason: 'quota-text' },
  ],
  ['a string', 'something broke', { kind: 'retry', reason: 'unknown' }],
  ['a quota string', 'insufficient_quota', { kind: 'stop', reason: 'quota-text' }],
  ['undefined', undefined, { kind: 'retry', reason: 'unknown' }],
  ['null', null, { kind: 'retry', reason: 'unknown' }],
  ['a number', 42, { kind: 'retry', reason: 'unknown' }],
  ['a plain Error', new Error('boom'), { kind: 'retry', reason: 'unknown' }],
  [
    'a status that is not a status',
    Object.assign(new Error('x'), { status: 'weird' }),
    { kind: 'retry', reason: 'unknown' },
  ],
];

describe('classifyError', () => {
  it.each(rows)('%s', (_name, error, expected) => {
    expect(classifyError(error)).toMatchObject(expected);
  });

  it('survives getters that throw and circular references', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('no');
        },
      },
    );
    expect(classifyError(hostile)).toEqual({ kind: 'retry', reason: 'unknown' });
    const circular: Record<string, unknown> = { message: 'loop' };
    circular.cause = circular;
    circular.body = circular;
    expect(classifyError(circular)).toEqual({ kind: 'retry', reason: 'unknown' });
    const circularHttp: Record<string, unknown> = { status: 500 };
    circularHttp.body = circularHttp;
    expect(classifyError(circularHttp)).toMatchObject({ kind: 'retry', reason: 'http-500' });
  });

  it('handles a 10 MB message', () => {
    expect(classifyError(new Error('x'.repeat(10 * 1024 * 1024)))).toEqual({
      kind: 'retry',
      reason: 'unknown',
    });
  });

  it('applies rules on error codes', () => {
    const rules = [{ code: 'ECONNREFUSED', kind: 'fail' as const, reason: 'service-gone' }];
    expect(classifyError(system('ECONNREFUSED'), { rules })).toEqual({
      kind: 'fail',
      reason: 'service-gone',
    });
  });
});

describe('classification properties', () => {
  const KINDS = ['wait', 'cap', 'stop', 'retry', 'fail'];
  const headerValue = fc.oneof(
    fc.string(),
    fc.integer().map(String),
    fc.double().map(String),
    fc
      .date({ noInvalidDate: false })
      .map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toUTCString())),
    fc.constantFrom(
      'abc',
      '-5',
      '1e309',
      '99999999999999999999',
      '',
      ' 10 ',
      'Wed, 21 Oct 2015 07:28:00 GMT',
    ),
  );
  const check = (c: Classification, maxWaitMs = 60_000) => {
    expect(KINDS).toContain(c.kind);
    expect(typeof c.reason).toBe('string');
    if (c.retryAfterMs !== undefined) {
      expect(Number.isFinite(c.retryAfterMs)).toBe(true);
      expect(c.retryAfterMs).toBeGreaterThanOrEqual(0);
      expect(c.retryAfterMs).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
      if (c.kind === 'wait' && c.reason === 'retry-after')
        expect(c.retryAfterMs).toBeLessThanOrEqual(maxWaitMs);
    }
  };

  it('classifyHttp never throws and yields bounded, finite delays', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.dictionary(
          fc.constantFrom('retry-after', 'Retry-After', 'x-ratelimit-reset-requests', 'other'),
          headerValue,
        ),
        fc.oneof(fc.string(), fc.anything()),
        fc.oneof(fc.integer(), fc.double(), fc.constant(undefined)),
        (status, headers, body, now) => {
          check(classifyHttp({ status, headers, body, now: now as number | undefined }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('classifyError never throws for anything thrown', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (value) => {
        check(classifyError(value));
        check(classifyError(Object.assign(new Error('x'), { status: 429, headers: value })));
      }),
      { numRuns: 500 },
    );
  });
});
