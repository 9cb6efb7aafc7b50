import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { WIRE_MARKER, type ChainWire } from '../src/attempts/chain-wire';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import { messageOf } from '../src/text/message-of';
import { safeMessage, safeName, safeStackFrames } from '../src/text/redact';

/** Characters of the original message in the failure's own message (the cause carries up to 1,000). */
const HEADLINE_LENGTH = 200;
/** Stack frames kept on the cause, and characters per frame. */
const MAX_FRAMES = 10;
const MAX_FRAME_LENGTH = 160;

/**
 * The one place a {@link RetryDecision} becomes an `ApplicationFailure`: `type` names the class, STOP and FAIL are
 * non-retryable, retryable ones carry `nextRetryDelay`, throttling is BENIGN, and the decision record rides along as
 * the first detail (the attempt chain's wire form, when given, as the second). The message and the cause are redacted
 * and truncated: failures live in history forever.
 *
 * Size stays bounded at any attempt count (Temporal repeats the last failure on the next attempt's started event,
 * and the server replaces a failure over its size limit): the failure's own stack is dropped (it would list only the
 * toolkit's frames; the cause keeps the original's), a thrown string (a refusal's reason) becomes the message with
 * no cause and no stack, and the chain passed in is whatever `AttemptLedger.failureWire` chose (a summary
 * unless nothing will retry).
 */
export function toApplicationFailure(
  decision: RetryDecision,
  original: unknown,
  wire?: ChainWire,
): ApplicationFailure {
  const originalMessage = messageOf(original);
  const failure = ApplicationFailure.create({
    type: decision.failureType,
    // The cause keeps the longer message; this one is the headline Temporal's UI shows in lists.
    message: `${decision.failureType} (${decision.reason})${originalMessage ? `: ${safeMessage(originalMessage, HEADLINE_LENGTH)}` : ''}`,
    nonRetryable: decision.nonRetryable,
    ...(decision.delayMs !== undefined && !decision.nonRetryable ? { nextRetryDelay: decision.delayMs } : {}),
    details: wire ? [decision, { marker: WIRE_MARKER, wire }] : [decision],
    cause: typeof original === 'string' ? undefined : sanitizedCause(original),
    ...(decision.benign ? { category: ApplicationFailureCategory.BENIGN } : {}),
  });
  failure.stack = `${failure.name}: ${failure.message}`;
  return failure;
}

/**
 * A stand-in for the original error with the same name and a redacted message and stack. The original is not passed
 * on because the failure converter would serialise its message verbatim (with any API key in it).
 */
export function sanitizedCause(original: unknown): Error | undefined {
  if (original === undefined || original === null) return undefined;
  const message = messageOf(original);
  const cause = new Error(safeMessage(message));
  try {
    // Names are user-settable and have carried tokens: redacted like the message (src/text/redact.ts).
    const name = (original as { name?: unknown }).name;
    if (typeof name === 'string') cause.name = safeName(name);
    // Keep the frames, rebuild the head: the stack's first line repeats the (unredacted, maybe huge) message.
    // The head names the error only (the message is on the cause already); few, short frames: the failure is
    // repeated on the next attempt's started event and must stay under the server's 4 KB retry failure limit.
    const frames = safeStackFrames((original as { stack?: unknown }).stack);
    cause.stack = [cause.name, ...frames.slice(0, MAX_FRAMES).map((f) => f.slice(0, MAX_FRAME_LENGTH))].join(
      '\n',
    );
  } catch {
    cause.stack = undefined;
  }
  return cause;
}
