import { Context, type Info } from '@temporalio/activity';
import type { AttemptChain, AttemptRecord } from '../src/attempts/attempt-record';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import { SPANS } from '../src/telemetry-names';
import type { AttemptObservation, AttemptTelemetry } from './attempt-telemetry';
import type { CircuitStateChange } from './containment/tool-governor';

/**
 * Writes each attempt's records to the activity logger, as structured fields before any formatting:
 * `attempt.started` and `attempt.completed` at debug, `attempt.failed` and `retry.scheduled` at info. The activity
 * logger adds workflow id, run id and activity ids to every line, so a line always says which run it belongs to.
 */
export class LogAttemptTelemetry implements AttemptTelemetry {
  startAttempt(
    info: Info,
    attempt: Omit<AttemptRecord, 'outcome'>,
    previous: AttemptChain,
  ): AttemptObservation {
    const log = Context.current().log;
    const debug = debugLogged(log);
    if (debug) {
      log.debug(SPANS.attemptStarted, {
        event: SPANS.attemptStarted,
        ...attempt,
        previousAttempts: previous.records.length,
      });
    }
    return {
      run: (fn) => fn(),
      progressed: () => undefined,
      resent: () => undefined,
      costRecorded: () => undefined,
      ended: (record: AttemptRecord, decision: RetryDecision | undefined) => {
        if (record.outcome === 'completed') {
          if (debug) log.debug(SPANS.attemptCompleted, { event: SPANS.attemptCompleted, ...record });
          return;
        }
        log.info(SPANS.attemptFailed, {
          event: SPANS.attemptFailed,
          ...record,
          workflowType: info.workflowType,
        });
        if (decision?.nextNotBefore && !decision.nonRetryable) {
          log.info(SPANS.retryScheduled, {
            event: SPANS.retryScheduled,
            ...record,
            delayMs: decision.delayMs,
            next_not_before: decision.nextNotBefore,
          });
        }
      },
    };
  }

  circuitChanged(_change: CircuitStateChange): void {
    // Circuit changes are logged by the plugin as worker-level warnings.
  }
}

const LEVELS_WITH_DEBUG: ReadonlySet<unknown> = new Set(['TRACE', 'DEBUG']);

/**
 * False when the activity's logger says it drops debug lines (the SDK's `DefaultLogger` exposes its `level`; the
 * activity's logger adds metadata in front of it and names it `parentLogger`): every attempt writes two, and
 * building them, with the activity's metadata, for nothing is a cost on every activity. A logger that does not say
 * keeps them.
 */
function debugLogged(log: object): boolean {
  let logger: unknown = log;
  for (let depth = 0; depth < 8; depth++) {
    const parent = (logger as { readonly parentLogger?: unknown }).parentLogger;
    if (typeof parent !== 'object' || parent === null) break;
    logger = parent;
  }
  const level = (logger as { readonly level?: unknown }).level;
  return typeof level !== 'string' || LEVELS_WITH_DEBUG.has(level.toUpperCase());
}

/** Reports to each of the given telemetries, in order. */
export function combineTelemetry(...parts: AttemptTelemetry[]): AttemptTelemetry {
  return {
    startAttempt(info, attempt, previous) {
      const observations = parts.map((p) => p.startAttempt(info, attempt, previous));
      return {
        run: <T>(fn: () => Promise<T>) => {
          // Nest the runs so each part (e.g. the span context) wraps the activity.
          let wrapped = fn;
          for (const observation of [...observations].reverse()) {
            const inner = wrapped;
            wrapped = () => observation.run(inner);
          }
          return wrapped();
        },
        progressed: () => observations.forEach((o) => o.progressed()),
        resent: (classification) => observations.forEach((o) => o.resent(classification)),
        costRecorded: (cost, model) => observations.forEach((o) => o.costRecorded(cost, model)),
        ended: (record, decision, circuit) => observations.forEach((o) => o.ended(record, decision, circuit)),
      };
    },
    circuitChanged: (change) => parts.forEach((p) => p.circuitChanged(change)),
  };
}
