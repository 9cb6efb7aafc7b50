import {
  request as httpRequest,
  type Agent,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Context } from '@temporalio/activity';
import { HttpError } from '../src/errors/http-error';
import { ResilienceTimeoutError } from '../src/errors/timeout-error';
import { currentAttemptContext } from './attempt-context';

/** Options of {@link resilientFetch}. */
export interface ResilientFetchInit {
  /** @default 'GET' */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Longest wait for the TCP (and TLS) connection. @default 5_000 */
  readonly connectTimeoutMs?: number;
  /** Longest wait from the request being sent to the response headers. @default 60_000 */
  readonly responseTimeoutMs?: number;
  /** Longest silence between two body chunks: a stalled stream fails, a slow moving one does not. @default 30_000 */
  readonly bodyTimeoutMs?: number;
  /** Bodies larger than this are cut (and the rest discarded). @default 10 MiB */
  readonly maxBodyBytes?: number;
  /** Sent as `Idempotency-Key`. @default the current step's `idempotencyKey()`, when there is one; `false` sends none. */
  readonly idempotencyKey?: string | false;
  /** Aborts the request. The activity's cancellation signal is always honoured as well. */
  readonly signal?: AbortSignal;
  /**
   * Connection reuse. By default every request opens its own connection and closes it: a retry never reuses a socket
   * that just hung, and nothing stays open between attempts. Pass a keep-alive `Agent` for chatty, fast APIs.
   * @default false
   */
  readonly agent?: Agent | false;
}

/** A completed 2xx response with its body read. */
export interface ResilientResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/** Defaults of {@link ResilientFetchInit}. */
export const RESILIENT_FETCH_DEFAULTS = {
  connectTimeoutMs: 5_000,
  responseTimeoutMs: 60_000,
  bodyTimeoutMs: 30_000,
  maxBodyBytes: 10 * 1024 * 1024,
} as const;

/**
 * An HTTP call for activities that fails fast and tells the truth about why:
 * - separate connect, response and body timeouts (a hung connection fails in seconds, not after 47 minutes);
 *   each throws {@link ResilienceTimeoutError} saying whether the request had been sent;
 * - heartbeats while body bytes arrive, so a heartbeat timeout catches a stalled stream but not a slow one (and while
 *   waiting for the response headers, which the response timeout bounds);
 * - opens a fresh connection per request by default, closed afterwards;
 * - aborted when the activity is cancelled;
 * - reports every response to the tool's shared limiter (rate-limit headers, Retry-After);
 * - throws {@link HttpError} (status, headers, body) on non-2xx, which the classifier reads.
 *
 * @example
 * ```ts
 * const reply = await resilientFetch('https://api.example.com/v1/charge', { method: 'POST', body, idempotencyKey: key });
 * ```
 */
export function resilientFetch(url: string, init: ResilientFetchInit = {}): Promise<ResilientResponse> {
  const target = new URL(url);
  const shownUrl = `${target.origin}${target.pathname}`;
  const connectTimeoutMs = init.connectTimeoutMs ?? RESILIENT_FETCH_DEFAULTS.connectTimeoutMs;
  const responseTimeoutMs = init.responseTimeoutMs ?? RESILIENT_FETCH_DEFAULTS.responseTimeoutMs;
  const activity = activityContext();
  const heartbeatTimeoutMs = activity?.info.heartbeatTimeoutMs || undefined;
  // With a heartbeat timeout the server gives up on a silent stream after it; stop waiting here at the same time.
  const bodyTimeoutMs = Math.min(
    init.bodyTimeoutMs ?? RESILIENT_FETCH_DEFAULTS.bodyTimeoutMs,
    heartbeatTimeoutMs ?? Infinity,
  );
  const maxBodyBytes = init.maxBodyBytes ?? RESILIENT_FETCH_DEFAULTS.maxBodyBytes;
  const attempt = currentAttemptContext();
  const beat = () => (attempt?.heartbeat ?? (() => activity?.heartbeat()))();

  const headers: OutgoingHttpHeaders = { ...init.headers };
  // The step's key by default: every attempt of the same business step carries the same key.
  const key = init.idempotencyKey === undefined ? attempt?.idempotencyKey : init.idempotencyKey;
  if (key) headers['idempotency-key'] = key;
  if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body);

  return new Promise<ResilientResponse>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let waitingBeat: NodeJS.Timeout | undefined;
    let requestSent = false;
    let settled = false;
    const signals = [init.signal, activity?.cancellationSignal].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const finish = (error: unknown, value?: ResilientResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(waitingBeat);
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        req.destroy();
        reject(error);
      } else resolve(value!);
    };
    const arm = (phase: 'connect' | 'response' | 'body', ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new ResilienceTimeoutError(phase, ms, requestSent, shownUrl)), ms);
    };
    const onAbort = () => {
      const reason = signals.find((s) => s.aborted)?.reason;
      finish(reason ?? Object.assign(new Error('request aborted'), { name: 'AbortError' }));
    };

    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: init.method ?? 'GET', headers, agent: init.agent ?? false });
    for (const signal of signals) {
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }
    req.on('error', (error) => finish(error));
    req.on('socket', (socket) => {
      // A kept-alive socket is already connected; only a new one gets a connect timeout.
      if (socket.connecting) {
        arm('connect', connectTimeoutMs);
        socket.once('connect', () => {
          if (!requestSent) clearTimeout(timer);
        });
      }
    });
    req.on('finish', () => {
      requestSent = true;
      arm('response', responseTimeoutMs);
      // Waiting for the first byte is the response timeout's job: keep the heartbeat timeout from firing meanwhile.
      if (heartbeatTimeoutMs) waitingBeat = setInterval(beat, Math.max(100, heartbeatTimeoutMs / 2));
    });
    req.on('response', (res: IncomingMessage) => {
      const responseHeaders = flattenHeaders(res.headers);
      attempt?.limiter?.observe(res.statusCode ?? 0, responseHeaders);
      clearInterval(waitingBeat);
      arm('body', bodyTimeoutMs);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        arm('body', bodyTimeoutMs);
        if (size < maxBodyBytes) chunks.push(chunk.subarray(0, maxBodyBytes - size));
        size += chunk.length;
        // Only activities with a heartbeat timeout heartbeat: it is what turns a stalled stream into a failure.
        if (heartbeatTimeoutMs) beat();
      });
      res.on('error', (error) => finish(error));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          finish(new HttpError(status, responseHeaders, body.slice(0, 64 * 1024), shownUrl));
          return;
        }
        finish(undefined, { status, headers: responseHeaders, body, json: <T>() => JSON.parse(body) as T });
      });
    });
    req.end(init.body);
  });
}

function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (scripts, tests): no heartbeats, no cancellation
  }
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
