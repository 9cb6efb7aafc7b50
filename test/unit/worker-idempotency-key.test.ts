import { describe, expect, it } from 'vitest';
import { deriveIdempotencyKey } from '../../index';
import { deriveIdempotencyKeyInWorker } from '../../interceptors/worker-idempotency-key';

// The worker hashes with node:crypto, the workflow sandbox with the portable SHA-256: a key derived in an activity
// must equal the one the workflow derived for the same step, or a provider sees two intents.
describe('the worker derives the same idempotency key as the workflow', () => {
  const steps = [
    'charge-card',
    '',
    'é',
    '日本語の手順',
    '😀 emoji',
    'x'.repeat(55),
    'y'.repeat(64),
    'z'.repeat(1000),
  ];
  it.each(steps)('step %j', (stepName) => {
    for (const scope of ['workflow', 'run'] as const) {
      const parts = { namespace: 'default', workflowId: 'order-123', runId: 'run-1', stepName, scope };
      expect(deriveIdempotencyKeyInWorker(parts)).toBe(deriveIdempotencyKey(parts));
    }
  });

  it('is the documented key', () => {
    expect(
      deriveIdempotencyKeyInWorker({
        namespace: 'default',
        workflowId: 'order-123',
        stepName: 'charge-card',
      }),
    ).toBe('GUrKZJ-QhuL-eX0_WKmnhSSIwQTLppTo');
  });
});
