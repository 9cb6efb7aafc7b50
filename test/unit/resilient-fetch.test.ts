import { Agent } from 'node:http';
import { createConnection, type NetConnectOpts } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isResponseTooLargeError, resilientFetch, ResilientResponse } from '../../activities';
import { classifyError, isHttpError, isResilienceTimeoutError } from '../../index';
import { runWithAttemptContext } from '../../activities/attempt-context';
import { isInvalidOptionsError } from '../../src/errors/invalid-options-error';
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

/** Polls until `condition` holds; bounded only by the test's own timeout (no wall-clock bound of its own). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

// The expected failure is logged by the SDK as "Activity failed"; keep the output to errors.
const QUIET = { logger: new DefaultLogger('ERROR') };

/** Like {@link until}, for tests with fake timers: polls on real I/O turns (`setImmediate` is not faked). */
async function untilIo(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setImmediate(r));
}

/** A call's outcome, readable while it runs (`'pending'`, its value or its error); `done` waits for it. */
function settled<T>(call: Promise<T>): { outcome: () => unknown; done: Promise<unknown> } {
  let outcome: unknown = 'pending';
  const done = call.then(
    (value) => (outcome = value),
    (error: unknown) => (outcome = error),
  );
  return { outcome: () => outcome, done };
}

/**
 * An agent whose sockets keep what they receive. Under fake timers a test waits on it (with {@link untilIo}) until
 * the bytes the provider sent have reached the fetch, before it moves the clock on.
 */
function recordingAgent(): { agent: Agent; received: () => string } {
  let received = '';
  const agent = new Agent();
  agent.createConnection = (options) => {
    const socket = createConnection(options as NetConnectOpts); // returned: the agent takes it as created
    // Added before the HTTP client's own listener: once a poll sees the bytes, the fetch has handled them.
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    return socket;
  };
  return { agent, received: () => received };
}

const E_ACUTE = Buffer.from('é'); // 2 bytes: c3 a9

describe('resilientFetch', () => {
  it('returns a Response-like result and sends the idempotency key', async () => {
    provider.route('/ok', {
      then: { status: 201, headers: { 'X-Request-Id': 'req_1' }, body: { id: 'ch_1' } },
    });
    const response = await resilientFetch(provider.url('/ok?x=1'), {
      method: 'POST',
      body: '{}',
      idempotencyKey: 'key-1',
    });
    expect(response).toBeInstanceOf(ResilientResponse);
    expect(response).toMatchObject({
      ok: true,
      status: 201,
      statusText: 'Created',
      truncated: false,
      bodyUsed: false,
      url: provider.url('/ok?x=1'),
    });
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(response.headers.get('Content-Type')).toBe('application/json');
    // The body is buffered: every read returns all of it.
    expect(await response.json()).toEqual({ id: 'ch_1' });
    expect(await response.json()).toEqual({ id: 'ch_1' });
    expect(await response.text()).toBe('{"id":"ch_1"}');
    expect(new TextDecoder().decode(await response.arrayBuffer())).toBe('{"id":"ch_1"}');
    expect(await (await response.blob()).text()).toBe('{"id":"ch_1"}');
    expect((await response.blob()).type).toBe('application/json');
    expect(await response.clone().text()).toBe('{"id":"ch_1"}');
    expect(response.size).toBe(13);
    expect(provider.requests('/ok')[0]!.idempotencyKey).toBe('key-1');
  });

  it('rejects json() on a body that is not JSON, as fetch does', async () => {
    provider.route('/text', { then: { body: 'plain words' } });
    const response = await resilientFetch(provider.url('/text'));
    expect(await failureOf(response.json())).toBeInstanceOf(SyntaxError);
    expect(await response.text()).toBe('plain words');
  });

  it('keeps binary bodies byte for byte', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    provider.route('/bin', { then: { headers: { 'content-type': 'application/octet-stream' }, body: all } });
    const response = await resilientFetch(provider.url('/bin'));
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(all);
    expect(await response.bytes()).toEqual(all);
    // A copy each time: changing it does not change the response.
    (await response.bytes())[0] = 99;
    expect((await response.bytes())[0]).toBe(0);
  });

  it('decodes a character split across two network chunks whole', async () => {
    provider.route('/split', {
      then: {
        chunks: [
          { data: Buffer.concat([Buffer.from('caf'), E_ACUTE.subarray(0, 1)]) },
          { data: E_ACUTE.subarray(1), delayMs: 50 },
          { data: '!', delayMs: 10 },
        ],
      },
    });
    expect(await (await resilientFetch(provider.url('/split'))).text()).toBe('café!');
  });

  describe('a body over maxBodyBytes', () => {
    it('fails with ResponseTooLargeError when content-length announces it, naming the limit and the fix', async () => {
      provider.route('/big', { then: { body: 'x'.repeat(100) } });
      const error = await failureOf(resilientFetch(provider.url('/big?k=secret'), { maxBodyBytes: 10 }));
      expect(isResponseTooLargeError(error)).toBe(true);
      expect(error).toMatchObject({
        name: 'ResponseTooLargeError',
        limitBytes: 10,
        receivedBytes: 100,
        responseStatus: 200,
        url: provider.url('/big'),
      });
      expect((error as Error).message).toBe(
        `response body of ${provider.url('/big')} exceeds 10 bytes (100 bytes or more): raise maxBodyBytes, or ` +
          `pass onTooLarge: 'truncate' to accept a cut body (the result then has truncated: true)`,
      );
      // Not an HTTP failure: a classifier must not read a status from it.
      expect(error).not.toHaveProperty('status');
    });

    it('fails as soon as a streamed body (no content-length) passes the limit', async () => {
      provider.route('/big-stream', {
        then: {
          chunks: [{ data: 'abcdef' }, { data: 'ghijkl', delayMs: 20 }, { data: 'never', hang: true }],
        },
      });
      const error = await failureOf(resilientFetch(provider.url('/big-stream'), { maxBodyBytes: 10 }));
      expect(error).toMatchObject({ name: 'ResponseTooLargeError', limitBytes: 10, receivedBytes: 12 });
    });

    it('accepts a body of exactly the limit', async () => {
      provider.route('/exact', { then: { body: '0123456789' } });
      const response = await resilientFetch(provider.url('/exact'), { maxBodyBytes: 10 });
      expect(response.truncated).toBe(false);
      expect(await response.text()).toBe('0123456789');
    });

    it("with onTooLarge: 'truncate', returns the first bytes, says so, and never splits a character", async () => {
      provider.route('/cut', { then: { chunks: [{ data: 'éééé' }, { data: 'é', delayMs: 10 }] } });
      const response = await resilientFetch(provider.url('/cut'), {
        maxBodyBytes: 5,
        onTooLarge: 'truncate',
      });
      expect(response.truncated).toBe(true);
      expect(response.size).toBe(5);
      expect(await response.bytes()).toEqual(new Uint8Array(Buffer.from('éééé').subarray(0, 5)));
      expect(await response.text()).toBe('éé'); // the fifth byte is half a character: dropped, not U+FFFD
    });
  });

  it('throws a classifiable HttpError on non-2xx', async () => {
    provider.route('/limited', { then: { status: 429, headers: { 'retry-after': '7' }, body: 'slow down' } });
    const error = await failureOf(resilientFetch(provider.url('/limited?token=abc')));
    expect(isHttpError(error)).toBe(true);
    expect(error).toMatchObject({ status: 429, body: 'slow down', url: provider.url('/limited') });
    expect(classifyError(error)).toMatchObject({ kind: 'wait', retryAfterMs: 7000 });
  });

  it('keeps only the first 64 KiB of an error body', async () => {
    provider.route('/huge-error', { then: { status: 503, body: 'e'.repeat(1_000_000) } });
    const error = await failureOf(resilientFetch(provider.url('/huge-error')));
    expect(error).toMatchObject({ status: 503 });
    expect((error as { body: string }).body).toBe('e'.repeat(64 * 1024));
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

  it('fails a stream that stalls midway, but not a slow one that keeps moving (fake timers)', async () => {
    // Twelve chunks each 999 ms after the one before: 11 s in all, far past the 1 s body timeout, yet no gap reaches
    // it. Only the JS timers are faked (the provider's and the fetch's); sockets stay real, and each chunk is seen
    // arriving before the clock moves on, so the fetch re-arms its timer at the time the chunk was sent.
    const markers = Array.from({ length: 12 }, (_, i) => `<${i}>`);
    provider.route('/slow', {
      then: { chunks: markers.map((data, i) => ({ data, delayMs: i === 0 ? 0 : 999 })) },
    });
    provider.route('/stall', { then: { chunks: [{ data: '<a>' }, { data: '<b>', hang: true }] } });
    const socket = recordingAgent();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const slow = settled(
        resilientFetch(provider.url('/slow'), { bodyTimeoutMs: 1_000, agent: socket.agent }).then((r) =>
          r.text(),
        ),
      );
      await untilIo(() => provider.calls('/slow') === 1);
      for (const [i, marker] of markers.entries()) {
        await vi.advanceTimersByTimeAsync(i === 0 ? 0 : 999);
        await untilIo(() => socket.received().includes(marker));
      }
      expect(await slow.done).toBe(markers.join(''));

      const stall = settled(
        resilientFetch(provider.url('/stall'), { bodyTimeoutMs: 1_000, agent: socket.agent }),
      );
      await untilIo(() => provider.calls('/stall') === 1);
      await vi.advanceTimersByTimeAsync(0);
      await untilIo(() => socket.received().includes('<a>'));
      await vi.advanceTimersByTimeAsync(999);
      expect(stall.outcome()).toBe('pending');
      await vi.advanceTimersByTimeAsync(1);
      expect(await stall.done).toMatchObject({
        name: 'ResilienceTimeoutError',
        phase: 'body',
        timeoutMs: 1_000,
        requestSent: true,
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('completes a drip that ends before the deadline, with bytes as data', async () => {
    provider.route('/drip-short', {
      then: { chunks: [{ data: 'go:' }], drip: { intervalMs: 20, data: Uint8Array.of(0x21), count: 3 } },
    });
    const response = await resilientFetch(provider.url('/drip-short'), { totalTimeoutMs: 60_000 });
    expect(await response.text()).toBe('go:!!!');
  });

  it('ends a drip of one byte per 500 ms exactly at the total deadline, and closes the connection (fake timers)', async () => {
    provider.route('/drip-fake', { then: { drip: { intervalMs: 500 } } });
    // Only the JS timers are faked (the fetch's and the provider's); sockets stay real.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const call = settled(
        // The idle timeout is well above the drip's interval: only the total deadline can end this call.
        resilientFetch(provider.url('/drip-fake'), { bodyTimeoutMs: 5_000, totalTimeoutMs: 1_600 }),
      );
      await untilIo(() => provider.calls('/drip-fake') === 1);
      await vi.advanceTimersByTimeAsync(1_599); // three bytes dripped meanwhile
      expect(call.outcome()).toBe('pending');
      await vi.advanceTimersByTimeAsync(1);
      const error = await call.done;
      expect(isResilienceTimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ phase: 'total', timeoutMs: 1_600, requestSent: true });
      expect(classifyError(error)).toEqual({ kind: 'retry', reason: 'total-timeout' });
      await untilIo(() => provider.inFlight('/drip-fake') === 0); // the provider saw the client go away
    } finally {
      vi.useRealTimers();
    }
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

  it('opens a fresh connection per request and closes it afterwards', async () => {
    provider.route('/fresh', { then: { body: 'ok' } });
    await until(() => provider.openConnections() === 0);
    await resilientFetch(provider.url('/fresh'));
    await resilientFetch(provider.url('/fresh'));
    await until(() => provider.openConnections() === 0);
    expect(provider.calls('/fresh')).toBe(2);
  });

  describe('inside an activity', () => {
    it('heartbeats as each body chunk arrives (fake timers)', async () => {
      provider.route('/beats', {
        then: { chunks: [{ data: 'a' }, { data: 'b', delayMs: 30 }, { data: 'c', delayMs: 30 }] },
      });
      const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 10_000 }, QUIET);
      let beats = 0;
      env.on('heartbeat', () => beats++);
      // The provider's chunk delays are faked, so two chunks never reach the fetch as one however loaded the machine.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
      try {
        const text = settled(env.run(async () => (await resilientFetch(provider.url('/beats'))).text()));
        await untilIo(() => provider.calls('/beats') === 1);
        for (const [i, ms] of [0, 30, 30].entries()) {
          await vi.advanceTimersByTimeAsync(ms);
          await untilIo(() => beats === i + 1); // one per chunk
        }
        expect(await text.done).toBe('abc');
        expect(beats).toBe(3);
      } finally {
        vi.useRealTimers();
      }
    });

    it('heartbeats while waiting for slow response headers', async () => {
      provider.route('/slow-headers', { then: { delayMs: 400, body: 'late' } });
      // Beats every half heartbeat timeout (at least 100 ms) until the headers arrive.
      const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 200 }, QUIET);
      let beats = 0;
      env.on('heartbeat', () => beats++);
      const text = await env.run(async () => (await resilientFetch(provider.url('/slow-headers'))).text());
      expect(text).toBe('late');
      expect(beats).toBeGreaterThanOrEqual(2); // at least one while waiting, one for the body chunk
    });

    it("never reads past the activity's start-to-close timeout", async () => {
      provider.route('/drip2', { then: { drip: { intervalMs: 50 } } });
      const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 300 }, QUIET);
      const error = await failureOf(env.run(() => resilientFetch(provider.url('/drip2'))));
      expect(error).toMatchObject({ phase: 'total', timeoutMs: 300 });
    });
  });

  it.each<[string, object, string]>([
    [
      'totalTimeoutMs',
      { totalTimeoutMs: 1e20 },
      'Invalid option init.totalTimeoutMs (100000000000000000000): must be a number of milliseconds > 0 and ≤ 2147483647',
    ],
    [
      'a NaN timeout',
      { connectTimeoutMs: NaN },
      'Invalid option init.connectTimeoutMs (NaN): must be a number of milliseconds > 0',
    ],
    [
      'maxBodyBytes',
      { maxBodyBytes: -1 },
      'Invalid option init.maxBodyBytes (-1): must be a whole number of bytes ≥ 0',
    ],
    [
      'onTooLarge',
      { onTooLarge: 'cut' },
      `Invalid option init.onTooLarge ("cut"): must be one of 'error', 'truncate'`,
    ],
    ['a typo', { timeoutMs: 5 }, 'Invalid option init.timeoutMs (5): is not an option of ResilientFetchInit'],
    [
      'a close typo',
      { maxBodySize: 5 },
      'Invalid option init.maxBodySize (5): is not an option of ResilientFetchInit; did you mean maxBodyBytes?',
    ],
    [
      'body',
      { body: { a: 1 } },
      'Invalid option init.body (object): must be a string or a Uint8Array (e.g. a Buffer)',
    ],
    [
      'idempotencyKey',
      { idempotencyKey: true },
      'Invalid option init.idempotencyKey (true): must be a non-empty string, or false to send none',
    ],
    ['a header value', { headers: { 'x-n': 1 } }, 'Invalid option init.headers["x-n"] (1): must be a string'],
  ])('rejects an invalid %s before sending anything', async (_, init, message) => {
    provider.route('/never', { then: { body: 'x' } });
    const error = await failureOf(resilientFetch(provider.url('/never'), init as never));
    expect(isInvalidOptionsError(error)).toBe(true);
    expect((error as Error).message).toContain(message);
    expect(provider.calls('/never')).toBe(0);
  });
});
