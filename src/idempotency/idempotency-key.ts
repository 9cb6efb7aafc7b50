import { base64Url, sha256, utf8Bytes } from './sha256';

/**
 * What a key is derived from. `scope: 'workflow'` (the default) keeps the key across runs of the same workflow id;
 * `'run'` mixes in the run id.
 */
export interface IdempotencyKeyParts {
  readonly namespace: string;
  readonly workflowId: string;
  readonly stepName: string;
  /** Required when `scope` is `'run'`. */
  readonly runId?: string;
  /** @default 'workflow' */
  readonly scope?: IdempotencyScope;
}

/**
 * - `workflow`: the key depends on namespace, workflow id and step. It survives retries, replays, worker crashes,
 *   workflow retries and continue-as-new (same workflow id), so an effect happens once per business intent named by
 *   the workflow id. The right default when workflow ids are business ids (`order-123`).
 * - `run`: the run id is mixed in: a new run (workflow retry, continue-as-new, a reused id) gets new keys. Pick it
 *   when workflow ids are reused for unrelated work (`nightly-sync`), where a repeat is a new intent.
 */
export type IdempotencyScope = 'workflow' | 'run';

/** Length of every key: 32 base64url characters (192 bits of SHA-256). */
export const IDEMPOTENCY_KEY_LENGTH = 32;

/**
 * The deterministic idempotency key of a step: fixed length, URL-safe, and built from a hash, so no raw input leaks
 * into provider logs. The same parts give the same key in a workflow, an activity, or a script.
 */
export function deriveIdempotencyKey(parts: IdempotencyKeyParts): string {
  return base64Url(sha256(utf8Bytes(idempotencyKeyMaterial(parts)))).slice(0, IDEMPOTENCY_KEY_LENGTH);
}

/**
 * The text a key is the SHA-256 of (its first {@link IDEMPOTENCY_KEY_LENGTH} base64url characters). Exported so the
 * worker can hash it with `node:crypto`, many times faster than the portable hash the workflow sandbox needs, and
 * still derive the very same key.
 */
export function idempotencyKeyMaterial(parts: IdempotencyKeyParts): string {
  const scope = parts.scope ?? 'workflow';
  const fields = ['temporal-resilience/v1', scope, parts.namespace, parts.workflowId, parts.stepName];
  if (scope === 'run') fields.push(parts.runId ?? '');
  // Length-prefixing keeps ("a:b", "c") and ("a", "b:c") apart.
  return fields.map((f) => `${f.length}:${f}`).join('|');
}

/** The step name a saga gives the compensation of a forward step, so its key derives from the forward step's. */
export function compensationStepName(forwardStepName: string): string {
  return `compensate:${forwardStepName}`;
}
