import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { resiliencePlugin } from '../../index';
import { EXAMPLE_WORKFLOWS_PATH } from '../helpers/worker';

// Histories recorded on the real test server by scripts/record-replay-histories.ts.
const history = (file: string) =>
  historyFromJSON(JSON.parse(readFileSync(join(__dirname, '../replay', file), 'utf8')));

describe('replaying recorded histories with the toolkit registered', () => {
  it.each([
    ['trip-booking-saga.json', 'replay-tripBookingWorkflow'],
    ['prospect-outreach.json', 'replay-prospectOutreachWorkflow'],
  ])('%s replays without nondeterminism', async (file, workflowId) => {
    await Worker.runReplayHistory(
      { workflowsPath: EXAMPLE_WORKFLOWS_PATH, plugins: [resiliencePlugin()] },
      history(file),
      workflowId,
    );
  });

  it('detects a changed workflow (the check can fail)', async () => {
    await expect(
      Worker.runReplayHistory(
        {
          workflowsPath: join(__dirname, '../fixtures/trip-booking-reordered.ts'),
          plugins: [resiliencePlugin()],
        },
        history('trip-booking-saga.json'),
        'replay-tripBookingWorkflow',
      ),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
