import { describe, expect, it } from 'vitest';
import { ApplicationFailureCategory } from '@temporalio/common';
import { sanitizedCause, toApplicationFailure } from '../../interceptors/failure-mapping';
import { toChainWire, WIRE_MARKER, ZERO_COST } from '../../src';
import { decision } from '../helpers/decisions';

// The one table from a retry decision to an ApplicationFailure: every field of the failure, and the redacted stand-in
// for the original error.

const SECRET = 'sk-proj-SECRETSECRET123456';

describe('toApplicationFailure', () => {
  it('a retryable decision: type, message, delay, the decision as first detail', () => {
    const failure = toApplicationFailure(decision(), new Error('upstream busy'));
    expect(failure.type).toBe('TransientFailure');
    expect(failure.message).toBe('TransientFailure (http-503): upstream busy');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(1500);
    expect(failure.details).toEqual([decision()]);
    expect(failure.category).toBeUndefined();
  });

  it('a non-retryable decision carries no delay, even if one was computed', () => {
    const failure = toApplicationFailure(
      decision({
        kind: 'stop',
        failureType: 'QuotaExhausted',
        reason: 'quota-text',
        nonRetryable: true,
        delayMs: 5,
      }),
      new Error('quota'),
    );
    expect(failure.nonRetryable).toBe(true);
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  it('no delay when the decision has none (attempts exhausted)', () => {
    const failure = toApplicationFailure(decision({ delayMs: undefined, attemptsExhausted: true }), 'x');
    expect(failure.nextRetryDelay).toBeUndefined();
    expect(failure.nonRetryable).toBe(false);
  });

  it('expected throttling is BENIGN', () => {
    const failure = toApplicationFailure(
      decision({ kind: 'wait', failureType: 'RateLimitWait', benign: true }),
      'x',
    );
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
  });

  it('the attempt chain rides as the second detail, marked, in its wire form', () => {
    const wire = toChainWire('r', { records: [], dropped: 0, cost: ZERO_COST });
    expect(toApplicationFailure(decision(), 'x', wire).details).toEqual([
      decision(),
      { marker: WIRE_MARKER, wire },
    ]);
  });

  it('without an original message the failure says only the class and reason', () => {
    expect(toApplicationFailure(decision(), undefined).message).toBe('TransientFailure (http-503)');
    expect(toApplicationFailure(decision(), undefined).cause).toBeUndefined();
  });

  it('redacts and truncates the message', () => {
    const failure = toApplicationFailure(decision(), new Error(`key ${SECRET} ${'x'.repeat(2000)}`));
    expect(failure.message).not.toContain(SECRET);
    expect(failure.message).toContain('[truncated, ');
    expect(failure.message.length).toBeLessThan(600);
  });
});

describe('sanitizedCause', () => {
  it('keeps the name, redacts the message and the stack, keeps at most 10 frames of 160 characters', () => {
    const original = new TypeError(`bad ${SECRET}`);
    original.stack = [
      `TypeError: bad ${SECRET}`,
      ...Array.from({ length: 40 }, (_, i) => `    at frame${i} (/app/${i === 0 ? SECRET : 'f'}.js:1:1)`),
      'not a frame line',
    ].join('\n');
    const cause = sanitizedCause(original)!;
    expect(cause.name).toBe('TypeError');
    expect(cause.message).toBe('bad [REDACTED]');
    const lines = cause.stack!.split('\n');
    // The head names the error only: the message is on the cause already, and the failure must stay small (it is
    // repeated on the next attempt's started event).
    expect(lines[0]).toBe('TypeError');
    expect(lines).toHaveLength(11);
    expect(lines[1]).toBe('    at frame0 (/app/[REDACTED].js:1:1)');
    expect(lines[10]).toBe('    at frame9 (/app/f.js:1:1)');
    expect(cause.stack).not.toContain(SECRET);
    expect(cause).not.toBe(original);
  });

  it('cuts a long name, and copes with errors without a stack or a string name', () => {
    const long = Object.assign(new Error('m'), { name: 'N'.repeat(300) });
    expect(sanitizedCause(long)!.name).toBe('N'.repeat(100));
    const noStack = { name: 'Weird', message: 'plain', stack: 42 };
    expect(sanitizedCause(noStack)!.stack).toBe('Weird');
    const noName = { name: 7, message: 'm' };
    expect(sanitizedCause(noName)!.name).toBe('Error');
    expect(sanitizedCause('just text')!.message).toBe('just text');
    expect(sanitizedCause(null)).toBeUndefined();
    expect(sanitizedCause(undefined)).toBeUndefined();
  });

  it('survives an error whose properties throw', () => {
    const hostile = new Proxy(
      {},
      {
        get(_t, prop) {
          if (prop === 'name') throw new Error('no');
          return undefined;
        },
      },
    );
    const cause = sanitizedCause(hostile);
    expect(cause).toBeInstanceOf(Error);
    expect(cause!.stack).toBeUndefined();
  });
});
