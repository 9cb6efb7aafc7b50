import { describe, expect, it } from 'vitest';
import { isInvalidOptionsError } from '../../src/errors/invalid-options-error';
import { didYouMean, editDistance } from '../../src/options/did-you-mean';
import {
  anyOf,
  array,
  bool,
  count,
  custom,
  duration,
  fn,
  MAX_COUNT,
  MAX_TIMER_MS,
  num,
  object,
  oneOf,
  record,
  regexp,
  required,
  str,
  validateOptions,
  type Rule,
} from '../../src/options/schema';

/** The message `validateOptions` throws, or `undefined` when the value is accepted. */
function messageOf(value: unknown, rule: Rule, path = ''): string | undefined {
  try {
    validateOptions(value, rule, path);
    return undefined;
  } catch (e) {
    expect(isInvalidOptionsError(e)).toBe(true);
    return (e as Error).message;
  }
}

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['jiter', 'jitter', 1],
    ['resetTimout', 'resetTimeout', 1],
    ['ab', 'ba', 1], // a swap of neighbours is one slip
  ])('%j → %j is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('stays cheap on a huge key', () => {
    expect(editDistance('x'.repeat(1_000_000), 'maxTools')).toBeLessThanOrEqual(64);
  });
});

describe('didYouMean', () => {
  const known = ['jitterRatio', 'maxTools', 'toolIdleMs', 'quotaHoldMs', 'maxConcurrency', 'maxQueueWaitMs'];
  it.each([
    ['jiter', 'jitterRatio'], // through the camel-case prefix `jitter`
    ['jitterratio', 'jitterRatio'], // case
    ['maxtool', 'maxTools'],
    ['maxConcurency', 'maxConcurrency'],
    ['toolIdleMS', 'toolIdleMs'],
    ['quotaHold', 'quotaHoldMs'],
    ['maxQueueWait', 'maxQueueWaitMs'],
    ['maxQueueDelayMs', 'maxQueueWaitMs'], // same first two words, another ending
  ])('%s → %s', (typed, meant) => {
    expect(didYouMean(typed, known)).toBe(meant);
  });

  it.each(['color', 'x', 'somethingElseEntirely'])('suggests nothing for %s', (typed) => {
    expect(didYouMean(typed, known)).toBeUndefined();
  });
});

describe('validateOptions', () => {
  const CIRCUIT = object('CircuitOptions', {
    resetTimeout: duration({ exclusiveMin: true, example: '30000' }),
    mode: oneOf(['percentage', 'consecutive']),
    enabled: bool(),
  });
  const ROOT = object('RootOptions', {
    tools: record(object('ToolOptions', { maxConcurrency: count(), circuit: CIRCUIT }), 'tool key'),
    patterns: array(regexp()),
    hook: fn('(x) => void'),
    name: str({ nonEmpty: true }),
    status: anyOf(
      'a status or a list of them',
      count({ min: 100, max: 599 }),
      array(count({ min: 100, max: 599 })),
    ),
    signal: custom('an AbortSignal', (v) => v instanceof AbortSignal),
    ratio: num({ min: 0, max: 1, exclusiveMax: true, description: 'a fraction ≥ 0 and < 1' }),
    price: object('Price', { usd: required(num({ min: 0 })) }),
  });

  it('accepts valid values and absent options', () => {
    expect(messageOf(undefined, ROOT)).toBeUndefined();
    expect(messageOf({}, ROOT)).toBeUndefined();
    expect(
      messageOf(
        {
          tools: {
            search: { maxConcurrency: 4, circuit: { resetTimeout: 1, mode: 'consecutive', enabled: false } },
          },
          patterns: [/a/, /b/g],
          hook: () => undefined,
          name: 'n',
          status: [429, 503],
          signal: new AbortController().signal,
          ratio: 0,
          price: { usd: 0 },
        },
        ROOT,
      ),
    ).toBeUndefined();
    expect(messageOf({ status: 429 }, ROOT)).toBeUndefined();
    // An option explicitly set to undefined is the same as absent.
    expect(messageOf({ tools: undefined, ratio: undefined }, ROOT)).toBeUndefined();
    expect(
      messageOf({ tools: { search: { circuit: { resetTimeout: MAX_TIMER_MS } } } }, ROOT),
    ).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['the root', null, 'Invalid option options (null): must be an object (RootOptions)'],
    ['an array as root', [], 'Invalid option options (object): must be an object (RootOptions)'],
    [
      'a typo, with a hint',
      { tools: { search: { circuit: { resetTimout: 5 } } } },
      'Invalid option tools.search.circuit.resetTimout (5): is not an option of CircuitOptions; did you mean ' +
        'resetTimeout? Known options: resetTimeout, mode, enabled.',
    ],
    [
      'an unknown key, no close name',
      { colour: 'red' },
      'Invalid option colour ("red"): is not an option of RootOptions. Known options: tools, patterns, hook, name, ' +
        'status, signal, ratio, price.',
    ],
    [
      'a nested option at the top',
      { maxConcurrency: 3 },
      'Invalid option maxConcurrency (3): is not an option of RootOptions; it belongs in ' +
        'tools.<tool key>.maxConcurrency. Known options:',
    ],
    [
      '1e20 ms',
      { tools: { search: { circuit: { resetTimeout: 1e20 } } } },
      'Invalid option tools.search.circuit.resetTimeout (100000000000000000000): must be a number of milliseconds > 0 ' +
        'and ≤ 2147483647 (the longest timer, about 24.8 days), e.g. 30000',
    ],
    [
      'zero where > 0',
      { tools: { s: { circuit: { resetTimeout: 0 } } } },
      'Invalid option tools.s.circuit.resetTimeout (0): must be a number of milliseconds > 0',
    ],
    [
      'NaN',
      { tools: { s: { maxConcurrency: NaN } } },
      `tools.s.maxConcurrency (NaN): must be a whole number ≥ 1 and ≤ ${MAX_COUNT}`,
    ],
    [
      'Infinity',
      { tools: { s: { maxConcurrency: Infinity } } },
      'tools.s.maxConcurrency (Infinity): must be a whole',
    ],
    ['negative', { tools: { s: { maxConcurrency: -1 } } }, 'tools.s.maxConcurrency (-1): must be a whole'],
    [
      'a fraction for a count',
      { tools: { s: { maxConcurrency: 1.5 } } },
      'tools.s.maxConcurrency (1.5): must be a whole',
    ],
    [
      'a numeric string',
      { tools: { s: { maxConcurrency: '4' } } },
      'tools.s.maxConcurrency ("4"): must be a whole',
    ],
    [
      'a quoted key',
      { tools: { 'gpt-4o': { maxConcurrency: 0 } } },
      'Invalid option tools["gpt-4o"].maxConcurrency (0)',
    ],
    [
      'a string for an array',
      { patterns: 'str' },
      'Invalid option patterns ("str"): must be an array whose items are each a RegExp',
    ],
    [
      'a string in a RegExp list',
      { patterns: [/a/, 's'] },
      'Invalid option patterns[1] ("s"): must be a RegExp, e.g. /quota/i (not a string)',
    ],
    [
      'one of',
      { tools: { s: { circuit: { mode: 'rolling' } } } },
      `tools.s.circuit.mode ("rolling"): must be one of 'percentage', 'consecutive'`,
    ],
    [
      'a boolean',
      { tools: { s: { circuit: { enabled: 'yes' } } } },
      'tools.s.circuit.enabled ("yes"): must be true or false',
    ],
    ['a function', { hook: 'log' }, 'Invalid option hook ("log"): must be a function (x) => void'],
    ['an empty string', { name: '' }, 'Invalid option name (""): must be a non-empty string'],
    ['any of', { status: '429' }, 'Invalid option status ("429"): must be a status or a list of them'],
    [
      'any of, bad item',
      { status: [429, 1000] },
      'Invalid option status (object): must be a status or a list of them',
    ],
    ['custom', { signal: {} }, 'Invalid option signal (object): must be an AbortSignal'],
    ['exclusive max', { ratio: 1 }, 'Invalid option ratio (1): must be a fraction ≥ 0 and < 1'],
    [
      'a record that is not an object',
      { tools: 'all' },
      'Invalid option tools ("all"): must be an object mapping each tool key to an object (ToolOptions)',
    ],
    [
      'a missing required option',
      { price: {} },
      'Invalid option price.usd: is required; it must be a number ≥ 0',
    ],
    ['null for a number', { ratio: null }, 'Invalid option ratio (null): must be a fraction'],
  ])('rejects %s, naming the path', (_, value, message) => {
    expect(messageOf(value, ROOT)).toContain(message);
  });

  it('prefixes paths with the given root', () => {
    expect(messageOf({ ratio: 2 }, ROOT, 'init')).toContain('Invalid option init.ratio (2)');
    expect(messageOf(5, ROOT, 'init')).toContain('Invalid option init (5): must be an object (RootOptions)');
  });

  it('does not trust a throwing custom test', () => {
    const rule = custom('a thing', () => {
      throw new Error('boom');
    });
    expect(messageOf(1, rule, 'x')).toBe('Invalid option x (1): must be a thing');
  });
});
