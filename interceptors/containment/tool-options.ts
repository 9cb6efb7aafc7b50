import type { Info } from '@temporalio/activity';
import { DEFAULT_CIRCUIT_SETTINGS, type CircuitSettings } from '../../src/containment/circuit';
import { aimdLimit, DEFAULT_AIMD } from '../../src/containment/concurrency-limit';
import type { ToolSettings } from '../../src/containment/tool-state';

/**
 * A tool's circuit breaker. Only RETRY-class failures (5xx, timeouts, connection errors) count; a CAP, FAIL, WAIT or
 * STOP answer proves the tool is up. The first open period is short and grows with each failed probe, so recovery is
 * noticed within about one probe interval; probes are taken from the attempts waiting in the worker.
 */
export interface CircuitOptions {
  /** Off: the tool is never broken. @default true */
  readonly enabled?: boolean;
  /** `percentage`: open when the failure rate in the window passes the threshold (with a minimum volume);
   * `consecutive`: open after N counted failures in a row (for low-volume tools). @default 'percentage' */
  readonly mode?: 'percentage' | 'consecutive';
  /** Failure rate that opens the circuit, in percent. @default 50 */
  readonly errorThresholdPercentage?: number;
  /** Calls in the window before the rate is judged. @default 3 */
  readonly volumeThreshold?: number;
  /** Counting window length (ms). @default 10_000 */
  readonly rollingCountTimeout?: number;
  /** Counted failures in a row that open the circuit in `consecutive` mode. @default 5 */
  readonly consecutiveFailures?: number;
  /** First open period (ms) before a probe. @default 1_000 */
  readonly openMs?: number;
  /** Growth of the open period after each failed probe beyond `constantProbes`. @default 1.5 */
  readonly openBackoffCoefficient?: number;
  /** Failed probes before the open period starts to grow. @default 5 */
  readonly constantProbes?: number;
  /** Longest open period (ms). @default 30_000 */
  readonly maxOpenMs?: number;
  /** Probes let through at once while half-open. @default 1 */
  readonly halfOpenProbes?: number;
}

/** Per-tool containment options. Everything adapts by itself; set what you know about the provider. */
export interface ToolOptions {
  /** The provider's known request rate limit, per second: the tool stays under `headroom ×` it. */
  readonly requestsPerSecond?: number;
  /** The provider's known LLM token limit, per minute (used with `estimateTokens`). */
  readonly tokensPerMinute?: number;
  /** LLM tokens an attempt expects to use, from its input: paced against the token budget before the call. */
  readonly estimateTokens?: (info: Info, args: readonly unknown[]) => number;
  /** Fraction of the known (or reported) limits actually used: room for other clients and clock skew. @default 0.8 */
  readonly headroom?: number;
  /** Most calls in flight. When set, the tool starts there (you know its capacity). @default unbounded, learned */
  readonly maxConcurrency?: number;
  /** The first wave for a tool never seen, grown like TCP slow start until the first CAP. @default 2 */
  readonly initialConcurrency?: number;
  /**
   * Longest an attempt waits in the worker (for a slot, a pause, a probe) before going back to the server with the
   * predicted wait as its retry delay. Also at most half of the activity's remaining start-to-close time.
   * @default 30_000
   */
  readonly maxQueueWaitMs?: number;
  /** Longest Retry-After that pauses the tool (WAIT); a longer one holds it shut (STOP). @default 60_000 */
  readonly maxWaitMs?: number;
  /** Local re-sends of CAP and WAIT answers banked (gRPC-style retry throttling, earning 0.1 per success). @default 10 */
  readonly localResends?: number;
  /** The tool's circuit breaker. */
  readonly circuit?: CircuitOptions;
}

/** Defaults of {@link ToolOptions}. */
export const DEFAULT_TOOL_OPTIONS = {
  headroom: 0.8,
  /** Used of a budget the provider reports in its headers (it counts for us; a 5% reserve is kept). */
  reportedHeadroom: 0.95,
  initialConcurrency: DEFAULT_AIMD.initial,
  maxQueueWaitMs: 30_000,
  maxWaitMs: 60_000,
  localResends: 10,
} as const;

/** The reducer's settings for a tool with these options. */
export function toolSettingsOf(options: ToolOptions, maxHoldMs: number): ToolSettings {
  const c = options.circuit ?? {};
  const circuit: CircuitSettings = {
    ...DEFAULT_CIRCUIT_SETTINGS,
    ...definedOnly({
      enabled: c.enabled,
      mode: c.mode,
      errorThresholdPercentage: c.errorThresholdPercentage,
      volumeThreshold: c.volumeThreshold,
      rollingCountTimeout: c.rollingCountTimeout,
      consecutiveFailures: c.consecutiveFailures,
      openMs: c.openMs,
      openBackoffCoefficient: c.openBackoffCoefficient,
      constantProbes: c.constantProbes,
      maxOpenMs: c.maxOpenMs,
      halfOpenProbes: c.halfOpenProbes,
    }),
  };
  return {
    circuit: { ...circuit, maxOpenMs: Math.max(circuit.openMs, circuit.maxOpenMs) },
    limit: aimdLimit({
      ...DEFAULT_AIMD,
      initial: options.initialConcurrency ?? DEFAULT_TOOL_OPTIONS.initialConcurrency,
      max: options.maxConcurrency ?? Infinity,
    }),
    headroom: options.headroom ?? DEFAULT_TOOL_OPTIONS.headroom,
    reportedHeadroom: DEFAULT_TOOL_OPTIONS.reportedHeadroom,
    maxHoldMs,
    resendBudget: { max: options.localResends ?? DEFAULT_TOOL_OPTIONS.localResends, perSuccess: 0.1 },
    ...(options.requestsPerSecond !== undefined ? { requestsPerSecond: options.requestsPerSecond } : {}),
    ...(options.tokensPerMinute !== undefined ? { tokensPerMinute: options.tokensPerMinute } : {}),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
