import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError, type Classification } from '../../src';
import { FakeProvider, type ScriptedResponse } from '../../testing';

// The errors here are the real SDK error classes, built by the SDKs themselves from responses (status, headers, JSON
// body) served by the fake provider: what users catch in their activities.

const NOW = Date.UTC(2026, 10, 25, 20, 0, 0); // 12:00 in Los Angeles (PST)
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

let provider: FakeProvider;
beforeAll(async () => {
  provider = await FakeProvider.start();
});
afterAll(() => provider.close());

async function thrown(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the SDK call did not throw');
}

describe('OpenAI SDK errors (openai)', () => {
  const path = '/openai/v1/chat/completions';
  async function openAiError(answer: ScriptedResponse): Promise<unknown> {
    provider.route(path, { then: answer });
    const client = new OpenAI({
      apiKey: 'sk-test-0000000000',
      baseURL: provider.url('/openai/v1'),
      maxRetries: 0,
    });
    return thrown(() =>
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    );
  }
  const rateLimit = (code: string, message = 'Rate limit reached') => ({
    error: { message, type: 'requests', param: null, code },
  });

  it.each<[string, ScriptedResponse, Partial<Classification>]>([
    [
      'requests spent: x-ratelimit-reset-requests 12s is WAIT 12 s',
      {
        status: 429,
        headers: {
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': '12s',
          'x-ratelimit-remaining-tokens': '40000',
          'x-ratelimit-reset-tokens': '6ms',
        },
        body: rateLimit('rate_limit_exceeded'),
      },
      { kind: 'wait', reason: 'openai-rate-limit', retryAfterMs: 12_000, status: 429 },
    ],
    [
      'Go-style 1m30s is WAIT 90 s with maxWaitMs 120 s',
      {
        status: 429,
        headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1m30s' },
        body: rateLimit('rate_limit_exceeded'),
      },
      { kind: 'wait', retryAfterMs: 90_000 },
    ],
    [
      'tokens spent, requests left: the token reset (6 s) blocks, not the request reset (1m30s)',
      {
        status: 429,
        headers: {
          'x-ratelimit-remaining-requests': '499',
          'x-ratelimit-reset-requests': '1m30s',
          'x-ratelimit-remaining-tokens': '0',
          'x-ratelimit-reset-tokens': '6s',
        },
        body: rateLimit('rate_limit_exceeded'),
      },
      { kind: 'wait', retryAfterMs: 6_000 },
    ],
    [
      'retry-after-ms 1500 is WAIT 1.5 s',
      { status: 429, headers: { 'retry-after-ms': '1500' }, body: rateLimit('rate_limit_exceeded') },
      { kind: 'wait', retryAfterMs: 1_500 },
    ],
    [
      'Azure integer seconds in x-ratelimit-reset-requests',
      {
        status: 429,
        headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '7' },
        body: rateLimit('429'),
      },
      { kind: 'wait', reason: 'rate-limit-reset', retryAfterMs: 7_000 },
    ],
    [
      'insufficient_quota is STOP',
      { status: 429, body: rateLimit('insufficient_quota', 'You exceeded your current quota') },
      { kind: 'stop', reason: 'quota-text' },
    ],
    [
      'organization_spend_limit_exceeded is STOP',
      { status: 429, body: rateLimit('organization_spend_limit_exceeded') },
      { kind: 'stop', reason: 'openai-spend-limit' },
    ],
    [
      'credit_balance_exhausted is STOP',
      { status: 429, body: rateLimit('credit_balance_exhausted') },
      { kind: 'stop', reason: 'openai-credit-balance-exhausted' },
    ],
    [
      'slow_down (ramping up too fast) is CAP',
      { status: 429, body: rateLimit('slow_down') },
      { kind: 'cap', reason: 'openai-slow-down' },
    ],
    [
      '503 server_is_overloaded is RETRY',
      { status: 503, body: rateLimit('server_is_overloaded', 'The server is overloaded') },
      { kind: 'retry', reason: 'openai-server-overloaded' },
    ],
    [
      'x-should-retry: false makes a rate limit not retryable',
      {
        status: 429,
        headers: { 'x-should-retry': 'false', 'retry-after': '2' },
        body: rateLimit('rate_limit_exceeded'),
      },
      { kind: 'fail', reason: 'should-retry-false' },
    ],
  ])('%s', async (_name, answer, expected) => {
    const error = await openAiError(answer);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(classifyError(error, { nowMs: NOW, maxWaitMs: 120_000 })).toMatchObject(expected);
  });
});

describe('Anthropic SDK errors (@anthropic-ai/sdk)', () => {
  const path = '/anthropic/v1/messages';
  async function anthropicError(answer: ScriptedResponse): Promise<unknown> {
    provider.route(path, { then: answer });
    const client = new Anthropic({
      apiKey: 'sk-ant-test-000000',
      baseURL: provider.url('/anthropic'),
      maxRetries: 0,
    });
    return thrown(() =>
      client.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
  }
  const body = (type: string, message: string, details?: object) => ({
    type: 'error',
    error: { type, message, ...(details ? { details } : {}) },
    request_id: 'req_1',
  });

  it.each<[string, ScriptedResponse, Partial<Classification>]>([
    [
      'rate_limit_error with retry-after 20 is WAIT 20 s',
      {
        status: 429,
        headers: { 'retry-after': '20' },
        body: body('rate_limit_error', 'Number of requests has exceeded your rate limit'),
      },
      { kind: 'wait', reason: 'anthropic-rate-limit', retryAfterMs: 20_000 },
    ],
    [
      'rate_limit_error without retry-after: the spent budget (input tokens, RFC 3339 reset) decides',
      {
        status: 429,
        headers: {
          'anthropic-ratelimit-requests-remaining': '40',
          'anthropic-ratelimit-requests-reset': at(2_000),
          'anthropic-ratelimit-input-tokens-remaining': '0',
          'anthropic-ratelimit-input-tokens-reset': at(25_000),
        },
        body: body('rate_limit_error', 'This request would exceed your rate limit'),
      },
      { kind: 'wait', reason: 'anthropic-rate-limit', retryAfterMs: 25_000 },
    ],
    [
      'enforced_spend_limit_reached is STOP until 00:00 UTC on the 1st',
      {
        status: 429,
        body: body('rate_limit_error', 'You have reached your spend limit', {
          error_code: 'enforced_spend_limit_reached',
        }),
      },
      { kind: 'stop', reason: 'anthropic-spend-cap', retryAfterMs: Date.UTC(2026, 11, 1) - NOW },
    ],
    [
      '529 overloaded_error is RETRY',
      { status: 529, body: body('overloaded_error', 'Overloaded') },
      { kind: 'retry', reason: 'anthropic-overloaded' },
    ],
    [
      'a 400 spend limit you set is STOP',
      {
        status: 400,
        body: body(
          'invalid_request_error',
          'You have reached your specified API usage limits. You will regain access on 2026-12-01.',
        ),
      },
      { kind: 'stop', reason: 'anthropic-usage-limit' },
    ],
    [
      'a 400 credit balance is STOP',
      {
        status: 400,
        body: body('invalid_request_error', 'Your credit balance is too low to access the Anthropic API.'),
      },
      { kind: 'stop', reason: 'anthropic-credit-balance' },
    ],
    [
      'another 400 is FAIL',
      { status: 400, body: body('invalid_request_error', 'messages: field required') },
      { kind: 'fail', reason: 'bad-request' },
    ],
  ])('%s', async (_name, answer, expected) => {
    const error = await anthropicError(answer);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(classifyError(error, { nowMs: NOW })).toMatchObject(expected);
  });
});

describe('Google Gen AI SDK errors (@google/genai)', () => {
  const path = '/gemini/v1beta/models/gemini-2.5-flash:generateContent';
  async function geminiError(answer: ScriptedResponse): Promise<unknown> {
    provider.route(path, { then: answer });
    const ai = new GoogleGenAI({ apiKey: 'AIzaTEST', httpOptions: { baseUrl: provider.url('/gemini') } });
    return thrown(() => ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }));
  }
  const exhausted = (quotaId: string, quotaValue: string, retryDelay?: string) => ({
    error: {
      code: 429,
      message: `You exceeded your current quota, please check your plan and billing details. Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: ${quotaValue}`,
      status: 'RESOURCE_EXHAUSTED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
              quotaId,
              quotaDimensions: { location: 'global', model: 'gemini-2.5-flash' },
              quotaValue,
            },
          ],
        },
        ...(retryDelay ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }] : []),
      ],
    },
  });

  it.each<[string, ScriptedResponse, Partial<Classification>]>([
    [
      'per-minute QuotaFailure with RetryInfo 25s is WAIT 25 s, although the message says "exceeded your current quota"',
      { status: 429, body: exhausted('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', '10', '25s') },
      { kind: 'wait', reason: 'gemini-per-minute-quota', retryAfterMs: 25_000, status: 429 },
    ],
    [
      'per-day QuotaFailure is STOP until midnight Pacific time',
      { status: 429, body: exhausted('GenerateRequestsPerDayPerProjectPerModel-FreeTier', '250', '40s') },
      // 12:00 PST: 12 hours to midnight.
      { kind: 'stop', reason: 'gemini-daily-quota', retryAfterMs: 12 * 3_600_000 },
    ],
    [
      'limit: 0 (the model is not on this tier) is FAIL',
      { status: 429, body: exhausted('GenerateRequestsPerMinutePerProjectPerModel-FreeTier', '0', '30s') },
      { kind: 'fail', reason: 'gemini-quota-limit-zero' },
    ],
  ])('%s', async (_name, answer, expected) => {
    const error = await geminiError(answer);
    expect((error as Error).name).toBe('ApiError');
    expect(classifyError(error, { nowMs: NOW })).toMatchObject(expected);
  });
});
