import { join } from 'node:path';
import type {
  ActivityInterceptorsFactory,
  BundleOptions,
  InjectedSinks,
  BundlerPlugin,
  ReplayWorkerOptions,
  WorkerInterceptors,
  WorkerOptions,
  WorkerPlugin,
} from '@temporalio/worker';
import type { PayloadCodec } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import { EXECUTION_SINK, type ResilienceSinks } from '../src/telemetry-names';
import { AttemptStore } from './attempt-store';
import { ChainPayloadCodec } from './chain-payload-codec';
import { combineTelemetry, LogAttemptTelemetry } from './log-telemetry';
import { OpenTelemetryAttemptTelemetry } from './open-telemetry';
import { isOpenTelemetryInstalled } from './open-telemetry-api';
import { assertAfterOpenTelemetryPlugins } from './plugin-order';
import { ResilienceActivityInboundInterceptor } from './resilience-activity-inbound-interceptor';
import {
  DEFAULT_QUOTA_HOLD_MS,
  validateResilienceOptions,
  type ResilienceOptions,
} from './resilience-options';
import { GovernorRegistry } from './containment/governor-registry';
import { InMemorySpendTally, type SpendTally } from './spend-tally';
import { isSharedGovernorStore } from './containment/shared-store';
import { TenantScopeActivityInboundInterceptor } from './containment/tenant-scope';
import { watchStoreHealth } from './containment/store-health';

/**
 * Path of the workflow interceptors module, without extension so the SDK's bundler finds `.js` in the published
 * package and `.ts` in this repository.
 */
export const WORKFLOW_INTERCEPTORS_MODULE = join(__dirname, '../workflows/workflow-interceptors');

/** The interceptors and the shared state behind them, for workers configured by hand. */
export interface ResilienceInterceptors extends WorkerInterceptors {
  readonly activity: ActivityInterceptorsFactory[];
  /** The workflow interceptors module (step names for idempotency keys), for `Worker.create` and replay workers. */
  readonly workflowModules: string[];
  /** The per-tool containment shared by every activity execution of the worker. */
  readonly tools: GovernorRegistry;
  /**
   * The workflow sink through which a closing execution reports its ledger (the per-execution cost histogram): pass
   * it in `Worker.create({ sinks })`.
   */
  readonly sinks: InjectedSinks<ResilienceSinks>;
  /**
   * The codec that carries attempt chains in payload metadata, beside results and heartbeat details. Put it first in
   * the worker's `dataConverter.payloadCodecs` (the plugin does this for you).
   */
  readonly payloadCodec: ChainPayloadCodec;
  /** The worker-wide spend per workflow execution that budgets check before every attempt. */
  readonly tally: SpendTally;
}

/** State shared beyond one worker, for fleets (the defaults keep it in this worker's memory). */
export interface ResilienceSharedState {
  /**
   * Spend per workflow execution, counted by every attempt the moment it records cost.
   * @default the shared store's tally when `options.store` has one (`redisStore()` does: budgets then hold across
   * the fleet), else an {@link InMemorySpendTally}
   */
  readonly spendTally?: SpendTally;
}

/**
 * Interceptor factories for `Worker.create({ interceptors })`, for setups that do not use plugins.
 * Prefer {@link resiliencePlugin}.
 *
 * @throws {@link InvalidOptionsError} when an option is invalid, naming it.
 */
export function createResilienceInterceptors(
  options: ResilienceOptions = {},
  shared: ResilienceSharedState = {},
): ResilienceInterceptors {
  validateResilienceOptions(options);
  const store = new AttemptStore();
  const payloadCodec = new ChainPayloadCodec(store);
  const tally =
    shared.spendTally ??
    (isSharedGovernorStore(options.store) ? options.store.spendTally?.() : undefined) ??
    new InMemorySpendTally();
  const ledgerDeps = {
    store,
    tally,
    codecInstalled: () => !payloadCodec.disabled && (payloadCodec.used || codecConfigured.has(payloadCodec)),
  };
  // The telemetry reads circuit states for its gauge (only later, at collection); the registry reports changes to it.
  // OpenTelemetry only when the app has @opentelemetry/api (an optional peer); logs always.
  const openTelemetry = isOpenTelemetryInstalled()
    ? new OpenTelemetryAttemptTelemetry(
        () => tools.circuitStates(),
        // By tool key without the tenant part: a tenant never becomes a metric attribute.
        () => tools.toolStatesForMetrics(),
      )
    : undefined;
  const telemetry = combineTelemetry(...(openTelemetry ? [openTelemetry] : []), new LogAttemptTelemetry());
  const tools = new GovernorRegistry({
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.defaultToolLimits ? { defaultToolLimits: options.defaultToolLimits } : {}),
    quotaHoldMs: options.quotaHoldMs ?? DEFAULT_QUOTA_HOLD_MS,
    ...(options.maxTools !== undefined ? { maxTools: options.maxTools } : {}),
    ...(options.toolIdleMs !== undefined ? { toolIdleMs: options.toolIdleMs } : {}),
    ...(options.store ? { store: options.store } : {}),
    ...(options.expectedWorkers !== undefined ? { expectedWorkers: options.expectedWorkers } : {}),
    ...(options.tenantOf ? { tenantScoped: true } : {}),
    onStateChange: (change) => {
      telemetry.circuitChanged(change);
      Runtime.instance().logger.warn(`circuit ${change.to} for tool ${change.toolKey}`, {
        sdkComponent: 'temporal-resilience',
        ...change,
      });
      try {
        options.onStateChange?.(change);
      } catch {
        // A user's alert hook must not break the worker.
      }
    },
  });
  if (isSharedGovernorStore(options.store)) watchStoreHealth(options.store, openTelemetry !== undefined);
  const tenantOf = options.tenantOf;
  return {
    activity: [
      // Before the toolkit's own interceptor: it names the attempt's tenant for the governor registry.
      ...(tenantOf
        ? [
            (ctx: Parameters<ActivityInterceptorsFactory>[0]) => ({
              inbound: new TenantScopeActivityInboundInterceptor(ctx.info, tenantOf),
            }),
          ]
        : []),
      (ctx) => ({
        inbound: new ResilienceActivityInboundInterceptor(ctx, options, tools, telemetry, ledgerDeps),
      }),
    ],
    workflowModules: [WORKFLOW_INTERCEPTORS_MODULE],
    tools,
    sinks: {
      [EXECUTION_SINK]: {
        // Once per execution: not again when a worker replays the history.
        executionClosed: {
          fn: (info, summary) => openTelemetry?.executionClosed(info.workflowType, summary),
          callDuringReplay: false,
        },
      },
    },
    payloadCodec,
    tally,
  };
}

/** Codecs a plugin has put into a worker's options (so the interceptor may rely on them from the first attempt). */
const codecConfigured = new WeakSet<ChainPayloadCodec>();

/** The data converter with the toolkit's codec first (closest to the payload converter), added once. */
function withChainCodec<T extends { payloadCodecs?: PayloadCodec[]; payloadConverterPath?: string }>(
  dataConverter: T | undefined,
  codec: ChainPayloadCodec,
): T {
  codecConfigured.add(codec);
  // A converter of the user's own may not write JSON: the chain then stays in the worker (budgets still hold) rather
  // than risk changing how the user's values are stored.
  if (dataConverter?.payloadConverterPath !== undefined) codec.disabled = true;
  const codecs = dataConverter?.payloadCodecs ?? [];
  return { ...dataConverter, payloadCodecs: codecs.includes(codec) ? codecs : [codec, ...codecs] } as T;
}

/**
 * The worker plugin, with access to its shared state. It is also a bundler plugin: pass it to `bundleWorkflowCode`
 * when you prebuild the workflow bundle, or the bundle lacks the step-name interceptor and `idempotencyKey()` fails.
 */
export interface ResiliencePlugin extends WorkerPlugin, BundlerPlugin {
  /** The per-tool containment shared by every activity execution of the worker. */
  readonly tools: GovernorRegistry;
  /** Each tool's circuit as this worker last saw it, for health endpoints. */
  circuitStates(): ReturnType<GovernorRegistry['circuitStates']>;
  /** Each tool's containment (circuit, limit, in flight, waiting, pause, hold), for health endpoints and the CLI. */
  toolStates(): ReturnType<GovernorRegistry['toolStates']>;
}

/**
 * Registers the toolkit in a worker in one line. Options are validated now, so a bad one fails at start-up.
 *
 * One plugin instance holds one worker's shared per-tool state; give each worker its own.
 *
 * @example
 * ```ts
 * const worker = await Worker.create({ taskQueue, workflowsPath, activities, plugins: [resiliencePlugin()] });
 * ```
 * @throws {@link InvalidOptionsError} when an option is invalid, naming it.
 */
export function resiliencePlugin(options: ResilienceOptions = {}): ResiliencePlugin {
  const interceptors = createResilienceInterceptors(options);
  const plugin: ResiliencePlugin = {
    name: 'temporal-resilience',
    tools: interceptors.tools,
    circuitStates: () => interceptors.tools.circuitStates(),
    toolStates: () => interceptors.tools.toolStates(),
    configureWorker(workerOptions: WorkerOptions): WorkerOptions {
      assertAfterOpenTelemetryPlugins(workerOptions.plugins, plugin);
      return {
        ...workerOptions,
        dataConverter: withChainCodec(workerOptions.dataConverter, interceptors.payloadCodec),
        interceptors: {
          ...workerOptions.interceptors,
          activity: [...(workerOptions.interceptors?.activity ?? []), ...interceptors.activity],
          workflowModules: [
            ...(workerOptions.interceptors?.workflowModules ?? []),
            ...interceptors.workflowModules,
          ],
        },
        sinks: { ...workerOptions.sinks, ...interceptors.sinks },
      };
    },
    configureBundler(bundleOptions: BundleOptions): BundleOptions {
      return {
        ...bundleOptions,
        workflowInterceptorModules: [
          ...(bundleOptions.workflowInterceptorModules ?? []),
          ...interceptors.workflowModules.filter(
            (m) => !bundleOptions.workflowInterceptorModules?.includes(m),
          ),
        ],
      };
    },
    configureReplayWorker(replayOptions: ReplayWorkerOptions): ReplayWorkerOptions {
      return {
        ...replayOptions,
        dataConverter: withChainCodec(replayOptions.dataConverter, interceptors.payloadCodec),
        interceptors: {
          ...replayOptions.interceptors,
          workflowModules: [
            ...(replayOptions.interceptors?.workflowModules ?? []),
            ...interceptors.workflowModules,
          ],
        },
        sinks: { ...replayOptions.sinks, ...interceptors.sinks },
      };
    },
  };
  return plugin;
}
