import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const ROOT = join(__dirname, '../..');

/**
 * `npm ci` refuses a lockfile that misses any package a locked package depends on, optional platform binaries
 * included (`@swc/core-darwin-arm64` on Linux, say): a registry that does not serve them leaves them out when the
 * lockfile is written. This finds such holes without installing anything.
 */
export function missingFromLockfile(packages: Record<string, LockedPackage>): string[] {
  const missing: string[] = [];
  for (const [path, pkg] of Object.entries(packages)) {
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      // Node's lookup: the package's own node_modules, then each enclosing one, up to the root's.
      let dir = path;
      let found = false;
      for (;;) {
        if (packages[`${dir === '' ? '' : `${dir}/`}node_modules/${name}`]) {
          found = true;
          break;
        }
        if (dir === '') break;
        const at = dir.lastIndexOf('/node_modules/');
        dir = at < 0 ? '' : dir.slice(0, at);
      }
      if (!found) missing.push(`${name} (needed by ${path || 'the root package'})`);
    }
  }
  return missing;
}

describe('package-lock.json', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockedPackage>;
  };

  it('locks every dependency and optional binary, so `npm ci` accepts it', () => {
    expect(missingFromLockfile(lock.packages)).toEqual([]);
  });

  it('finds a missing optional binary (the check can fail)', () => {
    expect(
      missingFromLockfile({
        '': { dependencies: { '@swc/core': '1' } },
        'node_modules/@swc/core': { optionalDependencies: { '@swc/core-darwin-arm64': '1' } },
      }),
    ).toEqual(['@swc/core-darwin-arm64 (needed by node_modules/@swc/core)']);
  });
});
