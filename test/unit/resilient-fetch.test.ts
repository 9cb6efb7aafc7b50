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
    // The provider never answers: only the response timeout can end the call (the test's own timeout is the bound).
    const error = await failureOf(
      resilientFetch(provider.url('/hang'), { method: 'POST', body: 'x', responseTimeoutMs: 200 }),
    );
    expect(isResilienceTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ phase: 'response', requestSent: true, timeoutMs: 200 });
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
    // 12 chunks 100 ms apart: 1.2 s in all, longer than the 1 s body timeout, but each gap a tenth of it (a wide
    // margin on a loaded machine).
    const chunks = Array.from({ length: 12 }, (_, i) => ({
      data: String.fromCharCode(97 + i),
      delayMs: 100,
    }));
    provider.route('/slow', { then: { chunks } });
    expect((await resilientFetch(provider.url('/slow'), { bodyTimeoutMs: 1000 })).body).toBe('abcdefghijkl');
    provider.route('/stall', { then: { chunks: [{ data: 'a' }, { data: 'b', hang: true }] } });
    const error = await failureOf(resilientFetch(provider.url('/stall'), { bodyTimeoutMs: 300 }));
    expect(error).toMatchObject({ phase: 'body', requestSent: true });
  });

  it('is aborted by a signal', async () => {
    const controller = new AbortController();
    // Aborted once the request has arrived (an event), not after a time.
    provider.route('/hang2', {
      respond: () => {
        setImmediate(() => controller.abort(new Error('cancelled by test')));
        return { hang: true };
      },
    });
    const error = await failureOf(resilientFetch(provider.url('/hang2'), { signal: controller.signal }));
    expect((error as Error).message).toBe('cancelled by test');
  });

  it("tells the tool's limiter about every response, rate-limit headers included", async () => {
    provider.route('/budget', {
      then: {
        status: 200,
        headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '20s' },
      },
    });
    provider.route('/budget-429', { then: { status: 429, headers: { 'retry-after': '3' } } });
    // What the limiter makes of the headers is its own (unit-tested) business; here: that it is told, once per response.
    const observed: Array<[number, Record<string, string>]> = [];
    const limiter = {
      observe: (status: number, headers: unknown) =>
        observed.push([status, headers as Record<string, string>]),
    };
    await runWithAttemptContext({ toolKey: 'budget', limiter }, async () => {
      await resilientFetch(provider.url('/budget'));
      await failureOf(resilientFetch(provider.url('/budget-429')));
    });
    expect(observed.map(([status]) => status)).toEqual([200, 429]);
    expect(observed[0]![1]).toMatchObject({
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '20s',
    });
    expect(observed[1]![1]).toMatchObject({ 'retry-after': '3' });
  });
});
