import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Which ephemeral server an executable is for. */
export type ServerKind = 'time-skipping' | 'dev-server';

/** Where a server executable was found. */
export interface ResolvedExecutable {
  readonly path: string;
  /** `env` when an environment variable named it, `path` when found on PATH. */
  readonly source: 'env' | 'path';
}

/** The environment variable and command name for each kind of server. */
export const SERVER_EXECUTABLES: Readonly<Record<ServerKind, { envVar: string; command: string }>> = {
  'time-skipping': { envVar: 'TEMPORAL_TEST_SERVER_PATH', command: 'temporal-test-server' },
  'dev-server': { envVar: 'TEMPORAL_CLI_PATH', command: 'temporal' },
};

/** Result of {@link resolveServerExecutable}: a path, or why each step found nothing. */
export type ResolveResult =
  | { readonly found: ResolvedExecutable }
  | { readonly found: undefined; readonly attempts: readonly string[] };

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds an existing server executable: first the environment variable (`TEMPORAL_TEST_SERVER_PATH` or
 * `TEMPORAL_CLI_PATH`), then the command on `PATH`.
 *
 * An environment variable that names a missing or non-executable file is reported, not skipped: a typo there
 * would otherwise silently fall through to a different binary or to a download.
 */
export function resolveServerExecutable(
  kind: ServerKind,
  env: NodeJS.ProcessEnv = process.env,
): ResolveResult {
  const { envVar, command } = SERVER_EXECUTABLES[kind];
  const attempts: string[] = [];
  const fromEnv = env[envVar];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (isExecutableFile(fromEnv)) return { found: { path: fromEnv, source: 'env' } };
    attempts.push(`${envVar}=${fromEnv} is not an executable file`);
    return { found: undefined, attempts };
  }
  attempts.push(`${envVar} is not set`);
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return { found: { path: candidate, source: 'path' } };
  }
  attempts.push(`'${command}' is not on PATH`);
  return { found: undefined, attempts };
}
