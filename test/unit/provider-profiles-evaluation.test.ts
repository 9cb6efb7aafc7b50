import { describe, expect, it } from 'vitest';
import {
  blockingBudgetWait,
  codesOf,
  reportedBudgets,
  resetMsOf,
  structuredVerdict,
} from '../../src/classification/providers/evaluate-profiles';
import type { ProviderProfile } from '../../src/classification/providers/provider-profile';
import { NOW, signals } from '../helpers/provider-signals';

// How provider profiles are applied to one answer (classify-providers.test.ts covers each provider's real answers):
// which codes are found in a body and how far it is searched, which profile wins, which budget blocks, and how a
// user's profile hook that throws is contained.

describe('codesOf: error codes in a body', () => {
  it('reads code, type, status, error_code and reason under error, details and errors, lower-cased', () => {
    const body = {
      error: {
        code: 'Insufficient_Quota',
        type: 'invalid_request_error',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ reason: 'RATE_LIMIT_EXCEEDED' }, { error_code: 'enforced_spend_limit_reached' }],
      },
      errors: [{ code: 'secondary' }],
    };
    expect([...codesOf(body)].sort()).toEqual([
      'enforced_spend_limit_reached',
      'insufficient_quota',
      'invalid_request_error',
      'rate_limit_exceeded',
      'resource_exhausted',
      'secondary',
    ]);
  });

  it('ignores empty values, values over 100 characters, and what is not a string', () => {
    expect([...codesOf({ code: '', type: 'x'.repeat(101), status: 429, reason: 'y'.repeat(100) })]).toEqual([
      'y'.repeat(100),
    ]);
  });

  it('steps over null values (`"error": null` is common) and reads on', () => {
    const body = { error: { code: 'first', details: null }, errors: [null, { code: 'second' }] };
    expect([...codesOf(body)]).toEqual(['first', 'second']);
  });

  it('searches four levels deep and eight items of an array', () => {
    let deep: unknown = { code: 'found' };
    for (let i = 0; i < 4; i++) deep = { error: deep };
    expect(codesOf(deep).has('found')).toBe(true);
    expect(codesOf({ error: deep }).has('found')).toBe(false);
    const items = Array.from({ length: 9 }, (_, i) => ({ code: `c${i}` }));
    expect(codesOf({ errors: items }).has('c7')).toBe(true);
    expect(codesOf({ errors: items }).has('c8')).toBe(false);
  });

  it('keeps at most sixteen codes, and what it found before a getter threw', () => {
    const many = {
      errors: [0, 1, 2, 3].map((i) => ({ errors: [0, 1, 2, 3, 4].map((j) => ({ code: `c${i}-${j}` })) })),
    };
    expect(codesOf(many).size).toBe(16);
    const hostile = {
      error: {
        code: 'first',
        get details(): unknown {
          throw new Error('no');
        },
      },
    };
    expect([...codesOf(hostile)]).toEqual(['first']);
    expect(codesOf('text').size).toBe(0);
  });
});

describe('structuredVerdict: which profile answers', () => {
  const a: ProviderProfile = {
    name: 'a',
    codes: { shared: { kind: 'retry', reason: 'a-shared' } },
    statuses: { 432: { kind: 'fail', reason: 'a-432' } },
  };
  const b: ProviderProfile = {
    name: 'b',
    codes: { shared: { kind: 'stop', reason: 'b-shared' }, only_b: { kind: 'cap', reason: 'b-only' } },
    rules: [{ body: /teapot/, kind: 'fail', reason: 'b-teapot' }],
  };

  it('the first profile that recognises the answer, in order; codes, then statuses, then rules', () => {
    expect(structuredVerdict([a, b], signals({ codes: new Set(['shared']) }))).toEqual({
      kind: 'retry',
      reason: 'a-shared',
    });
    expect(structuredVerdict([b, a], signals({ codes: new Set(['shared']) }))).toEqual({
      kind: 'stop',
      reason: 'b-shared',
    });
    expect(structuredVerdict([a, b], signals({ status: 432, codes: new Set(['only_b']) }))).toEqual({
      kind: 'fail',
      reason: 'a-432',
    });
    expect(structuredVerdict([a, b], signals({ status: 418, text: "I'm a teapot" }))).toEqual({
      kind: 'fail',
      reason: 'b-teapot',
    });
    expect(structuredVerdict([a, b], signals({ status: 418 }))).toBeUndefined();
  });

  it('a status only counts when the profile lists it as its own (not an inherited property)', () => {
    expect(structuredVerdict([a], signals({ status: 433 }))).toBeUndefined();
    expect(
      structuredVerdict([{ name: 'c', statuses: {} }], signals({ status: 'toString' as unknown as number })),
    ).toBeUndefined();
  });

  it("a profile's inspect hook comes first, and one that throws is skipped", () => {
    const inspecting: ProviderProfile = {
      name: 'i',
      inspect: () => ({ kind: 'wait', reason: 'hooked', retryAfterMs: 5 }),
    };
    const broken: ProviderProfile = {
      name: 'x',
      inspect: () => {
        throw new Error('user bug');
      },
    };
    expect(structuredVerdict([broken, inspecting, a], signals({ codes: new Set(['shared']) }))).toEqual({
      kind: 'wait',
      reason: 'hooked',
      retryAfterMs: 5,
    });
  });
});

describe('rate-limit budgets', () => {
  const profile: ProviderProfile = {
    name: 'p',
    budgets: [
      {
        name: 'requests',
        remaining: 'x-req-left',
        reset: 'x-req-reset',
        limit: 'x-req-limit',
        resetFormat: 'delay',
      },
      { name: 'tokens', remaining: 'x-tok-left', reset: 'x-tok-reset', resetFormat: 'delay', tokens: true },
    ],
  };

  it('reads each budget whose remaining and reset headers are both there and parse', () => {
    const headers = {
      'x-req-left': ' 3 ',
      'x-req-reset': '2s',
      'x-req-limit': ' 100 ',
      'x-tok-left': '500',
      'x-tok-reset': '30s',
    };
    expect(reportedBudgets([profile], { headers, nowMs: NOW })).toEqual([
      { name: 'requests', remaining: 3, ms: 2_000, tokens: false, limit: 100 },
      { name: 'tokens', remaining: 500, ms: 30_000, tokens: true },
    ]);
    expect(reportedBudgets([profile], { headers: { 'x-req-left': '3' }, nowMs: NOW })).toEqual([]);
    expect(
      reportedBudgets([profile], { headers: { 'x-req-left': 'many', 'x-req-reset': '2s' }, nowMs: NOW }),
    ).toEqual([]);
    expect(
      reportedBudgets([profile], { headers: { 'x-req-left': '1', 'x-req-reset': 'later' }, nowMs: NOW }),
    ).toEqual([]);
    // A limit of 0 or one that does not parse is left out.
    for (const limit of ['0', 'n/a'])
      expect(
        reportedBudgets([profile], {
          headers: { 'x-req-left': '1', 'x-req-reset': '1s', 'x-req-limit': limit },
          nowMs: NOW,
        })[0],
      ).not.toHaveProperty('limit');
  });

  it('reads a header pair once even when two profiles name it', () => {
    const headers = { 'x-req-left': '0', 'x-req-reset': '2s' };
    expect(reportedBudgets([profile, profile], { headers, nowMs: NOW })).toHaveLength(1);
  });

  it("adds what a profile's readBudgets hook reports, and skips one that throws", () => {
    const hooked: ProviderProfile = {
      name: 'h',
      readBudgets: () => [{ name: 'custom', remaining: 0, ms: 7, tokens: false }],
    };
    const broken: ProviderProfile = {
      name: 'b',
      readBudgets: () => {
        throw new Error('user bug');
      },
    };
    expect(reportedBudgets([broken, hooked], { headers: {}, nowMs: NOW })).toEqual([
      { name: 'custom', remaining: 0, ms: 7, tokens: false },
    ]);
  });

  it('the budgets at 0 block, and the longest reset among them is the wait', () => {
    const headers = { 'x-req-left': '0', 'x-req-reset': '2s', 'x-tok-left': '0', 'x-tok-reset': '30s' };
    expect(blockingBudgetWait([profile], signals({ headers }))).toEqual({ ms: 30_000, budget: 'tokens' });
    const reqOnly = { ...headers, 'x-tok-left': '10' };
    expect(blockingBudgetWait([profile], signals({ headers: reqOnly }))).toEqual({
      ms: 2_000,
      budget: 'requests',
    });
  });

  it('a 429 with every budget left blames the token budgets (the request was too big); other statuses block nothing', () => {
    const headers = { 'x-req-left': '5', 'x-req-reset': '2s', 'x-tok-left': '100', 'x-tok-reset': '30s' };
    expect(blockingBudgetWait([profile], signals({ status: 429, headers }))).toEqual({
      ms: 30_000,
      budget: 'tokens',
    });
    expect(blockingBudgetWait([profile], signals({ status: 503, headers }))).toBeUndefined();
    expect(blockingBudgetWait([profile], signals({ status: 429 }))).toBeUndefined();
  });

  it('reset formats: a delay, a time, or either (auto)', () => {
    expect(resetMsOf('delay', '1m30s', NOW)).toBe(90_000);
    expect(resetMsOf('time', new Date(NOW + 5_000).toISOString(), NOW)).toBe(5_000);
    expect(resetMsOf('auto', new Date(NOW + 5_000).toISOString(), NOW)).toBe(5_000);
    expect(resetMsOf('auto', '12s', NOW)).toBe(12_000);
  });
});
