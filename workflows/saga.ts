import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  type ActivityInterfaceFor,
  type QueryDefinition,
} from '@temporalio/workflow';
import { compensationStepName } from '../src/idempotency/idempotency-key';
import { activityOptions, type ActivityOptionsOverrides } from '../src/presets/retry-presets';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import { step } from './step';

/** Options of a {@link Saga}. */
export interface SagaOptions {
  /** Names the saga's query (`sagaQuery(name)`); give each saga of one workflow its own. @default 'saga' */
  readonly name?: string;
  /** Run compensations all at once instead of in reverse order. @default false */
  readonly parallelCompensation?: boolean;
  /**
   * Attempt every compensation even when one fails, and report the failures together. Without it the first failure
   * stops the unwinding (the rest are marked `skipped`). @default false
   */
  readonly continueWithError?: boolean;
  /**
   * Also register a step's compensation when its outcome is unknown: it timed out, or failed with the request possibly
   * sent (`sideEffectUnknown`), or used up its retries on a transient fault. The compensation then gets `undefined`
   * for the result and must cope with "nothing to undo". @default false
   */
  readonly compensateOnUnknownOutcome?: boolean;
}

/** Where one compensation stands. */
export type CompensationStatus = 'registered' | 'running' | 'done' | 'failed' | 'skipped';

/** The saga's state, as its query and its failure report it. */
export interface SagaState {
  readonly name: string;
  readonly status: 'running' | 'compensating' | 'compensated' | 'compensation-failed' | 'completed';
  /** Forward steps that completed, in order. */
  readonly stepsCompleted: readonly string[];
  /** Compensations in registration order. */
  readonly compensations: ReadonlyArray<{
    readonly step: string;
    /** Registered for a step whose outcome was unknown. */
    readonly outcomeUnknown?: boolean;
    readonly status: CompensationStatus;
    readonly error?: string;
  }>;
}

/** Failure types a saga ends a workflow with. */
export const SAGA_FAILURE_TYPES = {
  compensated: 'SagaCompensated',
  compensationFailed: 'SagaCompensationFailed',
} as const;

/** The query that reads a saga's {@link SagaState}: `await handle.query(sagaQuery())`. */
export function sagaQuery(name = 'saga'): QueryDefinition<SagaState> {
  return defineQuery<SagaState>(`temporal-resilience.saga.${name}`);
}

interface Compensation {
  step: string;
  outcomeUnknown?: boolean;
  status: CompensationStatus;
  error?: string;
  run: () => Promise<unknown>;
}

/**
 * Saga compensation for workflows: register an undo for each forward step as it completes, and on failure run them,
 * in reverse by default, in a non-cancellable scope so that cancelling the workflow still unwinds it.
 *
 * Each forward step runs under {@link step} with its name, and its compensation under `compensate:<name>`, so the
 * compensation's idempotency key is stable and derived from the forward step's.
 *
 * @example
 * ```ts
 * const saga = new Saga({ continueWithError: true });
 * const undo = proxyCompensations<typeof acts>();
 * return saga.run(async () => {
 *   const flight = await saga.step('book-flight', () => acts.bookFlight(trip), (f) => undo.cancelFlight(f!.id));
 *   const hotel = await saga.step('book-hotel', () => acts.bookHotel(trip), (h) => undo.cancelHotel(h!.id));
 *   return { flight, hotel };
 * });
 * ```
 */
export class Saga {
  private readonly compensations: Compensation[] = [];
  private readonly completed: string[] = [];
  private status: SagaState['status'] = 'running';
  private unnamed = 0;

  constructor(private readonly options: SagaOptions = {}) {
    setHandler(sagaQuery(options.name), () => this.state());
  }

  /**
   * Runs `forward` as step `name`; once it succeeds, registers `compensate(result)`. With
   * `compensateOnUnknownOutcome`, also registers it (with `undefined`) when the outcome is unknown.
   */
  async step<T>(
    name: string,
    forward: () => Promise<T>,
    compensate: (result: T | undefined) => Promise<unknown>,
    options: Pick<SagaOptions, 'compensateOnUnknownOutcome'> = {},
  ): Promise<T> {
    let result: T;
    try {
      result = await step(name, forward);
    } catch (error) {
      if (
        (options.compensateOnUnknownOutcome ?? this.options.compensateOnUnknownOutcome) &&
        isOutcomeUnknown(error)
      ) {
        this.register(name, () => compensate(undefined), true);
      }
      throw error;
    }
    this.completed.push(name);
    this.register(name, () => compensate(result));
    return result;
  }

  /** Registers a compensation by hand; `stepName` names it (and its idempotency key). */
  addCompensation(fn: () => Promise<unknown>, stepName?: string): void {
    this.register(stepName ?? `compensation#${++this.unnamed}`, fn);
  }

  /**
   * Runs the registered compensations (each once) and returns the final state. Non-cancellable: a workflow
   * cancellation does not interrupt it.
   * @throws ApplicationFailure `SagaCompensationFailed` (non-retryable, the state as detail) when any failed.
   */
  async compensate(): Promise<SagaState> {
    await CancellationScope.nonCancellable(async () => {
      this.status = 'compensating';
      const pending = this.compensations.filter((c) => c.status === 'registered').reverse();
      if (this.options.parallelCompensation) {
        await Promise.all(pending.map((c) => this.runOne(c)));
      } else {
        for (const compensation of pending) {
          const ok = await this.runOne(compensation);
          if (!ok && !this.options.continueWithError) {
            pending.filter((c) => c.status === 'registered').forEach((c) => (c.status = 'skipped'));
            break;
          }
        }
      }
      this.status = this.compensations.some((c) => c.status === 'failed')
        ? 'compensation-failed'
        : 'compensated';
    });
    const state = this.state();
    if (state.status === 'compensation-failed') {
      throw ApplicationFailure.create({
        type: SAGA_FAILURE_TYPES.compensationFailed,
        message: `Saga '${state.name}' could not undo: ${describeFailures(state)}`,
        nonRetryable: true,
        details: [state],
      });
    }
    return state;
  }

  /**
   * Runs `body`; if it throws, compensates and rethrows. A cancellation is rethrown as is (the workflow ends
   * cancelled, unwound); any other error becomes a non-retryable `SagaCompensated` (or `SagaCompensationFailed`)
   * failure carrying the saga's state as detail and the original error as cause.
   */
  async run<T>(body: () => Promise<T>): Promise<T> {
    try {
      const result = await body();
      this.status = 'completed';
      return result;
    } catch (error) {
      let compensationFailure: unknown;
      await this.compensate().catch((e: unknown) => (compensationFailure = e));
      if (isCancellation(error)) throw error;
      const state = this.state();
      throw ApplicationFailure.create({
        type: compensationFailure ? SAGA_FAILURE_TYPES.compensationFailed : SAGA_FAILURE_TYPES.compensated,
        message: compensationFailure
          ? `Saga '${state.name}' failed and could not undo: ${describeFailures(state)}`
          : `Saga '${state.name}' failed after ${state.stepsCompleted.length} step(s) and was undone`,
        nonRetryable: true,
        details: [state],
        cause: error instanceof Error ? error : undefined,
      });
    }
  }

  /** A snapshot of the saga's state (also served by its query). */
  state(): SagaState {
    return {
      name: this.options.name ?? 'saga',
      status: this.status,
      stepsCompleted: [...this.completed],
      compensations: this.compensations.map(({ step: s, status, error, outcomeUnknown }) => ({
        step: s,
        status,
        ...(outcomeUnknown ? { outcomeUnknown } : {}),
        ...(error !== undefined ? { error } : {}),
      })),
    };
  }

  private register(stepName: string, fn: () => Promise<unknown>, outcomeUnknown = false): void {
    this.compensations.push({
      step: stepName,
      status: 'registered',
      ...(outcomeUnknown ? { outcomeUnknown } : {}),
      run: () => step(compensationStepName(stepName), fn),
    });
  }

  private async runOne(compensation: Compensation): Promise<boolean> {
    compensation.status = 'running';
    try {
      await compensation.run();
      compensation.status = 'done';
      return true;
    } catch (error) {
      compensation.status = 'failed';
      compensation.error = error instanceof Error ? error.message : String(error);
      return false;
    }
  }
}

/**
 * Activity proxies with the `compensation` retry preset (up to 1,000 attempts over about a week): compensations
 * must finish. Overrides are validated like {@link activityOptions}.
 */
export function proxyCompensations<A extends object>(
  overrides: ActivityOptionsOverrides = {},
): ActivityInterfaceFor<A> {
  return proxyActivities<A>(activityOptions('compensation', overrides));
}

/** True when a step's failure leaves open whether its side effect happened. */
export function isOutcomeUnknown(error: unknown): boolean {
  if (!(error instanceof ActivityFailure)) return false;
  const cause = error.cause;
  if (cause instanceof TimeoutFailure) return true;
  if (cause instanceof ApplicationFailure) {
    const decision = cause.details?.[0] as Partial<RetryDecision> | undefined;
    return decision?.sideEffectUnknown === true || decision?.kind === 'retry';
  }
  return false;
}

function describeFailures(state: SagaState): string {
  return state.compensations
    .filter((c) => c.status === 'failed')
    .map((c) => `${c.step} (${c.error ?? 'failed'})`)
    .join(', ');
}
