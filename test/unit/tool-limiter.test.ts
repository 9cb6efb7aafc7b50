import { describe, expect, it } from 'vitest';
import { BoundedRegistry, ToolLimiter, type ToolPermit } from '../../interceptors';

async function grant(limiter: ToolLimiter): Promise<ToolPermit> {
  const permit = await limiter.acquire();
  if (!permit.granted) throw new Error(`refused: ${permit.reason}`);
  return permit;
}

describe('ToolLimiter', () => {
  it('halves concurrency on CAP and grows back slowly on success', async () => {
    const limiter = new ToolLimiter('t', { maxQueueWaitMs: 0 });
    const permits = await Promise.all(Array.from({ length: 8 }, () => grant(limiter)));
    expect(limiter.state().concurrencyLimit).toBe(Infinity);
    permits[0]!.release('cap'); // 8 were in flight: limit becomes 4
    expect(limiter.state().concurrencyLimit).toBe(4);
    permits.slice(1).forEach((p) => p.release('other'));
    const four = await Promise.all(Array.from({ length: 4 }, () => grant(limiter)));
    const fifth = await limiter.acquire();
    expect(fifth).toMatchObject({ granted: false, kind: 'cap', reason: 'concurrency-limit' });
    four.forEach((p) => p.release('success')); // +1/limit each: almost, but not yet, a fifth slot
    expect(limiter.state().concurrencyLimit).toBeGreaterThan(4.9);
    expect(limiter.state().concurrencyLimit).toBeLessThan(5);
    (await grant(limiter)).release('success');
    expect(limiter.state().concurrencyLimit).toBeGreaterThanOrEqual(5);
  });

  it('queues a caller until a slot frees, within maxQueueWaitMs', async () => {
    const limiter = new ToolLimiter('t', { maxConcurrency: 1, maxQueueWaitMs: 1000 });
    const first = await grant(limiter);
    const second = limiter.acquire();
    setTimeout(() => first.release('success'), 20);
    expect((await second).granted).toBe(true);
  });

  it('paces to headroom × requestsPerSecond and refuses a wait longer than the queue allows', async () => {
    const limiter = new ToolLimiter('t', { requestsPerSecond: 10, headroom: 0.5, maxQueueWaitMs: 50 });
    // bucket of 5 tokens at 5/s: five pass at once, the sixth would wait 200 ms > 50 ms
    for (let i = 0; i < 5; i++) (await grant(limiter)).release('success');
    expect(await limiter.acquire()).toMatchObject({ granted: false, kind: 'wait', reason: 'rate-limit' });
  });

  it('pauses on Retry-After and on an exhausted rate-limit budget', async () => {
    const limiter = new ToolLimiter('t', { maxQueueWaitMs: 10 });
    limiter.observe(429, { 'retry-after': '30' });
    const refused = await limiter.acquire();
    expect(refused).toMatchObject({ granted: false, kind: 'wait', reason: 'tool-paused' });
    expect(refused.granted === false && refused.retryAfterMs).toBeGreaterThan(29_000);

    const other = new ToolLimiter('u', { maxQueueWaitMs: 10 });
    other.observe(200, { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '6m0s' });
    expect(other.state().pausedUntilMs).toBeGreaterThan(Date.now() + 350_000);
  });

  it("exempts the activity whose answer set the pause: the server already delays that activity's retry", async () => {
    const limiter = new ToolLimiter('t', { maxQueueWaitMs: 10 });
    limiter.observe(429, { 'retry-after': '30' }, Date.now(), 'wf/run/1');
    expect((await limiter.acquire(Date.now, 'wf/run/1')).granted).toBe(true);
    expect(await limiter.acquire(Date.now, 'wf/run/2')).toMatchObject({
      granted: false,
      reason: 'tool-paused',
    });
  });

  it('holds the tool shut as STOP for a long Retry-After or an explicit hold', async () => {
    const limiter = new ToolLimiter('t', { maxWaitMs: 60_000 });
    limiter.observe(429, { 'retry-after': '10800' }, 1_000);
    expect(await limiter.acquire(() => 2_000)).toMatchObject({
      granted: false,
      kind: 'stop',
      reason: 'retry-after-long',
      retryAfterMs: 10_799_000,
    });
    expect((await limiter.acquire(() => 10_801_000)).granted).toBe(true);

    const quota = new ToolLimiter('q');
    quota.hold(5_000, 'quota-text');
    expect(await quota.acquire(() => 1_000)).toMatchObject({
      kind: 'stop',
      reason: 'quota-text',
      retryAfterMs: 4_000,
    });
  });

  it('spaces calls when the remaining budget falls below the headroom', () => {
    const limiter = new ToolLimiter('t');
    limiter.observe(200, { 'ratelimit-limit': '100', 'ratelimit-remaining': '50', 'ratelimit-reset': '10' });
    expect(limiter.state().pausedUntilMs).toBeUndefined();
    limiter.observe(200, { 'ratelimit-limit': '100', 'ratelimit-remaining': '9', 'ratelimit-reset': '10' });
    const paused = limiter.state().pausedUntilMs! - Date.now();
    expect(paused).toBeGreaterThan(900);
    expect(paused).toBeLessThanOrEqual(1000);
  });
});

describe('BoundedRegistry', () => {
  it('keeps at most maxEntries, evicting the least recently used', () => {
    const registry = new BoundedRegistry<number>({ maxEntries: 3, idleMs: 60_000 });
    for (const key of ['a', 'b', 'c']) registry.get(key, () => 1);
    registry.get('a', () => 2); // touch a
    registry.get('d', () => 1);
    expect([...registry].map(([k]) => k)).toEqual(['c', 'a', 'd']);
  });

  it('does not evict busy entries, and drops idle ones', () => {
    let now = 0;
    const registry = new BoundedRegistry<{ busy: boolean }>({
      maxEntries: 10,
      idleMs: 1000,
      isBusy: (v) => v.busy,
      now: () => now,
    });
    registry.get('busy', () => ({ busy: true }));
    registry.get('idle', () => ({ busy: false }));
    now = 5000;
    registry.get('fresh', () => ({ busy: false }));
    expect([...registry].map(([k]) => k).sort()).toEqual(['busy', 'fresh']);
  });

  it('stays bounded with 10,000 distinct keys', () => {
    const registry = new BoundedRegistry<object>({ maxEntries: 100, idleMs: 60_000 });
    for (let i = 0; i < 10_000; i++) registry.get(`user-${i}`, () => ({}));
    expect(registry.size).toBe(100);
  });
});
