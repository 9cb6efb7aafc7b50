import { describe, expect, it } from 'vitest';
import { classifyError, ResilienceTimeoutError, type ClassificationRule } from '../../src';

// Boundaries of classifyError (kept apart from classify-error.test.ts, which covers real error shapes).

const coded = (code: string, message = `x ${code}`) => Object.assign(new Error(message), { code });

describe('classifyError: every network code has its reason', () => {
  it.each([
    ['ECONNRESET', 'econnreset'],
    ['ECONNREFUSED', 'econnrefused'],
    ['ECONNABORTED', 'econnaborted'],
    ['ETIMEDOUT', 'etimedout'],
    ['EPIPE', 'epipe'],
    ['EHOSTUNREACH', 'ehostunreach'],
    ['ENETUNREACH', 'enetunreach'],
    ['ENETDOWN', 'enetdown'],
    ['EAI_AGAIN', 'dns'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect-timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'headers-timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'body-timeout'],
    ['UND_ERR_SOCKET', 'socket'],
    ['UND_ERR_CLOSED', 'socket'],
    ['ERR_STREAM_PREMATURE_CLOSE', 'premature-close'],
  ])('%s -> RETRY %s', (code, reason) => {
    expect(classifyError(coded(code))).toEqual({ kind: 'retry', reason });
  });

  it('an unknown code, or a code that is not a string, is unknown', () => {
    expect(classifyError(coded('EWHATEVER'))).toEqual({ kind: 'retry', reason: 'unknown' });
    expect(classifyError(Object.assign(new Error('x'), { code: 104 }))).toEqual({
      kind: 'retry',
      reason: 'unknown',
    });
  });
});

describe('classifyError: shapes', () => {
  it('statuses from status, statusCode or response.status; numeric strings of three digits count', () => {
    expect(classifyError({ status: '503' })).toEqual({ kind: 'retry', reason: 'http-503', status: 503 });
    expect(classifyError({ statusCode: 404 })).toEqual({ kind: 'fail', reason: 'not-found', status: 404 });
    expect(classifyError({ response: { status: 429, headers: { 'retry-after': '2' } } })).toMatchObject({
      kind: 'wait',
      retryAfterMs: 2000,
    });
    for (const bad of ['5031', '50', 'abc', 99, 600, 503.5, true])
      expect(classifyError({ status: bad }).reason).toBe('unknown');
    expect(classifyError({ status: 100 }).status).toBe(100);
    expect(classifyError({ status: 599 }).reason).toBe('http-599');
  });

  it('a status error reads headers from the error or its response, and the body from body, error, data or message', () => {
    expect(classifyError({ status: 429, headers: { 'Retry-After': '3' } }).retryAfterMs).toBe(3000);
    expect(classifyError({ status: 429, body: 'insufficient_quota' }).reason).toBe('quota-text');
    expect(classifyError({ status: 429, error: { type: 'insufficient_quota' } }).reason).toBe('quota-text');
    expect(classifyError({ response: { status: 429, data: 'insufficient_quota' } }).reason).toBe(
      'quota-text',
    );
    expect(classifyError(Object.assign(new Error('insufficient_quota'), { status: 429 })).reason).toBe(
      'quota-text',
    );
  });

  it('wording without a status: quota stops, context length fails, rules first', () => {
    expect(classifyError(new Error('Your credit balance is too low'))).toEqual({
      kind: 'stop',
      reason: 'quota-text',
    });
    expect(classifyError('prompt is too long: 300000 tokens')).toEqual({
      kind: 'fail',
      reason: 'context-length-exceeded',
    });
    const rules: ClassificationRule[] = [{ code: 'E_MINE', kind: 'fail', reason: 'mine' }];
    expect(classifyError(coded('E_MINE'), { rules })).toEqual({ kind: 'fail', reason: 'mine' });
    expect(classifyError(coded('ECONNRESET'), { rules })).toEqual({ kind: 'retry', reason: 'econnreset' });
    expect(
      classifyError('just text', { rules: [{ body: /just/, kind: 'stop', reason: 'text-rule' }] }),
    ).toEqual({
      kind: 'stop',
      reason: 'text-rule',
    });
    expect(classifyError('just text')).toEqual({ kind: 'retry', reason: 'unknown' });
  });

  it('our timeout errors by phase, and a TimeoutError by name', () => {
    expect(classifyError(new ResilienceTimeoutError('body', 10, true))).toEqual({
      kind: 'retry',
      reason: 'body-timeout',
    });
    expect(classifyError({ isResilienceTimeoutError: true, phase: 7 }).reason).toBe('unknown');
    expect(classifyError({ isResilienceTimeoutError: false, phase: 'body' }).reason).toBe('unknown');
    expect(classifyError(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toEqual({
      kind: 'retry',
      reason: 'timeout',
    });
  });

  it('follows causes up to 32 links deep, and stops at a cycle', () => {
    let error: unknown = coded('ECONNRESET');
    for (let i = 0; i < 31; i++) error = new Error('fetch failed', { cause: error });
    expect(classifyError(error)).toEqual({ kind: 'retry', reason: 'econnreset' });
    for (let i = 0; i < 9; i++) error = new Error('fetch failed', { cause: error });
    expect(classifyError(error)).toEqual({ kind: 'retry', reason: 'unknown' });
    const self: Record<string, unknown> = { message: 'loop' };
    self.cause = self;
    expect(classifyError(self)).toEqual({ kind: 'retry', reason: 'unknown' });
    // A cause that classifies as unknown does not hide the outer error's own unknown.
    expect(classifyError(new Error('outer', { cause: new Error('inner') }))).toEqual({
      kind: 'retry',
      reason: 'unknown',
    });
  });

  it('anything else is unknown, and nothing throws', () => {
    for (const value of [undefined, null, 42, true, Symbol('s'), () => 1])
      expect(classifyError(value)).toEqual({ kind: 'retry', reason: 'unknown' });
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('no');
        },
      },
    );
    expect(classifyError(hostile)).toEqual({ kind: 'retry', reason: 'unknown' });
  });
});
