import { Agent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Context } from '@temporalio/activity';
import { HttpError } from '../src/errors/http-error';
import { ResponseTooLargeError } from '../src/errors/response-too-large-error';
import { ResilienceTimeoutError } from '../src/errors/timeout-error';
import {
  anyOf,
  custom,
  duration,
  num,
  object,
  oneOf,
  record,
  str,
  validateOptions,
} from '../src/options/schema';
import { currentAttemptContext } from './attempt-context';
import { decodeUtf8, ResilientResponse } from './resilient-response';

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
  /**
   * Longest the whole call may take, from connecting to the last body byte: a stream that trickles one byte now and
   * then (never idle long enough for `bodyTimeoutMs`) still ends. Inside an activity it is never longer than the
   * activity's start-to-close timeout. @default 300_000 (5 minutes)
   */
  readonly totalTimeoutMs?: number;
  /** Largest body read into memory, in bytes. See `onTooLarge` for what happens beyond it. @default 10 MiB */
  readonly maxBodyBytes?: number;
  /**
   * A 2xx body longer than `maxBodyBytes`: `'error'` throws {@link ResponseTooLargeError} (as soon as the
   * `content-length` or the bytes read tell); `'truncate'` returns the first `maxBodyBytes` with `truncated: true`.
   * Error (non-2xx) bodies are always cut at 64 KiB: they only feed the classifier.
   * @default 'error'
   */
  readonly onTooLarge?: 'error' | 'truncate';
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

/** Defaults of {@link ResilientFetchInit}. */
export const RESILIENT_FETCH_DEFAULTS = {
  connectTimeoutMs: 5_000,
  responseTimeoutMs: 60_000,
  bodyTimeoutMs: 30_000,
  totalTimeoutMs: 300_000,
  maxBodyBytes: 10 * 1024 * 1024,
  onTooLarge: 'error',
} as const;

/** Error bodies are read up to this many bytes: enough for any provider's error JSON, bounded for the classifier. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** How {@link ResilientFetchInit} is checked (see src/options/schema.ts). */
export const RESILIENT_FETCH_INIT_SCHEMA = object<ResilientFetchInit>('ResilientFetchInit', {
  method: str({ nonEmpty: true }),
  headers: record(str(), 'header name'),
  body: custom(
    'a string or a Uint8Array (e.g. a Buffer)',
    (v) => typeof v === 'string' || v instanceof Uint8Array,
  ),
  connectTimeoutMs: duration({ exclusiveMin: true, example: '5000' }),
  responseTimeoutMs: duration({ exclusiveMin: true, example: '60000' }),
  bodyTimeoutMs: duration({ exclusiveMin: true, example: '30000' }),
  totalTimeoutMs: duration({ exclusiveMin: true, example: '300000' }),
  maxBodyBytes: num({ integer: true, min: 0, max: 2 ** 31 - 1, unit: 'bytes', example: '10485760' }),
  onTooLarge: oneOf(['error', 'truncate']),
  idempotencyKey: anyOf('a non-empty string, or false to send none', str({ nonEmpty: true }), oneOf([false])),
  signal: custom('an AbortSignal', (v) => v instanceof AbortSignal),
  agent: custom(
    'an http(s) Agent, or false for a fresh connection',
    (v) => v === false || v instanceof Agent,
  ),
});

/**
 * An HTTP call for activities that fails fast and tells the truth about why:
 * - separate connect, response and body timeouts (a hung connection fails in seconds, not after 47 minutes), and a
 *   total deadline (a trickling stream ends too); each throws {@link ResilienceTimeoutError} saying which phase ran
 *   out and whether the request had been sent;
 * - a body over `maxBodyBytes` throws {@link ResponseTooLargeError}, unless `onTooLarge: 'truncate'` (then the
 *   result says `truncated: true`): never a silently shortened body;
 * - resolves to a {@link ResilientResponse}, read like the Fetch API's `Response` (`ok`, `headers.get()`,
 *   `text()`, `json()`, `arrayBuffer()`), binary-safe;
 * - heartbeats while body bytes arrive, so a heartbeat timeout catches a stalled stream but not a slow one (and while
 *   waiting for the response headers, which the response timeout bounds);
 * - opens a fresh connection per request by default, closed afterwards;
 * - aborted when the activity is cancelled;
 * - reports every response to the tool's shared limiter (rate-limit headers, Retry-After);
 * - throws {@link HttpError} (status, headers, body) on non-2xx, which the classifier reads.
 *
 * Invalid `init` values reject with `InvalidOptionsError` naming them (`init.totalTimeoutMs`) before anything is sent.
 *
 * @example
 * ```ts
 * const reply = await resilientFetch('https://api.example.com/v1/charge', { method: 'POST', body, idempotencyKey: key });
 * const charge = await reply.json<Charge>();
 * ```
 */
export async function resilientFetch(
  url: string | URL,
  init: ResilientFetchInit = {},
): Promise<ResilientResponse> {
  validateOptions(init, RESILIENT_FETCH_INIT_SCHEMA, 'init');
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
  // Past the activity's start-to-close timeout the server has given the attempt up: reading on is wasted.
  const totalTimeoutMs = Math.min(
    init.totalTimeoutMs ?? RESILIENT_FETCH_DEFAULTS.totalTimeoutMs,
    activity?.info.startToCloseTimeoutMs || Infinity,
  );
  const maxBodyBytes = init.maxBodyBytes ?? RESILIENT_FETCH_DEFAULTS.maxBodyBytes;
  const truncate = (init.onTooLarge ?? RESILIENT_FETCH_DEFAULTS.onTooLarge) === 'truncate';
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
    /** Settles once; `early` stops a transfer still running (an error, or a body cut short). */
    const finish = (error: unknown, value?: ResilientResponse, early = error !== undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(deadline);
      clearInterval(waitingBeat);
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
      if (early) req.destroy();
      if (error !== undefined) reject(error);
      else resolve(value!);
    };
    const arm = (phase: 'connect' | 'response' | 'body', ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new ResilienceTimeoutError(phase, ms, requestSent, shownUrl)), ms);
    };
    const onAbort = () => {
      const reason = signals.find((s) => s.aborted)?.reason;
      finish(reason ?? Object.assign(new Error('request aborted'), { name: 'AbortError' }));
    };
    const deadline = setTimeout(
      () => finish(new ResilienceTimeoutError('total', totalTimeoutMs, requestSent, shownUrl)),
      totalTimeoutMs,
    );

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
      const status = res.statusCode ?? 0;
      const responseHeaders = flattenHeaders(res.headers);
      attempt?.limiter?.observe(status, responseHeaders);
      clearInterval(waitingBeat);
      arm('body', bodyTimeoutMs);
      const success = status >= 200 && status < 300;
      // An error body only feeds the classifier: its start is enough, and it is cut silently (it is not a result).
      const limit = success ? maxBodyBytes : Math.min(maxBodyBytes, MAX_ERROR_BODY_BYTES);
      const rejectLarge = success && !truncate;
      const announced = Number(res.headers['content-length']);
      if (rejectLarge && announced > limit) {
        finish(new ResponseTooLargeError(limit, announced, status, shownUrl));
        return;
      }
      const chunks: Buffer[] = [];
      let kept = 0;
      const complete = (cut: boolean) => {
        const bytes = Buffer.concat(chunks, kept);
        if (!success) {
          finish(new HttpError(status, responseHeaders, decodeUtf8(bytes, cut), shownUrl), undefined, cut);
          return;
        }
        const response = new ResilientResponse(
          status,
          res.statusMessage ?? '',
          toHeaders(res.rawHeaders),
          target.href,
          bytes,
          cut,
        );
        finish(undefined, response, cut);
      };
      res.on('data', (chunk: Buffer) => {
        arm('body', bodyTimeoutMs);
        // Only activities with a heartbeat timeout heartbeat: it is what turns a stalled stream into a failure.
        if (heartbeatTimeoutMs) beat();
        const room = limit - kept;
        if (chunk.length <= room) {
          chunks.push(chunk);
          kept += chunk.length;
          return;
        }
        if (rejectLarge) {
          finish(new ResponseTooLargeError(limit, kept + chunk.length, status, shownUrl));
          return;
        }
        chunks.push(chunk.subarray(0, room));
        kept = limit;
        complete(true); // the rest would be discarded anyway: stop downloading it
      });
      res.on('error', (error) => finish(error));
      res.on('end', () => complete(false));
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

function toHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A header value `Headers` refuses (invalid characters) is dropped rather than failing a good response.
    }
  }
  return headers;
}
