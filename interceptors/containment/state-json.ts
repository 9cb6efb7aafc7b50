import type { ToolState } from '../../src/containment/tool-state';

// JSON has no Infinity (a tool without a configured concurrency cap has an infinite limit): such numbers are written
// as tagged strings and read back as numbers, so a state survives the round trip through a shared store unchanged.
const POSITIVE_INFINITY = '\u0000+Infinity';
const NEGATIVE_INFINITY = '\u0000-Infinity';

/** A tool state as JSON text, Infinity included. */
export function encodeToolState(state: ToolState): string {
  return JSON.stringify(state, (_key, value: unknown) =>
    value === Infinity ? POSITIVE_INFINITY : value === -Infinity ? NEGATIVE_INFINITY : value,
  );
}

/** The tool state written by {@link encodeToolState}. */
export function decodeToolState(text: string): ToolState {
  return JSON.parse(text, (_key, value: unknown) =>
    value === POSITIVE_INFINITY ? Infinity : value === NEGATIVE_INFINITY ? -Infinity : value,
  ) as ToolState;
}
