import type { Classification } from './classification';
import { classifyHttp, normalizeHeaders, numericStatus, type ClassifyOptions } from './classify-http';
import { DEFAULT_CONTEXT_LENGTH_PATTERNS, DEFAULT_QUOTA_PATTERNS, matchesAny } from './patterns';
import { findRule } from './rules';
import { boundedText } from '../text/bounded-text';
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
  // EAI_AGAIN is the resolver saying "temporary failure"; ENOTFOUND (no such host) is in PERMANENT_CODES.
  EAI_AGAIN: 'dns',
  UND_ERR_CONNECT_TIMEOUT: 'connect-timeout',
  UND_ERR_HEADERS_TIMEOUT: 'headers-timeout',
  UND_ERR_BODY_TIMEOUT: 'body-timeout',
  UND_ERR_SOCKET: 'socket',
  UND_ERR_CLOSED: 'socket',
  ERR_STREAM_PREMATURE_CLOSE: 'premature-close',
};

/**
 * Codes that the same request will meet again: a host that does not resolve, and TLS certificate problems (expired,
 * self-signed, wrong name). Retrying them only delays the failure, and a certificate error may be an attack.
 */
const PERMANENT_CODES: Readonly<Record<string, string>> = {
  ENOTFOUND: 'dns-not-found',
  CERT_HAS_EXPIRED: 'tls-certificate',
  CERT_NOT_YET_VALID: 'tls-certificate',
  CERT_REVOKED: 'tls-certificate',
  CERT_UNTRUSTED: 'tls-certificate',
  CERT_REJECTED: 'tls-certificate',
  CERT_SIGNATURE_FAILURE: 'tls-certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls-certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls-certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'tls-certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls-certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls-certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls-certificate',
  HOSTNAME_MISMATCH: 'tls-certificate',
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls-protocol',
};

/** How far a `cause` chain is followed; cycles end it earlier. */
export const MAX_CAUSE_DEPTH = 32;
/** How many members of an `AggregateError` are classified. */
const MAX_AGGREGATE_MEMBERS = 16;
/** Which member verdict an AggregateError takes: the one that most limits what to do next. */
const SEVERITY: Readonly<Record<Classification['kind'], number>> = {
  stop: 5,
  fail: 4,
  wait: 3,
  cap: 2,
  retry: 1,
};

/**
 * Classifies anything an activity may throw: our `HttpError`, provider SDK errors with `status`/`statusCode`
 * (and `headers`, `error`/`body`), undici and fetch errors (`TypeError: fetch failed` with a coded `cause`), Node
 * system errors with `code`, our timeout errors, plain strings, `undefined`. Unknown errors are RETRY `unknown`.
 * A host that does not resolve (`ENOTFOUND`) and TLS certificate errors are FAIL; an `AggregateError` takes its most
 * limiting member's verdict; `cause` chains are followed up to {@link MAX_CAUSE_DEPTH} links, cycles stopped.
 *
 * Never throws, whatever the shape (getters that throw, circular references, 50 MB bodies or messages).
 */
export function classifyError(error: unknown, options: ClassifyOptions = {}): Classification {
  try {
    return classify(error, options, 0, new Set());
  } catch {
    return { kind: 'retry', reason: 'unknown' };
  }
}

function classify(
  error: unknown,
  options: ClassifyOptions,
  depth: number,
  seen: Set<object>,
): Classification {
  if (error === undefined || error === null) return { kind: 'retry', reason: 'unknown' };
  if (typeof error === 'string')
    return classifyText(error, undefined, options) ?? { kind: 'retry', reason: 'unknown' };
  if (typeof error !== 'object') return { kind: 'retry', reason: 'unknown' };

  if (seen.has(error)) return { kind: 'retry', reason: 'unknown' };
  seen.add(error);
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
  if (code && Object.prototype.hasOwnProperty.call(PERMANENT_CODES, code))
    return { kind: 'fail', reason: PERMANENT_CODES[code]! };
  if (code && Object.prototype.hasOwnProperty.call(CODE_REASONS, code))
    return { kind: 'retry', reason: CODE_REASONS[code]! };
  if (e.name === 'TimeoutError') return { kind: 'retry', reason: 'timeout' };

  // AggregateError (undici's happy-eyeballs connect, Promise.any): its members say what went wrong.
  if (depth < MAX_CAUSE_DEPTH && Array.isArray(e.errors)) {
    let worst: Classification | undefined;
    for (const member of e.errors.slice(0, MAX_AGGREGATE_MEMBERS)) {
      const inner = classify(member, options, depth + 1, seen);
      if (inner.reason === 'unknown') continue;
      if (!worst || SEVERITY[inner.kind] > SEVERITY[worst.kind]) worst = inner;
    }
    if (worst) return worst;
  }
  // fetch wraps the real network error: `TypeError('fetch failed', { cause })`.
  if (e.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    const inner = classify(e.cause, options, depth + 1, seen);
    if (inner.reason !== 'unknown') return inner;
  }
  return { kind: 'retry', reason: 'unknown' };
}

function classifyText(
  text: string,
  code: string | undefined,
  options: ClassifyOptions,
): Classification | undefined {
  const rule = findRule(options.rules ?? [], { headers: {}, text: boundedText(text), code });
  if (rule) return { kind: rule.kind, reason: rule.reason };
  if (matchesAny(options.quotaPatterns ?? DEFAULT_QUOTA_PATTERNS, text))
    return { kind: 'stop', reason: 'quota-text' };
  if (matchesAny(options.contextLengthPatterns ?? DEFAULT_CONTEXT_LENGTH_PATTERNS, text)) {
    return { kind: 'fail', reason: 'context-length-exceeded' };
  }
  return undefined;
}
