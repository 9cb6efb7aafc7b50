import { describe, expect, it, vi } from 'vitest';
import { Context } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import {
  createResilienceInterceptors,
  HttpError,
  InvalidOptionsError,
  type ResilienceOptions,
  type RetryDecision,
} from '../../index';

const SECRET = 'sk-proj-SECRETSECRET123456';

function environment(options: ResilienceOptions = {}, attempt = 1) {
  const interceptors = createResilienceInterceptors(options);
  const env = new MockActivityEnvironment(
    {
      attempt,
      activityId: 'act-1',
      activityType: 'chargeCard',
      workflowExecution: { workflowId: 'wf-1', runId: 'run-1' },
      currentAttemptScheduledTimestampMs: Date.UTC(2026, 0, 1),
    },
    // Failed attempts are logged (attempt.failed, the SDK's "Activity failed"); keep the test output to errors.
    { interceptors: interceptors.activity, logger: new DefaultLogger('ERROR') },
  );
  return { env, tools: interceptors.tools };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('ResilienceActivityInboundInterceptor', () => {
  it('passes results through', async () => {
    const { env } = environment();
    expect(await env.run(async () => 42)).toBe(42);
  });

  it('maps a long-Retry-After 429 to non-retryable QuotaExhausted with the decision record', async () => {
    const { env } = environment();
    const failure = await failureOf(
      env.run(async () => {
        throw new HttpError(429, { 'Retry-After': '10800' });
      }),
    );
    expect(failure.type).toBe('QuotaExhausted');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.nextRetryDelay).toBeUndefined();
    expect(failure.details?.[0]).toMatchObject({
      kind: 'stop',
      reason: 'retry-after-long',
      attempt: 1,
      toolKey: 'chargeCard',
    });
  });

  it('maps WAIT to a BENIGN RateLimitWait with nextRetryDelay ≥ Retry-After', async () => {
    const { env } = environment();
    // A frozen clock: no time passes during the attempt, so nextNotBefore is exactly scheduled + delay.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 0, 1, 0, 0, 30) });
    const failure = await failureOf(
      env.run(async () => {
        throw new HttpError(429, { 'retry-after': '5' });
      }),
    ).finally(() => vi.useRealTimers());
    expect(failure.type).toBe('RateLimitWait');
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
    const decision = failure.details?.[0] as RetryDecision;
    expect(failure.nextRetryDelay).toBe(decision.delayMs);
    expect(decision.delayMs).toBeGreaterThanOrEqual(5000);
    // nextNotBefore = the attempt's server time (scheduled + elapsed on the worker's clock) + delay.
    expect(decision.nextNotBefore).toBe(new Date(Date.UTC(2026, 0, 1) + decision.delayMs!).toISOString());
  });

  it('maps RETRY with backoff and keeps a redacted cause', async () => {
    const { env } = environment();
    const failure = await failureOf(
      env.run(async () => {
        throw Object.assign(new Error(`connect ECONNRESET Authorization: Bearer ${SECRET}`), {
          code: 'ECONNRESET',
        });
      }),
    );
    expect(failure).toMatchObject({ type: 'TransientFailure', nonRetryable: false });
    expect(failure.nextRetryDelay).toBeGreaterThan(0);
    expect(failure.message).not.toContain(SECRET);
    expect(failure.cause?.message).not.toContain(SECRET);
    expect(failure.cause?.stack).not.toContain(SECRET);
    expect(failure.cause?.stack).toMatch(/at /);
    expect(JSON.stringify(failure.details)).not.toContain(SECRET);
  });

  it('leaves ApplicationFailures thrown on purpose unchanged', async () => {
    const { env } = environment();
    const own = ApplicationFailure.nonRetryable('card declined', 'CardDeclined');
    const failure = await failureOf(
      env.run(async () => {
        throw own;
      }),
    );
    expect(failure).toBe(own);
  });

  it('leaves cancellation unchanged', async () => {
    const { env } = environment();
    const promise = env.run(async () => {
      // Waits for the cancellation itself, not for a time.
      const signal = Context.current().cancellationSignal;
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve));
      throw new Error('stopped because cancelled');
    });
    env.cancel();
    const error = await promise.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect((error as Error).message).toBe('stopped because cancelled');
  });

  it.each([
    ['a string', 'plain string failure'],
    ['undefined', undefined],
    ['a number', 7],
    [
      'a circular object',
      (() => {
        const o: Record<string, unknown> = { message: 'loop' };
        o.self = o;
        o.cause = o;
        return o;
      })(),
    ],
  ])('classifies %s thrown as RETRY unknown', async (_name, thrown) => {
    const { env } = environment();
    const failure = await failureOf(
      env.run(async () => {
        throw thrown;
      }),
    );
    expect(failure.type).toBe('TransientFailure');
    expect((failure.details?.[0] as RetryDecision).reason).toBe('unknown');
  });

  it('truncates a 10 MB message', async () => {
    const { env } = environment();
    const failure = await failureOf(
      env.run(async () => {
        throw new Error(`Bearer ${SECRET} ` + 'x'.repeat(10 * 1024 * 1024));
      }),
    );
    expect(failure.message.length).toBeLessThan(700);
    expect(failure.message).toContain('[truncated');
    expect(failure.message).not.toContain(SECRET);
  });

  it('holds the tool shut after a STOP: the next attempt fails at once without running', async () => {
    const { env } = environment({ quotaHoldMs: 60_000 });
    await failureOf(
      env.run(async () => {
        throw new HttpError(429, {}, '{"error":{"code":"insufficient_quota"}}');
      }),
    );
    let ran = false;
    const failure = await failureOf(
      env.run(async () => {
        ran = true;
      }),
    );
    expect(ran).toBe(false);
    expect(failure).toMatchObject({ type: 'QuotaExhausted', nonRetryable: true });
    expect(failure.details?.[0]).toMatchObject({ reason: 'quota-text' });
  });

  it('uses a custom tool key and calls onClassified', async () => {
    const decisions: RetryDecision[] = [];
    const { env, tools } = environment({
      toolKey: () => 'payments-host',
      onClassified: (d) => decisions.push(d),
    });
    await failureOf(
      env.run(async () => {
        throw new HttpError(503);
      }),
    );
    expect(decisions.map((d) => [d.toolKey, d.reason])).toEqual([['payments-host', 'http-503']]);
    expect(Object.keys(await tools.toolStates())).toEqual(['payments-host']);
  });

  it.each([
    [{ classify: { maxWaitMs: -1 } }, 'Invalid option classify.maxWaitMs (-1)'],
    [
      { tools: { chat: { headroom: 2 } } },
      'Invalid option tools.chat.headroom (2): must be a fraction > 0 and ≤ 1',
    ],
    [
      { tools: { chat: { maxConcurrency: 0 } } },
      'Invalid option tools.chat.maxConcurrency (0): must be a whole number ≥ 1',
    ],
    [
      { classify: { rules: [{ kind: 'later', reason: 'x' }] } },
      'Invalid option classify.rules[0].kind ("later"): must be one of \'wait\'',
    ],
    [{ jitterRatio: 1.5 }, 'Invalid option jitterRatio (1.5)'],
    [{ toolKey: 'host' }, 'Invalid option toolKey ("host"): must be a function'],
  ])('rejects invalid options at creation: %j', (options, message) => {
    expect(() => createResilienceInterceptors(options as never)).toThrow(InvalidOptionsError);
    expect(() => createResilienceInterceptors(options as never)).toThrow(message);
  });
});
