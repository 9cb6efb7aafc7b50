/**
 * FNV-1a, 32 bit, over the UTF-16 code units of a string.
 *
 * Plain TypeScript so it runs in the workflow sandbox as well as in Node; not for security, only for spreading
 * values deterministically.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A number in [0, 1) derived from the parts: the same parts always give the same number.
 *
 * Used as the jitter seed of an attempt, so a test can predict the delay while parallel workflows (other ids) still
 * spread out.
 */
export function deterministicFraction(...parts: ReadonlyArray<string | number>): number {
  return fnv1a32(parts.join('\u0000')) / 0x100000000;
}
