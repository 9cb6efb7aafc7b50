import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base64Url, sha256, utf8Bytes } from '../../src/idempotency/sha256';
import { deriveIdempotencyKey, IDEMPOTENCY_KEY_LENGTH } from '../../src';

describe('sha256 in plain TypeScript', () => {
  it('matches node:crypto on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const expected = createHash('sha256').update(text, 'utf8').digest();
        expect(Buffer.from(sha256(utf8Bytes(text)))).toEqual(expected);
        expect(base64Url(sha256(utf8Bytes(text)))).toBe(expected.toString('base64url'));
      }),
      { numRuns: 300 },
    );
  });

  it('handles the block boundaries', () => {
    for (const n of [0, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const text = 'a'.repeat(n);
      expect(Buffer.from(sha256(utf8Bytes(text))).toString('hex')).toBe(
        createHash('sha256').update(text).digest('hex'),
      );
    }
  });
});

describe('deriveIdempotencyKey', () => {
  const base = { namespace: 'default', workflowId: 'order-123', stepName: 'charge-card' };

  it('is fixed-length, URL-safe and stable', () => {
    const key = deriveIdempotencyKey(base);
    expect(key).toHaveLength(IDEMPOTENCY_KEY_LENGTH);
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(deriveIdempotencyKey({ ...base })).toBe(key);
    expect(key).not.toContain('order');
  });

  it('differs by step, workflow id and namespace, and by run only in run scope', () => {
    const key = deriveIdempotencyKey(base);
    expect(deriveIdempotencyKey({ ...base, stepName: 'charge-card#2' })).not.toBe(key);
    expect(deriveIdempotencyKey({ ...base, workflowId: 'order-124' })).not.toBe(key);
    expect(deriveIdempotencyKey({ ...base, namespace: 'prod' })).not.toBe(key);
    expect(deriveIdempotencyKey({ ...base, runId: 'r1' })).toBe(key);
    const run1 = deriveIdempotencyKey({ ...base, scope: 'run', runId: 'r1' });
    expect(run1).not.toBe(key);
    expect(deriveIdempotencyKey({ ...base, scope: 'run', runId: 'r2' })).not.toBe(run1);
  });

  it('keeps ambiguous concatenations apart', () => {
    expect(deriveIdempotencyKey({ namespace: 'a', workflowId: 'b:c', stepName: 'd' })).not.toBe(
      deriveIdempotencyKey({ namespace: 'a', workflowId: 'b', stepName: 'c:d' }),
    );
  });
});
