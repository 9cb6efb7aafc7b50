import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resilientFetch } from '../../activities';
import { runWithAttemptContext } from '../../activities/attempt-context';
import { compensationStepName, deriveIdempotencyKey } from '../../index';
import { FakeProvider } from '../../testing';

// The step name is what makes one business intent's key differ from another's, and the Idempotency-Key header is how
// the provider learns it. Each is pinned here by several independent assertions.

/** The documented derivation, written again with node:crypto: SHA-256 of the length-prefixed fields, base64url, 32 chars. */
function specKey(fields: string[]): string {
  const material = fields.map((f) => `${f.length}:${f}`).join('|');
  return createHash('sha256').update(material, 'utf8').digest('base64url').slice(0, 32);
}

describe('the step name in the idempotency key', () => {
  const parts = { namespace: 'default', workflowId: 'order-123' };

  it('is the documented derivation, stable across releases', () => {
    const key = deriveIdempotencyKey({ ...parts, stepName: 'charge-card' });
    expect(key).toBe(specKey(['temporal-resilience/v1', 'workflow', 'default', 'order-123', 'charge-card']));
    // A change here changes the key an in-flight workflow sends after an upgrade: a duplicate charge.
    expect(key).toBe('GUrKZJ-QhuL-eX0_WKmnhSSIwQTLppTo');
    expect(deriveIdempotencyKey({ ...parts, stepName: 'charge-card', scope: 'run', runId: 'r1' })).toBe(
      specKey(['temporal-resilience/v1', 'run', 'default', 'order-123', 'charge-card', 'r1']),
    );
  });

  it.each([
    ['charge-card', 'refund-card'],
    ['chat#1', 'chat#2'],
    ['book-flight', compensationStepName('book-flight')],
    ['a', ''],
    ['Charge-Card', 'charge-card'],
  ])('%j and %j give different keys', (a, b) => {
    expect(deriveIdempotencyKey({ ...parts, stepName: a })).not.toBe(
      deriveIdempotencyKey({ ...parts, stepName: b }),
    );
  });

  it('each of 200 steps of one workflow gets its own key', () => {
    const keys = new Set(
      Array.from({ length: 200 }, (_, i) => deriveIdempotencyKey({ ...parts, stepName: `step-${i}` })),
    );
    expect(keys.size).toBe(200);
  });

  it("a compensation's step name derives from its forward step's", () => {
    expect(compensationStepName('book-hotel')).toBe('compensate:book-hotel');
  });
});

describe('the Idempotency-Key header', () => {
  let provider: FakeProvider;
  beforeAll(async () => {
    provider = await FakeProvider.start();
    provider.route('/charge', { then: { status: 201, body: { id: 'ch_1' } } });
  });
  afterAll(() => provider.close());

  const keyHeaders = (from: number) =>
    provider
      .requests('/charge')
      .slice(from)
      .map((r) => r.headers['idempotency-key']);

  it("carries the current step's key on every call of the attempt, by default", async () => {
    const before = provider.requests('/charge').length;
    const key = deriveIdempotencyKey({
      namespace: 'default',
      workflowId: 'order-9',
      stepName: 'charge-card',
    });
    await runWithAttemptContext(
      { toolKey: 'charge', stepName: 'charge-card', idempotencyKey: key },
      async () => {
        await resilientFetch(provider.url('/charge'), { method: 'POST', body: '{}' });
        await resilientFetch(provider.url('/charge'), { method: 'POST', body: '{}' });
      },
    );
    expect(keyHeaders(before)).toEqual([key, key]);
    expect(
      provider
        .requests('/charge')
        .slice(before)
        .map((r) => r.idempotencyKey),
    ).toEqual([key, key]);
  });

  it('is replaced by an explicit key and left out with idempotencyKey: false', async () => {
    const before = provider.requests('/charge').length;
    await runWithAttemptContext({ toolKey: 'charge', idempotencyKey: 'from-step' }, async () => {
      await resilientFetch(provider.url('/charge'), {
        method: 'POST',
        body: '{}',
        idempotencyKey: 'explicit',
      });
      await resilientFetch(provider.url('/charge'), { method: 'POST', body: '{}', idempotencyKey: false });
    });
    expect(keyHeaders(before)).toEqual(['explicit', undefined]);
  });

  it('is absent outside a step, where there is no key to send', async () => {
    const before = provider.requests('/charge').length;
    await resilientFetch(provider.url('/charge'), { method: 'POST', body: '{}' });
    await runWithAttemptContext({ toolKey: 'charge' }, () => resilientFetch(provider.url('/charge')));
    expect(keyHeaders(before)).toEqual([undefined, undefined]);
  });
});
