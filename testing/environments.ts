import {
  TestWorkflowEnvironment,
  type LocalTestWorkflowEnvironmentOptions,
  type TimeSkippingTestWorkflowEnvironmentOptions,
} from '@temporalio/testing';
import { TemporalServerNotFoundError } from './server-not-found-error';
import { resolveServerExecutable, SERVER_EXECUTABLES, type ServerKind } from './server-binaries';

/** Options shared by {@link createTimeSkippingEnv} and {@link createDevServerEnv}. */
export interface ServerResolutionOptions {
  /**
   * How long the SDK's own download (the last resort) may take before giving up with a
   * {@link TemporalServerNotFoundError}. Without it an unreachable network could leave a test run hanging.
   * @default 60_000
   */
  readonly downloadTimeoutMs?: number;
  /** Environment to read `TEMPORAL_TEST_SERVER_PATH` / `TEMPORAL_CLI_PATH` and `PATH` from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Options for {@link createTimeSkippingEnv}: the SDK's own, plus {@link ServerResolutionOptions}. */
export type TimeSkippingEnvOptions = TimeSkippingTestWorkflowEnvironmentOptions & ServerResolutionOptions;
/** Options for {@link createDevServerEnv}: the SDK's own, plus {@link ServerResolutionOptions}. */
export type DevServerEnvOptions = LocalTestWorkflowEnvironmentOptions & ServerResolutionOptions;

const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * Starts the real Temporal time-skipping test server, preferring an executable already on this machine.
 *
 * Resolution order: `TEMPORAL_TEST_SERVER_PATH`, then `temporal-test-server` on PATH, then the SDK's download.
 * An explicit `server.executable` in the options is used as given.
 *
 * @example
 * ```ts
 * const env = await createTimeSkippingEnv();
 * try { ... env.client.workflow.execute(...) ... } finally { await env.teardown(); }
 * ```
 * @throws {@link TemporalServerNotFoundError} when nothing is found and the download fails.
 */
export async function createTimeSkippingEnv(
  options: TimeSkippingEnvOptions = {},
): Promise<TestWorkflowEnvironment> {
  const { downloadTimeoutMs, env, ...sdkOptions } = options;
  return start('time-skipping', sdkOptions.server?.executable, { downloadTimeoutMs, env }, (executable) =>
    TestWorkflowEnvironment.createTimeSkipping({
      ...sdkOptions,
      server: { ...sdkOptions.server, executable },
    }),
  );
}

/**
 * Starts the real Temporal CLI dev server (`temporal server start-dev`), preferring an executable already on this
 * machine. Use it where time skipping does not fit: server restarts, benchmarks, real wall-clock behaviour.
 *
 * Resolution order: `TEMPORAL_CLI_PATH`, then `temporal` on PATH, then the SDK's download.
 *
 * @example
 * ```ts
 * const env = await createDevServerEnv({ server: { dbFilename: '/tmp/temporal.db' } });
 * ```
 * @throws {@link TemporalServerNotFoundError} when nothing is found and the download fails.
 */
export async function createDevServerEnv(
  options: DevServerEnvOptions = {},
): Promise<TestWorkflowEnvironment> {
  const { downloadTimeoutMs, env, ...sdkOptions } = options;
  return start('dev-server', sdkOptions.server?.executable, { downloadTimeoutMs, env }, (executable) =>
    TestWorkflowEnvironment.createLocal({
      ...sdkOptions,
      server: { ...sdkOptions.server, executable },
    }),
  );
}

type Executable = NonNullable<NonNullable<TimeSkippingEnvOptions['server']>['executable']>;

async function start(
  kind: ServerKind,
  explicit: Executable | undefined,
  resolution: ServerResolutionOptions,
  create: (executable: Executable) => Promise<TestWorkflowEnvironment>,
): Promise<TestWorkflowEnvironment> {
  if (explicit !== undefined) return create(explicit);
  const resolved = resolveServerExecutable(kind, resolution.env);
  if (resolved.found) return create({ type: 'existing-path', path: resolved.found.path });

  const envVar = SERVER_EXECUTABLES[kind].envVar;
  if ((resolution.env ?? process.env)[envVar]) {
    // The user pointed at a binary that is not there: downloading another one would hide the mistake.
    throw new TemporalServerNotFoundError(kind, resolved.attempts);
  }
  const timeoutMs = resolution.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const download = create({ type: 'cached-download' });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the SDK's download did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([download, timeout]);
  } catch (cause) {
    // If the download completes after we gave up, stop the server it started instead of leaking it.
    download.then((late) => late.teardown()).catch(() => undefined);
    const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new TemporalServerNotFoundError(kind, [...resolved.attempts, `SDK download failed: ${why}`], {
      cause,
    });
  } finally {
    clearTimeout(timer);
  }
}
