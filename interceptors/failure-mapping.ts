import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { CHAIN_MARKER, type AttemptChain } from '../src/attempts/attempt-record';
import type { RetryDecision } from '../src/retry-decision/retry-decision';
import { messageOf } from '../src/text/message-of';
import { safeMessage, safeName, safeStackFrames } from '../src/text/redact';

/**
 * The one place a {@link RetryDecision} becomes an `ApplicationFailure`: `type` names the class, STOP and FAIL are
 * non-retryable, retryable ones carry `nextRetryDelay`, throttling is BENIGN, and the decision record rides along as
 * the first detail (the attempt chain, when given, as the second). The message and the cause are redacted and
 * truncated: failures live in history forever.
 */
export function toApplicationFailure(
  decision: RetryDecision,
  original: unknown,
  chain?: AttemptChain,
): ApplicationFailure {
  const originalMessage = messageOf(original);
  return ApplicationFailure.create({
    type: decision.failureType,
    message: `${decision.failureType} (${decision.reason})${originalMessage ? `: ${safeMessage(originalMessage)}` : ''}`,
    nonRetryable: decision.nonRetryable,
    ...(decision.delayMs !== undefined && !decision.nonRetryable ? { nextRetryDelay: decision.delayMs } : {}),
    details: chain ? [decision, { marker: CHAIN_MARKER, chain }] : [decision],
    cause: sanitizedCause(original),
    ...(decision.benign ? { category: ApplicationFailureCategory.BENIGN } : {}),
  });
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
    const frames = safeStackFrames((original as { stack?: unknown }).stack);
    cause.stack = [`${cause.name}: ${cause.message}`, ...frames].join('\n');
  } catch {
    cause.stack = undefined;
  }
  return cause;
}
