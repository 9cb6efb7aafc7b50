import { describe, expect, it } from 'vitest';
import { renderHtml, renderText, type AttemptReport, type InspectReport, type StepReport } from '../../src';

// The two renderings of an inspect report, asserted on fixed reports: every line of the text, and the timeline's
// geometry (where each bar starts, how wide it is, which colour, what the gaps say).

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T0 + ms).toISOString();

const attempt = (a: Partial<AttemptReport> & Pick<AttemptReport, 'attempt' | 'outcome'>): AttemptReport => ({
  source: 'toolkit',
  ...a,
});

const charge: StepReport = {
  step: 'charge-card',
  activityType: 'chargeCard',
  activityId: '7',
  idempotencyKey: 'KEY',
  keyStable: true,
  scheduledAt: at(0),
  closedAt: at(3_500),
  outcome: 'completed',
  verdict: 'delayed-retry',
  explanation: 'completed on attempt 2; every retry waited its delay',
  attempts: [
    attempt({
      attempt: 1,
      outcome: 'failed',
      startedAt: at(0),
      finishedAt: at(1_000),
      kind: 'retry',
      reason: 'http-503',
      failureType: 'TransientFailure',
      policyDelayMs: 2_000,
      observedDelayMs: 2_000,
      costUsd: 0.125,
    }),
    attempt({ attempt: 2, outcome: 'completed', startedAt: at(3_000), finishedAt: at(3_500) }),
  ],
};
const undo: StepReport = {
  step: 'compensate:charge-card',
  activityType: 'refund',
  activityId: '9',
  scheduledAt: at(5_000),
  outcome: 'pending',
  verdict: 'pending',
  explanation: 'attempt 1 pending',
  nextAttemptAt: at(9_000),
  attempts: [attempt({ attempt: 1, outcome: 'running', startedAt: at(5_000) })],
};
const report: InspectReport = {
  schemaVersion: 1,
  workflowId: 'order-1',
  runId: 'run-1',
  workflowType: 'checkout',
  status: 'completed',
  startedAt: at(0),
  closedAt: at(10_000),
  toolkit: true,
  steps: [charge],
  compensations: [undo],
};

describe('renderText', () => {
  it('prints every step, attempt and compensation', () => {
    expect(renderText(report).split('\n')).toEqual([
      'checkout order-1 (run run-1): completed',
      `  started ${at(0)}, closed ${at(10_000)}`,
      '',
      'Steps',
      '  charge-card (chargeCard, activity 7): completed, 2 attempt(s) -> delayed-retry',
      '    completed on attempt 2; every retry waited its delay',
      '    idempotency key KEY: stable',
      `    #1 failed | ${at(0)} .. ${at(1_000)} | RETRY http-503 | policy delay 2000 ms | observed 2000 ms | $0.13`,
      `    #2 completed | ${at(3_000)} .. ${at(3_500)}`,
      '',
      'Compensations',
      '  compensate:charge-card (refund, activity 9): pending, 1 attempt(s) -> pending',
      '    attempt 1 pending',
      `    next attempt at ${at(9_000)}`,
      `    #1 running | ${at(5_000)}`,
      '',
    ]);
  });

  it('says when attempts were inferred, a key changed, or a kind came without a reason', () => {
    const lines = renderText({
      ...report,
      closedAt: undefined,
      toolkit: false,
      steps: [
        {
          ...charge,
          keyStable: false,
          idempotencyKey: undefined,
          attempts: [
            attempt({ attempt: 1, outcome: 'failed', kind: 'cap' }),
            attempt({ attempt: 2, outcome: 'unknown' }),
          ],
        },
      ],
      compensations: [],
    }).split('\n');
    expect(lines).toEqual([
      'checkout order-1 (run run-1): completed',
      `  started ${at(0)}; no toolkit attempt records: attempts inferred from timings`,
      '',
      'Steps',
      '  charge-card (chargeCard, activity 7): completed, 2 attempt(s) -> delayed-retry',
      '    completed on attempt 2; every retry waited its delay',
      '    idempotency key -: CHANGED between attempts',
      '    #1 failed | CAP',
      '    #2 unknown',
      '',
    ]);
  });
});

describe('renderHtml', () => {
  // The timeline's layout (a time axis, labels under the bars, a table per step) is checked in headless Chromium by
  // test/integration/inspect.test.ts and inspect-fleet.test.ts; the pixel positions of the first layout are gone.
  it('escapes what comes from the history', () => {
    const evil = `<img src=x onerror="alert('x')">&`;
    const html = renderHtml({
      ...report,
      workflowId: evil,
      workflowType: evil,
      runId: evil,
      status: evil,
      steps: [{ ...charge, step: evil, verdict: 'ok' }],
      compensations: [],
    });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;');
  });
});
