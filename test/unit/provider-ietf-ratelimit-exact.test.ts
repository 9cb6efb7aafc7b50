// Pins how the generic IETF profile reads rate-limit headers: the structured `RateLimit: "default";r=0;t=30` field
// (policy name, remaining, seconds to reset), the older `RateLimit: limit=100, remaining=0, reset=30` form, and the
// `RateLimit-*` / `X-RateLimit-*` header pairs with their limits. A user relies on these numbers to wait exactly as
// long as an API without a dedicated profile asks, and no longer.
import { describe, expect, it } from 'vitest';
import { reportedBudgets } from '../../src/classification/providers/evaluate-profiles';
import { IETF_RATELIMIT_PROFILE } from '../../src/classification/providers/ietf-ratelimit';

const NOW = Date.UTC(2026, 0, 1);
const read = (headers: Record<string, string>) =>
  reportedBudgets([IETF_RATELIMIT_PROFILE], { headers, nowMs: NOW });
const field = (ratelimit: string) => read({ ratelimit });

describe('IETF_RATELIMIT_PROFILE', () => {
  it('names the drafts it is built from', () => {
    expect(IETF_RATELIMIT_PROFILE.name).toBe('ietf-ratelimit');
    expect(IETF_RATELIMIT_PROFILE.docs).toEqual([
      'https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/',
      'https://www.ietf.org/archive/id/draft-ietf-httpapi-ratelimit-headers-06.txt',
    ]);
  });

  it('reads RateLimit-Remaining / RateLimit-Reset (seconds) with RateLimit-Limit', () => {
    expect(read({ 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': '30' })).toEqual([
      { name: 'requests', remaining: 0, ms: 30_000, tokens: false, limit: 100 },
    ]);
  });

  it('reads X-RateLimit-Remaining / X-RateLimit-Reset (epoch seconds or seconds) with X-RateLimit-Limit', () => {
    const epoch = String(NOW / 1000 + 45);
    expect(
      read({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epoch }),
    ).toEqual([{ name: 'requests', remaining: 0, ms: 45_000, tokens: false, limit: 5000 }]);
    expect(read({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '12' })).toEqual([
      { name: 'requests', remaining: 3, ms: 12_000, tokens: false },
    ]);
  });

  it('structured form: name, remaining and reset of each policy', () => {
    expect(field('"default";r=0;t=30')).toEqual([
      { name: 'default', remaining: 0, ms: 30_000, tokens: false },
    ]);
    expect(field('"burst";r=12;t=1, "daily";r=100;t=86400')).toEqual([
      { name: 'burst', remaining: 12, ms: 1000, tokens: false },
      { name: 'daily', remaining: 100, ms: 86_400_000, tokens: false },
    ]);
  });

  it('structured form: unquoted names, spaces around parameters, empty names', () => {
    expect(field('burst;r=10;t=20')).toEqual([{ name: 'burst', remaining: 10, ms: 20_000, tokens: false }]);
    expect(field('"hour"; r=5; t=60')).toEqual([{ name: 'hour', remaining: 5, ms: 60_000, tokens: false }]);
    expect(field(';r=0;t=30')).toEqual([{ name: 'default', remaining: 0, ms: 30_000, tokens: false }]);
    expect(field('"";r=0;t=30')).toEqual([{ name: 'default', remaining: 0, ms: 30_000, tokens: false }]);
  });

  it('structured form: a member without both r and t is not a policy', () => {
    expect(field('"default";r=0')).toEqual([]);
    expect(field('"default";t=30')).toEqual([]);
  });

  it('structured form: at most 8 policies are read', () => {
    const policies = Array.from({ length: 9 }, (_, i) => `"p${i}";r=${i};t=1`).join(', ');
    expect(field(policies).map((b) => b.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
  });

  it('a field of exactly 2048 characters is read, 2049 is not', () => {
    const policy = '"default";r=0;t=30';
    expect(field(' '.repeat(2048 - policy.length) + policy)).toEqual([
      { name: 'default', remaining: 0, ms: 30_000, tokens: false },
    ]);
    expect(field(' '.repeat(2049 - policy.length) + policy)).toEqual([]);
  });

  it('older dictionary form: limit=100, remaining=0, reset=30', () => {
    expect(field('limit=100, remaining=0, reset=30')).toEqual([
      { name: 'requests', remaining: 0, ms: 30_000, tokens: false },
    ]);
    expect(field('remaining=25, reset=90')).toEqual([
      { name: 'requests', remaining: 25, ms: 90_000, tokens: false },
    ]);
    expect(field('reset=17;remaining=10')).toEqual([
      { name: 'requests', remaining: 10, ms: 17_000, tokens: false },
    ]);
  });

  it('older dictionary form: both remaining and reset are needed, as whole keys', () => {
    expect(field('limit=100, remaining=0')).toEqual([]);
    expect(field('limit=100, reset=30')).toEqual([]);
    expect(field('xremaining=0, xreset=30')).toEqual([]);
  });

  it('no RateLimit field, no budgets', () => {
    expect(read({})).toEqual([]);
    expect(
      IETF_RATELIMIT_PROFILE.readBudgets!({
        headers: {},
        body: undefined,
        text: '',
        codes: new Set(),
        nowMs: NOW,
        maxWaitMs: 1,
      }),
    ).toEqual([]);
  });
});
