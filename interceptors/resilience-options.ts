import type { Info } from '@temporalio/activity';
import type { ClassifyOptions } from '../src/classification/classify-http';
import { validateProviderProfiles } from '../src/classification/providers/validate-profiles';
import type { IdempotencyScope } from '../src/idempotency/idempotency-key';
import { InvalidOptionsError } from '../src/errors/invalid-options-error';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import type { PriceTable } from '../src/cost/cost';
import type { CircuitStateChange } from './containment/tool-governor';
import type { ToolOptions } from './containment/tool-options';

/** Options of `resiliencePlugin` and `createResilienceInterceptors`. */
export interface ResilienceOptions {
  /** How failures are classified: `maxWaitMs`, quota patterns, provider rules. */
  readonly classify?: ClassifyOptions;
  /**
   * The tool an activity attempt counts against: the unit of shared pacing (and, later, circuit breaking).
   * @default the activity type
   */
  readonly toolKey?: (info: Info, args: readonly unknown[]) => string;
  /** Containment for every tool without an entry in `tools`. @default {} (everything learned from the provider) */
  readonly defaultToolLimits?: ToolOptions;
  /** Containment per tool key, e.g. `{ chatCompletion: { requestsPerSecond: 10, maxConcurrency: 4 } }`. */
  readonly tools?: Readonly<Record<string, ToolOptions>>;
  /** Jitter of backoff delays as ± a fraction of the delay. @default 0.2 */
  readonly jitterRatio?: number;
  /** Most tools tracked per worker; least recently used idle ones are forgotten. @default 1_000 */
  readonly maxTools?: number;
  /** A tool unused this long is forgotten. @default 600_000 (10 minutes) */
  readonly toolIdleMs?: number;
  /**
   * How long a STOP holds the tool shut: a STOP without a Retry-After (quota wording) for this long, one with a
   * longer Retry-After for at most this long; attempts in that window fail at once as `QuotaExhausted` without a
   * call, and then one probe goes. At most one hour. @default 900_000 (15 minutes)
   */
  readonly quotaHoldMs?: number;
  /**
   * What an idempotency key is unique for: `'workflow'` (namespace + workflow id + step) or `'run'` (also the run
   * id). See {@link IdempotencyScope}. @default 'workflow'
   */
  readonly idempotencyScope?: IdempotencyScope;
  /** Prices for `recordCost({ model, inputTokens, outputTokens })` without `usd`: USD per million tokens. */
  readonly prices?: PriceTable;
  /** Called when a tool's circuit opens, goes half-open or closes, e.g. to alert. Exceptions it throws are ignored. */
  readonly onStateChange?: (change: CircuitStateChange) => void;
  /** Called with the decision of each attempt that failed or was refused (circuit open, paused, over budget), e.g. for alerts. Exceptions it throws are ignored. */
  readonly onClassified?: (decision: RetryDecision, info: Info) => void;
}

/** Default of {@link ResilienceOptions.quotaHoldMs}. */
export const DEFAULT_QUOTA_HOLD_MS = 900_000;

/** Longest {@link ResilienceOptions.quotaHoldMs}: a hold longer than this would hide a quota's return for too long. */
export const MAX_QUOTA_HOLD_MS = 3_600_000;

/**
 * Checks options at start-up, so a typo fails `Worker.create` instead of the first incident.
 * @throws {@link InvalidOptionsError} naming the option.
 */
export function validateResilienceOptions(options: ResilienceOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError('options', 'must be an object (or omitted)', options);
  }
  const maxWaitMs = options.classify?.maxWaitMs;
  if (maxWaitMs !== undefined && !(Number.isFinite(maxWaitMs) && maxWaitMs >= 0)) {
    throw new InvalidOptionsError('classify.maxWaitMs', 'must be a number of milliseconds ≥ 0', maxWaitMs);
  }
  for (const [i, pattern] of (options.classify?.quotaPatterns ?? []).entries()) {
    if (!(pattern instanceof RegExp))
      throw new InvalidOptionsError(`classify.quotaPatterns[${i}]`, 'must be a RegExp', pattern);
  }
  for (const [i, rule] of (options.classify?.rules ?? []).entries()) {
    if (!['wait', 'cap', 'stop', 'retry', 'fail'].includes(rule?.kind)) {
      throw new InvalidOptionsError(
        `classify.rules[${i}].kind`,
        "must be one of 'wait', 'cap', 'stop', 'retry', 'fail'",
        rule?.kind,
      );
    }
    if (typeof rule.reason !== 'string' || rule.reason === '') {
      throw new InvalidOptionsError(
        `classify.rules[${i}].reason`,
        'must be a non-empty string code',
        rule.reason,
      );
    }
  }
  validateProviderProfiles(options.classify?.providers);
  if (options.toolKey !== undefined && typeof options.toolKey !== 'function') {
    throw new InvalidOptionsError('toolKey', 'must be a function (info, args) => string', options.toolKey);
  }
  for (const hook of ['onClassified', 'onStateChange'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new InvalidOptionsError(hook, 'must be a function', options[hook]);
    }
  }
  for (const [model, price] of Object.entries(options.prices ?? {})) {
    for (const field of ['inputPerMillion', 'outputPerMillion'] as const) {
      const value = price?.[field];
      if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
        throw new InvalidOptionsError(
          `prices.${model}.${field}`,
          'must be a number of USD per million tokens ≥ 0',
          value,
        );
      }
    }
  }
  const jitter = options.jitterRatio;
  if (jitter !== undefined && !(Number.isFinite(jitter) && jitter >= 0 && jitter < 1)) {
    throw new InvalidOptionsError('jitterRatio', 'must be a fraction ≥ 0 and < 1', jitter);
  }
  if (options.idempotencyScope !== undefined && !['workflow', 'run'].includes(options.idempotencyScope)) {
    throw new InvalidOptionsError(
      'idempotencyScope',
      "must be 'workflow' or 'run'",
      options.idempotencyScope,
    );
  }
  positiveInteger('maxTools', options.maxTools);
  positiveNumber('toolIdleMs', options.toolIdleMs);
  positiveNumber('quotaHoldMs', options.quotaHoldMs);
  if (options.quotaHoldMs !== undefined && options.quotaHoldMs > MAX_QUOTA_HOLD_MS) {
    throw new InvalidOptionsError(
      'quotaHoldMs',
      `must be at most ${MAX_QUOTA_HOLD_MS} (one hour): after it one probe asks the provider again`,
      options.quotaHoldMs,
    );
  }
  validateToolLimits('defaultToolLimits', options.defaultToolLimits);
  for (const [key, limits] of Object.entries(options.tools ?? {})) validateToolLimits(`tools.${key}`, limits);
}

function validateToolLimits(path: string, limits: ToolOptions | undefined): void {
  if (limits === undefined) return;
  const circuit = limits.circuit;
  if (circuit !== undefined) {
    if (circuit.mode !== undefined && !['percentage', 'consecutive'].includes(circuit.mode)) {
      throw new InvalidOptionsError(
        `${path}.circuit.mode`,
        "must be 'percentage' or 'consecutive'",
        circuit.mode,
      );
    }
    const pct = circuit.errorThresholdPercentage;
    if (pct !== undefined && !(Number.isFinite(pct) && pct > 0 && pct <= 100)) {
      throw new InvalidOptionsError(
        `${path}.circuit.errorThresholdPercentage`,
        'must be a percentage > 0 and ≤ 100',
        pct,
      );
    }
    positiveInteger(`${path}.circuit.volumeThreshold`, circuit.volumeThreshold);
    positiveInteger(`${path}.circuit.consecutiveFailures`, circuit.consecutiveFailures);
    positiveInteger(`${path}.circuit.halfOpenProbes`, circuit.halfOpenProbes);
    positiveNumber(`${path}.circuit.openMs`, circuit.openMs);
    positiveNumber(`${path}.circuit.maxOpenMs`, circuit.maxOpenMs);
    positiveNumber(`${path}.circuit.rollingCountTimeout`, circuit.rollingCountTimeout);
    const growth = circuit.openBackoffCoefficient;
    if (growth !== undefined && !(Number.isFinite(growth) && growth >= 1)) {
      throw new InvalidOptionsError(
        `${path}.circuit.openBackoffCoefficient`,
        'must be a number ≥ 1 (1 keeps the open period fixed)',
        growth,
      );
    }
    if ((circuit as { resetTimeout?: unknown }).resetTimeout !== undefined) {
      throw new InvalidOptionsError(
        `${path}.circuit.resetTimeout`,
        'was replaced: use openMs (first open period) and maxOpenMs (longest, after failed probes)',
        (circuit as { resetTimeout?: unknown }).resetTimeout,
      );
    }
  }
  positiveNumber(`${path}.requestsPerSecond`, limits.requestsPerSecond);
  positiveNumber(`${path}.tokensPerMinute`, limits.tokensPerMinute);
  positiveInteger(`${path}.maxConcurrency`, limits.maxConcurrency);
  positiveInteger(`${path}.initialConcurrency`, limits.initialConcurrency);
  positiveNumber(`${path}.maxWaitMs`, limits.maxWaitMs);
  if (limits.estimateTokens !== undefined && typeof limits.estimateTokens !== 'function') {
    throw new InvalidOptionsError(
      `${path}.estimateTokens`,
      'must be a function (info, args) => number of tokens',
      limits.estimateTokens,
    );
  }
  const resends = limits.localResends;
  if (resends !== undefined && !(Number.isInteger(resends) && resends >= 0)) {
    throw new InvalidOptionsError(
      `${path}.localResends`,
      'must be a whole number ≥ 0 (0: never re-send locally)',
      resends,
    );
  }
  const headroom = limits.headroom;
  if (headroom !== undefined && !(Number.isFinite(headroom) && headroom > 0 && headroom <= 1)) {
    throw new InvalidOptionsError(
      `${path}.headroom`,
      'must be a fraction > 0 and ≤ 1, e.g. 0.8 to use 80% of the limit',
      headroom,
    );
  }
  const wait = limits.maxQueueWaitMs;
  if (wait !== undefined && !(Number.isFinite(wait) && wait >= 0)) {
    throw new InvalidOptionsError(`${path}.maxQueueWaitMs`, 'must be a number of milliseconds ≥ 0', wait);
  }
}

function positiveNumber(path: string, value: number | undefined): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    throw new InvalidOptionsError(path, 'must be a positive number', value);
  }
}

function positiveInteger(path: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
    throw new InvalidOptionsError(path, 'must be a whole number ≥ 1', value);
  }
}
