/**
 * @module temporal-resilience/src/containment/circuit
 *
 * A tool's circuit as plain data and pure transitions. Safe anywhere: no timers, no I/O; time is a parameter, so the
 * same logic runs over an in-memory map or a shared store.
 */

/** Every state a tool's circuit can be in. `forced-open` and `disabled` are set only by an operator. */
export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'forced-open' | 'disabled';

/**
 * A circuit as JSON: what the store keeps. Time-driven transitions (open → half-open) are evaluated when the state is
 * read, with `nowMs`, never by a timer inside the state.
 */
export type CircuitState =
  | {
      readonly name: 'closed';
      /** Start of the current counting window (epoch ms). */
      readonly windowStartMs: number;
      readonly calls: number;
      readonly failures: number;
      /** Counted failures in a row (for `mode: 'consecutive'`). */
      readonly consecutive: number;
      /** The open period the next opening uses (grows after failed probes, resets on a closing probe). */
      readonly openMs: number;
    }
  | {
      readonly name: 'open';
      readonly openedAtMs: number;
      /** When a waiting attempt may go as the probe. */
      readonly probeAtMs: number;
      readonly openMs: number;
      /** Probes that failed since the circuit opened (absent: none). */
      readonly failedProbes?: number;
    }
  | {
      readonly name: 'half-open';
      /** Probes out now, and when the oldest left (a lost probe is given up after `probeTimeoutMs`). */
      readonly probes: number;
      readonly probeStartedAtMs: number;
      readonly openMs: number;
      readonly failedProbes?: number;
    }
  | { readonly name: 'forced-open'; readonly untilMs?: number; readonly openMs: number }
  | { readonly name: 'disabled'; readonly openMs: number };

/** Circuit settings after defaults (see `CircuitOptions` in the worker options). */
export interface CircuitSettings {
  readonly enabled: boolean;
  readonly mode: 'percentage' | 'consecutive';
  readonly errorThresholdPercentage: number;
  readonly volumeThreshold: number;
  readonly rollingCountTimeout: number;
  readonly consecutiveFailures: number;
  /** First open period. */
  readonly openMs: number;
  /** Failed probes before the open period starts to grow. */
  readonly constantProbes: number;
  /** Growth of the open period after each further failed probe. */
  readonly openBackoffCoefficient: number;
  /** Longest open period. */
  readonly maxOpenMs: number;
  readonly halfOpenProbes: number;
  /** A probe that has not answered in this long no longer blocks another. */
  readonly probeTimeoutMs: number;
}

/**
 * Defaults of the circuit settings: a probe every second for the first five, then 1.5× longer after each failed
 * probe, at most 30 s. Probes stay denser than Temporal's default retry schedule (1 s, ×2), so a recovery is noticed
 * no later than a bare worker would notice it; three failures (at least half the calls) open the circuit.
 */
export const DEFAULT_CIRCUIT_SETTINGS: CircuitSettings = {
  enabled: true,
  mode: 'percentage',
  errorThresholdPercentage: 50,
  volumeThreshold: 3,
  rollingCountTimeout: 10_000,
  consecutiveFailures: 5,
  openMs: 1_000,
  constantProbes: 5,
  openBackoffCoefficient: 1.5,
  maxOpenMs: 30_000,
  halfOpenProbes: 1,
  probeTimeoutMs: 60_000,
};

/**
 * Every allowed transition, `from → [to]`. A reader can check the state machine here; {@link assertTransition}
 * throws on any pair not listed, so a logic error cannot invent a path.
 */
export const CIRCUIT_TRANSITIONS: Readonly<Record<CircuitStateName, readonly CircuitStateName[]>> = {
  closed: ['open', 'forced-open', 'disabled'],
  open: ['half-open', 'closed', 'forced-open', 'disabled'],
  'half-open': ['closed', 'open', 'forced-open', 'disabled'],
  'forced-open': ['closed', 'disabled'],
  disabled: ['closed', 'forced-open'],
};

/** A transition the table does not allow: a bug in the caller, never an input problem. */
export class IllegalCircuitTransitionError extends Error {
  override readonly name = 'IllegalCircuitTransitionError';
  constructor(
    readonly from: CircuitStateName,
    readonly to: CircuitStateName,
  ) {
    super(`circuit cannot go from ${from} to ${to}`);
  }
}

/** Throws {@link IllegalCircuitTransitionError} unless `from → to` is in {@link CIRCUIT_TRANSITIONS}. */
export function assertTransition(from: CircuitStateName, to: CircuitStateName): void {
  if (from !== to && !CIRCUIT_TRANSITIONS[from].includes(to))
    throw new IllegalCircuitTransitionError(from, to);
}

/** A fresh closed circuit. */
export function closedCircuit(nowMs: number, openMs: number): CircuitState {
  return { name: 'closed', windowStartMs: nowMs, calls: 0, failures: 0, consecutive: 0, openMs };
}

/** The circuit as it is at `nowMs`: an open circuit whose probe time has come reads as half-open with no probe out. */
export function circuitAt(circuit: CircuitState, nowMs: number): CircuitState {
  if (circuit.name === 'open' && nowMs >= circuit.probeAtMs) {
    return {
      name: 'half-open',
      probes: 0,
      probeStartedAtMs: nowMs,
      openMs: circuit.openMs,
      ...(circuit.failedProbes ? { failedProbes: circuit.failedProbes } : {}),
    };
  }
  if (circuit.name === 'forced-open' && circuit.untilMs !== undefined && nowMs >= circuit.untilMs) {
    return { name: 'half-open', probes: 0, probeStartedAtMs: nowMs, openMs: circuit.openMs };
  }
  return circuit;
}

/** What the circuit says to one attempt now. */
export type CircuitGate =
  | { readonly pass: true; readonly probe: boolean; readonly circuit: CircuitState }
  | { readonly pass: false; readonly state: CircuitStateName; readonly untilMs?: number };

/** Lets an attempt through (as a probe when half-open), or says until when it must wait (undefined: until a probe answers). */
export function circuitGate(circuit: CircuitState, settings: CircuitSettings, nowMs: number): CircuitGate {
  const current = circuitAt(circuit, nowMs);
  switch (current.name) {
    case 'closed':
    case 'disabled':
      return { pass: true, probe: false, circuit: current };
    case 'open':
      return { pass: false, state: 'open', untilMs: current.probeAtMs };
    case 'forced-open':
      return {
        pass: false,
        state: 'forced-open',
        ...(current.untilMs !== undefined ? { untilMs: current.untilMs } : {}),
      };
    case 'half-open': {
      const lost = current.probes > 0 && nowMs - current.probeStartedAtMs >= settings.probeTimeoutMs;
      if (current.probes < settings.halfOpenProbes || lost) {
        return {
          pass: true,
          probe: true,
          circuit: { ...current, probes: lost ? 1 : current.probes + 1, probeStartedAtMs: nowMs },
        };
      }
      return { pass: false, state: 'half-open' };
    }
  }
}

/**
 * How an answered call changes the circuit. Only RETRY-class failures (5xx, timeouts, connection errors) count: a
 * CAP, FAIL, WAIT or STOP proves the tool answered, so it closes a half-open circuit like a success does.
 */
export function circuitAfter(
  circuit: CircuitState,
  outcome: 'success' | 'counted-failure' | 'answered' | 'cancelled',
  probe: boolean,
  settings: CircuitSettings,
  nowMs: number,
): CircuitState {
  const current = circuitAt(circuit, nowMs);
  if (outcome === 'cancelled') {
    return probe && current.name === 'half-open'
      ? { ...current, probes: Math.max(0, current.probes - 1) }
      : current;
  }
  if (current.name === 'half-open') {
    if (!probe) return current;
    if (outcome === 'counted-failure') {
      // The first probes come at the same short interval (denser than Temporal's own retry schedule, so recovery is
      // seen no later than a bare worker would see it); only a longer outage makes the interval grow.
      const failedProbes = (current.failedProbes ?? 0) + 1;
      const openMs =
        failedProbes <= settings.constantProbes
          ? current.openMs
          : Math.min(settings.maxOpenMs, current.openMs * settings.openBackoffCoefficient);
      return transition(current, {
        name: 'open',
        openedAtMs: nowMs,
        probeAtMs: nowMs + openMs,
        openMs,
        failedProbes,
      });
    }
    return transition(current, closedCircuit(nowMs, settings.openMs));
  }
  if (current.name !== 'closed' || !settings.enabled) return current;
  const fresh = nowMs - current.windowStartMs >= settings.rollingCountTimeout;
  const base = fresh ? { ...current, windowStartMs: nowMs, calls: 0, failures: 0 } : current;
  const failed = outcome === 'counted-failure';
  const next = {
    ...base,
    calls: base.calls + 1,
    failures: base.failures + (failed ? 1 : 0),
    consecutive: failed ? base.consecutive + 1 : 0,
  };
  const trips =
    settings.mode === 'consecutive'
      ? next.consecutive >= settings.consecutiveFailures
      : failed &&
        next.calls >= settings.volumeThreshold &&
        (next.failures / next.calls) * 100 >= settings.errorThresholdPercentage;
  if (!trips) return next;
  return transition(next, {
    name: 'open',
    openedAtMs: nowMs,
    probeAtMs: nowMs + next.openMs,
    openMs: next.openMs,
  });
}

/** An operator's transition: force the circuit open (optionally until a time), disable it, or close it. */
export function circuitByOperator(
  circuit: CircuitState,
  to: 'forced-open' | 'disabled' | 'closed',
  settings: CircuitSettings,
  nowMs: number,
  untilMs?: number,
): CircuitState {
  const current = circuitAt(circuit, nowMs);
  if (to === 'closed') return transition(current, closedCircuit(nowMs, settings.openMs));
  if (to === 'disabled') return transition(current, { name: 'disabled', openMs: settings.openMs });
  return transition(current, {
    name: 'forced-open',
    openMs: current.openMs,
    ...(untilMs !== undefined ? { untilMs } : {}),
  });
}

function transition(from: CircuitState, to: CircuitState): CircuitState {
  assertTransition(from.name, to.name);
  return to;
}
