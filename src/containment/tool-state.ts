/**
 * @module temporal-resilience/src/containment/tool-state
 *
 * One tool's containment as one state machine: the concurrency limit, the Retry-After pause, the quota hold, request
 * and token pacing, the local re-send budget and the circuit are facets of a single question, "may this tool be asked
 * now?". The state is JSON and every function here is pure (time is `nowMs`), so a store can keep it in memory or in
 * Redis and the logic does not change. Safe anywhere.
 */
import {
  circuitAfter,
  circuitAt,
  circuitByOperator,
  circuitGate,
  closedCircuit,
  type CircuitSettings,
  type CircuitState,
} from './circuit';
import type { ConcurrencyLimit, LimitState } from './concurrency-limit';
import { adjust, bucketOf, syncBucket, take, type TokenBucket } from './token-bucket';

/** A tool's whole containment state, as the store keeps it. */
export interface ToolState {
  readonly limit: LimitState;
  /** Calls in flight as leases: id → expiry (epoch ms). A lease whose holder died expires by itself. */
  readonly leases: Readonly<Record<string, number>>;
  /** A provider asked for a wait (Retry-After, or a rate-limit budget at 0): nobody calls before `untilMs`. */
  readonly pause?: { readonly untilMs: number; readonly reason: string; readonly owner?: string };
  /** A quota window is gone (STOP): attempts fail at once until `untilMs`, then one probe may go. */
  readonly hold?: {
    readonly untilMs: number;
    readonly reason: string;
    /** The lease of the probe sent after the hold ended, while it is out. */
    readonly probeLease?: string;
  };
  /** Request pacing (configured rate, or synced from the provider's rate-limit headers). */
  readonly requests?: TokenBucket;
  /** LLM token pacing (configured tokens per minute, or synced from token rate-limit headers). */
  readonly tokens?: TokenBucket;
  /** Local re-sends left (gRPC-style retry throttling): each re-send costs 1, each success earns a fraction. */
  readonly resendBudget: number;
  readonly circuit: CircuitState;
}

/** Everything the reducer needs to know about the tool's configuration. */
export interface ToolSettings {
  readonly circuit: CircuitSettings;
  readonly limit: ConcurrencyLimit;
  /** Known request rate (per second); the tool stays under `headroom ×` it. */
  readonly requestsPerSecond?: number;
  /** Known LLM token rate (per minute); the tool stays under `headroom ×` it. */
  readonly tokensPerMinute?: number;
  readonly headroom: number;
  /**
   * Fraction of a budget the provider reports (rate-limit headers) that is used: the provider counts for us, so
   * only a small reserve for other clients is kept.
   */
  readonly reportedHeadroom: number;
  /** Longest quota hold, whatever the provider said: then one probe goes. */
  readonly maxHoldMs: number;
  /** Most local re-sends banked, and what each answered call earns back. */
  readonly resendBudget: { readonly max: number; readonly perSuccess: number };
}

/** A fresh state for a tool never seen (or the limit it learned last time). */
export function initialToolState(settings: ToolSettings, nowMs: number, learned?: LimitState): ToolState {
  return {
    limit: settings.limit.initial(learned),
    leases: {},
    resendBudget: settings.resendBudget.max,
    circuit: settings.circuit.enabled
      ? closedCircuit(nowMs, settings.circuit.openMs)
      : { name: 'disabled', openMs: settings.circuit.openMs },
    ...(settings.requestsPerSecond !== undefined
      ? {
          requests: bucketOf(
            Math.max(1, settings.requestsPerSecond * settings.headroom),
            settings.requestsPerSecond * settings.headroom,
            nowMs,
          ),
        }
      : {}),
    ...(settings.tokensPerMinute !== undefined
      ? {
          tokens: bucketOf(
            settings.tokensPerMinute * settings.headroom,
            (settings.tokensPerMinute * settings.headroom) / 60,
            nowMs,
          ),
        }
      : {}),
  };
}

/** One attempt asking to call the tool. */
export interface AdmitRequest {
  readonly nowMs: number;
  /** A unique id for the call's lease. */
  readonly leaseId: string;
  /** When the lease expires if never released (the holder died). */
  readonly leaseTtlMs: number;
  /** The activity (across attempts) asking: the one whose answer set a pause is not held by it. */
  readonly owner?: string;
  /** LLM tokens the call expects to use, when declared. */
  readonly tokens?: number;
}

/** Which gate turned an attempt away. */
export type Gate =
  | 'hold'
  | 'hold-probe'
  | 'open'
  | 'forced-open'
  | 'half-open'
  | 'pause'
  | 'concurrency'
  | 'rate'
  | 'tokens';

/** What the state machine says to one attempt. */
export type AdmissionVerdict =
  | {
      readonly go: true;
      /** This call is the circuit's half-open probe. */
      readonly probe: boolean;
      /** This call is the one probe after a quota hold ended. */
      readonly holdProbe: boolean;
      /** The congestion epoch it was issued in. */
      readonly epoch: number;
    }
  /** A quota hold: fail now as STOP, do not wait. */
  | { readonly go: false; readonly gate: 'hold'; readonly untilMs: number; readonly reason: string }
  /** Wait: until `untilMs` (a time-driven gate), or until an event (a slot frees, a probe answers) when absent. */
  | {
      readonly go: false;
      readonly gate: Exclude<Gate, 'hold'>;
      readonly untilMs?: number;
      readonly reason: string;
    };

/** The concurrency limit as a whole number of slots (at least 1). */
export function slotsOf(state: ToolState): number {
  return Math.max(1, Math.floor(state.limit.value));
}

/** Leases still alive at `nowMs`. */
export function liveLeases(state: ToolState, nowMs: number): number {
  let live = 0;
  for (const expiry of Object.values(state.leases)) if (expiry > nowMs) live++;
  return live;
}

/**
 * Decides one admission. Gates in order: quota hold (fail now), circuit open, pause, concurrency, request rate,
 * tokens, half-open probe slot. Nothing changes unless every gate passes; then the call takes a lease, a request
 * token, its declared tokens and (when half-open) the probe slot, atomically.
 */
export function admit(
  state: ToolState,
  request: AdmitRequest,
  settings: ToolSettings,
): { readonly state: ToolState; readonly verdict: AdmissionVerdict } {
  const now = request.nowMs;
  const leases = pruneLeases(state.leases, now);
  let holdProbe = false;
  if (state.hold) {
    if (now < state.hold.untilMs) {
      return {
        state,
        verdict: { go: false, gate: 'hold', untilMs: state.hold.untilMs, reason: state.hold.reason },
      };
    }
    const probeOut = state.hold.probeLease !== undefined && (leases[state.hold.probeLease] ?? 0) > now;
    if (probeOut) return { state, verdict: { go: false, gate: 'hold-probe', reason: state.hold.reason } };
    holdProbe = true;
  }
  const gate = circuitGate(state.circuit, settings.circuit, now);
  if (!gate.pass && gate.state !== 'half-open') {
    return {
      state,
      verdict: {
        go: false,
        gate: gate.state === 'forced-open' ? 'forced-open' : 'open',
        ...(gate.untilMs !== undefined ? { untilMs: gate.untilMs } : {}),
        reason: `circuit-${gate.state}`,
      },
    };
  }
  const pause = state.pause;
  if (pause && now < pause.untilMs && (request.owner === undefined || request.owner !== pause.owner)) {
    return { state, verdict: { go: false, gate: 'pause', untilMs: pause.untilMs, reason: pause.reason } };
  }
  if (Object.keys(leases).length >= slotsOf(state)) {
    return { state, verdict: { go: false, gate: 'concurrency', reason: 'concurrency-limit' } };
  }
  let requests = state.requests;
  if (requests) {
    const taken = take(requests, 1, now);
    if (taken.waitMs > 0) {
      return {
        state,
        verdict: { go: false, gate: 'rate', untilMs: now + taken.waitMs, reason: 'rate-limit' },
      };
    }
    requests = taken.bucket;
  }
  let tokens = state.tokens;
  if (tokens && request.tokens !== undefined && request.tokens > 0) {
    const taken = take(tokens, request.tokens, now);
    if (taken.waitMs > 0) {
      return {
        state,
        verdict: { go: false, gate: 'tokens', untilMs: now + taken.waitMs, reason: 'token-rate-limit' },
      };
    }
    tokens = taken.bucket;
  }
  if (!gate.pass) return { state, verdict: { go: false, gate: 'half-open', reason: 'circuit-half-open' } };
  const next: ToolState = {
    ...state,
    leases: { ...leases, [request.leaseId]: now + request.leaseTtlMs },
    circuit: gate.circuit,
    ...(requests ? { requests } : {}),
    ...(tokens ? { tokens } : {}),
    ...(holdProbe && state.hold ? { hold: { ...state.hold, probeLease: request.leaseId } } : {}),
  };
  return { state: next, verdict: { go: true, probe: gate.probe, holdProbe, epoch: state.limit.epoch } };
}

/** How a call that went ended, as containment sees it. */
export type CallOutcome =
  /** Answered and not pushed back (including FAIL, STOP and WAIT answers: the tool is up). */
  | 'success'
  /** Answered with a wait or a quota stop (WAIT, STOP): the tool is up, but the answer says nothing of capacity. */
  | 'answered'
  /** Too many at once (CAP): the limit shrinks; the circuit does not count it. */
  | 'cap'
  /** The tool is failing (RETRY class: 5xx, timeouts, connection errors): counts toward the circuit. */
  | 'failure'
  /** Ended without an answer from the tool (cancelled, or the activity's own error before calling). */
  | 'ignored';

/** The release of one lease with its outcome. */
export interface SettleRequest {
  readonly nowMs: number;
  readonly leaseId: string;
  readonly outcome: CallOutcome;
  readonly probe: boolean;
  readonly holdProbe: boolean;
  readonly epoch: number;
  /** LLM tokens really used, to correct the declared estimate. */
  readonly tokensUsed?: number;
  readonly tokensDeclared?: number;
}

/** Releases a lease and lets the outcome move the limit, the circuit, the re-send budget and the hold. */
export function settle(state: ToolState, request: SettleRequest, settings: ToolSettings): ToolState {
  const now = request.nowMs;
  const inFlight = Object.keys(state.leases).length;
  const leases = without(state.leases, request.leaseId);
  const sample = { nowMs: now, inFlight: Math.max(1, inFlight), epoch: request.epoch };
  let limit = state.limit;
  let resendBudget = state.resendBudget;
  if (request.outcome === 'cap') limit = settings.limit.onCap(limit, sample);
  else if (request.outcome === 'success') {
    limit = settings.limit.onSuccess(limit, sample);
    resendBudget = Math.min(settings.resendBudget.max, resendBudget + settings.resendBudget.perSuccess);
  }
  const circuitOutcome =
    request.outcome === 'failure'
      ? 'counted-failure'
      : request.outcome === 'ignored'
        ? 'cancelled'
        : request.outcome === 'cap' || request.outcome === 'answered'
          ? 'answered'
          : 'success';
  const circuit = circuitAfter(state.circuit, circuitOutcome, request.probe, settings.circuit, now);
  let tokens = state.tokens;
  if (tokens && request.tokensUsed !== undefined) {
    tokens = adjust(tokens, (request.tokensDeclared ?? 0) - request.tokensUsed, now);
  }
  // The probe after a hold answered without a new STOP (a new one replaces the hold through `holdUntil`).
  const hold =
    state.hold && request.holdProbe && state.hold.probeLease === request.leaseId
      ? request.outcome === 'ignored'
        ? withoutProbe(state.hold)
        : undefined
      : state.hold;
  const next: ToolState = { ...state, leases, limit, resendBudget, circuit, ...(tokens ? { tokens } : {}) };
  return hold ? { ...next, hold } : without(next, 'hold');
}

/**
 * Spends one local re-send (a CAP or WAIT answer means the request was not processed, so it may go again in this
 * worker), or says there is none left: then the attempt goes back to the server like any failure.
 */
export function spendResend(state: ToolState): { readonly state: ToolState; readonly allowed: boolean } {
  if (state.resendBudget < 1) return { state, allowed: false };
  return { state: { ...state, resendBudget: state.resendBudget - 1 }, allowed: true };
}

/** A provider asked for a wait: nobody calls before `untilMs` (never shortens a longer pause). */
export function pauseUntil(state: ToolState, untilMs: number, reason: string, owner?: string): ToolState {
  if (!Number.isFinite(untilMs) || (state.pause && state.pause.untilMs >= untilMs)) return state;
  return { ...state, pause: { untilMs, reason, ...(owner !== undefined ? { owner } : {}) } };
}

/** A quota window is gone: hold the tool shut until `untilMs`, at most `maxHoldMs` from now. */
export function holdUntil(
  state: ToolState,
  untilMs: number,
  reason: string,
  settings: ToolSettings,
  nowMs: number,
): ToolState {
  const bounded = Math.min(untilMs, nowMs + settings.maxHoldMs);
  if (!Number.isFinite(bounded)) return state;
  if (state.hold && state.hold.untilMs >= bounded && state.hold.probeLease === undefined) return state;
  return { ...state, hold: { untilMs: bounded, reason } };
}

/** An operator ends a quota hold and a pause early. */
export function releaseHold(state: ToolState): ToolState {
  return without(without(state, 'hold'), 'pause');
}

/** An operator forces the circuit open (optionally until a time), disables it, or closes it. */
export function setCircuit(
  state: ToolState,
  to: 'forced-open' | 'disabled' | 'closed',
  settings: ToolSettings,
  nowMs: number,
  untilMs?: number,
): ToolState {
  return { ...state, circuit: circuitByOperator(state.circuit, to, settings.circuit, nowMs, untilMs) };
}

/** What the provider reported about one of its budgets (requests or tokens) in rate-limit headers. */
export interface BudgetReport {
  readonly limit?: number;
  readonly remaining: number;
  readonly resetMs: number;
}

/**
 * Paces under what the provider reports: at 0 remaining the tool pauses until the reset; with a known limit, the
 * bucket is synced so the tool stays `headroom` under it.
 */
export function paceFromReport(
  state: ToolState,
  budget: 'requests' | 'tokens',
  reported: BudgetReport,
  settings: ToolSettings,
  nowMs: number,
): ToolState {
  if (!(reported.resetMs >= 0) || !Number.isFinite(reported.resetMs)) return state;
  if (reported.remaining <= 0) {
    return pauseUntil(
      state,
      nowMs + reported.resetMs,
      budget === 'requests' ? 'rate-limit-exhausted' : 'token-limit-exhausted',
    );
  }
  if (reported.limit === undefined || !(reported.limit > 0)) return state;
  const inFlight = budget === 'requests' ? liveLeases(state, nowMs) - 1 : 0;
  const synced = syncBucket(
    state[budget],
    { limit: reported.limit, remaining: reported.remaining, resetMs: reported.resetMs },
    settings.reportedHeadroom,
    inFlight,
    nowMs,
  );
  return { ...state, [budget]: synced };
}

/** The circuit as it reads at `nowMs` (an open one past its probe time reads half-open). */
export function circuitNow(state: ToolState, nowMs: number): CircuitState {
  return circuitAt(state.circuit, nowMs);
}

/** True when nothing about the tool differs from a fresh state but its learned limit: it may be forgotten. */
export function atRest(state: ToolState, nowMs: number): boolean {
  const circuit = circuitAt(state.circuit, nowMs);
  return (
    liveLeases(state, nowMs) === 0 &&
    (!state.hold || state.hold.untilMs <= nowMs) &&
    (!state.pause || state.pause.untilMs <= nowMs) &&
    (circuit.name === 'closed' || circuit.name === 'half-open' || circuit.name === 'disabled')
  );
}

function pruneLeases(
  leases: Readonly<Record<string, number>>,
  nowMs: number,
): Readonly<Record<string, number>> {
  let expired = false;
  for (const expiry of Object.values(leases)) if (expiry <= nowMs) expired = true;
  if (!expired) return leases;
  const out: Record<string, number> = {};
  for (const [id, expiry] of Object.entries(leases)) if (expiry > nowMs) out[id] = expiry;
  return out;
}

function withoutProbe(hold: NonNullable<ToolState['hold']>): NonNullable<ToolState['hold']> {
  return without(hold, 'probeLease');
}

/** A copy of `value` without `key` (state is JSON: an absent field, never an `undefined` one). */
function without<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}
