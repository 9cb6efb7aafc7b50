// Pins what a non-retryable failure, a thrown string and a long stack frame become: STOP/FAIL never carry a
// nextRetryDelay (the server would reschedule), a refusal's string has no cause, and the cause's frames stay short
// (the failure is repeated on every next attempt's started event and must stay small).
import { describe, expect, it } from 'vitest';
import { sanitizedCause, toApplicationFailure } from '../../interceptors/failure-mapping';
import { decision } from '../helpers/decisions';

describe('toApplicationFailure: mutant edges', () => {
  it('a non-retryable decision carries no nextRetryDelay even when it has a delay', () => {
    const failure = toApplicationFailure(
      decision({ kind: 'stop', nonRetryable: true, failureType: 'QuotaExhausted', delayMs: 60_000 }),
      new Error('quota'),
    );
    expect(failure.nonRetryable).toBe(true);
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  it('a thrown string becomes the message with no cause', () => {
    const failure = toApplicationFailure(decision(), 'queue-full');
    expect(failure.message).toBe('TransientFailure (http-503): queue-full');
    expect(failure.cause).toBeUndefined();
  });
});

describe('sanitizedCause: frame length', () => {
  it('cuts each kept frame to 160 characters', () => {
    const longFrame = `    at ${'f'.repeat(400)} (/app/x.js:1:1)`;
    const original = new Error('boom');
    original.stack = `Error: boom\n${longFrame}\n    at short (/app/y.js:2:2)`;
    const cause = sanitizedCause(original)!;
    const lines = cause.stack!.split('\n');
    expect(lines).toEqual(['Error', longFrame.slice(0, 160), '    at short (/app/y.js:2:2)']);
  });
});
