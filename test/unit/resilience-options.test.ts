import { describe, expect, it } from 'vitest';
import { isInvalidOptionsError } from '../../src/errors/invalid-options-error';
import { validateResilienceOptions, type ResilienceOptions } from '../../interceptors/resilience-options';
import { createResilienceInterceptors } from '../../interceptors/plugin';

function messageOf(options: unknown): string | undefined {
  try {
    validateResilienceOptions(options as ResilienceOptions);
    return undefined;
  } catch (e) {
    expect(isInvalidOptionsError(e), String(e)).toBe(true);
    return (e as Error).message;
  }
}

/** Every option set to a valid value: the schema must accept it (and so must keep up with the interfaces). */
const EVERYTHING: ResilienceOptions = {
  classify: {
    maxWaitMs: 60_000,
    quotaPatterns: [/quota/i],
    contextLengthPatterns: [/too long/i],
    rules: [
      { status: 400, body: /overloaded/i, kind: 'retry', reason: 'provider-overloaded' },
      { status: [429, 503], header: { name: 'x-quota', pattern: /exhausted/ }, kind: 'stop', reason: 'q' },
      { code: ['ECONNRESET', 'EPIPE'], kind: 'retry', reason: 'socket' },
      { code: 'E1', kind: 'fail', reason: 'e1' },
    ],
    nowMs: Date.UTC(2026, 0, 1),
  },
  toolKey: (info) => info.activityType,
  defaultToolLimits: { maxQueueWaitMs: 0 },
  tools: {
    search: {
      requestsPerSecond: 10,
      headroom: 1,
      maxConcurrency: 4,
      maxQueueWaitMs: 5_000,
      maxWaitMs: 60_000,
      circuit: {
        mode: 'consecutive',
        errorThresholdPercentage: 100,
        volumeThreshold: 10,
        rollingCountTimeout: 10_000,
        consecutiveFailures: 5,
        maxOpenMs: 30_000,
        halfOpenProbes: 1,
        enabled: true,
      },
    },
  },
  jitterRatio: 0,
  maxTools: 1_000,
  toolIdleMs: 600_000,
  quotaHoldMs: 900_000,
  idempotencyScope: 'run',
  prices: {
    'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
    free: { inputPerMillion: 0, outputPerMillion: 0 },
  },
  onStateChange: () => undefined,
  onClassified: () => undefined,
};

describe('validateResilienceOptions', () => {
  it('accepts every option set to a valid value, and no options', () => {
    expect(messageOf(EVERYTHING)).toBeUndefined();
    expect(messageOf({})).toBeUndefined();
    expect(messageOf(undefined)).toBeUndefined();
  });

  // The cases the adversarial review found accepted or crashing later, and their neighbours.
  it.each<[unknown, string]>([
    [
      { jiter: 0.1 },
      'Invalid option jiter (0.1): is not an option of ResilienceOptions; did you mean jitterRatio? Known options: ' +
        'classify, toolKey, defaultToolLimits, tools, jitterRatio, maxTools, toolIdleMs, quotaHoldMs, ' +
        'idempotencyScope, prices, onStateChange, onClassified, store, expectedWorkers, tenantOf.',
    ],
    [
      { requestsPerSecond: 5 },
      'Invalid option requestsPerSecond (5): is not an option of ResilienceOptions; it belongs in ' +
        'defaultToolLimits.requestsPerSecond or tools.<tool key>.requestsPerSecond.',
    ],
    [
      { classify: { maxWait: 5 } },
      'Invalid option classify.maxWait (5): is not an option of ClassifyOptions; did you mean maxWaitMs?',
    ],
    [
      { classify: { rules: 'str' } },
      'Invalid option classify.rules ("str"): must be an array whose items are each an object (ClassificationRule)',
    ],
    [
      { classify: { contextLengthPatterns: ['s'] } },
      'Invalid option classify.contextLengthPatterns[0] ("s"): must be a RegExp, e.g. /quota/i (not a string)',
    ],
    [
      { classify: { quotaPatterns: [/a/, 'quota'] } },
      'Invalid option classify.quotaPatterns[1] ("quota"): must be a RegExp',
    ],
    [
      { classify: { maxWaitMs: -1 } },
      'Invalid option classify.maxWaitMs (-1): must be a number of milliseconds ≥ 0',
    ],
    [
      { classify: { maxWaitMs: 1e20 } },
      'Invalid option classify.maxWaitMs (100000000000000000000): must be a number of milliseconds ≥ 0 and ≤ 2147483647',
    ],
    [
      { classify: { nowMs: NaN } },
      'Invalid option classify.nowMs (NaN): must be a number of epoch milliseconds',
    ],
    [
      { classify: { rules: [{ kind: 'later', reason: 'x' }] } },
      `Invalid option classify.rules[0].kind ("later"): must be one of 'wait', 'cap', 'stop', 'retry', 'fail'`,
    ],
    [
      { classify: { rules: [{ kind: 'wait' }] } },
      'Invalid option classify.rules[0].reason: is required; it must be a non-empty string',
    ],
    [
      { classify: { rules: [{ kind: 'wait', reason: 'x', status: '429' }] } },
      'Invalid option classify.rules[0].status ("429"): must be an HTTP status code from 100 to 599, or an array of them',
    ],
    [
      { classify: { rules: [{ kind: 'wait', reason: 'x', body: 'overloaded' }] } },
      'Invalid option classify.rules[0].body ("overloaded"): must be a RegExp',
    ],
    [
      { classify: { rules: [{ kind: 'wait', reason: 'x', header: { pattern: /x/ } }] } },
      'Invalid option classify.rules[0].header.name: is required',
    ],
    [
      { classify: { rules: [{ kind: 'wait', reason: 'x', stauts: 429 }] } },
      'Invalid option classify.rules[0].stauts (429): is not an option of ClassificationRule; did you mean status?',
    ],
    [{ toolKey: 'host' }, 'Invalid option toolKey ("host"): must be a function (info, args) => string'],
    [{ onClassified: true }, 'Invalid option onClassified (true): must be a function'],
    [{ jitterRatio: 1.5 }, 'Invalid option jitterRatio (1.5): must be a fraction ≥ 0 and < 1, e.g. 0.2'],
    [{ jitterRatio: NaN }, 'Invalid option jitterRatio (NaN): must be a fraction'],
    [{ maxTools: 0 }, 'Invalid option maxTools (0): must be a whole number ≥ 1 and ≤ 1000000000'],
    [{ maxTools: 1e20 }, 'Invalid option maxTools (100000000000000000000): must be a whole number ≥ 1'],
    [{ toolIdleMs: Infinity }, 'Invalid option toolIdleMs (Infinity): must be a number of milliseconds > 0'],
    [{ quotaHoldMs: -5 }, 'Invalid option quotaHoldMs (-5): must be a number of milliseconds > 0'],
    [
      { idempotencyScope: 'namespace' },
      `Invalid option idempotencyScope ("namespace"): must be one of 'workflow', 'run'`,
    ],
    [
      { tools: { chat: { headroom: 2 } } },
      'Invalid option tools.chat.headroom (2): must be a fraction > 0 and ≤ 1, e.g. 0.8 to use 80% of the limit',
    ],
    [
      { tools: { chat: { headroom: 0 } } },
      'Invalid option tools.chat.headroom (0): must be a fraction > 0 and ≤ 1',
    ],
    [
      { tools: { chat: { maxConcurrency: 0 } } },
      'Invalid option tools.chat.maxConcurrency (0): must be a whole number ≥ 1',
    ],
    [
      { tools: { chat: { requestsPerSecond: 0 } } },
      'Invalid option tools.chat.requestsPerSecond (0): must be a number > 0 and ≤ 1000000, e.g. 10',
    ],
    [
      { tools: { chat: { maxWaitMs: -1 } } },
      'Invalid option tools.chat.maxWaitMs (-1): must be a number of milliseconds ≥ 0',
    ],
    [
      { tools: { chat: { maxConcurency: 2 } } },
      'Invalid option tools.chat.maxConcurency (2): is not an option of ToolOptions; did you mean maxConcurrency?',
    ],
    [{ tools: { chat: 5 } }, 'Invalid option tools.chat (5): must be an object (ToolOptions)'],
    [
      { tools: [{ maxConcurrency: 1 }] },
      'Invalid option tools (object): must be an object mapping each tool key to an object (ToolOptions)',
    ],
    [
      { tools: { search: { circuit: { maxOpenMs: 1e20 } } } },
      'Invalid option tools.search.circuit.maxOpenMs (100000000000000000000): must be a number of milliseconds > 0 ' +
        'and ≤ 2147483647 (the longest timer, about 24.8 days), e.g. 30000',
    ],
    [
      { tools: { search: { circuit: { maxOpenMz: 5 } } } },
      'Invalid option tools.search.circuit.maxOpenMz (5): is not an option of CircuitOptions; did you mean maxOpenMs?',
    ],
    [
      { tools: { search: { circuit: { mode: 'rolling' } } } },
      `Invalid option tools.search.circuit.mode ("rolling"): must be one of 'percentage', 'consecutive'`,
    ],
    [
      { tools: { search: { circuit: { errorThresholdPercentage: 0 } } } },
      'Invalid option tools.search.circuit.errorThresholdPercentage (0): must be a percentage > 0 and ≤ 100',
    ],
    [
      { tools: { search: { circuit: { volumeThreshold: 2.5 } } } },
      'Invalid option tools.search.circuit.volumeThreshold (2.5): must be a whole number ≥ 1',
    ],
    [
      { tools: { search: { circuit: { enabled: 'no' } } } },
      'Invalid option tools.search.circuit.enabled ("no"): must be true or false',
    ],
    [
      { defaultToolLimits: { circuit: { halfOpenProbes: 0 } } },
      'Invalid option defaultToolLimits.circuit.halfOpenProbes (0): must be a whole number ≥ 1',
    ],
    [
      { prices: { 'gpt-4o': { inputPerMillion: 1 } } },
      'Invalid option prices["gpt-4o"].outputPerMillion: is required; it must be a number of USD per million tokens ≥ 0',
    ],
    [
      { prices: { m: { inputPerMillion: -1, outputPerMillion: 1 } } },
      'Invalid option prices.m.inputPerMillion (-1): must be a number of USD per million tokens ≥ 0 and ≤ 1000000, e.g. 2.5',
    ],
    [
      { prices: { m: { input: 1, outputPerMillion: 1 } } },
      'Invalid option prices.m.input (1): is not an option of model price; did you mean inputPerMillion?',
    ],
    [null, 'Invalid option options (null): must be an object (ResilienceOptions)'],
    ['fast', 'Invalid option options ("fast"): must be an object (ResilienceOptions)'],
  ])('rejects %j', (options, message) => {
    expect(messageOf(options)).toContain(message);
  });

  it('is what createResilienceInterceptors runs at creation', () => {
    expect(() => createResilienceInterceptors({ jiter: 0.1 } as never)).toThrow(
      'Invalid option jiter (0.1): is not an option of ResilienceOptions; did you mean jitterRatio?',
    );
  });
});
