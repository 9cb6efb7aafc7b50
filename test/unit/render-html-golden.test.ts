import { describe, expect, it } from 'vitest';
import { renderHtml, type InspectReport } from '../../src';
import { at, completedStep as step, toolkitAttempt as attempt } from '../helpers/inspect-reports';

// The whole page `inspect --html` writes, pinned for two realistic executions: one with toolkit records (retries with
// chosen and observed delays, a lost attempt, a budget refusal, a pending step, compensations, costs, text that must
// be escaped), and one drawn from history events alone (inferred, dashed attempts). The golden files are the
// specification of what an operator attaches to an incident ticket: every bar's place and colour, every label, every
// table cell. Read a diff of them before accepting it.

const toolkitReport: InspectReport = {
  schemaVersion: 1,
  workflowId: 'order-<1>',
  runId: 'run-1',
  workflowType: 'checkout',
  status: 'completed',
  startedAt: at(0),
  closedAt: at(8_800),
  toolkit: true,
  costUsd: 0.4567,
  steps: [
    step({
      step: 'charge-card',
      activityType: 'chargeCard',
      activityId: '7',
      idempotencyKey: 'KEY-<1>&',
      keyStable: true,
      closedAt: at(3_000),
      verdict: 'delayed-retry',
      explanation: 'completed on attempt 3; every retry waited its delay',
      costUsd: 0.129,
      attempts: [
        attempt({
          attempt: 1,
          outcome: 'failed',
          startedAt: at(0),
          finishedAt: at(500),
          kind: 'retry',
          reason: 'http-503',
          failureType: 'TransientFailure',
          policyDelayMs: 1_000,
          observedDelayMs: 1_000,
          nextNotBefore: at(1_500),
          idempotencyKey: 'KEY-<1>&',
          costUsd: 0.125,
        }),
        attempt({
          attempt: 2,
          outcome: 'failed',
          startedAt: at(1_500),
          finishedAt: at(1_800),
          kind: 'wait',
          reason: 'retry-after',
          observedDelayMs: 700,
          idempotencyKey: 'KEY-<1>&',
          costUsd: 0.004,
        }),
        attempt({
          attempt: 3,
          outcome: 'completed',
          startedAt: at(2_500),
          finishedAt: at(3_000),
          idempotencyKey: 'KEY-<1>&',
        }),
      ],
    }),
    step({
      step: 'send-email',
      activityType: 'sendEmail',
      activityId: '8',
      keyStable: false,
      scheduledAt: at(1_000),
      closedAt: at(4_000),
      verdict: 'duplicate-dispatch',
      explanation: 'sent twice: "attempt 1" never recorded an end',
      attempts: [
        attempt({ attempt: 1, outcome: 'lost', startedAt: at(1_000) }),
        attempt({ attempt: 2, outcome: 'completed', startedAt: at(2_000), finishedAt: at(2_200) }),
        attempt({ attempt: 3, outcome: 'lost', startedAt: at(3_000) }),
      ],
    }),
    step({
      step: 'a-step-name-of-exactly-34-chars-ok',
      activityId: '9',
      scheduledAt: at(4_000),
      closedAt: at(4_600),
      outcome: 'failed',
      verdict: 'lease-overlap',
      explanation: 'moved to the next route',
      attempts: [
        attempt({
          attempt: 1,
          outcome: 'refused',
          startedAt: at(4_000),
          finishedAt: at(4_000),
          failureType: 'BudgetExceeded',
          costUsd: 0,
        }),
        attempt({
          attempt: 2,
          outcome: 'refused',
          startedAt: at(4_100),
          finishedAt: at(4_100),
          reason: 'circuit-open',
        }),
        attempt({ attempt: 3, outcome: 'failed', startedAt: at(4_200), finishedAt: at(4_300) }),
        attempt({
          attempt: 4,
          outcome: 'failed',
          startedAt: at(4_300),
          finishedAt: at(4_400),
          kind: 'weird',
        }),
        attempt({ attempt: 5, outcome: 'unknown', startedAt: at(4_500), finishedAt: at(4_600) }),
      ],
    }),
    step({
      step: 'a-step-name-longer-than-34-characters',
      activityId: '10',
      scheduledAt: at(5_000),
      closedAt: at(5_100),
      outcome: 'failed',
      verdict: 'terminal-policy-failure',
      explanation: 'STOP: the input is invalid',
      attempts: [
        attempt({
          attempt: 1,
          outcome: 'failed',
          startedAt: at(5_000),
          finishedAt: at(5_100),
          kind: 'stop',
          reason: 'invalid <input>',
          failureType: 'NonRetryable',
        }),
      ],
    }),
    step({
      step: 'poll',
      activityId: '11',
      scheduledAt: at(6_000),
      outcome: 'pending',
      verdict: 'pending',
      explanation: 'attempt 2 running',
      nextAttemptAt: at(12_000),
      attempts: [
        attempt({
          attempt: 1,
          outcome: 'failed',
          startedAt: at(6_000),
          finishedAt: at(6_500),
          kind: 'cap',
          policyDelayMs: 500,
          nextNotBefore: 'not-a-date',
        }),
        attempt({ attempt: 2, outcome: 'running', startedAt: at(7_000) }),
      ],
    }),
  ],
  compensations: [
    step({
      step: 'compensate:charge-card',
      activityType: 'refund',
      activityId: '12',
      scheduledAt: at(7_500),
      closedAt: at(8_000),
      explanation: 'refunded',
      attempts: [attempt({ attempt: 1, outcome: 'completed', startedAt: at(7_500), finishedAt: at(8_000) })],
    }),
    step({
      step: 'compensate:send-email',
      activityType: 'unsend',
      activityId: '13',
      scheduledAt: at(8_000),
      closedAt: at(8_600),
      outcome: 'failed',
      verdict: 'circuit-open-fast-fail',
      explanation: "the mail provider's circuit is open",
      attempts: [
        attempt({
          attempt: 1,
          outcome: 'failed',
          startedAt: at(8_000),
          finishedAt: at(8_600),
          kind: 'fail',
          reason: 'circuit-open',
        }),
      ],
    }),
  ],
};

const historyReport: InspectReport = {
  schemaVersion: 1,
  workflowId: 'legacy-1',
  runId: 'run-2',
  workflowType: 'legacyFlow',
  status: 'running',
  startedAt: at(0),
  toolkit: false,
  steps: [
    step({
      step: 'call#1',
      closedAt: at(3_000),
      verdict: 'delayed-retry',
      explanation: 'completed on attempt 3',
      attempts: [
        attempt({ attempt: 1, outcome: 'unknown', source: 'history' }),
        attempt({ attempt: 2, outcome: 'unknown', source: 'history' }),
        attempt({
          attempt: 3,
          outcome: 'completed',
          startedAt: at(2_000),
          finishedAt: at(3_000),
          source: 'history',
        }),
      ],
    }),
    step({
      step: 'call#2',
      activityId: '2',
      scheduledAt: at(3_000),
      closedAt: at(5_000),
      outcome: 'failed',
      verdict: 'immediate-retry',
      explanation: 'failed on attempt 2',
      attempts: [
        attempt({ attempt: 1, outcome: 'failed', source: 'history' }),
        attempt({ attempt: 2, outcome: 'failed', source: 'history' }),
      ],
    }),
    step({
      step: 'call#3',
      activityId: '3',
      scheduledAt: at(6_000),
      outcome: 'pending',
      verdict: 'pending',
      explanation: 'attempt 1 pending',
      attempts: [attempt({ attempt: 1, outcome: 'running', source: 'history' })],
    }),
  ],
  compensations: [],
};

describe('renderHtml, whole page', () => {
  it('an execution with toolkit records', async () => {
    await expect(renderHtml(toolkitReport)).toMatchFileSnapshot('./__golden__/render-html-toolkit.html');
  });

  it('an execution drawn from its history alone', async () => {
    await expect(renderHtml(historyReport)).toMatchFileSnapshot('./__golden__/render-html-history.html');
  });
});
