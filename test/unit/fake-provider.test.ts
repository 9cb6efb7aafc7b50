import { afterEach, describe, expect, it, vi } from 'vitest';
import { request } from 'node:http';
import { FakeProvider } from '../../testing';

let provider: FakeProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

async function post(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', body: 'hello', headers });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Polls on real I/O turns (`setImmediate` is not faked): waits for an event, not for a time. */
async function untilIo(condition: () => boolean): Promise<void> {
  while (!condition()) await ioTurns(1);
}

/** Lets `n` turns of the event loop pass, so bytes already sent on a local socket can arrive. */
async function ioTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('FakeProvider', () => {
  it('answers a route with its script in order, then the fallback', async () => {
    provider = await FakeProvider.start({
      routes: {
        '/chat': {
          script: [
            { status: 429, headers: { 'retry-after': '5' } },
            { status: 503, body: 'down' },
          ],
          then: { status: 200, body: { answer: 42 } },
        },
      },
    });
    const first = await post(provider.url('/chat'));
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('5');
    expect(await post(provider.url('/chat'))).toMatchObject({ status: 503, body: 'down' });
    expect(await post(provider.url('/chat?x=1'))).toMatchObject({ status: 200, body: '{"answer":42}' });
    expect(provider.calls('/chat')).toBe(3);
    expect(provider.requests('/chat').map((r) => [r.callNumber, r.status, r.body])).toEqual([
      [1, 429, 'hello'],
      [2, 503, 'hello'],
      [3, 200, 'hello'],
    ]);
    expect(provider.responsesWithStatus(429)).toBe(1);
  });

  it('answers 404 for an unknown route and still records it', async () => {
    provider = await FakeProvider.start();
    expect((await post(provider.url('/nowhere'))).status).toBe(404);
    expect(provider.calls()).toBe(1);
  });

  it('counts calls per Idempotency-Key and tells a respond function about earlier ones', async () => {
    provider = await FakeProvider.start({
      routes: {
        '/charge': { respond: (_req, ctx) => ({ status: ctx.previousWithSameKey === 0 ? 201 : 409 }) },
      },
    });
    expect((await post(provider.url('/charge'), { 'idempotency-key': 'k1' })).status).toBe(201);
    expect((await post(provider.url('/charge'), { 'idempotency-key': 'k1' })).status).toBe(409);
    expect((await post(provider.url('/charge'), { 'idempotency-key': 'k2' })).status).toBe(201);
    await post(provider.url('/charge'));
    expect(Object.fromEntries(provider.callsByIdempotencyKey('/charge'))).toEqual({ k1: 2, k2: 1 });
  });

  it('answers 429 above its concurrency limit (fake timers)', async () => {
    provider = await FakeProvider.start({ routes: { '/slow': { maxInFlight: 2, then: { delayMs: 150 } } } });
    // The two admitted answers wait on the faked clock: all five requests are in before either ends, however slowly
    // they arrive on a loaded machine.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const statuses = Promise.all(
        Array.from({ length: 5 }, () => post(provider!.url('/slow')).then((r) => r.status)),
      );
      await untilIo(() => provider!.calls('/slow') === 5);
      await vi.advanceTimersByTimeAsync(150);
      expect((await statuses).sort()).toEqual([200, 200, 429, 429, 429]);
    } finally {
      vi.useRealTimers();
    }
    expect(provider.inFlight('/slow')).toBe(0);
  });

  it('streams chunks with delays, each sent when its delay has passed (fake timers)', async () => {
    provider = await FakeProvider.start({
      routes: {
        '/stream': {
          then: { chunks: [{ data: 'a' }, { data: 'b', delayMs: 30 }, { data: 'c', delayMs: 30 }] },
        },
      },
    });
    // Only the provider's timers are faked; the socket stays real, and the test waits for bytes to arrive.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let body = '';
      let ended = false;
      const req = request(provider.url('/stream'), { method: 'POST' }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (data: string) => (body += data));
        res.on('end', () => (ended = true));
      });
      req.end('x');
      await untilIo(() => provider!.calls('/stream') === 1);
      await vi.advanceTimersByTimeAsync(0);
      await untilIo(() => body.includes('a'));
      expect(body).toBe('a');
      await vi.advanceTimersByTimeAsync(29);
      await ioTurns(10);
      expect(body).toBe('a'); // 'b' is due 30 ms after 'a', not sooner
      await vi.advanceTimersByTimeAsync(1);
      await untilIo(() => body.includes('b'));
      expect(body).toBe('ab');
      await vi.advanceTimersByTimeAsync(30);
      await untilIo(() => ended);
      expect(body).toBe('abc');
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds a hung request open, and close() ends it without leaving sockets', async () => {
    provider = await FakeProvider.start({ routes: { '/hang': { then: { hang: true } } } });
    const outcome = new Promise<string>((resolve) => {
      const req = request(provider!.url('/hang'), { method: 'POST' }, () => resolve('answered'));
      req.on('error', (e) => resolve(`error: ${(e as NodeJS.ErrnoException).code}`));
      req.end('x');
    });
    // Wait for the request to arrive (an event), not for a time.
    await untilIo(() => provider!.inFlight('/hang') > 0);
    expect(provider.inFlight('/hang')).toBe(1);
    expect(provider.openConnections()).toBe(1);
    await provider.close();
    expect(await outcome).toBe('error: ECONNRESET');
    expect(provider.openConnections()).toBe(0);
    provider = undefined;
  });

  it('reset() clears the record and restarts scripts', async () => {
    provider = await FakeProvider.start({ routes: { '/once': { script: [{ status: 500 }] } } });
    expect((await post(provider.url('/once'))).status).toBe(500);
    provider.reset();
    expect(provider.calls()).toBe(0);
    expect((await post(provider.url('/once'))).status).toBe(500);
  });
});
