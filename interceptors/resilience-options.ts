import type { Info } from '@temporalio/activity';
import type { ClassifyOptions } from '../src/classification/classify-http';
import type { IdempotencyScope } from '../src/idempotency/idempotency-key';
import { CLASS_KINDS } from '../src/classification/classification';
import type { ClassificationRule } from '../src/classification/rules';
import {
  anyOf,
  array,
  bool,
  custom,
  count,
  duration,
  fn,
  num,
  object,
  oneOf,
  record,
  regexp,
  required,
  str,
  validateOptions,
} from '../src/options/schema';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import type { PriceTable } from '../src/cost/cost';
import { validateProviderProfiles } from '../src/classification/providers/validate-profiles';
import type { GovernorStore } from './containment/governor-store';
import type { TenantOf } from './containment/tenant-scope';
import type { CircuitStateChange } from './containment/tool-governor';
import type { CircuitOptions, ToolOptions } from './containment/tool-options';

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
  /**
   * Where tools' containment states live. Give every worker of a fleet the same shared store (e.g.
   * `redisStore({ url })`) and they act as one caller: one quota hold, one circuit, one concurrency limit, one pacing
   * budget per tool key. See docs/fleet.md. @default an in-memory store of this worker's own
   */
  readonly store?: GovernorStore;
  /**
   * Workers sharing `store`: while the store does not answer, each worker falls back to local state with the
   * configured limits (`maxConcurrency`, `requestsPerSecond`, `tokensPerMinute`) divided by this. @default 1
   */
  readonly expectedWorkers?: number;
  /**
   * Scopes tool keys by tenant: the tenant (or API-key id) an attempt calls for, from its input or headers, so one
   * tenant's quota hold or circuit does not stop another's calls. Metrics carry the tool key without the tenant.
   * Return an id, never a secret. @default none (one state per tool key)
   */
  readonly tenantOf?: TenantOf;
  /** Called with the decision of each attempt that failed or was refused (circuit open, paused, over budget), e.g. for alerts. Exceptions it throws are ignored. */
  readonly onClassified?: (decision: RetryDecision, info: Info) => void;
}

/** Default of {@link ResilienceOptions.quotaHoldMs}. */
export const DEFAULT_QUOTA_HOLD_MS = 900_000;

/** Longest {@link ResilienceOptions.quotaHoldMs}: a hold longer than this would hide a quota's return for too long. */
export const MAX_QUOTA_HOLD_MS = 3_600_000;

/**
 * How each option of the toolkit is checked: one table per options type, walked by `validateOptions`
 * (src/options/schema.ts). To change a tool or circuit option, edit its line in {@link CIRCUIT_OPTIONS_SCHEMA} or
 * {@link TOOL_OPTIONS_SCHEMA}; `object<T>` makes the type checker insist on exactly one rule per option of `T`.
 */
export const CIRCUIT_OPTIONS_SCHEMA = object<CircuitOptions>('CircuitOptions', {
  mode: oneOf(['percentage', 'consecutive']),
  errorThresholdPercentage: num({
    min: 0,
    exclusiveMin: true,
    max: 100,
    description: 'a percentage > 0 and ≤ 100',
    example: '50',
  }),
  volumeThreshold: count(),
  rollingCountTimeout: duration({ exclusiveMin: true, example: '10000' }),
  consecutiveFailures: count(),
  openMs: duration({ exclusiveMin: true, example: '1000' }),
  constantProbes: count({
    min: 0,
    description: 'a whole number ≥ 0 of failed probes before the open period grows',
  }),
  openBackoffCoefficient: num({
    min: 1,
    max: 100,
    description: 'a number ≥ 1 (1 keeps the open period fixed)',
    example: '1.5',
  }),
  maxOpenMs: duration({ exclusiveMin: true, example: '30000' }),
  halfOpenProbes: count(),
  enabled: bool(),
});

/** Rules for {@link ToolOptions} (`defaultToolLimits` and each entry of `tools`). */
export const TOOL_OPTIONS_SCHEMA = object<ToolOptions>('ToolOptions', {
  requestsPerSecond: num({ min: 0, exclusiveMin: true, max: 1_000_000, example: '10' }),
  tokensPerMinute: num({ min: 0, exclusiveMin: true, max: 1e12, example: '90000' }),
  estimateTokens: fn('(info, args) => number of tokens'),
  initialConcurrency: count(),
  localResends: count({ min: 0, description: 'a whole number ≥ 0 (0: never re-send locally)' }),
  headroom: num({
    min: 0,
    exclusiveMin: true,
    max: 1,
    description: 'a fraction > 0 and ≤ 1',
    example: '0.8 to use 80% of the limit',
  }),
  maxConcurrency: count(),
  maxQueueWaitMs: duration({ example: '5000' }),
  maxWaitMs: duration({ example: '60000' }),
  circuit: CIRCUIT_OPTIONS_SCHEMA,
});

const HTTP_STATUS = count({ min: 100, max: 599, description: 'an HTTP status code from 100 to 599' });

/** Rules for {@link ClassificationRule} (`classify.rules[i]`). */
export const CLASSIFICATION_RULE_SCHEMA = object<ClassificationRule>('ClassificationRule', {
  status: anyOf('an HTTP status code from 100 to 599, or an array of them', HTTP_STATUS, array(HTTP_STATUS)),
  header: object<NonNullable<ClassificationRule['header']>>('ClassificationRule.header', {
    name: required(str({ nonEmpty: true })),
    pattern: regexp(),
  }),
  body: regexp(),
  code: anyOf(
    "an error code string (e.g. 'ECONNRESET') or an array of them",
    str({ nonEmpty: true }),
    array(str({ nonEmpty: true })),
  ),
  kind: required(oneOf(CLASS_KINDS)),
  reason: required(str({ nonEmpty: true })),
});

/** Rules for {@link ClassifyOptions} (`classify`). */
export const CLASSIFY_OPTIONS_SCHEMA = object<ClassifyOptions>('ClassifyOptions', {
  maxWaitMs: duration({ example: '60000' }),
  quotaPatterns: array(regexp()),
  contextLengthPatterns: array(regexp()),
  rules: array(CLASSIFICATION_RULE_SCHEMA),
  // Checked in depth by validateProviderProfiles (one table per profile field).
  providers: array(custom('a provider profile object', (v) => typeof v === 'object' && v !== null)),
  nowMs: num({ min: 0, max: 8.64e15, unit: 'epoch milliseconds' }),
});

const USD_PER_MILLION = num({ min: 0, max: 1_000_000, unit: 'USD per million tokens', example: '2.5' });

/** Rules for {@link ResilienceOptions}, the options of the plugin. */
export const RESILIENCE_OPTIONS_SCHEMA = object<ResilienceOptions>('ResilienceOptions', {
  classify: CLASSIFY_OPTIONS_SCHEMA,
  toolKey: fn('(info, args) => string'),
  defaultToolLimits: TOOL_OPTIONS_SCHEMA,
  tools: record(TOOL_OPTIONS_SCHEMA, 'tool key'),
  jitterRatio: num({
    min: 0,
    max: 1,
    exclusiveMax: true,
    description: 'a fraction ≥ 0 and < 1',
    example: '0.2',
  }),
  maxTools: count(),
  toolIdleMs: duration({ exclusiveMin: true, example: '600000' }),
  quotaHoldMs: duration({
    exclusiveMin: true,
    max: MAX_QUOTA_HOLD_MS,
    description:
      'a number of milliseconds > 0 and ≤ 3600000 (one hour: then one probe asks the provider again)',
    example: '900000',
  }),
  idempotencyScope: oneOf(['workflow', 'run']),
  prices: record(
    object<PriceTable[string]>('model price', {
      inputPerMillion: required(USD_PER_MILLION),
      outputPerMillion: required(USD_PER_MILLION),
    }),
    'model name',
  ),
  onStateChange: fn('(change) => void'),
  onClassified: fn('(decision, info) => void'),
  store: custom(
    'a governor store: an object with update, read and entries methods (e.g. redisStore({ url }))',
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      ['update', 'read', 'entries'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  ),
  expectedWorkers: count({
    max: 10_000,
    description: 'a whole number of workers from 1 to 10000',
    example: '3',
  }),
  tenantOf: fn('(info, args, headers) => string | undefined'),
});

/**
 * Checks every option at start-up, so a typo fails `Worker.create` instead of the first incident: unknown keys (with
 * a "did you mean" hint), wrong types, and absurd values (NaN, negative, Infinity, durations beyond a timer's range).
 * @throws {@link InvalidOptionsError} naming the option's full path, e.g. `tools.search.circuit.resetTimeout`.
 */
export function validateResilienceOptions(options: ResilienceOptions): void {
  validateOptions(options, RESILIENCE_OPTIONS_SCHEMA);
  validateProviderProfiles(options?.classify?.providers);
}
