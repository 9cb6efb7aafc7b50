// Pins the exact wording of option-validation errors built from the schema: how a number's bounds, a list of values,
// a function, a record and a missing required option are described, and where an unknown key is said to belong.
// These messages are what a user reads at start-up to fix a misconfigured worker.
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/errors/invalid-options-error';
import {
  bool,
  expected,
  fn,
  num,
  object,
  oneOf,
  record,
  required,
  validateOptions,
  type Rule,
} from '../../src/options/schema';

function failure(value: unknown, rule: Rule, path?: string): { option: string; problem: string } {
  try {
    validateOptions(value, rule, path);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidOptionsError);
    return { option: (e as InvalidOptionsError).option, problem: (e as InvalidOptionsError).problem };
  }
  throw new Error('expected validateOptions to throw');
}

describe('expected: a valid value in words', () => {
  it('numbers: no bounds, each bound alone, exclusive bounds, examples', () => {
    expect(expected(num())).toBe('a number');
    expect(expected(num({ min: 0 }))).toBe('a number ≥ 0');
    expect(expected(num({ max: 5 }))).toBe('a number ≤ 5');
    expect(expected(num({ min: 0, exclusiveMin: true, max: 1, exclusiveMax: true }))).toBe(
      'a number > 0 and < 1',
    );
    expect(expected(num({ min: 1, integer: true, example: '3' }))).toBe('a whole number ≥ 1, e.g. 3');
    expect(expected(num({ unit: 'milliseconds' }))).toBe('a number of milliseconds');
  });

  it('oneOf quotes strings only', () => {
    expect(expected(oneOf(['auto', 1, true]))).toBe("one of 'auto', 1, true");
  });

  it('functions with and without a signature', () => {
    expect(expected(fn())).toBe('a function');
    expect(expected(fn('(info) => string'))).toBe('a function (info) => string');
    expect(Object.keys(fn())).toEqual(['kind']);
  });

  it('records with and without a key name', () => {
    expect(expected(record(bool()))).toBe('an object mapping each key to true or false');
    expect(expected(record(bool(), 'tool key'))).toBe('an object mapping each tool key to true or false');
    expect(Object.keys(record(bool()))).toEqual(['kind', 'values']);
  });
});

describe('validateOptions', () => {
  it('a missing required top-level option is reported as options', () => {
    expect(failure(undefined, required(bool()))).toEqual({
      option: 'options',
      problem: 'is required; it must be true or false',
    });
    expect(failure(undefined, required(bool()), 'retry.enabled')).toEqual({
      option: 'retry.enabled',
      problem: 'is required; it must be true or false',
    });
  });

  it('an unknown key of an object without options', () => {
    expect(failure({ x: 1 }, object('Empty', {}))).toEqual({
      option: 'x',
      problem: 'is not an option of Empty. Known options: none.',
    });
  });

  it('an unknown key that is an option under a record is said to belong there, with the default key name', () => {
    const rule = object('Options', {
      tools: record(object('ToolOptions', { requestsPerSecond: num() })),
    });
    expect(failure({ requestsPerSecond: 5 }, rule)).toEqual({
      option: 'requestsPerSecond',
      problem:
        'is not an option of Options; it belongs in tools.<key>.requestsPerSecond. Known options: tools.',
    });
  });

  it('the search for where a key belongs stops three levels down', () => {
    const deep = (inner: Rule): Rule => object('Level', { inner });
    const found = object('Options', { a: deep(object('Leaf', { target: bool() })) });
    expect(failure({ target: true }, found).problem).toBe(
      'is not an option of Options; it belongs in a.inner.target. Known options: a.',
    );
    const tooDeep = object('Options', { a: deep(deep(object('Leaf', { target: bool() }))) });
    expect(failure({ target: true }, tooDeep).problem).toBe('is not an option of Options. Known options: a.');
  });
});
