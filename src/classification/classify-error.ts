import type { Classification } from './classification';
import { classifyHttp, normalizeHeaders, type ClassifyOptions } from './classify-http';
import { DEFAULT_CONTEXT_LENGTH_PATTERNS, DEFAULT_QUOTA_PATTERNS, matchesAny } from './patterns';
import { findRule } from './rules';
import { messageOf } from '../text/message-of';

/** Node and undici error codes and what each means for a retry. */
const CODE_REASONS: Readonly<Record<string, string>> = {
  ECONNRESET: 'econnreset',
  ECONNREFUSED: 'econnrefused',
  ECONNABORTED: 'econnaborted',
  ETIMEDOUT: 'etimedout',
  EPIPE: 'epipe',
  EHOSTUNREACH: 'ehostunreach',
  ENETUNREACH: 'enetunreach',
  ENETDOWN: 'enetdown',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  UND_ERR_CONNECT_TIMEOUT: 'connect-timeout',
  UND_ERR_HEADERS_TIMEOUT: 'headers-timeout',
  UND_ERR_BODY_TIMEOUT: 'body-timeout',
  UND_ERR_SOCKET: 'socket',
  UND_ERR_CLOSED: 'socket',
  ERR_STREAM_PREMATURE_CLOSE: 'premature-close',
};

const MAX_CAUSE_DEPTH = 5;

/**
 * Classifies anything an activity may throw: our `HttpError`, provider SDK errors with `status`/`statusCode`
 * (and `headers`, `error`/`body`), undici and fetch errors (`TypeError: fetch failed` with a coded `cause`), Node
 * system errors with `code`, our timeout errors, plain strings, `undefined`. Unknown errors are RETRY `unknown`.
 *
 * Never throws, whatever the shape (getters that throw, circular references, 10 MB messages).
 */
export function classifyError(error: unknown, options: ClassifyOptions = {}): Classification {
  try {
    return classify(error, options, 0);
  } catch {
    return { kind: 'retry', reason: 'unknown' };
  }
}

function classify(error: unknown, options: ClassifyOptions, depth: number): Classification {
  if (error === undefined || error === null) return { kind: 'retry', reason: 'unknown' };
  if (typeof error === 'string')
    return classifyText(error, undefined, options) ?? { kind: 'retry', reason: 'unknown' };
  if (typeof error !== 'object') return { kind: 'retry', reason: 'unknown' };

  const e = error as Record<string, unknown>;
  const status =
    numericStatus(e.status) ??
    numericStatus(e.statusCode) ??
    numericStatus((e.response as Record<string, unknown> | undefined)?.status);
  if (status !== undefined) {
    const response = e.response as Record<string, unknown> | undefined;
    return classifyHttp(
      {
        status,
        headers: normalizeHeaders(e.headers ?? response?.headers),
        body: e.body ?? e.error ?? response?.data ?? messageOf(e),
      },
      options,
    );
  }

  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = messageOf(e);
  const byText = classifyText(message, code, options);
  if (byText) return byText;

  if (e.isResilienceTimeoutError === true && typeof e.phase === 'string')
    return { kind: 'retry', reason: `${e.phase}-timeout` };
  if (code && CODE_REASONS[code]) return { kind: 'retry', reason: CODE_REASONS[code] };
  if (e.name === 'TimeoutError') return { kind: 'retry', reason: 'timeout' };

  // fetch wraps the real network error: `TypeError('fetch failed', { cause })`.
  if (e.cause !== undefined && e.cause !== error && depth < MAX_CAUSE_DEPTH) {
    const inner = classify(e.cause, options, depth + 1);
    if (inner.reason !== 'unknown') return inner;
  }
  return { kind: 'retry', reason: 'unknown' };
}

function classifyText(
  text: string,
  code: string | undefined,
  options: ClassifyOptions,
): Classification | undefined {
  const rule = findRule(options.rules ?? [], { headers: {}, text, code });
  if (rule) return { kind: rule.kind, reason: rule.reason };
  if (matchesAny(options.quotaPatterns ?? DEFAULT_QUOTA_PATTERNS, text))
    return { kind: 'stop', reason: 'quota-text' };
  if (matchesAny(options.contextLengthPatterns ?? DEFAULT_CONTEXT_LENGTH_PATTERNS, text)) {
    return { kind: 'fail', reason: 'context-length-exceeded' };
  }
  return undefined;
}

function numericStatus(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}
