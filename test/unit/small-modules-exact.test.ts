// Pins small contracts a user reads directly: the Prometheus name of every metric (alerts and dashboards query it),
// the ResponseTooLargeError message and brand check, the run-scoped idempotency key without a run id, a custom
// preset's merged non-retryable types, and the exact size at which an attempt chain starts dropping records.
import { describe, expect, it } from 'vitest';
import { appendRecord, MAX_CHAIN_RECORDS, type AttemptRecord } from '../../src/attempts/attempt-record';
import { ZERO_COST } from '../../src/cost/cost';
import { isResponseTooLargeError, ResponseTooLargeError } from '../../src/errors/response-too-large-error';
import { deriveIdempotencyKey, idempotencyKeyMaterial } from '../../src/idempotency/idempotency-key';
import { activityOptions, type RetryPreset } from '../../src/presets/retry-presets';
import { prometheusName } from '../../src/telemetry-names';

describe('prometheusName', () => {
  it('turns dots and other characters into underscores and keeps colons', () => {
    expect(prometheusName('temporal_resilience.attempt.idle')).toBe('temporal_resilience_attempt_idle');
    expect(prometheusName('a:b-c d')).toBe('a:b_c_d');
    expect(prometheusName('Az09_:')).toBe('Az09_:');
  });

  it('collapses runs of underscores into one, and keeps a single one', () => {
    expect(prometheusName('a..b')).toBe('a_b');
    expect(prometheusName('a__b')).toBe('a_b');
    expect(prometheusName('a._-b')).toBe('a_b');
    expect(prometheusName('a_b')).toBe('a_b');
  });
});

describe('ResponseTooLargeError', () => {
  it('names the url, the limit and the bytes seen', () => {
    const e = new ResponseTooLargeError(100, 101, 200, 'https://api.example.com/v1');
    expect(e.message).toBe(
      'response body of https://api.example.com/v1 exceeds 100 bytes (101 bytes or more): ' +
        "raise maxBodyBytes, or pass onTooLarge: 'truncate' to accept a cut body (the result then has truncated: true)",
    );
    expect(
      new ResponseTooLargeError(5, 6, 200).message.startsWith('response body of exceeds 5 bytes (6 bytes'),
    ).toBe(true);
  });

  it('isResponseTooLargeError checks the brand on objects only', () => {
    expect(isResponseTooLargeError(new ResponseTooLargeError(1, 2, 200))).toBe(true);
    expect(isResponseTooLargeError({ isResponseTooLargeError: true })).toBe(true);
    expect(isResponseTooLargeError({ isResponseTooLargeError: 'yes' })).toBe(false);
    expect(isResponseTooLargeError({})).toBe(false);
    expect(isResponseTooLargeError(new Error('x'))).toBe(false);
    expect(isResponseTooLargeError(null)).toBe(false);
    expect(isResponseTooLargeError(undefined)).toBe(false);
    expect(isResponseTooLargeError('ResponseTooLargeError')).toBe(false);
    const fn = Object.assign(() => undefined, { isResponseTooLargeError: true });
    expect(isResponseTooLargeError(fn)).toBe(false);
  });
});

describe('idempotency key with scope run and no run id', () => {
  it('mixes in an empty run id', () => {
    const parts = { namespace: 'ns', workflowId: 'wf', stepName: 's', scope: 'run' as const };
    expect(idempotencyKeyMaterial(parts)).toBe('22:temporal-resilience/v1|3:run|2:ns|2:wf|1:s|0:');
    expect(deriveIdempotencyKey(parts)).toBe(deriveIdempotencyKey({ ...parts, runId: '' }));
  });
});

describe('activityOptions with a custom preset', () => {
  it('keeps only the override non-retryable types when the preset lists none', () => {
    const preset: RetryPreset = {
      name: 'custom',
      description: 'no types',
      options: { startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 3 } },
    };
    const out = activityOptions(preset, { retry: { nonRetryableErrorTypes: ['Mine'] } });
    expect(out.retry?.nonRetryableErrorTypes).toEqual(['Mine']);
    expect(activityOptions(preset).retry?.nonRetryableErrorTypes).toEqual([]);
  });
});

describe('appendRecord at the chain limit', () => {
  const rec = (attempt: number): AttemptRecord => ({
    attempt,
    activityId: '1',
    activityType: 't',
    toolKey: 't',
    startedAt: '',
    outcome: 'failed',
  });

  it('keeps exactly MAX_CHAIN_RECORDS records without dropping, and drops at one more', () => {
    expect(MAX_CHAIN_RECORDS).toBe(20);
    const nineteen = {
      records: Array.from({ length: 19 }, (_, i) => rec(i + 1)),
      dropped: 0,
      cost: ZERO_COST,
    };
    const twenty = appendRecord(nineteen, rec(20), ZERO_COST);
    expect(twenty.records).toHaveLength(20);
    expect(twenty.dropped).toBe(0);
    const twentyOne = appendRecord(twenty, rec(21), ZERO_COST);
    expect(twentyOne.records.map((r) => r.attempt)).toEqual([
      1,
      2,
      3,
      ...Array.from({ length: 17 }, (_, i) => i + 5),
    ]);
    expect(twentyOne.dropped).toBe(1);
  });
});
