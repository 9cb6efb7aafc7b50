import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resilientFetch } from '../../activities';
import { classifyError, isHttpError, isResilienceTimeoutError } from '../../index';
import { runWithAttemptContext } from '../../activities/attempt-context';
import { FakeProvider } from '../../testing';
import { startUnacceptingPort } from '../helpers/unaccepting-port';

let provider: FakeProvider;
beforeAll(async () => {
  provider = await FakeProvider.start();
});
afterAll(async () => {
  await provider.close();
});

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('resilientFetch', () => {
  it('returns a 2xx body and sends the idempotency key', async () => {
    provider.route('/ok', { then: { status: 201, body: { id: 'ch_1' } } });
    const response = await resilientFetch(provider.url('/ok'), {
      method: 'POST',
      body: '{}',
      idempotencyKey: 'key-1',
    });
    expect(response.status).toBe(201);
    expect(response.json()).toEqual({ id: 'ch_1' });
    expect(provider.requests('/ok')[0]!.idempotencyKey).toBe('key-1');
  });

  it('throws a classifiable HttpError on non-2xx', async () => {
    provider.route('/limited', { then: { status: 429, headers: { 'retry-after': '7' }, body: 'slow down' } });
    const error = await failureOf(resilientFetch(provider.url('/limited?token=abc')));
    expect(isHttpError(error)).toBe(true);
    expect(error).toMatchObject({ status: 429, body: 'slow down', url: provider.url('/limited') });
    expect(classifyError(error)).toMatchObject({ kind: 'wait', retryAfterMs: 7000 });
  });

  it('fails a hung response within the response timeout, as RETRY with the request sent', async () => {
    provider.route('/hang', { then: { hang: true } });
    const started = Date.now();
    const error = await failureOf(
      resilientFetch(provider.url('/hang'), { method: 'POST', body: 'x', responseTimeoutMs: 200 }),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(isResilienceTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ phase: 'response', requestSent: true });
    expect(classifyError(error)).toEqual({ kind: 'retry', reason: 'response-timeout' });
  });

  it('fails a connection that never completes within the connect timeout, before sending', async () => {
    const unaccepting = await startUnacceptingPort();
    try {
      const error = await failureOf(
        resilientFetch(`http://127.0.0.1:${unaccepting.port}/x`, {
          connectTimeoutMs: 200,
          responseTimeoutMs: 60_000,
        }),
      );
      expect(error).toMatchObject({ phase: 'connect', requestSent: false });
      expect(classifyError(error)).toEqual({ kind: 'retry', reason: 'connect-timeout' });
    } finally {
      unaccepting.stop();
    }
  });

  it('fails a stream that stalls midway, but not a slow one that keeps moving', async () => {
    provider.route('/slow', {
      then: { chunks: [{ data: 'a' }, { data: 'b', delayMs: 150 }, { data: 'c', delayMs: 150 }] },
    });
    expect((await resilientFetch(provider.url('/slow'), { bodyTimeoutMs: 300 })).body).toBe('abc');
    provider.route('/stall', { then: { chunks: [{ data: 'a' }, { data: 'b', hang: true }] } });
    const error = await failureOf(resilientFetch(provider.url('/stall'), { bodyTimeoutMs: 300 }));
    expect(error).toMatchObject({ phase: 'body', requestSent: true });
  });

  it('is aborted by a signal', async () => {
    provider.route('/hang2', { then: { hang: true } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by test')), 50);
    const error = await failureOf(resilientFetch(provider.url('/hang2'), { signal: controller.signal }));
    expect((error as Error).message).toBe('cancelled by test');
  });

  it("tells the tool's limiter about rate-limit headers", async () => {
    provider.route('/budget', {
      then: {
        status: 200,
        headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '20s' },
      },
    });
    const seen: Array<[number, unknown]> = [];
    const limiter = { observe: (status: number, headers: unknown) => void seen.push([status, headers]) };
    await runWithAttemptContext({ toolKey: 'budget', limiter }, () =>
      resilientFetch(provider.url('/budget')),
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toBe(200);
    expect(seen[0]![1]).toMatchObject({
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '20s',
    });
  });
});
