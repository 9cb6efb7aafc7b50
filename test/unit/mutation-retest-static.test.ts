// `npm run test:mutation` forgets surviving static mutants before Stryker's incremental run, because Stryker would
// otherwise keep their verdict however many tests were written to kill them (no test can cover a static mutant).
import { describe, expect, it } from 'vitest';
import { forgetStaleStaticVerdicts, type IncrementalReport } from '../../scripts/mutation-retest-static';

describe('forgetStaleStaticVerdicts', () => {
  it('removes static survivors and static mutants without coverage, and keeps every other verdict', () => {
    const report: IncrementalReport = {
      files: {
        'src/a.ts': {
          mutants: [
            { static: true, status: 'Survived' },
            { static: true, status: 'NoCoverage' },
            { static: true, status: 'Killed' },
            { static: true, status: 'Timeout' },
            { static: true, status: 'CompileError' },
            { static: false, status: 'Survived' },
            { status: 'NoCoverage' },
          ],
        },
        'src/b.ts': { mutants: [{ static: true, status: 'Survived' }] },
      },
    };
    expect(forgetStaleStaticVerdicts(report)).toBe(3);
    expect(report.files['src/a.ts']!.mutants).toEqual([
      { static: true, status: 'Killed' },
      { static: true, status: 'Timeout' },
      { static: true, status: 'CompileError' },
      { static: false, status: 'Survived' },
      { status: 'NoCoverage' },
    ]);
    expect(report.files['src/b.ts']!.mutants).toEqual([]);
  });
});
