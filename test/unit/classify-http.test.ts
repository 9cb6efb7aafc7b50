import { describe, expect, it } from 'vitest';
import { classifyHttp, DEFAULT_QUOTA_PATTERNS, type Classification } from '../../src';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const httpDate = (offsetMs: number) => new Date(NOW + offsetMs).toUTCString();

type Row = [string, Parameters<typeof classifyHttp>[0], Partial<Classification>];

const rows: Row[] = [
  [
    '429 Retry-After 5 s is WAIT',
    { status: 429, headers: { 'Retry-After': '5' } },
    { kind: 'wait', reason: 'retry-after', retryAfterMs: 5000 },
  ],
  [
    '429 Retry-After 60 s (the bound) is WAIT',
    { status: 429, headers: { 'retry-after': '60' } },
    { kind: 'wait', retryAfterMs: 60_000 },
  ],
  [
    '429 Retry-After 61 s is STOP',
    { status: 429, headers: { 'retry-after': '61' } },
    { kind: 'stop', reason: 'retry-after-long' },
  ],
  [
    '429 Retry-After 10800 is STOP',
    { status: 429, headers: { 'retry-after': '10800' } },
    { kind: 'stop', reason: 'retry-after-long', retryAfterMs: 10_800_000 },
  ],
  [
    '429 Retry-After as HTTP date 30 s ahead is WAIT',
    { status: 429, headers: { 'retry-after': httpDate(30_000) }, now: NOW },
    { kind: 'wait', retryAfterMs: 30_000 },
  ],
  [
    '429 Retry-After as HTTP date 2 h ahead is STOP',
    { status: 429, headers: { 'retry-after': httpDate(7_200_000) }, now: NOW },
    { kind: 'stop', retryAfterMs: 7_200_000 },
  ],
  [
    '429 Retry-After date in the past is WAIT 0',
    { status: 429, headers: { 'retry-after': httpDate(-60_000) }, now: NOW },
    { kind: 'wait', retryAfterMs: 0 },
  ],
  ['429 without Retry-After is CAP', { status: 429 }, { kind: 'cap', reason: 'no-retry-after' }],
  [
    '429 Retry-After "abc" counts as absent: CAP',
    { status: 429, headers: { 'retry-after': 'abc' } },
    { kind: 'cap', reason: 'no-retry-after' },
  ],
  [
    '429 Retry-After "-5" counts as absent: CAP',
    { status: 429, headers: { 'retry-after': '-5' } },
    { kind: 'cap' },
  ],
  [
    '429 with insufficient_quota is STOP whatever the header',
    { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'insufficient_quota' } } },
    { kind: 'stop', reason: 'quota-text', retryAfterMs: 1000 },
  ],
  [
    '429 "exceeded your 5-hour usage quota" is STOP',
    { status: 429, body: 'You have exceeded your 5-hour usage quota. Try again later.' },
    { kind: 'stop', reason: 'quota-text' },
  ],
  [
    '429 "daily limit" wording is STOP',
    { status: 429, body: 'Daily request limit reached' },
    { kind: 'stop', reason: 'quota-text' },
  ],
  [
    '503 with Retry-After 10 is WAIT',
    { status: 503, headers: { 'retry-after': '10' } },
    { kind: 'wait', retryAfterMs: 10_000 },
  ],
  [
    '503 with Retry-After 3600 is STOP',
    { status: 503, headers: { 'retry-after': '3600' } },
    { kind: 'stop', reason: 'retry-after-long' },
  ],
  ['503 without Retry-After is RETRY', { status: 503 }, { kind: 'retry', reason: 'http-503' }],
  ['500 is RETRY', { status: 500 }, { kind: 'retry', reason: 'http-500' }],
  ['502 is RETRY', { status: 502 }, { kind: 'retry', reason: 'http-502' }],
  ['504 is RETRY', { status: 504 }, { kind: 'retry', reason: 'http-504' }],
  ['408 is RETRY', { status: 408 }, { kind: 'retry', reason: 'http-408' }],
  ['400 is FAIL', { status: 400 }, { kind: 'fail', reason: 'bad-request' }],
  ['401 is FAIL', { status: 401 }, { kind: 'fail', reason: 'unauthorized' }],
  ['403 is FAIL', { status: 403 }, { kind: 'fail', reason: 'forbidden' }],
  ['404 is FAIL', { status: 404 }, { kind: 'fail', reason: 'not-found' }],
  ['409 is FAIL', { status: 409 }, { kind: 'fail', reason: 'conflict' }],
  ['413 is FAIL', { status: 413 }, { kind: 'fail', reason: 'payload-too-large' }],
  ['422 is FAIL', { status: 422 }, { kind: 'fail', reason: 'validation' }],
  ['410 is FAIL by default', { status: 410 }, { kind: 'fail', reason: 'http-410' }],
  [
    '400 context length exceeded is FAIL',
    { status: 400, body: { error: { code: 'context_length_exceeded' } } },
    { kind: 'fail', reason: 'context-length-exceeded' },
  ],
  [
    '403 with quota wording is STOP',
    { status: 403, body: 'Quota exceeded for metric generate_requests' },
    { kind: 'stop', reason: 'quota-text' },
  ],
  [
    'a non-JSON body is fine',
    { status: 500, body: '<html>oops</html>' },
    { kind: 'retry', reason: 'http-500' },
  ],
  [
    'a huge body is scanned only at its start',
    { status: 429, body: 'x'.repeat(5_000_000) + 'insufficient_quota' },
    { kind: 'cap' },
  ],
  [
    'a 200 reaching the classifier is FAIL unexpected-status',
    { status: 200 },
    { kind: 'fail', reason: 'unexpected-status-200' },
  ],
];

describe('classifyHttp', () => {
  it.each(rows)('%s', (_name, response, expected) => {
    expect(classifyHttp(response)).toMatchObject(expected);
  });

  it('honours maxWaitMs', () => {
    expect(classifyHttp({ status: 429, headers: { 'retry-after': '30' } }, { maxWaitMs: 10_000 }).kind).toBe(
      'stop',
    );
    expect(classifyHttp({ status: 429, headers: { 'retry-after': '30' } }, { maxWaitMs: 30_000 }).kind).toBe(
      'wait',
    );
  });

  it('applies provider rules ahead of the defaults', () => {
    const rules = [
      { status: 400, body: /overloaded/i, kind: 'retry' as const, reason: 'provider-overloaded' },
    ];
    expect(classifyHttp({ status: 400, body: 'model overloaded' }, { rules })).toEqual({
      kind: 'retry',
      reason: 'provider-overloaded',
      status: 400,
    });
    expect(classifyHttp({ status: 400, body: 'bad field' }, { rules }).kind).toBe('fail');
  });

  it('matches a rule on a header', () => {
    const rules = [
      { header: { name: 'X-Quota-Window', pattern: /^day$/ }, kind: 'stop' as const, reason: 'daily-window' },
    ];
    expect(classifyHttp({ status: 429, headers: { 'x-quota-window': 'day' } }, { rules }).reason).toBe(
      'daily-window',
    );
    expect(classifyHttp({ status: 429, headers: { 'x-quota-window': 'minute' } }, { rules }).reason).toBe(
      'no-retry-after',
    );
  });

  it('takes extended quota patterns', () => {
    const quotaPatterns = [...DEFAULT_QUOTA_PATTERNS, /tokens for this billing cycle/i];
    expect(
      classifyHttp({ status: 429, body: 'no tokens for this billing cycle' }, { quotaPatterns }).kind,
    ).toBe('stop');
    expect(classifyHttp({ status: 429, body: 'no tokens for this billing cycle' }).kind).toBe('cap');
  });

  it('accepts array header values and a Headers object', () => {
    expect(classifyHttp({ status: 429, headers: { 'retry-after': ['7'] } }).retryAfterMs).toBe(7000);
    const headers = new Headers({ 'Retry-After': '8' }) as unknown as Record<string, string>;
    expect(classifyHttp({ status: 429, headers }).retryAfterMs).toBe(8000);
  });
});
