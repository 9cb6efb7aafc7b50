import { randomUUID } from 'node:crypto';
import { circuitAt, type CircuitStateName } from '../../src/containment/circuit';
import {
  admit,
  holdUntil,
  initialToolState,
  paceFromReport,
  pauseUntil,
  releaseHold,
  setCircuit,
  settle,
  spendResend,
  type CallOutcome,
  type Gate,
  type BudgetReport,
  type ToolSettings,
  type ToolState,
  type AdmissionVerdict,
} from '../../src/containment/tool-state';
import { normalizeHeaders } from '../../src/classification/classify-http';
import { parseRetryAfterMs } from '../../src/classification/retry-after';
import { rateLimitReport } from '../../src/containment/rate-limit-report';
import type { GovernorStore } from './governor-store';
import { isSharedGovernorStore } from './shared-store';

/** A circuit state change, for `onStateChange`, logs and metrics. */
export interface CircuitStateChange {
  readonly toolKey: string;
  /** The tenant, when tool keys are scoped by tenant (`tenantOf`); `toolKey` is then the key without it. */
  readonly tenant?: string;
  readonly from: CircuitStateName;
  readonly to: CircuitStateName;
}

/** One attempt's request to call the tool. */
export interface AcquireRequest {
  /** The activity (across attempts) asking; a pause its own answer set does not hold it. */
  readonly owner?: string;
  /** LLM tokens the call expects to use (token pacing). */
  readonly tokens?: number;
  /** How long the call may hold its lease if never released (its holder died). */
  readonly leaseTtlMs: number;
  /** The longest this attempt may wait in the worker; past it, the attempt goes back to the server. */
  readonly maxWaitMs: number;
  /** Called while waiting, so the attempt's heartbeat timeout does not fire. */
  readonly heartbeat?: () => void;
  /**
   * How often {@link heartbeat} is called while waiting. Each call that reaches the server is a write to the
   * execution, so the caller picks the slowest cadence its heartbeat timeout allows.
   * @default 1000
   */
  readonly heartbeatEveryMs?: number;
  /** Ends the wait when the activity is cancelled. */
  readonly signal?: AbortSignal;
}

/** A call may go: release it exactly once with its outcome. */
export interface Permit {
  readonly granted: true;
  readonly probe: boolean;
  /** How long the attempt waited in the worker before it could go. */
  readonly waitedMs: number;
  release(outcome: CallOutcome, tokensUsed?: number): Promise<void>;
}

/** The attempt may not call now: a quota hold (fail as STOP), or a wait longer than the attempt may wait here. */
export interface Refusal {
  readonly granted: false;
  readonly gate: Gate;
  readonly reason: string;
  /** The predicted wait: when the attempt should come back (the server's `nextRetryDelay`). */
  readonly retryAfterMs: number;
  readonly waitedMs: number;
}

/** Thrown into a waiting attempt when its activity is cancelled. */
export class WaitCancelledError extends Error {
  override readonly name = 'WaitCancelledError';
  constructor() {
    super('the activity was cancelled while it waited for its tool');
  }
}

/** A verdict, with the lease id when it let the call go. */
type Admitted =
  | Extract<AdmissionVerdict, { go: false }>
  | (Extract<AdmissionVerdict, { go: true }> & { readonly leaseId: string });

interface Waiter {
  readonly request: AcquireRequest;
  readonly enqueuedAtMs: number;
  readonly deadlineMs: number;
  readonly resolve: (result: Permit | Refusal) => void;
  readonly reject: (error: Error) => void;
  settled: boolean;
  cleanup(): void;
}

/** The wait to predict for a gate that opens on an event (a free slot, a probe's answer), not at a known time. */
const EVENT_GATE_RETRY_MS = 1_000;
/** How often a waiting attempt heartbeats unless the request says (the SDK throttles them to its heartbeat timeout). */
const WAIT_HEARTBEAT_MS = 1_000;

/** What a governor over a store shared by several workers needs besides its settings. */
export interface FleetGovernorOptions {
  /**
   * The settings to use while the shared store is degraded (local state): the configured limits scaled to this
   * worker's share of the fleet, so the workers together stay near the fleet's limits.
   * @default the fleet's settings
   */
  readonly localSettings?: ToolSettings;
  /**
   * While attempts wait, the shared state is re-checked this often, so a lost wake-up message cannot strand them.
   * @default 250
   */
  readonly recheckMs?: number;
}

/**
 * One tool's containment in this worker: admission through the tool's state machine in the store, and the bounded
 * FIFO wait in front of it. Attempts that may not call now wait here, heartbeating, and are woken by events (a
 * lease released, a probe answered, a pause ended) to re-check every gate; only a wait longer than the attempt's
 * bound goes back to the server, with the predicted wait as its delay.
 */
export class ToolGovernor {
  private readonly waiters: Waiter[] = [];
  private draining = false;
  private drainAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs = Infinity;
  private localLeases = 0;
  private reportedCircuit: CircuitStateName;
  private lastRefusedVerdict: Extract<AdmissionVerdict, { go: false }> | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly toolKey: string,
    private readonly settings: ToolSettings,
    private readonly store: GovernorStore,
    private readonly onStateChange: (change: CircuitStateChange) => void = () => undefined,
    private readonly maxQueue = 10_000,
    private readonly fleet: FleetGovernorOptions = {},
  ) {
    this.reportedCircuit = settings.circuit.enabled ? 'closed' : 'disabled';
  }

  /** The settings now: the worker's share of the limits while a shared store runs degraded (on local state). */
  private get active(): ToolSettings {
    return this.fleet.localSettings && isSharedGovernorStore(this.store) && this.store.reducingLocally
      ? this.fleet.localSettings
      : this.settings;
  }

  /** Waits (bounded) until the tool may be called, then takes a lease; or refuses. */
  async acquire(request: AcquireRequest): Promise<Permit | Refusal> {
    const enqueuedAtMs = Date.now();
    if (this.waiters.length === 0) {
      const verdict = await this.tryAdmit(request);
      if (verdict.go) return this.permit(verdict, 0, request.tokens);
      const immediate = this.refusalIfCannotWait(verdict, enqueuedAtMs + request.maxWaitMs, enqueuedAtMs);
      if (immediate) return immediate;
    }
    // Only a wait is cut short by cancellation: a call that may go now goes, as it would without the toolkit.
    if (request.signal?.aborted) throw new WaitCancelledError();
    if (this.waiters.length >= this.maxQueue) {
      return {
        granted: false,
        gate: 'concurrency',
        reason: 'queue-full',
        retryAfterMs: EVENT_GATE_RETRY_MS,
        waitedMs: 0,
      };
    }
    return new Promise<Permit | Refusal>((resolve, reject) => {
      const deadlineMs = enqueuedAtMs + request.maxWaitMs;
      const timers: NodeJS.Timeout[] = [];
      const onAbort = () => this.finishWaiter(waiter, () => reject(new WaitCancelledError()));
      const waiter: Waiter = {
        request,
        enqueuedAtMs,
        deadlineMs,
        resolve,
        reject,
        settled: false,
        cleanup: () => {
          for (const t of timers) clearTimeout(t);
          request.signal?.removeEventListener('abort', onAbort);
        },
      };
      timers.push(setTimeout(() => this.expire(waiter), Math.max(0, deadlineMs - Date.now())));
      if (request.heartbeat) {
        const beat = setInterval(
          () => safely(request.heartbeat!),
          request.heartbeatEveryMs ?? WAIT_HEARTBEAT_MS,
        );
        timers.push(beat);
      }
      request.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.startRecheck();
      this.drain();
    });
  }

  /** A provider asked for a wait: nobody calls the tool before `untilMs` (the `owner`'s own retry excepted). */
  async pause(untilMs: number, reason: string, owner?: string): Promise<void> {
    await this.change((state) => pauseUntil(state, untilMs, reason, owner));
  }

  /** A quota window is gone: attempts fail at once as STOP until `untilMs` (bounded), then one probe goes. */
  async hold(untilMs: number, reason: string): Promise<void> {
    await this.change((state) => holdUntil(state, untilMs, reason, this.active, Date.now()));
  }

  /** Paces the tool under what the provider reported (rate-limit headers). */
  async pace(budget: 'requests' | 'tokens', reported: BudgetReport): Promise<void> {
    await this.change((state) => paceFromReport(state, budget, reported, this.active, Date.now()));
  }

  /**
   * Reads a provider's answer: a `Retry-After` (or `retry-after-ms`) on a 429/503 pauses the tool, or holds it shut
   * when longer than `maxPauseMs`; rate-limit headers pace it just under the reported budgets.
   */
  async observe(status: number, rawHeaders: unknown, maxPauseMs: number, owner?: string): Promise<void> {
    const now = Date.now();
    const headers = normalizeHeaders(rawHeaders);
    const report = rateLimitReport(headers, now);
    const retryAfterMs =
      status === 429 || status === 503
        ? (parseRetryAfterMs(headers['retry-after'], now) ?? retryAfterMsHeader(headers['retry-after-ms']))
        : undefined;
    if (retryAfterMs === undefined && !report.requests && !report.tokens) return;
    await this.change((state) => {
      let next = state;
      if (retryAfterMs !== undefined) {
        next =
          retryAfterMs > maxPauseMs
            ? holdUntil(next, now + retryAfterMs, 'retry-after-long', this.active, now)
            : pauseUntil(next, now + retryAfterMs, 'retry-after', owner);
      }
      if (report.requests) next = paceFromReport(next, 'requests', report.requests, this.active, now);
      if (report.tokens) next = paceFromReport(next, 'tokens', report.tokens, this.active, now);
      return next;
    });
  }

  /** The circuit's state as this worker last saw it (cheap: no store read). */
  get circuitName(): CircuitStateName {
    return this.reportedCircuit;
  }

  /** Spends one local re-send from the tool's budget; false when none is left. */
  async spendResend(): Promise<boolean> {
    return this.store.update(
      this.toolKey,
      () => this.fresh(),
      (state) => {
        const spent = spendResend(state);
        return { state: spent.state, result: spent.allowed };
      },
    );
  }

  /** Operator: ends a quota hold and a pause now. */
  async release(): Promise<void> {
    await this.change(releaseHold);
    this.notifyFleet();
  }

  /** Operator: forces the circuit open (optionally until a time), disables it, or closes it. */
  async setCircuit(to: 'forced-open' | 'disabled' | 'closed', untilMs?: number): Promise<void> {
    await this.change((state) => setCircuit(state, to, this.active, Date.now(), untilMs));
    this.notifyFleet();
  }

  /** The stored state now (a fresh one if the tool was never used or was forgotten). */
  async state(): Promise<ToolState> {
    return (await this.store.read(this.toolKey)) ?? this.fresh();
  }

  /** Attempts waiting in this worker now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** True while this worker has calls in flight or attempts waiting: the governor must not be dropped. */
  get busy(): boolean {
    return this.localLeases > 0 || this.waiters.length > 0;
  }

  /** Wakes waiters to re-check the gates (a state change learned from elsewhere, e.g. another worker). */
  wake(): void {
    this.drain();
  }

  /** Stops timers and turns every waiter back to the server (worker shutdown). */
  shutdown(): void {
    if (this.timer) clearTimeout(this.timer);
    this.stopRecheck();
    for (const waiter of [...this.waiters]) {
      this.finishWaiter(waiter, () =>
        waiter.resolve(
          this.refusal('concurrency', 'worker-shutdown', EVENT_GATE_RETRY_MS, waiter.enqueuedAtMs),
        ),
      );
    }
  }

  private fresh(): ToolState {
    return initialToolState(this.active, Date.now());
  }

  /** Other workers' waiters may go now (a lease released, a hold ended): tell them through the shared store. */
  private notifyFleet(): void {
    if (isSharedGovernorStore(this.store)) this.store.notify(this.toolKey);
  }

  /** Over a shared store, waiters re-check now and then: a wake-up message from another worker may be lost. */
  private startRecheck(): void {
    if (this.recheckTimer || !isSharedGovernorStore(this.store)) return;
    this.recheckTimer = setInterval(() => {
      if (this.waiters.length === 0) this.stopRecheck();
      else this.drain();
    }, this.fleet.recheckMs ?? 250);
    this.recheckTimer.unref?.();
  }

  private stopRecheck(): void {
    if (this.recheckTimer) clearInterval(this.recheckTimer);
    this.recheckTimer = undefined;
  }

  private async change(fn: (state: ToolState) => ToolState): Promise<void> {
    await this.store.update(
      this.toolKey,
      () => this.fresh(),
      (state) => {
        const next = fn(state);
        this.reportCircuit(next);
        return { state: next, result: undefined };
      },
    );
    this.drain();
  }

  private async tryAdmit(request: AcquireRequest): Promise<Admitted> {
    const leaseId = randomUUID();
    const verdict = await this.store.update(
      this.toolKey,
      () => this.fresh(),
      (state) => {
        const now = Date.now();
        const admitted = admit(
          state,
          {
            nowMs: now,
            leaseId,
            leaseTtlMs: request.leaseTtlMs,
            ...(request.owner !== undefined ? { owner: request.owner } : {}),
            ...(request.tokens !== undefined ? { tokens: request.tokens } : {}),
          },
          this.active,
        );
        this.reportCircuit(admitted.state);
        return { state: admitted.state, result: admitted.verdict };
      },
    );
    if (verdict.go) {
      this.localLeases++;
      return { ...verdict, leaseId };
    }
    this.lastRefusedVerdict = verdict;
    return verdict;
  }

  private permit(verdict: Extract<Admitted, { go: true }>, waitedMs: number, tokens?: number): Permit {
    const leaseId = verdict.leaseId;
    let released = false;
    return {
      granted: true,
      probe: verdict.probe,
      waitedMs,
      release: async (outcome, tokensUsed) => {
        if (released) return;
        released = true;
        this.localLeases--;
        await this.store.update(
          this.toolKey,
          () => this.fresh(),
          (state) => {
            const next = settle(
              state,
              {
                nowMs: Date.now(),
                leaseId,
                outcome,
                probe: verdict.probe,
                holdProbe: verdict.holdProbe,
                epoch: verdict.epoch,
                ...(tokensUsed !== undefined ? { tokensUsed, tokensDeclared: tokens ?? 0 } : {}),
              },
              this.active,
            );
            this.reportCircuit(next);
            return { state: next, result: undefined };
          },
        );
        this.notifyFleet();
        this.drain();
      },
    };
  }

  /** A refusal for a verdict the attempt cannot wait out, or undefined when it should wait. */
  private refusalIfCannotWait(
    verdict: Extract<AdmissionVerdict, { go: false }>,
    deadlineMs: number,
    enqueuedAtMs: number,
  ): Refusal | undefined {
    const now = Date.now();
    if (verdict.gate === 'hold')
      return this.refusal('hold', verdict.reason, verdict.untilMs - now, enqueuedAtMs);
    const untilMs = verdict.untilMs;
    if (untilMs !== undefined && untilMs > deadlineMs)
      return this.refusal(verdict.gate, verdict.reason, untilMs - now, enqueuedAtMs);
    if (deadlineMs <= now) {
      return this.refusal(
        verdict.gate,
        verdict.reason,
        untilMs !== undefined ? untilMs - now : EVENT_GATE_RETRY_MS,
        enqueuedAtMs,
      );
    }
    return undefined;
  }

  private refusal(gate: Gate, reason: string, retryAfterMs: number, enqueuedAtMs: number): Refusal {
    return {
      granted: false,
      gate,
      reason,
      retryAfterMs: Math.max(1, Math.ceil(retryAfterMs)),
      waitedMs: Date.now() - enqueuedAtMs,
    };
  }

  /** Re-checks waiters in FIFO order until one must keep waiting. One drain at a time; a request during one repeats it. */
  private drain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    void (async () => {
      try {
        do {
          this.drainAgain = false;
          await this.drainOnce();
        } while (this.drainAgain);
      } finally {
        this.draining = false;
      }
    })().catch(() => undefined);
  }

  private async drainOnce(): Promise<void> {
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0]!;
      if (waiter.settled) {
        this.waiters.shift();
        continue;
      }
      const verdict = await this.tryAdmit(waiter.request);
      if (verdict.go) {
        if (waiter.settled) {
          // The waiter gave up (deadline, cancellation) while its admission was being decided: hand the lease back.
          await this.permit(verdict, 0).release('ignored');
          continue;
        }
        const permit = this.permit(verdict, Date.now() - waiter.enqueuedAtMs, waiter.request.tokens);
        this.finishWaiter(waiter, () => waiter.resolve(permit));
        continue;
      }
      const refusal = this.refusalIfCannotWait(verdict, waiter.deadlineMs, waiter.enqueuedAtMs);
      if (refusal && !waiter.settled) {
        this.finishWaiter(waiter, () => waiter.resolve(refusal));
        continue;
      }
      // The head must keep waiting; everyone behind it too (FIFO). A time-driven gate sets the wake-up.
      if (verdict.gate !== 'hold' && verdict.untilMs !== undefined) this.wakeAt(verdict.untilMs);
      return;
    }
  }

  private expire(waiter: Waiter): void {
    if (waiter.settled) return;
    // The head is judged by a drain (its gate may have opened just now); one behind it may not jump the queue, so it
    // goes back to the server with the wait predicted for the head.
    if (this.waiters[0] === waiter) {
      this.drain();
      return;
    }
    const last = this.lastRefusedVerdict;
    const untilMs = last && last.gate !== 'hold' ? last.untilMs : undefined;
    const retryAfterMs = untilMs !== undefined ? untilMs - Date.now() : EVENT_GATE_RETRY_MS;
    this.finishWaiter(waiter, () =>
      waiter.resolve(
        this.refusal(
          last?.gate ?? 'concurrency',
          last?.reason ?? 'concurrency-limit',
          retryAfterMs,
          waiter.enqueuedAtMs,
        ),
      ),
    );
  }

  private finishWaiter(waiter: Waiter, settleIt: () => void): void {
    if (waiter.settled) return;
    waiter.settled = true;
    waiter.cleanup();
    const index = this.waiters.indexOf(waiter);
    if (index >= 0) this.waiters.splice(index, 1);
    settleIt();
    // Whoever was behind may go now.
    if (index === 0) this.drain();
  }

  private wakeAt(atMs: number): void {
    if (this.timer && this.timerAtMs <= atMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAtMs = atMs;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAtMs = Infinity;
        this.drain();
      },
      Math.max(0, atMs - Date.now()),
    );
  }

  private reportCircuit(after: ToolState): void {
    // Time-driven changes (open → half-open) are reported when they are observed, like any other.
    const to = circuitAt(after.circuit, Date.now()).name;
    const from = this.reportedCircuit;
    if (from === to) return;
    this.reportedCircuit = to;
    safely(() => this.onStateChange({ toolKey: this.toolKey, from, to }));
  }
}

function retryAfterMsHeader(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Math.ceil(Number(value));
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A user's hook or a heartbeat after the activity ended must not break containment.
  }
}
