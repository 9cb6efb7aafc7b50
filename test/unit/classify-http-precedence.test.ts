import { describe, expect, it } from 'vitest';
import { classifyHttp, type CodeMeaning, type ProviderProfile } from '../../src';

// What wins when an answer carries several signals (classify-http-mutants.test.ts covers each signal alone): a
// provider profile's verdict and where its wait comes from, a spent budget against Retry-After, wording only on the
// statuses it belongs to, and x-should-retry overriding the verdict only where the documentation says.

const NOW = Date.UTC(2026, 0, 1);
const profile = (meaning: CodeMeaning): ProviderProfile => ({
  name: 'test',
  codes: { signal: meaning },
  budgets: [{ name: 'requests', remaining: 'x-left', reset: 'x-reset', resetFormat: 'delay' }],
});
const answer = (status: number, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: { error: { code: 'signal' } },
  now: NOW,
});
const classify = (meaning: CodeMeaning, status = 429, headers: Record<string, string> = {}) =>
  classifyHttp(answer(status, headers), { providers: [profile(meaning)] });

describe("a profile's throttle", () => {
  it('waits for the wait the answer gives: its own, then Retry-After, then the spent budget', () => {
    const t = { kind: 'throttle', reason: 'slow' } as const;
    expect(classify({ ...t }, 429, { 'retry-after': '3', 'x-left': '0', 'x-reset': '9s' })).toEqual({
      kind: 'wait',
      reason: 'slow',
      retryAfterMs: 3_000,
      status: 429,
    });
    expect(classify(t, 429, { 'x-left': '0', 'x-reset': '9s' })).toMatchObject({
      kind: 'wait',
      retryAfterMs: 9_000,
    });
  });

  it('without any wait it is CAP; past maxWaitMs it is STOP, under the same reason', () => {
    const t = { kind: 'throttle', reason: 'slow' } as const;
    expect(classify(t)).toEqual({ kind: 'cap', reason: 'slow', status: 429 });
    expect(classify(t, 429, { 'retry-after': '60' })).toMatchObject({ kind: 'wait', retryAfterMs: 60_000 });
    expect(classify(t, 429, { 'retry-after': '61' })).toEqual({
      kind: 'stop',
      reason: 'slow',
      retryAfterMs: 61_000,
      status: 429,
    });
  });
});

describe("a profile's stop", () => {
  it('holds for its calendar window before any header', () => {
    const s = { kind: 'stop', reason: 'spent', until: 'next-utc-day' } as const;
    expect(classify(s, 429, { 'retry-after': '5' })).toEqual({
      kind: 'stop',
      reason: 'spent',
      retryAfterMs: 86_400_000,
      status: 429,
    });
  });

  it('else for Retry-After, else for the spent budget, else for no stated time', () => {
    const s = { kind: 'stop', reason: 'spent' } as const;
    expect(classify(s, 429, { 'retry-after': '5', 'x-left': '0', 'x-reset': '9s' })).toMatchObject({
      retryAfterMs: 5_000,
    });
    expect(classify(s, 429, { 'x-left': '0', 'x-reset': '9s' })).toMatchObject({ retryAfterMs: 9_000 });
    expect(classify(s)).toEqual({ kind: 'stop', reason: 'spent', status: 429 });
  });
});

describe("a profile's wait and other kinds", () => {
  it('a wait with no time stated is CAP; with one it is WAIT however long', () => {
    const w = { kind: 'wait', reason: 'later' } as const;
    expect(classify(w)).toEqual({ kind: 'cap', reason: 'later', status: 429 });
    expect(classify(w, 429, { 'retry-after': '600' })).toEqual({
      kind: 'wait',
      reason: 'later',
      retryAfterMs: 600_000,
      status: 429,
    });
  });

  it('retry, fail and cap are taken as they are, without a wait', () => {
    for (const kind of ['retry', 'fail', 'cap'] as const)
      expect(classify({ kind, reason: 'mine' }, 429, { 'retry-after': '5' })).toEqual({
        kind,
        reason: 'mine',
        status: 429,
      });
  });
});

describe('signals without a profile verdict', () => {
  const budget = { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '20s' };

  it('a spent budget waits for its reset on 429, 403 and 503, but Retry-After states the wait when there is one', () => {
    for (const status of [429, 403, 503])
      expect(classifyHttp({ status, headers: budget, now: NOW })).toEqual({
        kind: 'wait',
        reason: 'rate-limit-reset',
        retryAfterMs: 20_000,
        status,
      });
    expect(classifyHttp({ status: 429, headers: { ...budget, 'retry-after': '2' }, now: NOW })).toMatchObject(
      {
        reason: 'retry-after',
        retryAfterMs: 2_000,
      },
    );
    expect(
      classifyHttp({ status: 429, headers: { ...budget, 'x-ratelimit-reset-requests': '2m' }, now: NOW }),
    ).toMatchObject({ kind: 'stop', reason: 'rate-limit-reset-long', retryAfterMs: 120_000 });
    // On a 500 a spent budget is not why the call failed.
    expect(classifyHttp({ status: 500, headers: budget, now: NOW }).reason).toBe('http-500');
  });

  it('quota wording STOPs on 402, 403, 429 and 503 only; context-length wording FAILs on 4xx only', () => {
    for (const status of [402, 403, 429, 503])
      expect(classifyHttp({ status, body: 'You exceeded your current quota', now: NOW }).reason).toBe(
        'quota-text',
      );
    expect(classifyHttp({ status: 400, body: 'You exceeded your current quota', now: NOW }).reason).toBe(
      'bad-request',
    );
    expect(classifyHttp({ status: 413, body: 'prompt is too long', now: NOW }).reason).toBe(
      'context-length-exceeded',
    );
    expect(classifyHttp({ status: 500, body: 'prompt is too long', now: NOW }).reason).toBe('http-500');
  });

  it('403 with a Retry-After is a wait; without one it is forbidden', () => {
    expect(classifyHttp({ status: 403, headers: { 'retry-after': '4' }, now: NOW })).toEqual({
      kind: 'wait',
      reason: 'retry-after',
      retryAfterMs: 4_000,
      status: 403,
    });
    expect(classifyHttp({ status: 403, now: NOW })).toEqual({
      kind: 'fail',
      reason: 'forbidden',
      status: 403,
    });
  });
});

describe('x-should-retry', () => {
  it('false turns WAIT, CAP and RETRY into FAIL, and leaves STOP and FAIL alone', () => {
    const no = { 'x-should-retry': ' FALSE ' };
    expect(classifyHttp({ status: 503, headers: no, now: NOW })).toEqual({
      kind: 'fail',
      reason: 'should-retry-false',
      status: 503,
    });
    expect(classifyHttp({ status: 429, headers: no, now: NOW }).reason).toBe('should-retry-false');
    expect(classifyHttp({ status: 429, headers: { ...no, 'retry-after': '2' }, now: NOW }).reason).toBe(
      'should-retry-false',
    );
    expect(classifyHttp({ status: 429, headers: { ...no, 'retry-after': '9999' }, now: NOW }).kind).toBe(
      'stop',
    );
    expect(classifyHttp({ status: 404, headers: no, now: NOW }).reason).toBe('not-found');
  });

  it("true turns a plain 4xx FAIL into RETRY, not a FAIL a rule or a profile chose, and not a 5xx's verdict", () => {
    const yes = { 'stripe-should-retry': 'true' };
    expect(classifyHttp({ status: 409, headers: yes, now: NOW })).toEqual({
      kind: 'retry',
      reason: 'should-retry-true',
      status: 409,
    });
    expect(classifyHttp({ status: 418, headers: yes, now: NOW }).reason).toBe('should-retry-true');
    expect(
      classifyHttp(
        { status: 402, headers: yes, body: { error: { code: 'signal' } }, now: NOW },
        { providers: [profile({ kind: 'fail', reason: 'card-declined' })] },
      ).reason,
    ).toBe('card-declined');
    expect(classifyHttp({ status: 413, headers: yes, body: 'prompt is too long', now: NOW }).reason).toBe(
      'context-length-exceeded',
    );
    expect(classifyHttp({ status: 500, headers: yes, now: NOW }).reason).toBe('http-500');
    expect(classifyHttp({ status: 404, headers: { 'x-should-retry': 'maybe' }, now: NOW }).reason).toBe(
      'not-found',
    );
  });
});
