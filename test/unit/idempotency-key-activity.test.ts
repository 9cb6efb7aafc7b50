import { describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { idempotencyKey, isIdempotencyKeyUnavailableError } from '../../activities';
import { createResilienceInterceptors, deriveIdempotencyKey, HEADERS } from '../../index';

const info = { workflowExecution: { workflowId: 'order-7', runId: 'run-1' }, activityType: 'chargeCard' };

describe('idempotencyKey()', () => {
  it('says how to fix it when called outside an activity', () => {
    expect(() => idempotencyKey()).toThrow(/outside an activity/);
    try {
      idempotencyKey();
    } catch (e) {
      expect(isIdempotencyKeyUnavailableError(e)).toBe(true);
    }
  });

  it('says how to register the toolkit when the activity runs without it', async () => {
    const env = new MockActivityEnvironment(info);
    await expect(env.run(async () => idempotencyKey())).rejects.toThrow(/plugins: \[resiliencePlugin\(\)\]/);
  });

  it('returns the key derived from the step header, in workflow or run scope', async () => {
    // Stands in for the workflow interceptor: puts the step header on the activity task.
    const sendStep: ActivityInterceptorsFactory = () => ({
      inbound: {
        execute: (input, next) =>
          next({ ...input, headers: { [HEADERS.step]: defaultPayloadConverter.toPayload('charge-card') } }),
      },
    });
    for (const scope of ['workflow', 'run'] as const) {
      const { activity } = createResilienceInterceptors({ idempotencyScope: scope });
      const env = new MockActivityEnvironment(
        { ...info, namespace: 'default' },
        { interceptors: [sendStep, ...activity] },
      );
      // The result is the activity's own (the attempt chain travels beside it, in payload metadata).
      const key = await env.run(async () => idempotencyKey());
      expect(key).toBe(
        deriveIdempotencyKey({
          namespace: 'default',
          workflowId: 'order-7',
          runId: 'run-1',
          stepName: 'charge-card',
          scope,
        }),
      );
    }
  });
});
