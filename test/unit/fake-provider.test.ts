import { afterEach, describe, expect, it } from 'vitest';
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

  it('answers 429 above its concurrency limit', async () => {
    provider = await FakeProvider.start({ routes: { '/slow': { maxInFlight: 2, then: { delayMs: 150 } } } });
    const statuses = await Promise.all(
      Array.from({ length: 5 }, () => post(provider!.url('/slow')).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(provider.inFlight('/slow')).toBe(0);
  });

  it('streams chunks with delays', async () => {
    provider = await FakeProvider.start({
      routes: {
        '/stream': {
          then: { chunks: [{ data: 'a' }, { data: 'b', delayMs: 30 }, { data: 'c', delayMs: 30 }] },
        },
      },
    });
    const start = Date.now();
    expect((await post(provider.url('/stream'))).body).toBe('abc');
    expect(Date.now() - start).toBeGreaterThanOrEqual(55);
  });

  it('holds a hung request open, and close() ends it without leaving sockets', async () => {
    provider = await FakeProvider.start({ routes: { '/hang': { then: { hang: true } } } });
    const outcome = new Promise<string>((resolve) => {
      const req = request(provider!.url('/hang'), { method: 'POST' }, () => resolve('answered'));
      req.on('error', (e) => resolve(`error: ${(e as NodeJS.ErrnoException).code}`));
      req.end('x');
    });
    // Wait for the request to arrive (an event), not for a time.
    while (provider.inFlight('/hang') === 0) await new Promise((r) => setImmediate(r));
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
