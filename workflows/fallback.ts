/**
 * @module temporal-resilience/workflows/fallback
 *
 * Fallback routing for a workflow step. Runs in the workflow sandbox: deterministic, no Node APIs.
 */
import { ActivityFailure, ApplicationFailure, AsyncLocalStorage } from '@temporalio/workflow';
import { InvalidOptionsError } from '../src/errors/invalid-options-error';
import { FAILURE_TYPES } from '../src/failure-types';
import type { RouteHeader } from '../src/headers';
import { currentStepName, step } from './step';
import { currentLedger } from './workflow-ledger';

/** One way to do the step: a provider, a model, an API key. */
export interface FallbackRoute {
  /** Unique name of the route, recorded on every attempt made on it (`openai`, `anthropic:sonnet`, `key-2`). */
  readonly name: string;
  /**
   * The tool key its attempts are governed by in the worker: its own circuit, pacing and quota hold. Ignored where
   * the worker's `toolKey` option decides.
   * @default the route's `name`
   */
  readonly toolKey?: string;
  /**
   * The route's share of the workflow's budget, in USD: once attempts on this route have cost this much (from the
   * workflow's attempt records), the route is skipped. The workflow's own budget (`setBudget`) still spans all routes.
   * @default no share: only the workflow's budget applies
   */
  readonly budgetUsd?: number;
}

/** Options of {@link withFallback}. */
export interface FallbackOptions {
  /**
   * Failure types (`ApplicationFailure.type`) that move the step to the next route.
   * @default [FAILURE_TYPES.stop, FAILURE_TYPES.circuitOpen, FAILURE_TYPES.budgetExceeded]
   */
  readonly moveOn?: readonly string[];
  /** Called (deterministically, in workflow code) each time the step leaves a route. */
  readonly onReroute?: (move: Reroute) => void;
}

/** One move from a route to the next. */
export interface Reroute {
  readonly from: string;
  readonly to: string | undefined;
  /** The failure type that caused it, or `RouteBudgetShareSpent` for a route skipped for its spent share. */
  readonly failureType: string;
}

/** The failure type recorded for a route skipped because its budget share is spent. */
export const ROUTE_BUDGET_SHARE_SPENT = 'RouteBudgetShareSpent';

const DEFAULT_MOVE_ON: readonly string[] = [
  FAILURE_TYPES.stop,
  FAILURE_TYPES.circuitOpen,
  FAILURE_TYPES.budgetExceeded,
];

const routeStorage = new AsyncLocalStorage<RouteHeader>();

/**
 * Runs a step against an ordered list of routes: the first route first; when it fails with a STOP
 * (`QuotaExhausted`), an open circuit (`CircuitOpen`) or a spent budget (`BudgetExceeded`), the next route at once.
 * Any other failure ends the step as it would without fallback. Returns what `fn` returned on the route that
 * succeeded.
 *
 * Every activity `fn` schedules carries a route header: the worker governs its attempts by the route's tool key
 * (own circuit, limits, quota hold) and, while a later route exists, fails a STOP or an open-circuit refusal
 * non-retryably, so the workflow moves on without waiting for the server's retries. Attempt records and decisions
 * carry the route's name, and `inspect` marks the step `rerouted`. Inside a `step`, each route gets its own step
 * name (`summarize@openai`), hence its own idempotency key: a different provider is a different call.
 *
 * @example
 * ```ts
 * const answer = await withFallback(
 *   [{ name: 'openai', toolKey: 'llm:openai' }, { name: 'anthropic', toolKey: 'llm:anthropic' }],
 *   (route) => acts.chat(route.name, prompt),
 * );
 * ```
 */
export async function withFallback<T>(
  routes: readonly FallbackRoute[],
  fn: (route: FallbackRoute, index: number) => Promise<T>,
  options: FallbackOptions = {},
): Promise<T> {
  validateRoutes(routes);
  const moveOn = options.moveOn ?? DEFAULT_MOVE_ON;
  const baseStep = currentStepName();
  let lastError: unknown;
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index]!;
    const next = routes[index + 1]?.name;
    if (route.budgetUsd !== undefined && spentOnRoute(route.name) >= route.budgetUsd) {
      options.onReroute?.({ from: route.name, to: next, failureType: ROUTE_BUDGET_SHARE_SPENT });
      lastError ??= ApplicationFailure.create({
        type: FAILURE_TYPES.budgetExceeded,
        message: `the budget share of route ${route.name} ($${route.budgetUsd.toFixed(2)}) is spent`,
        nonRetryable: true,
      });
      continue;
    }
    const header: RouteHeader = {
      route: route.name,
      toolKey: route.toolKey ?? route.name,
      index,
      fallback: index < routes.length - 1,
    };
    const run = () => routeStorage.run(header, () => fn(route, index));
    try {
      return await (baseStep === undefined ? run() : step(`${baseStep}@${route.name}`, run));
    } catch (error) {
      const type = failureTypeOf(error);
      if (type === undefined || !moveOn.includes(type)) throw error;
      lastError = error;
      options.onReroute?.({ from: route.name, to: next, failureType: type });
    }
  }
  throw lastError;
}

/** The route of the activity being scheduled now, for the workflow interceptor's route header. */
export function currentRoute(): RouteHeader | undefined {
  return routeStorage.getStore();
}

/** USD spent by attempts recorded on a route in this workflow execution. */
function spentOnRoute(name: string): number {
  return currentLedger()
    .attempts()
    .filter((r) => r.route === name)
    .reduce((sum, r) => sum + (r.cost?.usd ?? 0), 0);
}

/** The `ApplicationFailure.type` behind an activity failure (or a failure thrown directly). */
function failureTypeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current; depth++) {
    if (current instanceof ApplicationFailure) return current.type ?? undefined;
    if (!(current instanceof ActivityFailure) && !(current instanceof Error)) return undefined;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function validateRoutes(routes: readonly FallbackRoute[]): void {
  if (!Array.isArray(routes) || routes.length === 0) {
    throw new InvalidOptionsError('routes', 'give at least one route, e.g. [{ name: "openai" }]', routes);
  }
  const names = new Set<string>();
  routes.forEach((route, i) => {
    const name = (route as Partial<FallbackRoute> | undefined)?.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new InvalidOptionsError(`routes[${i}].name`, 'must be a non-empty string naming the route', name);
    }
    if (names.has(name)) {
      throw new InvalidOptionsError(`routes[${i}].name`, 'must be unique: two routes share this name', name);
    }
    names.add(name);
    if (route.toolKey !== undefined && (typeof route.toolKey !== 'string' || route.toolKey === '')) {
      throw new InvalidOptionsError(
        `routes[${i}].toolKey`,
        'must be a non-empty string, or left out',
        route.toolKey,
      );
    }
    if (route.budgetUsd !== undefined && !(Number.isFinite(route.budgetUsd) && route.budgetUsd >= 0)) {
      throw new InvalidOptionsError(
        `routes[${i}].budgetUsd`,
        'must be a finite number of USD ≥ 0, or left out',
        route.budgetUsd,
      );
    }
  });
}
