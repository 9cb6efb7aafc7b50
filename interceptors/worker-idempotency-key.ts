import { createHash } from 'node:crypto';
import {
  IDEMPOTENCY_KEY_LENGTH,
  idempotencyKeyMaterial,
  type IdempotencyKeyParts,
} from '../src/idempotency/idempotency-key';

/**
 * The same key as `deriveIdempotencyKey`, hashed with `node:crypto`. Every attempt of every activity with a step
 * derives one, so the worker uses the native hash; the portable one stays for the workflow sandbox, which has no
 * `node:crypto`. Both hash the same material, so a key never depends on where it was derived.
 */
export function deriveIdempotencyKeyInWorker(parts: IdempotencyKeyParts): string {
  return createHash('sha256')
    .update(idempotencyKeyMaterial(parts), 'utf8')
    .digest('base64url')
    .slice(0, IDEMPOTENCY_KEY_LENGTH);
}
