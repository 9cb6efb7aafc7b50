// Pins the start-up validation of user provider profiles (`classify.providers`): every accepted value is accepted,
// every bad field throws an InvalidOptionsError naming that exact field, with the exact problem text a user reads.
// A typo in a profile must fail when the worker starts, not silently at the first 429.
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../src/errors/invalid-options-error';
import { validateProviderProfiles } from '../../src/classification/providers/validate-profiles';

function failure(profiles: unknown): { option: string; problem: string; value: unknown; message: string } {
  try {
    validateProviderProfiles(profiles);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidOptionsError);
    const err = e as InvalidOptionsError;
    return { option: err.option, problem: err.problem, value: err.value, message: err.message };
  }
  throw new Error('expected validateProviderProfiles to throw');
}
const meaning = { kind: 'stop', reason: 'tavily-usage-limit' };
const budget = {
  name: 'requests',
  remaining: 'x-ratelimit-remaining',
  reset: 'x-ratelimit-reset',
  resetFormat: 'delay',
};

describe('validateProviderProfiles', () => {
  it('accepts undefined, [] and a full valid profile', () => {
    expect(() => validateProviderProfiles(undefined)).not.toThrow();
    expect(() => validateProviderProfiles([])).not.toThrow();
    expect(() =>
      validateProviderProfiles([
        {
          name: 'tavily',
          codes: { usage_limit_exceeded: { ...meaning, until: 'next-utc-month' } },
          statuses: { 432: { kind: 'fail', reason: 'tavily-plan-limit' } },
          budgets: [budget],
          inspect: () => undefined,
          readBudgets: () => [],
        },
      ]),
    ).not.toThrow();
  });

  it.each(['wait', 'cap', 'stop', 'retry', 'fail', 'throttle'])('accepts kind %s without until', (kind) => {
    expect(() =>
      validateProviderProfiles([{ name: 'p', codes: { c: { kind, reason: 'r' } } }]),
    ).not.toThrow();
  });

  it.each(['next-utc-day', 'next-pacific-day', 'next-utc-month'])('accepts until %s', (until) => {
    expect(() =>
      validateProviderProfiles([{ name: 'p', codes: { c: { ...meaning, until } } }]),
    ).not.toThrow();
  });

  it.each(['delay', 'time', 'auto'])('accepts resetFormat %s', (resetFormat) => {
    expect(() =>
      validateProviderProfiles([{ name: 'p', budgets: [{ ...budget, resetFormat }] }]),
    ).not.toThrow();
  });

  it('a value that is not an array', () => {
    expect(failure({ name: 'tavily' })).toEqual({
      option: 'classify.providers',
      problem: 'must be an array of provider profiles, e.g. [{ name: "tavily", codes: {...} }]',
      value: { name: 'tavily' },
      message:
        'Invalid option classify.providers (object): must be an array of provider profiles, e.g. [{ name: "tavily", codes: {...} }]',
    });
  });

  it('uses the given path', () => {
    try {
      validateProviderProfiles([null], 'my.path');
    } catch (e) {
      expect((e as InvalidOptionsError).option).toBe('my.path[0]');
      return;
    }
    throw new Error('expected a throw');
  });

  it.each([null, 'tavily', 3])('a profile that is not an object (%j)', (profile) => {
    expect(failure([{ name: 'ok' }, profile])).toMatchObject({
      option: 'classify.providers[1]',
      problem: 'must be a provider profile object',
      value: profile,
    });
  });

  it.each([undefined, '', 5])('a name that is not a non-empty string (%j)', (name) => {
    expect(failure([{ name }])).toMatchObject({
      option: 'classify.providers[0].name',
      problem: 'must be a non-empty string',
      value: name,
    });
  });

  it('a duplicate name', () => {
    expect(failure([{ name: 'a' }, { name: 'b' }, { name: 'a' }])).toMatchObject({
      option: 'classify.providers[2].name',
      problem: 'must be unique among your profiles',
      value: 'a',
    });
  });

  it('an unknown kind, in codes and in statuses', () => {
    expect(failure([{ name: 'p', codes: { quota: { kind: 'Stop', reason: 'r' } } }])).toEqual({
      option: 'classify.providers[0].codes.quota.kind',
      problem: "must be one of 'wait', 'cap', 'stop', 'retry', 'fail', 'throttle'",
      value: 'Stop',
      message:
        "Invalid option classify.providers[0].codes.quota.kind (\"Stop\"): must be one of 'wait', 'cap', 'stop', 'retry', 'fail', 'throttle'",
    });
    expect(failure([{ name: 'p', statuses: { 529: { reason: 'r' } } }])).toMatchObject({
      option: 'classify.providers[0].statuses.529.kind',
      value: undefined,
    });
  });

  it('a meaning that is null is reported as a missing kind', () => {
    expect(failure([{ name: 'p', codes: { quota: null } }])).toMatchObject({
      option: 'classify.providers[0].codes.quota.kind',
      problem: "must be one of 'wait', 'cap', 'stop', 'retry', 'fail', 'throttle'",
      value: undefined,
    });
  });

  it.each([undefined, '', 7])('a reason that is not a non-empty string (%j)', (reason) => {
    expect(failure([{ name: 'p', codes: { quota: { kind: 'stop', reason } } }])).toMatchObject({
      option: 'classify.providers[0].codes.quota.reason',
      problem: 'must be a non-empty string code',
      value: reason,
    });
  });

  it('an unknown until', () => {
    expect(failure([{ name: 'p', codes: { quota: { ...meaning, until: 'next-day' } } }])).toEqual({
      option: 'classify.providers[0].codes.quota.until',
      problem: 'must be one of next-utc-day, next-pacific-day, next-utc-month',
      value: 'next-day',
      message:
        'Invalid option classify.providers[0].codes.quota.until ("next-day"): must be one of next-utc-day, next-pacific-day, next-utc-month',
    });
  });

  it.each(['name', 'remaining', 'reset'] as const)('a budget without %s, or with it empty', (field) => {
    expect(failure([{ name: 'p', budgets: [budget, { ...budget, [field]: undefined }] }])).toMatchObject({
      option: `classify.providers[0].budgets[1].${field}`,
      problem: 'must be a non-empty string (header names in lower case)',
      value: undefined,
    });
    expect(failure([{ name: 'p', budgets: [{ ...budget, [field]: '' }] }])).toMatchObject({
      option: `classify.providers[0].budgets[0].${field}`,
      problem: 'must be a non-empty string (header names in lower case)',
      value: '',
    });
  });

  it('a budget that is null is reported at its name', () => {
    expect(failure([{ name: 'p', budgets: [null] }])).toMatchObject({
      option: 'classify.providers[0].budgets[0].name',
      problem: 'must be a non-empty string (header names in lower case)',
      value: undefined,
    });
  });

  it('header names that are not lower case', () => {
    expect(failure([{ name: 'p', budgets: [{ ...budget, remaining: 'X-RateLimit-Remaining' }] }])).toEqual({
      option: 'classify.providers[0].budgets[0].remaining',
      problem: 'header names must be lower case',
      value: 'X-RateLimit-Remaining',
      message:
        'Invalid option classify.providers[0].budgets[0].remaining ("X-RateLimit-Remaining"): header names must be lower case',
    });
    expect(failure([{ name: 'p', budgets: [{ ...budget, reset: 'X-RateLimit-Reset' }] }])).toMatchObject({
      option: 'classify.providers[0].budgets[0].remaining',
      problem: 'header names must be lower case',
      value: 'x-ratelimit-remaining',
    });
  });

  it('an unknown resetFormat', () => {
    expect(failure([{ name: 'p', budgets: [{ ...budget, resetFormat: 'seconds' }] }])).toEqual({
      option: 'classify.providers[0].budgets[0].resetFormat',
      problem: 'must be one of delay, time, auto',
      value: 'seconds',
      message:
        'Invalid option classify.providers[0].budgets[0].resetFormat ("seconds"): must be one of delay, time, auto',
    });
  });

  it.each(['inspect', 'readBudgets'])('%s that is not a function', (hook) => {
    expect(failure([{ name: 'p', [hook]: 'yes' }])).toMatchObject({
      option: `classify.providers[0].${hook}`,
      problem: 'must be a function',
      value: 'yes',
    });
  });
});
