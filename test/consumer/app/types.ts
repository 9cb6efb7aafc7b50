// Type-checked in the consumer app under every moduleResolution mode (see tsconfig.*.json): each entry point's
// types must resolve from the installed package alone.
import { resiliencePlugin, classifyHttp, type ResilienceOptions } from 'temporal-resilience';
import { activityOptions, step, Saga, type RetryPresetName } from 'temporal-resilience/workflow';
import { idempotencyKey, resilientFetch, type ResilientFetchInit } from 'temporal-resilience/activity';
import { retryDecisionOf, startExclusive, type RetryDecision } from 'temporal-resilience/client';
import { createTimeSkippingEnv, FakeProvider, type ScriptedResponse } from 'temporal-resilience/testing';

const options: ResilienceOptions = { tools: { chat: { requestsPerSecond: 10 } } };
const preset: RetryPresetName = 'llm';
const init: ResilientFetchInit = { method: 'POST' };
const answer: ScriptedResponse = { status: 429, headers: { 'retry-after': '10800' } };

export const used: unknown[] = [
  resiliencePlugin(options).name,
  classifyHttp,
  activityOptions(preset).startToCloseTimeout,
  step,
  Saga,
  idempotencyKey,
  resilientFetch,
  init,
  retryDecisionOf satisfies (error: unknown) => RetryDecision | undefined,
  startExclusive,
  createTimeSkippingEnv,
  FakeProvider,
  answer,
];

// A type that failed to resolve would be `any` and pass every check above; these fail instead.
type IsAny<T> = 0 extends 1 & T ? true : false;
export const resolved: [
  IsAny<ResilienceOptions>,
  IsAny<RetryPresetName>,
  IsAny<ResilientFetchInit>,
  IsAny<RetryDecision>,
  IsAny<ScriptedResponse>,
] = [false, false, false, false, false];
