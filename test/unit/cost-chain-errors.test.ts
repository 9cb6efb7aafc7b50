import { describe, expect, it } from 'vitest';
import {
  addCost,
  appendRecord,
  ATTRIBUTES,
  CHAIN_MARKER,
  FAILURE_TYPES,
  failureTypeOf,
  hasChainMarker,
  HEADERS,
  HttpError,
  InvalidOptionsError,
  isHttpError,
  isInvalidOptionsError,
  isResilienceTimeoutError,
  isResultEnvelope,
  MAX_CHAIN_RECORDS,
  METRICS,
  NON_RETRYABLE_FAILURE_TYPES,
  priceEntry,
  ResilienceTimeoutError,
  SPANS,
  ZERO_COST,
  type AttemptChain,
  type AttemptRecord,
} from '../../src';

describe('cost arithmetic', () => {
  const prices = { m: { inputPerMillion: 3, outputPerMillion: 15 } };

  it('prices tokens by the model, per million', () => {
    expect(priceEntry({ model: 'm', inputTokens: 1_000_000, outputTokens: 200_000 }, prices)).toEqual({
      inputTokens: 1_000_000,
      outputTokens: 200_000,
      usd: 6,
    });
    expect(priceEntry({ model: 'm', inputTokens: 1234 }, prices)).toEqual({
      inputTokens: 1234,
      outputTokens: 0,
      usd: 0.003702,
    });
  });

  it('prefers an explicit usd, and prices an unknown or missing model at 0', () => {
    expect(priceEntry({ model: 'm', inputTokens: 1_000_000, usd: 0.5 }, prices).usd).toBe(0.5);
    expect(priceEntry({ model: 'other', inputTokens: 1_000_000 }, prices)).toEqual({
      inputTokens: 1_000_000,
      outputTokens: 0,
      usd: 0,
    });
    expect(priceEntry({ inputTokens: 10 }, prices).usd).toBe(0);
    expect(priceEntry({ model: 'm', inputTokens: 10 }).usd).toBe(0);
  });

  it('counts negative, non-finite and missing parts as 0', () => {
    for (const bad of [-5, NaN, Infinity, -Infinity, undefined]) {
      expect(priceEntry({ model: 'm', inputTokens: bad, outputTokens: bad }, prices)).toEqual(ZERO_COST);
      expect(priceEntry({ usd: bad })).toEqual(ZERO_COST);
      expect(addCost(ZERO_COST, { inputTokens: bad, outputTokens: bad, usd: bad })).toEqual(ZERO_COST);
    }
    expect(priceEntry({ usd: 0 })).toEqual(ZERO_COST);
  });

  it('adds field by field, rounded to micro-dollars', () => {
    const a = { inputTokens: 10, outputTokens: 20, usd: 0.1 };
    expect(addCost(a, { inputTokens: 1, outputTokens: 2, usd: 0.2 })).toEqual({
      inputTokens: 11,
      outputTokens: 22,
      usd: 0.3,
    });
    expect(addCost(a, {})).toEqual(a);
    expect(addCost(ZERO_COST, { usd: 0.0000004 }).usd).toBe(0);
    expect(addCost(ZERO_COST, { usd: 0.0000006 }).usd).toBe(0.000001);
    expect(ZERO_COST).toEqual({ inputTokens: 0, outputTokens: 0, usd: 0 });
  });
});

describe('the attempt chain', () => {
  const record = (attempt: number): AttemptRecord => ({
    attempt,
    activityId: '1',
    activityType: 'call',
    toolKey: 'call',
    startedAt: '2026-01-01T00:00:00.000Z',
    outcome: 'failed',
  });
  const cost = { inputTokens: 1, outputTokens: 1, usd: 1 };

  it('keeps up to MAX_CHAIN_RECORDS records as they come', () => {
    expect(MAX_CHAIN_RECORDS).toBe(20);
    let chain: AttemptChain = { records: [], dropped: 0, cost: ZERO_COST };
    for (let n = 1; n <= 20; n++) chain = appendRecord(chain, record(n), cost);
    expect(chain.records.map((r) => r.attempt)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(chain.dropped).toBe(0);
    expect(chain.cost).toBe(cost);
  });

  it('beyond that keeps the first three and the most recent, counting what it dropped', () => {
    let chain: AttemptChain = { records: [], dropped: 0, cost: ZERO_COST };
    for (let n = 1; n <= 25; n++) chain = appendRecord(chain, record(n), { ...cost, usd: n });
    expect(chain.records).toHaveLength(20);
    expect(chain.records.map((r) => r.attempt)).toEqual([
      1,
      2,
      3,
      ...Array.from({ length: 17 }, (_, i) => i + 9),
    ]);
    expect(chain.dropped).toBe(5);
    expect(chain.cost.usd).toBe(25);
    // A chain restored with a dropped count keeps adding to it.
    const restored = appendRecord({ records: chain.records, dropped: 7, cost: ZERO_COST }, record(26), cost);
    expect(restored.dropped).toBe(8);
    expect(restored.records.at(-1)!.attempt).toBe(26);
    expect(restored.records.slice(0, 3).map((r) => r.attempt)).toEqual([1, 2, 3]);
  });

  it("recognises the toolkit's own values by their marker only", () => {
    const chain = { records: [], dropped: 0, cost: ZERO_COST };
    expect(CHAIN_MARKER).toBe('temporal-resilience/attempt-chain@1');
    expect(hasChainMarker({ marker: CHAIN_MARKER, chain })).toBe(true);
    expect(isResultEnvelope({ marker: CHAIN_MARKER, chain, result: undefined })).toBe(true);
    expect(isResultEnvelope({ marker: CHAIN_MARKER, chain })).toBe(false);
    for (const value of [null, undefined, 'x', 1, { marker: 'other' }, { result: 1, chain }])
      expect(hasChainMarker(value) || isResultEnvelope(value)).toBe(false);
  });
});

describe('error types', () => {
  it('HttpError says the status and url, and lower-cases header names', () => {
    const e = new HttpError(
      503,
      { 'Retry-After': '5', 'X-Request-Id': 'r' },
      'busy',
      'https://api.example.com/v1',
    );
    expect(e.message).toBe('HTTP 503 from https://api.example.com/v1');
    expect(e.name).toBe('HttpError');
    expect(e.headers).toEqual({ 'retry-after': '5', 'x-request-id': 'r' });
    expect(e).toMatchObject({ status: 503, body: 'busy' });
    expect(new HttpError(404).message).toBe('HTTP 404');
    expect(new HttpError(404)).toMatchObject({ headers: {}, body: '' });
  });

  it('ResilienceTimeoutError says the phase, time and url', () => {
    const e = new ResilienceTimeoutError('connect', 200, false, 'https://x.example/a');
    expect(e.message).toBe('connect timeout after 200 ms for https://x.example/a');
    expect(e.name).toBe('ResilienceTimeoutError');
    expect(new ResilienceTimeoutError('body', 5, true).message).toBe('body timeout after 5 ms');
  });

  it('InvalidOptionsError names the option, shows the value and the fix', () => {
    expect(new InvalidOptionsError('a.b', 'must be positive', -1).message).toBe(
      'Invalid option a.b (-1): must be positive',
    );
    expect(new InvalidOptionsError('a', 'bad', 'x').message).toBe('Invalid option a ("x"): bad');
    expect(new InvalidOptionsError('a', 'bad', true).message).toBe('Invalid option a (true): bad');
    expect(new InvalidOptionsError('a', 'bad', null).message).toBe('Invalid option a (null): bad');
    expect(new InvalidOptionsError('a', 'bad', { secret: 'no' }).message).toBe(
      'Invalid option a (object): bad',
    );
    expect(new InvalidOptionsError('a', 'bad').message).toBe('Invalid option a: bad');
    expect(new InvalidOptionsError('a', 'bad').name).toBe('InvalidOptionsError');
  });

  it('the guards accept their own errors (also as plain branded objects from another copy) and nothing else', () => {
    const cases: Array<[(e: unknown) => boolean, unknown, string]> = [
      [isHttpError, new HttpError(500), 'isHttpError'],
      [isResilienceTimeoutError, new ResilienceTimeoutError('body', 1, true), 'isResilienceTimeoutError'],
      [isInvalidOptionsError, new InvalidOptionsError('a', 'b'), 'isInvalidOptionsError'],
    ];
    for (const [guard, own, brand] of cases) {
      expect(guard(own)).toBe(true);
      expect(guard({ [brand]: true })).toBe(true);
      for (const other of [new Error('x'), { [brand]: 'true' }, null, undefined, 'HttpError', 0])
        expect(guard(other)).toBe(false);
      for (const [otherGuard, otherError] of cases)
        if (otherGuard !== guard) expect(guard(otherError)).toBe(false);
    }
  });
});

describe('names that cross process and version boundaries', () => {
  // Failure types are matched by users' retry policies and by `inspect`; header names by workers of other versions;
  // telemetry names by dashboards and alerts. Renaming any of them is a breaking change, so each is pinned.
  it('failure types and the non-retryable ones', () => {
    expect(FAILURE_TYPES).toEqual({
      wait: 'RateLimitWait',
      cap: 'RateLimitCap',
      stop: 'QuotaExhausted',
      retry: 'TransientFailure',
      fail: 'PermanentFailure',
      circuitOpen: 'CircuitOpen',
      budgetExceeded: 'BudgetExceeded',
    });
    expect(failureTypeOf('wait')).toBe('RateLimitWait');
    expect(failureTypeOf('stop')).toBe('QuotaExhausted');
    expect([...NON_RETRYABLE_FAILURE_TYPES]).toEqual([
      'QuotaExhausted',
      'PermanentFailure',
      'BudgetExceeded',
    ]);
  });

  it('header names', () => {
    expect(HEADERS).toEqual({
      step: 'temporal-resilience-step',
      budget: 'temporal-resilience-budget',
      maxCalls: 'temporal-resilience-max-calls',
      route: 'temporal-resilience-route',
    });
  });

  it('span, attribute and metric names', () => {
    // Names may be added, never renamed: the pinned ones must stay as they are.
    expect(SPANS).toMatchObject({
      attempt: 'temporal-resilience.attempt',
      attemptStarted: 'attempt.started',
      attemptFailed: 'attempt.failed',
      attemptCompleted: 'attempt.completed',
      retryScheduled: 'retry.scheduled',
      costRecorded: 'cost.recorded',
      circuitStateChange: 'circuit.state_change',
    });
    expect(METRICS).toMatchObject({
      attempts: 'temporal_resilience.attempts',
      retryDelay: 'temporal_resilience.retry.delay',
      costUsd: 'temporal_resilience.cost.usd',
      tokens: 'temporal_resilience.tokens',
      budgetStops: 'temporal_resilience.budget.stops',
      circuitState: 'temporal_resilience.circuit.state',
      circuitTransitions: 'temporal_resilience.circuit.transitions',
    });
    expect(ATTRIBUTES).toMatchObject({
      workflowId: 'temporal.workflow.id',
      attempt: 'temporal.activity.attempt',
      toolKey: 'temporal_resilience.tool',
      step: 'temporal_resilience.step',
      idempotencyKey: 'temporal_resilience.idempotency_key',
      kind: 'temporal_resilience.classification.kind',
      delayMs: 'retry.delay_ms',
      nextNotBefore: 'retry.next_not_before',
      costUsd: 'temporal_resilience.cost.usd',
      errorType: 'error.type',
      httpStatus: 'http.response.status_code',
      model: 'gen_ai.request.model',
      inputTokens: 'gen_ai.usage.input_tokens',
      outputTokens: 'gen_ai.usage.output_tokens',
    });
    // Every attribute name is distinct: two fields writing one attribute would overwrite each other.
    expect(new Set(Object.values(ATTRIBUTES)).size).toBe(Object.keys(ATTRIBUTES).length);
  });
});
