// Pins how the Gemini / Vertex AI profile reads `google.rpc` error details: which quota ran out (QuotaFailure
// violations, ErrorInfo metadata), how long to wait (RetryInfo), and which bodies it must leave alone. A user relies
// on a per-minute 429 being a short WAIT, a daily quota being a STOP until midnight Pacific, and a limit of 0 failing
// at once instead of retrying forever.
import { describe, expect, it } from 'vitest';
import { GEMINI_PROFILE } from '../../src/classification/providers/gemini';
import type { ProviderSignals } from '../../src/classification/providers/provider-profile';

const signals = (body: unknown, text = ''): ProviderSignals => ({
  status: 429,
  headers: {},
  body,
  text,
  codes: new Set(),
  nowMs: Date.UTC(2026, 0, 1),
  maxWaitMs: 60_000,
});
const inspect = (body: unknown, text = '') => GEMINI_PROFILE.inspect!(signals(body, text));
const T = 'type.googleapis.com/google.rpc.';
const quotaFailure = (...violations: unknown[]) => ({ '@type': `${T}QuotaFailure`, violations });
const retryInfo = (retryDelay: unknown) => ({ '@type': `${T}RetryInfo`, retryDelay });
const errorInfo = (metadata: unknown) => ({
  '@type': `${T}ErrorInfo`,
  reason: 'RATE_LIMIT_EXCEEDED',
  domain: 'googleapis.com',
  metadata,
});
const google = (...details: unknown[]) => ({
  error: { code: 429, message: 'You exceeded your current quota.', status: 'RESOURCE_EXHAUSTED', details },
});

describe('GEMINI_PROFILE', () => {
  it('names the documentation it is built from', () => {
    expect(GEMINI_PROFILE.name).toBe('gemini');
    expect(GEMINI_PROFILE.docs).toEqual([
      'https://ai.google.dev/gemini-api/docs/rate-limits',
      'https://ai.google.dev/gemini-api/docs/troubleshooting',
      'https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429',
      'https://cloud.google.com/apis/design/errors#error_details',
    ]);
  });

  it('a per-minute quota with a RetryInfo delay is a throttle for exactly that delay', () => {
    const body = google(
      quotaFailure({
        quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
        quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
        quotaValue: '15',
      }),
      retryInfo('25s'),
    );
    expect(inspect(body)).toEqual({
      kind: 'throttle',
      reason: 'gemini-per-minute-quota',
      retryAfterMs: 25_000,
    });
  });

  it.each([
    'requests_per_minute',
    'requests-per-minute',
    'RequestsPerSecond',
    'requests_per_second',
    'per-second',
  ])('quota id %s counts as a per-minute quota', (quotaId) => {
    expect(inspect(google(quotaFailure({ quotaId }), retryInfo('2s')))).toEqual({
      kind: 'throttle',
      reason: 'gemini-per-minute-quota',
      retryAfterMs: 2000,
    });
  });

  it('a RetryInfo delay without a per-minute quota is gemini-retry-info', () => {
    expect(inspect(google(retryInfo('1.5s')))).toEqual({
      kind: 'throttle',
      reason: 'gemini-retry-info',
      retryAfterMs: 1500,
    });
    expect(inspect(google(quotaFailure({ quotaId: 'TokensPerProject' }), retryInfo('3s')))).toEqual({
      kind: 'throttle',
      reason: 'gemini-retry-info',
      retryAfterMs: 3000,
    });
  });

  it('a retryDelay that is not a string is no delay', () => {
    expect(inspect(google(retryInfo(25)))).toBeUndefined();
  });

  it('a per-minute quota without a RetryInfo gives no verdict', () => {
    expect(
      inspect(google(quotaFailure({ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel' }))),
    ).toBeUndefined();
  });

  it.each([
    'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
    'requests_per_day',
    'requests-per-day',
    'DailyTokens',
  ])('quota id %s is a daily quota: STOP until the next Pacific day', (quotaId) => {
    expect(inspect(google(quotaFailure({ quotaId }), retryInfo('25s')))).toEqual({
      kind: 'stop',
      reason: 'gemini-daily-quota',
      until: 'next-pacific-day',
    });
  });

  it('the quotaMetric alone also names the quota', () => {
    expect(inspect(google(quotaFailure({ quotaMetric: 'generate_requests_per_day' })))).toEqual({
      kind: 'stop',
      reason: 'gemini-daily-quota',
      until: 'next-pacific-day',
    });
  });

  it('ErrorInfo metadata quota_limit names the quota too (Vertex AI)', () => {
    expect(
      inspect(
        google(errorInfo({ quota_limit: 'GenerateRequestsPerDayPerProjectPerModel' }), retryInfo('10s')),
      ),
    ).toEqual({ kind: 'stop', reason: 'gemini-daily-quota', until: 'next-pacific-day' });
    expect(
      inspect(google(retryInfo('10s'), errorInfo({ quota_limit: 'generate_requests_per_minute' }))),
    ).toEqual({ kind: 'throttle', reason: 'gemini-per-minute-quota', retryAfterMs: 10_000 });
  });

  it('ErrorInfo without usable metadata adds nothing and does not throw', () => {
    expect(inspect(google(errorInfo(null), retryInfo('4s')))).toEqual({
      kind: 'throttle',
      reason: 'gemini-retry-info',
      retryAfterMs: 4000,
    });
    expect(inspect(google(errorInfo('per_day'), retryInfo('4s')))).toEqual({
      kind: 'throttle',
      reason: 'gemini-retry-info',
      retryAfterMs: 4000,
    });
    expect(inspect(google(errorInfo({ quota_limit: 7 }), retryInfo('4s')))?.reason).toBe('gemini-retry-info');
  });

  it('metadata on a detail that is not ErrorInfo is ignored', () => {
    const help = { '@type': `${T}Help`, metadata: { quota_limit: 'GenerateRequestsPerDay' } };
    expect(inspect(google(help, retryInfo('4s')))).toEqual({
      kind: 'throttle',
      reason: 'gemini-retry-info',
      retryAfterMs: 4000,
    });
    expect(inspect(google({ '@type': `${T}Help`, metadata: null }, retryInfo('4s')))?.reason).toBe(
      'gemini-retry-info',
    );
  });

  it('violations on a detail that is not QuotaFailure are ignored, its retryDelay is read', () => {
    const detail = { ...retryInfo('6s'), violations: [{ quotaId: 'RequestsPerDay' }] };
    expect(inspect(google(detail))).toEqual({
      kind: 'throttle',
      reason: 'gemini-retry-info',
      retryAfterMs: 6000,
    });
  });

  it.each(['0', 0])('a quotaValue of %j means the model is not on this tier: FAIL', (quotaValue) => {
    expect(
      inspect(google(quotaFailure({ quotaId: 'RequestsPerMinute', quotaValue }), retryInfo('5s'))),
    ).toEqual({
      kind: 'fail',
      reason: 'gemini-quota-limit-zero',
    });
  });

  it('a non-zero quotaValue is not a zero limit', () => {
    expect(inspect(google(quotaFailure({ quotaId: 'x', quotaValue: '10' }), retryInfo('5s')))?.kind).toBe(
      'throttle',
    );
  });

  it('"limit: 0" in the message text is a zero limit too, when the body has details', () => {
    const text =
      'Quota exceeded for metric: generate_content_free_tier_requests, limit: 0, model: gemini-2.5-pro';
    expect(inspect(google(retryInfo('5s')), text)).toEqual({
      kind: 'fail',
      reason: 'gemini-quota-limit-zero',
    });
    expect(inspect(google(retryInfo('5s')), 'limit: 05')?.kind).toBe('throttle');
  });

  it('null or non-object violations are skipped without throwing', () => {
    expect(inspect(google(quotaFailure(null, 'x', { quotaId: 'requests_per_day' })))).toEqual({
      kind: 'stop',
      reason: 'gemini-daily-quota',
      until: 'next-pacific-day',
    });
  });

  it('a body without details gives no verdict, even when its text says "limit: 0"', () => {
    expect(inspect({ error: { code: 429, message: 'limit: 0' } }, 'limit: 0')).toBeUndefined();
    expect(inspect(google(), 'limit: 0')).toBeUndefined();
  });

  it('bodies that are not Google errors give no verdict and do not throw', () => {
    for (const body of [
      null,
      undefined,
      'limit: 0',
      42,
      [null],
      { error: null },
      { error: 'x' },
      [{ error: null }],
    ]) {
      expect(inspect(body, 'limit: 0')).toBeUndefined();
    }
  });

  it('a Vertex stream array is read from its first element', () => {
    expect(inspect([google(retryInfo('7s')), google(retryInfo('9s'))])).toEqual({
      kind: 'throttle',
      reason: 'gemini-retry-info',
      retryAfterMs: 7000,
    });
  });
});
