import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { join } from 'node:path';
import { deriveIdempotencyKey, resiliencePlugin } from '../../index';
import { withTimeSkipping, type FakeProvider } from '../../testing';
import { sagaQuery, type SagaState } from '../../workflows';
import { installTravelApi, type TravelApiOptions, type TravelResource } from '../../examples/travel-api';
import type { TripBookingInput } from '../../examples/workflows/trip-booking';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';
import { createExampleWorker } from '../helpers/worker';

describe('the trip-booking saga on the real time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;

  beforeAll(async () => ({ env, provider } = await startServers('time-skipping')));
  afterAll(() => stopServers({ env, provider }));

  async function book(api: TravelApiOptions, saga: TripBookingInput['saga'] = {}) {
    const prefix = `/${uniqueTaskQueue('api')}`;
    const ledger = installTravelApi(provider, api, prefix);
    const taskQueue = uniqueTaskQueue('saga');
    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin()] });
    const input: TripBookingInput = {
      trip: { baseUrl: provider.url(prefix), traveller: 'ada', amountCents: 120_00 },
      saga,
    };
    const outcome = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('tripBookingWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [input],
      });
      const result = await withTimeSkipping(env, (client) => client.result(handle.workflowId)).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      return { result, state: await handle.query(sagaQuery('trip')) };
    });
    return { ...outcome, ledger, prefix };
  }

  function sagaFailure(error: unknown): ApplicationFailure {
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    return failure as ApplicationFailure;
  }

  it('books everything when nothing fails, and compensates nothing', async () => {
    const { result, ledger, state } = await book({});
    expect(result).toMatchObject({ ok: true, value: { flight: { id: 'FL-1' }, charge: { id: 'CH-1' } } });
    expect(ledger.undone).toEqual([]);
    expect(state.status).toBe('completed');
  });

  const order: TravelResource[] = ['flights', 'hotels', 'cars', 'payments'];
  it.each(order.map((failAt, i) => [failAt, order.slice(0, i).reverse()] as const))(
    'a failure at %s undoes exactly the completed steps, in reverse: %j',
    async (failAt, expectedUndo) => {
      const { result, ledger, state } = await book({ failAt });
      expect(result.ok).toBe(false);
      const failure = sagaFailure(!result.ok && result.error);
      expect(failure.type).toBe('SagaCompensated');
      expect(failure.nonRetryable).toBe(true);
      expect(ledger.undoOrder()).toEqual(expectedUndo);
      const reported = failure.details?.[0] as SagaState;
      expect(reported.stepsCompleted).toHaveLength(expectedUndo.length);
      expect(reported.compensations.every((c) => c.status === 'done')).toBe(true);
      expect(state).toEqual(reported);
      for (const resource of expectedUndo) expect(ledger.createdCount(resource)).toBe(1);
    },
  );

  it('retries a compensation that fails twice, until it succeeds', async () => {
    const { ledger, prefix } = await book({ failAt: 'hotels', compensationFailures: { flights: 2 } });
    expect(ledger.undoOrder()).toEqual(['flights']);
    expect(provider.calls(`${prefix}/flights/cancel`)).toBe(3);
    const keys = new Set(provider.requests(`${prefix}/flights/cancel`).map((r) => r.idempotencyKey));
    expect(keys.size).toBe(1);
  });

  it('without continueWithError, stops at the first failed compensation and reports it', async () => {
    const { result, ledger, state } = await book({ failAt: 'payments', compensationRejected: 'hotels' });
    const failure = sagaFailure(!result.ok && result.error);
    expect(failure.type).toBe('SagaCompensationFailed');
    expect(failure.message).toContain('could not undo: book-hotel');
    expect(ledger.undoOrder()).toEqual(['cars']);
    expect(state.compensations.map((c) => [c.step, c.status])).toEqual([
      ['book-flight', 'skipped'],
      ['book-hotel', 'failed'],
      ['book-car', 'done'],
    ]);
  });

  it('with continueWithError, attempts every compensation and reports the failures together', async () => {
    const { result, ledger, state } = await book(
      { failAt: 'payments', compensationRejected: 'hotels' },
      { continueWithError: true },
    );
    expect(sagaFailure(!result.ok && result.error).type).toBe('SagaCompensationFailed');
    expect(ledger.undoOrder()).toEqual(['cars', 'flights']);
    expect(state.compensations.map((c) => c.status)).toEqual(['done', 'failed', 'done']);
  });

  it('with compensateOnUnknownOutcome, also undoes a step whose retries ran out on a transient fault', async () => {
    // The car API answers 503 to every attempt: whether a car was booked is unknown, so its compensation is
    // registered (with no result) and runs first, before the hotel's and the flight's.
    const { result, ledger, state } = await book(
      { failAt: 'cars', failStatus: 503 },
      { compensateOnUnknownOutcome: true },
    );
    expect(sagaFailure(!result.ok && result.error).type).toBe('SagaCompensated');
    expect(state.compensations).toEqual([
      { step: 'book-flight', status: 'done' },
      { step: 'book-hotel', status: 'done' },
      { step: 'book-car', status: 'done', outcomeUnknown: true },
    ]);
    expect(state.stepsCompleted).toEqual(['book-flight', 'book-hotel']);
    expect(ledger.undoOrder()).toEqual(['hotels', 'flights']);
  });

  it('without compensateOnUnknownOutcome, a step whose outcome is unknown gets no compensation', async () => {
    const { ledger, state } = await book({ failAt: 'cars', failStatus: 503 });
    expect(state.compensations.map((c) => c.step)).toEqual(['book-flight', 'book-hotel']);
    expect(state.compensations.some((c) => c.outcomeUnknown)).toBe(false);
    expect(ledger.undoOrder()).toEqual(['hotels', 'flights']);
  });

  it('with compensateOnUnknownOutcome, a step that failed for certain (422) still gets no compensation', async () => {
    const { state } = await book({ failAt: 'cars', failStatus: 422 }, { compensateOnUnknownOutcome: true });
    expect(state.compensations.map((c) => c.step)).toEqual(['book-flight', 'book-hotel']);
  });

  it('runs compensations in parallel by option', async () => {
    const { ledger } = await book({ failAt: 'payments' }, { parallelCompensation: true });
    expect([...ledger.undoOrder()].sort()).toEqual(['cars', 'flights', 'hotels']);
  });

  it('unwinds when the workflow is cancelled mid-saga', async () => {
    const prefix = `/${uniqueTaskQueue('api')}`;
    const ledger = installTravelApi(provider, { createDelayMs: { cars: 60_000 } }, prefix);
    const taskQueue = uniqueTaskQueue('saga-cancel');
    const worker = await createExampleWorker(env, taskQueue, { plugins: [resiliencePlugin()] });
    const input: TripBookingInput = {
      trip: { baseUrl: provider.url(prefix), traveller: 'ada', amountCents: 100 },
    };
    const { error, state } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('tripBookingWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [input],
      });
      while (provider.calls(`${prefix}/cars`) === 0) await new Promise((r) => setTimeout(r, 20));
      await handle.cancel();
      const error = await withTimeSkipping(env, (client) => client.result(handle.workflowId)).catch(
        (e: unknown) => e,
      );
      return { error, state: await handle.query(sagaQuery('trip')) };
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(String((error as WorkflowFailedError).cause?.name)).toBe('CancelledFailure');
    expect(ledger.undoOrder()).toEqual(['hotels', 'flights']);
    expect(state.status).toBe('compensated');
  });

  it('runs compensations registered with addCompensation, in reverse, each under its own step name and key', async () => {
    const prefix = `/${uniqueTaskQueue('api')}`;
    const ledger = installTravelApi(provider, { failAt: 'cars' }, prefix);
    const taskQueue = uniqueTaskQueue('saga-manual');
    const worker = await createExampleWorker(env, taskQueue, {
      plugins: [resiliencePlugin()],
      workflowsPath: join(__dirname, '../fixtures/test-workflows.ts'),
    });
    const trip = { baseUrl: provider.url(prefix), traveller: 'ada', amountCents: 100 };
    const { error, state } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('manualCompensationWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [trip],
      });
      const error = await withTimeSkipping(env, (client) => client.result(handle.workflowId)).catch(
        (e: unknown) => e,
      );
      return { error, state: await handle.query(sagaQuery('manual')) };
    });
    expect(sagaFailure(error).type).toBe('SagaCompensated');
    expect(ledger.undone).toEqual([
      { resource: 'hotels', id: 'HT-1' },
      { resource: 'flights', id: 'FL-1' },
    ]);
    expect(state).toMatchObject({
      name: 'manual',
      status: 'compensated',
      compensations: [
        { step: 'release-flight', status: 'done' },
        { step: 'compensation#1', status: 'done' },
      ],
    });
    const keyOf = (stepName: string) =>
      deriveIdempotencyKey({ namespace: 'default', workflowId: taskQueue, stepName });
    expect(provider.requests(`${prefix}/flights/cancel`).map((r) => r.idempotencyKey)).toEqual([
      keyOf('compensate:release-flight'),
    ]);
    expect(provider.requests(`${prefix}/hotels/cancel`).map((r) => r.idempotencyKey)).toEqual([
      keyOf('compensate:compensation#1'),
    ]);
  });
});
