/**
 * Runs before every `npm run test:mutation`: forgets the surviving *static* mutants in Stryker's incremental file, so
 * that Stryker tests them again.
 *
 * Why: a static mutant is one that runs when its module loads (a constant, a table, a regular expression), so no test
 * "covers" it in Stryker's per-test coverage. Stryker's incremental mode reuses a surviving mutant's verdict unless a
 * new test covers it, and a new test can never cover a static mutant. So a survivor of this kind kept its "Survived"
 * verdict however many tests were written to kill it. Killed, timed-out and non-compiling mutants are kept: a new test
 * cannot make them worse. (A static mutant that timed out only because the machine was loaded keeps that verdict too;
 * delete the incremental file for a clean run.)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Stryker's incremental file, as set in stryker.config.mjs (`incrementalFile`). */
export const INCREMENTAL_FILE = 'reports/mutation/stryker-incremental.json';

/** The verdicts a new test could change, and so the ones never to reuse for a static mutant. */
const STALE_WHEN_STATIC = new Set(['Survived', 'NoCoverage']);

/** The part of Stryker's incremental report (the mutation-testing-report schema) this script reads. */
export interface IncrementalReport {
  files: Record<string, { mutants: { static?: boolean; status: string }[] }>;
}

/**
 * Removes every static mutant that survived or had no coverage from `report` (in place), so Stryker's next incremental
 * run tests it as a new mutant. Returns how many were removed.
 */
export function forgetStaleStaticVerdicts(report: IncrementalReport): number {
  let forgotten = 0;
  for (const file of Object.values(report.files)) {
    const kept = file.mutants.filter(
      (mutant) => !(mutant.static === true && STALE_WHEN_STATIC.has(mutant.status)),
    );
    forgotten += file.mutants.length - kept.length;
    file.mutants = kept;
  }
  return forgotten;
}

// Nothing to do before the first run: it tests every mutant anyway.
if (require.main === module && existsSync(INCREMENTAL_FILE)) {
  const report = JSON.parse(readFileSync(INCREMENTAL_FILE, 'utf8')) as IncrementalReport;
  const forgotten = forgetStaleStaticVerdicts(report);
  writeFileSync(INCREMENTAL_FILE, JSON.stringify(report));
  console.log(
    `[test:mutation] ${forgotten} surviving static mutant(s) will be tested again (${INCREMENTAL_FILE})`,
  );
}
