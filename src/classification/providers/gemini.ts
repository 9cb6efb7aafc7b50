import { parseResetMs } from '../retry-after';
import type { ProviderProfile, ProviderSignals, ProviderVerdict } from './provider-profile';

interface RpcDetail {
  readonly '@type'?: unknown;
  readonly violations?: unknown;
  readonly retryDelay?: unknown;
  readonly metadata?: unknown;
}

/**
 * Google Gemini API and Vertex AI. A 429 `RESOURCE_EXHAUSTED` says which quota ran out in `google.rpc.QuotaFailure`
 * violations (`quotaId` such as `GenerateRequestsPerMinutePerProjectPerModel` or `...PerDay...`) or
 * `google.rpc.ErrorInfo` metadata (`quota_limit`), and how long to wait in `google.rpc.RetryInfo.retryDelay` (`25s`).
 * Per-minute quotas are WAIT for the stated delay, even though the message says "exceeded your current quota"; daily
 * quotas are STOP until midnight Pacific time; a limit of 0 means the model is not available on this tier at all.
 */
export const GEMINI_PROFILE: ProviderProfile = {
  name: 'gemini',
  docs: [
    'https://ai.google.dev/gemini-api/docs/rate-limits',
    'https://ai.google.dev/gemini-api/docs/troubleshooting',
    'https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429',
    'https://cloud.google.com/apis/design/errors#error_details',
  ],
  inspect: inspectGoogleRpc,
};

function inspectGoogleRpc(signals: ProviderSignals): ProviderVerdict | undefined {
  const details = detailsOf(signals.body);
  if (details.length === 0) return undefined;
  const quotaIds: string[] = [];
  let zeroLimit = false;
  let retryDelayMs: number | undefined;
  for (const detail of details) {
    const type = typeof detail['@type'] === 'string' ? detail['@type'] : '';
    if (type.endsWith('google.rpc.QuotaFailure') && Array.isArray(detail.violations)) {
      for (const v of detail.violations.slice(0, 16) as Array<Record<string, unknown>>) {
        if (typeof v?.quotaId === 'string') quotaIds.push(v.quotaId);
        if (typeof v?.quotaMetric === 'string') quotaIds.push(v.quotaMetric);
        if (v?.quotaValue === '0' || v?.quotaValue === 0) zeroLimit = true;
      }
    } else if (type.endsWith('google.rpc.RetryInfo')) {
      retryDelayMs = parseResetMs(typeof detail.retryDelay === 'string' ? detail.retryDelay : undefined);
    } else if (
      type.endsWith('google.rpc.ErrorInfo') &&
      detail.metadata &&
      typeof detail.metadata === 'object'
    ) {
      const limit = (detail.metadata as Record<string, unknown>).quota_limit;
      if (typeof limit === 'string') quotaIds.push(limit);
    }
  }
  if (zeroLimit || /\blimit: 0\b/.test(signals.text)) {
    return { kind: 'fail', reason: 'gemini-quota-limit-zero' };
  }
  if (quotaIds.some((id) => /per[_-]?day|daily/i.test(id))) {
    return { kind: 'stop', reason: 'gemini-daily-quota', until: 'next-pacific-day' };
  }
  if (retryDelayMs !== undefined) {
    const perMinute = quotaIds.some((id) => /per[_-]?minute|per[_-]?second/i.test(id));
    return {
      kind: 'throttle',
      reason: perMinute ? 'gemini-per-minute-quota' : 'gemini-retry-info',
      retryAfterMs: retryDelayMs,
    };
  }
  return undefined;
}

/** `error.details` of a Google error body (or of the first element of a Vertex stream's array). */
function detailsOf(body: unknown): RpcDetail[] {
  const root = Array.isArray(body) ? (body[0] as unknown) : body;
  if (root === null || typeof root !== 'object') return [];
  const error = (root as Record<string, unknown>).error;
  const details = error && typeof error === 'object' ? (error as Record<string, unknown>).details : undefined;
  return Array.isArray(details)
    ? (details.slice(0, 16).filter((d) => d !== null && typeof d === 'object') as RpcDetail[])
    : [];
}
