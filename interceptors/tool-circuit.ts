import CircuitBreaker from 'opossum';
import type { ClassKind } from '../src/classification/classification';

/**
 * Circuit options for one tool. Defaults follow opossum's where it has them; `volumeThreshold` is raised from
 * opossum's 0 so that one early failure cannot open the circuit, and `timeout` is always off: Temporal's activity
 * timeouts own the clock.
 */
export interface CircuitOptions {
  /** `percentage`: open when the error rate in the rolling window passes the threshold (with a minimum volume);
   * `consecutive`: open after N counted failures in a row: for low-volume tools, where a percentage is meaningless.
   * @default 'percentage' */
  readonly mode?: 'percentage' | 'consecutive';
  /** Error rate that opens the circuit (opossum: same name, default 50). @default 50 */
  readonly errorThresholdPercentage?: number;
  /** Calls in the window before the rate is judged (opossum's default is 0). @default 10 */
  readonly volumeThreshold?: number;
  /** Rolling window length (opossum: same name and default). @default 10_000 */
  readonly rollingCountTimeout?: number;
  /** Counted failures in a row that open the circuit in `consecutive` mode. @default 5 */
  readonly consecutiveFailures?: number;
  /** How long the circuit stays open before letting probes through (opossum: same name and default). @default 30_000 */
  readonly resetTimeout?: number;
  /** Probes let through while half-open; further attempts keep waiting on the server. @default 1 */
  readonly halfOpenProbes?: number;
  /** Off: the tool is never broken. @default true */
  readonly enabled?: boolean;
}

/** The states a tool's circuit can be in. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** A state change, for `onStateChange`, logs and metrics. */
export interface CircuitStateChange {
  readonly toolKey: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** Counted failures and calls in the rolling window when it changed. */
  readonly failures: number;
  readonly calls: number;
}

/** A snapshot for `circuitStates()` and health endpoints. */
export interface CircuitSnapshot {
  readonly state: CircuitState;
  readonly failures: number;
  readonly calls: number;
  /** Epoch ms when an open circuit lets a probe through. */
  readonly probeAtMs?: number;
}

/** Defaults of {@link CircuitOptions}. */
export const DEFAULT_CIRCUIT = {
  mode: 'percentage',
  errorThresholdPercentage: 50,
  volumeThreshold: 10,
  rollingCountTimeout: 10_000,
  consecutiveFailures: 5,
  resetTimeout: 30_000,
  halfOpenProbes: 1,
} as const;

/** Classes that count toward opening: the tool is failing. FAIL, WAIT and STOP prove it answered. */
const COUNTED: ReadonlySet<ClassKind> = new Set(['retry', 'cap']);

/** Admission for one attempt: go ahead (and report the outcome), or wait `retryAfterMs` on the server. */
export type CircuitAdmission =
  | { readonly admitted: true; settle(outcome: ClassKind | 'success' | 'cancelled'): void }
  | { readonly admitted: false; readonly state: CircuitState; readonly retryAfterMs: number };

/**
 * One tool's circuit: an opossum breaker (rolling window, state and timers) behind a wrapper that decides what counts.
 *
 * Only RETRY and CAP count as failures; FAIL (a 422 is the caller's fault), WAIT, STOP and cancellation do not, and a
 * success (or any answer that proves the tool is up) closes a half-open circuit. Half-open admission, and the
 * consecutive-failures mode, are done here because opossum has one probe and no consecutive mode.
 */
export class ToolCircuit {
  private readonly breaker: CircuitBreaker<[() => Promise<void>], void>;
  private consecutive = 0;
  private probesInFlight = 0;
  private openedAtMs = 0;
  private readonly options: Required<Omit<CircuitOptions, 'enabled'>> & { enabled: boolean };

  constructor(
    readonly toolKey: string,
    options: CircuitOptions = {},
    onStateChange: (change: CircuitStateChange) => void = () => undefined,
  ) {
    this.options = { ...DEFAULT_CIRCUIT, enabled: true, ...options };
    this.breaker = new CircuitBreaker((action: () => Promise<void>) => action(), {
      name: toolKey,
      timeout: false,
      resetTimeout: this.options.resetTimeout,
      rollingCountTimeout: this.options.rollingCountTimeout,
      errorThresholdPercentage:
        this.options.mode === 'percentage' ? this.options.errorThresholdPercentage : 100,
      // In consecutive mode opossum's rate never opens the circuit; this wrapper does.
      volumeThreshold:
        this.options.mode === 'percentage' ? this.options.volumeThreshold : Number.MAX_SAFE_INTEGER,
    });
    let state: CircuitState = 'closed';
    const transition = (to: CircuitState) => {
      if (to === 'open') this.openedAtMs = Date.now();
      if (to !== 'half-open') this.probesInFlight = 0;
      const from = state;
      state = to;
      if (from !== to) onStateChange({ toolKey, from, to, ...this.counts() });
    };
    this.breaker.on('open', () => transition('open'));
    this.breaker.on('halfOpen', () => transition('half-open'));
    this.breaker.on('close', () => transition('closed'));
  }

  /** Lets an attempt call the tool, or says how long to wait: until the probe time (open), or a moment (half-open). */
  admit(): CircuitAdmission {
    if (!this.options.enabled) return { admitted: true, settle: () => undefined };
    if (this.breaker.opened) {
      return { admitted: false, state: 'open', retryAfterMs: Math.max(0, this.probeAtMs() - Date.now()) };
    }
    if (this.breaker.halfOpen) {
      if (this.probesInFlight >= this.options.halfOpenProbes) {
        // A probe is out; its answer decides. Wait about as long as a call takes, then look again.
        return {
          admitted: false,
          state: 'half-open',
          retryAfterMs: Math.min(this.options.resetTimeout, 1_000),
        };
      }
      this.probesInFlight++;
      return { admitted: true, settle: (outcome) => this.settleProbe(outcome) };
    }
    let settled = false;
    let finish: (outcome: ClassKind | 'success' | 'cancelled') => void = () => undefined;
    const done = new Promise<ClassKind | 'success' | 'cancelled'>((resolve) => (finish = resolve));
    // opossum counts the call through fire(); the errorFilter keeps uncounted classes out of the failure rate.
    this.breaker
      .fire(async () => {
        const outcome = await done;
        if (COUNTED.has(outcome as ClassKind)) throw new CountedFailure(outcome);
      })
      .catch(() => undefined);
    return {
      admitted: true,
      settle: (outcome) => {
        if (settled) return;
        settled = true;
        this.trackConsecutive(outcome);
        finish(outcome);
      },
    };
  }

  /** The circuit's state now (cheap: no statistics are computed). */
  get state(): CircuitState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** The circuit's state with its rolling counts, for health endpoints (opossum sums its buckets for these). */
  snapshot(): CircuitSnapshot {
    const state = this.state;
    return { state, ...this.counts(), ...(state === 'open' ? { probeAtMs: this.probeAtMs() } : {}) };
  }

  /** True while a probe is out (the registry must not drop it). */
  get busy(): boolean {
    return this.probesInFlight > 0 || !this.breaker.closed;
  }

  /** Stops opossum's timers; called when the registry evicts the tool. */
  shutdown(): void {
    this.breaker.shutdown();
  }

  private settleProbe(outcome: ClassKind | 'success' | 'cancelled'): void {
    this.probesInFlight = Math.max(0, this.probesInFlight - 1);
    if (outcome === 'cancelled') return;
    if (COUNTED.has(outcome as ClassKind)) this.breaker.open();
    else {
      this.consecutive = 0;
      this.breaker.close();
    }
  }

  private trackConsecutive(outcome: ClassKind | 'success' | 'cancelled'): void {
    if (outcome === 'cancelled') return;
    if (!COUNTED.has(outcome as ClassKind)) {
      this.consecutive = 0;
      return;
    }
    this.consecutive++;
    if (this.options.mode === 'consecutive' && this.consecutive >= this.options.consecutiveFailures) {
      this.consecutive = 0;
      this.breaker.open();
    }
  }

  private probeAtMs(): number {
    return this.openedAtMs + this.options.resetTimeout;
  }

  private counts(): { failures: number; calls: number } {
    const stats = this.breaker.stats;
    return { failures: stats.failures, calls: stats.fires };
  }
}

class CountedFailure extends Error {
  constructor(readonly kind: string) {
    super(kind);
  }
}
