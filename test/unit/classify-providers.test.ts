import { describe, expect, it } from 'vitest';
import { resiliencePlugin } from '../../interceptors';
import {
  isInvalidOptionsError,
  type InvalidOptionsError,
  classifyError,
  classifyHttp,
  DEFAULT_PROVIDER_PROFILES,
  type Classification,
  type ProviderProfile,
} from '../../src';

const NOW = Date.UTC(2026, 10, 25, 20, 0, 0);
const epoch = (offsetMs: number) => String(Math.floor((NOW + offsetMs) / 1000));

type Row = [string, Parameters<typeof classifyHttp>[0], Partial<Classification>];

const rows: Row[] = [
  // GitHub: rate limits are 403s (or 429s), never a permanent FAIL.
  [
    'GitHub primary limit: 403, remaining 0, reset in 30 s is WAIT 30 s',
    { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epoch(30_000) } },
    { kind: 'wait', reason: 'rate-limit-reset', retryAfterMs: 30_000, status: 403 },
  ],
  [
    'GitHub primary limit: 403, remaining 0, reset in 40 min is STOP',
    {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epoch(2_400_000) },
      body: { message: 'API rate limit exceeded for user ID 1.' },
    },
    { kind: 'stop', reason: 'rate-limit-reset-long', retryAfterMs: 2_400_000 },
  ],
  [
    'GitHub secondary limit with retry-after 45 is WAIT 45 s',
    {
      status: 403,
      headers: { 'retry-after': '45', 'x-ratelimit-remaining': '4000' },
      body: { message: 'You have exceeded a secondary rate limit.' },
    },
    { kind: 'wait', reason: 'retry-after', retryAfterMs: 45_000 },
  ],
  [
    'GitHub secondary limit without headers is WAIT one minute',
    {
      status: 403,
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes.' },
    },
    { kind: 'wait', reason: 'github-secondary-rate-limit', retryAfterMs: 60_000 },
  ],
  ['a plain 403 stays FAIL', { status: 403, body: { message: 'Resource not accessible' } }, { kind: 'fail' }],
  // IETF RateLimit fields, in each draft form.
  [
    'RateLimit structured field "default";r=0;t=30 is WAIT 30 s',
    { status: 429, headers: { RateLimit: '"default";r=0;t=30', 'RateLimit-Policy': '"default";q=100;w=60' } },
    { kind: 'wait', reason: 'rate-limit-reset', retryAfterMs: 30_000 },
  ],
  [
    'RateLimit dictionary limit=100, remaining=0, reset=12 is WAIT 12 s',
    { status: 429, headers: { ratelimit: 'limit=100, remaining=0, reset=12' } },
    { kind: 'wait', retryAfterMs: 12_000 },
  ],
  [
    'RateLimit-Remaining 0 + RateLimit-Reset 20 is WAIT 20 s',
    { status: 429, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '20' } },
    { kind: 'wait', retryAfterMs: 20_000 },
  ],
  [
    'X-RateLimit-Reset in seconds',
    { status: 429, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '9' } },
    { kind: 'wait', retryAfterMs: 9_000 },
  ],
  [
    'RateLimit with budget left is no wait: CAP',
    { status: 429, headers: { ratelimit: '"default";r=50;t=30' } },
    { kind: 'cap', reason: 'no-retry-after' },
  ],
  // Structured signals outrank quota wording.
  [
    'a reset header with remaining 0 outranks "exceeded your current quota" text',
    {
      status: 429,
      headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '20s' },
      body: 'You exceeded your current quota for requests per minute',
    },
    { kind: 'wait', reason: 'rate-limit-reset', retryAfterMs: 20_000 },
  ],
  [
    'Retry-After wins over a budget reset when both are given',
    {
      status: 429,
      headers: {
        'retry-after': '3',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '20s',
      },
    },
    { kind: 'wait', reason: 'retry-after', retryAfterMs: 3_000 },
  ],
  [
    'both request and token budgets spent: the longer reset blocks',
    {
      status: 429,
      headers: {
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '2s',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '45s',
      },
    },
    { kind: 'wait', retryAfterMs: 45_000 },
  ],
  // Stripe
  [
    'Stripe rate_limit without Retry-After is CAP',
    { status: 429, body: { error: { type: 'invalid_request_error', code: 'rate_limit' } } },
    { kind: 'cap', reason: 'stripe-rate-limit' },
  ],
  [
    'Stripe lock_timeout is RETRY',
    { status: 429, body: { error: { code: 'lock_timeout', type: 'invalid_request_error' } } },
    { kind: 'retry', reason: 'stripe-lock-timeout' },
  ],
  [
    'Stripe card_error is FAIL even on 402',
    { status: 402, body: { error: { type: 'card_error', code: 'card_declined' } } },
    { kind: 'fail', reason: 'stripe-card-error' },
  ],
  [
    'Stripe-Should-Retry: true makes a 409 RETRY',
    { status: 409, headers: { 'stripe-should-retry': 'true' } },
    { kind: 'retry', reason: 'should-retry-true' },
  ],
  [
    'x-should-retry: true does not override a provider FAIL (a declined card)',
    { status: 402, headers: { 'stripe-should-retry': 'true' }, body: { error: { type: 'card_error' } } },
    { kind: 'fail', reason: 'stripe-card-error' },
  ],
  // Numeric-string statuses.
  [
    'status "429" is read as 429',
    { status: '429', headers: { 'retry-after': '5' } },
    { kind: 'wait', status: 429 },
  ],
  ['status " 503 " is read as 503', { status: ' 503 ' }, { kind: 'retry', reason: 'http-503' }],
];

describe('classifyHttp with the built-in provider profiles', () => {
  it.each(rows)('%s', (_name, response, expected) => {
    expect(classifyHttp(response, { nowMs: NOW })).toMatchObject(expected);
  });

  it('has one profile per provider', () => {
    expect(DEFAULT_PROVIDER_PROFILES.map((p) => p.name)).toEqual([
      'openai',
      'anthropic',
      'gemini',
      'github',
      'stripe',
      'ietf-ratelimit',
    ]);
    for (const profile of DEFAULT_PROVIDER_PROFILES) expect(profile.docs?.length).toBeGreaterThan(0);
  });
});

describe('user profiles (classify.providers)', () => {
  const tavily: ProviderProfile = {
    name: 'tavily',
    codes: { usage_limit_exceeded: { kind: 'stop', reason: 'tavily-usage-limit', until: 'next-utc-month' } },
    budgets: [
      { name: 'requests', remaining: 'x-tavily-remaining', reset: 'x-tavily-reset', resetFormat: 'delay' },
    ],
  };

  it('adds a provider without forking', () => {
    const stop = classifyHttp(
      { status: 432, body: { error: { code: 'usage_limit_exceeded' } } },
      { nowMs: NOW, providers: [tavily] },
    );
    expect(stop).toEqual({
      kind: 'stop',
      reason: 'tavily-usage-limit',
      retryAfterMs: Date.UTC(2026, 11, 1) - NOW,
      status: 432,
    });
    const wait = classifyHttp(
      { status: 429, headers: { 'x-tavily-remaining': '0', 'x-tavily-reset': '4s' } },
      { nowMs: NOW, providers: [tavily] },
    );
    expect(wait).toMatchObject({ kind: 'wait', retryAfterMs: 4_000 });
    // Without the profile, the same answers read as the defaults do.
    expect(
      classifyHttp({ status: 429, headers: { 'x-tavily-remaining': '0', 'x-tavily-reset': '4s' } }).kind,
    ).toBe('cap');
  });

  it('overrides a built-in profile by name', () => {
    const body = { error: { code: 'slow_down' } };
    expect(classifyHttp({ status: 429, body }).kind).toBe('cap');
    const mine: ProviderProfile = {
      name: 'openai',
      codes: { slow_down: { kind: 'retry', reason: 'my-slow-down' } },
    };
    expect(classifyHttp({ status: 429, body }, { providers: [mine] })).toMatchObject({
      kind: 'retry',
      reason: 'my-slow-down',
    });
  });

  it.each<[unknown, string]>([
    ['tavily', 'classify.providers'],
    [[{ name: '' }], 'classify.providers[0].name'],
    [[{ name: 'a' }, { name: 'a' }], 'classify.providers[1].name'],
    [[{ name: 'a', codes: { x: { kind: 'later', reason: 'r' } } }], 'classify.providers[0].codes.x.kind'],
    [
      [{ name: 'a', statuses: { 499: { kind: 'retry', reason: '' } } }],
      'classify.providers[0].statuses.499.reason',
    ],
    [
      [{ name: 'a', codes: { x: { kind: 'stop', reason: 'r', until: 'tomorrow' } } }],
      'classify.providers[0].codes.x.until',
    ],
    [
      [{ name: 'a', budgets: [{ name: 'r', remaining: 'X-Left', reset: 'x-reset', resetFormat: 'delay' }] }],
      'classify.providers[0].budgets[0].remaining',
    ],
    [
      [{ name: 'a', budgets: [{ name: 'r', remaining: 'x-left', reset: 'x-reset', resetFormat: 'epoch' }] }],
      'classify.providers[0].budgets[0].resetFormat',
    ],
    [[{ name: 'a', inspect: 'yes' }], 'classify.providers[0].inspect'],
  ])('resiliencePlugin rejects bad profiles at creation: %j names %s', (providers, path) => {
    let caught: unknown;
    try {
      resiliencePlugin({ classify: { providers: providers as ProviderProfile[] } });
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionsError(caught)).toBe(true);
    expect((caught as InvalidOptionsError).option).toBe(path);
  });

  it('a profile whose inspect throws does not break classification', () => {
    const broken: ProviderProfile = {
      name: 'broken',
      inspect: () => {
        throw new Error('boom');
      },
    };
    expect(classifyHttp({ status: 503 }, { providers: [broken] })).toMatchObject({ kind: 'retry' });
  });
});

describe('classifyError: certificates, DNS, AggregateError, cause chains', () => {
  const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

  it.each([
    ['CERT_HAS_EXPIRED', 'tls-certificate'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls-certificate'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-certificate'],
    ['ENOTFOUND', 'dns-not-found'],
  ])('%s inside fetch failed is FAIL %s', (code, reason) => {
    const error = new TypeError('fetch failed', { cause: coded(code) });
    expect(classifyError(error)).toEqual({ kind: 'fail', reason });
  });

  it('EAI_AGAIN (temporary resolver failure) stays RETRY', () => {
    expect(classifyError(coded('EAI_AGAIN'))).toEqual({ kind: 'retry', reason: 'dns' });
  });

  it('classifies AggregateError members, taking the most limiting one', () => {
    const happyEyeballs = new AggregateError(
      [coded('ECONNREFUSED'), coded('ECONNREFUSED')],
      'connect failed',
    );
    expect(classifyError(new TypeError('fetch failed', { cause: happyEyeballs }))).toEqual({
      kind: 'retry',
      reason: 'econnrefused',
    });
    const mixed = new AggregateError([coded('ECONNRESET'), coded('CERT_HAS_EXPIRED'), new Error('?')]);
    expect(classifyError(mixed)).toEqual({ kind: 'fail', reason: 'tls-certificate' });
  });

  it('walks a cause chain 20 deep (was 5) and stops on a cycle', () => {
    let error: Error = coded('ECONNRESET');
    for (let i = 0; i < 20; i++) error = new Error(`wrapper ${i}`, { cause: error });
    expect(classifyError(error)).toEqual({ kind: 'retry', reason: 'econnreset' });
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(classifyError(a)).toEqual({ kind: 'retry', reason: 'unknown' });
  });

  it('accepts a numeric-string status on SDK-style errors', () => {
    expect(
      classifyError(Object.assign(new Error('x'), { status: '429', headers: { 'retry-after': '2' } })),
    ).toMatchObject({ kind: 'wait', retryAfterMs: 2000, status: 429 });
  });
});
