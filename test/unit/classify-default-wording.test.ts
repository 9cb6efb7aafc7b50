import { describe, expect, it } from 'vitest';
import { classifyError, classifyHttp } from '../../src';
import { MAX_CAUSE_DEPTH } from '../../src/classification/classify-error';

// The wording the classifier recognises without configuration, one phrase per spelling its documentation promises
// (kept apart from classify-error-mutants.test.ts, which covers codes and shapes). A quota phrase must STOP (retrying
// spends money and never succeeds before the window resets); a context-length phrase must FAIL (the same input fails
// again); neither may catch a per-minute rate limit, which only needs a wait.

const STOP = { kind: 'stop', reason: 'quota-text' };
const FAIL = { kind: 'fail', reason: 'context-length-exceeded' };

describe('quota wording STOPs, in every spelling', () => {
  it.each([
    ['OpenAI error code', '{"error":{"code":"insufficient_quota"}}'],
    ['OpenAI message', 'You exceeded your current quota, please check your plan and billing details.'],
    ['a quota named with digits and hyphens', 'You have exceeded your 5-hour usage quota.'],
    ['"the" instead of "your"', 'Request exceeded the project quota'],
    ['nothing between', 'You exceeded your quota'],
    ['Google', 'Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_requests'],
    ['exhausted', 'Resource has been exhausted: quota exhausted for today'],
    ['reached', 'Project quota reached.'],
    ['daily limit', 'You have hit your daily limit.'],
    ['weekly usage limit', 'Weekly usage limit hit, try again on Monday'],
    ['monthly request quota', 'monthly request quota used up'],
    ['hourly token cap', 'hourly token cap hit'],
    ['monthly spend limit', 'Your monthly spend limit has been hit.'],
    ['monthly spending cap', 'the monthly spending cap applies'],
    ['usage limit reached', 'Claude usage limit reached. Your limit will reset at 5pm.'],
    ['spend limit exceeded', 'Organization spend limit exceeded'],
    ['spending limit exceeded', 'spending limit exceeded for this key'],
    ['billing hard limit', 'Billing hard limit has been reached'],
    ['billing limit', 'You have reached your billing limit'],
    ['Anthropic credits', 'Your credit balance is too low to access the Anthropic API.'],
    ['out of credits', 'You are out of credits.'],
  ])('%s', (_name, text) => {
    expect(classifyError(new Error(text))).toEqual(STOP);
    expect(classifyHttp({ status: 429, body: text })).toMatchObject({ kind: 'stop', reason: 'quota-text' });
  });

  it('a quota word more than 40 characters after "exceeded your" is not this wording', () => {
    const gap = 'x'.repeat(41);
    expect(classifyError(new Error(`exceeded your ${gap}quota`))).toEqual({
      kind: 'retry',
      reason: 'unknown',
    });
    expect(classifyError(new Error(`exceeded your ${'x'.repeat(40)}quota`))).toEqual(STOP);
  });
});

describe('context-length wording FAILs, in every spelling', () => {
  it.each([
    ['OpenAI code', 'context_length_exceeded'],
    ['spaces', 'Context length exceeded for this model'],
    ['OpenAI message', "This model's maximum context length is 8192 tokens."],
    ['Anthropic', 'prompt is too long: 212345 tokens > 200000 maximum'],
    ['input', 'Input is too long for requested model.'],
    ['context window', 'The request exceeds the context window'],
    ["model's context window", "The input exceeds the model's context window of 128k tokens"],
  ])('%s', (_name, text) => {
    expect(classifyError(new Error(text))).toEqual(FAIL);
    expect(classifyHttp({ status: 400, body: text })).toMatchObject(FAIL);
  });
});

describe('per-minute rate limits are neither', () => {
  it.each([
    'Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29000.',
    'Too many tokens, please wait before trying again.',
    'Number of request tokens has exceeded your per-minute rate limit',
  ])('%s', (text) => {
    expect(classifyError(new Error(text))).toEqual({ kind: 'retry', reason: 'unknown' });
  });
});

describe('how deep classifyError looks', () => {
  const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const wrapCause = (error: unknown, links: number) => {
    for (let i = 0; i < links; i++) error = new Error('fetch failed', { cause: error });
    return error;
  };
  const wrapAggregate = (error: unknown, levels: number) => {
    for (let i = 0; i < levels; i++) error = new AggregateError([error], 'all attempts failed');
    return error;
  };

  it(`finds a network error exactly MAX_CAUSE_DEPTH (${MAX_CAUSE_DEPTH}) causes down, not one further`, () => {
    expect(MAX_CAUSE_DEPTH).toBe(32);
    expect(classifyError(wrapCause(reset(), MAX_CAUSE_DEPTH))).toEqual({
      kind: 'retry',
      reason: 'econnreset',
    });
    expect(classifyError(wrapCause(reset(), MAX_CAUSE_DEPTH + 1))).toEqual({
      kind: 'retry',
      reason: 'unknown',
    });
  });

  it('nested AggregateErrors count against the same bound', () => {
    expect(classifyError(wrapAggregate(reset(), MAX_CAUSE_DEPTH))).toEqual({
      kind: 'retry',
      reason: 'econnreset',
    });
    expect(classifyError(wrapAggregate(reset(), MAX_CAUSE_DEPTH + 1))).toEqual({
      kind: 'retry',
      reason: 'unknown',
    });
  });

  it('an AggregateError takes the most limiting verdict among its members, whatever their order', () => {
    const quota = new Error('insufficient_quota');
    const tooLong = new Error('prompt is too long');
    const members = [reset(), tooLong, quota, new Error('no idea')];
    expect(classifyError(new AggregateError(members))).toEqual(STOP);
    expect(classifyError(new AggregateError([...members].reverse()))).toEqual(STOP);
    expect(classifyError(new AggregateError([reset(), tooLong]))).toEqual(FAIL);
    expect(classifyError(new AggregateError([tooLong, reset()]))).toEqual(FAIL);
  });

  it('an AggregateError whose members say nothing falls back to its own cause', () => {
    const error = new AggregateError([new Error('a'), 'b'], 'x', { cause: reset() });
    expect(classifyError(error)).toEqual({ kind: 'retry', reason: 'econnreset' });
  });

  it('looks at the first 16 members of an AggregateError only', () => {
    const noise = Array.from({ length: 16 }, () => new Error('nothing known'));
    expect(classifyError(new AggregateError([...noise.slice(1), reset()]))).toEqual({
      kind: 'retry',
      reason: 'econnreset',
    });
    expect(classifyError(new AggregateError([...noise, reset()]))).toEqual({
      kind: 'retry',
      reason: 'unknown',
    });
  });
});
