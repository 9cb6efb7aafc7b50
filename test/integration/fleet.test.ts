// Three worker processes on one task queue, sharing containment through a real Redis, against the fake provider
// (capacity 2 in flight): the fleet acts as one polite caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { redisStore, releaseTool } from '../../index';
import type { FakeProvider } from '../../testing';
import { startFleet, runProviderBatch, type Fleet } from '../helpers/fleet-workers';
import { startRedisServer, type RedisServer } from '../helpers/redis-server';
import { startServers, stopServers } from '../helpers/servers';
import { uniqueTaskQueue } from '../helpers/task-queue';

describe('a fleet of 3 worker processes on a shared Redis store', () => {
  let env: TestWorkflowEnvironment;
  let provider: FakeProvider;
  let redis: RedisServer;
  let fleet: Fleet;
  const taskQueue = uniqueTaskQueue('fleet');

  beforeAll(async () => {
    ({ env, provider } = await startServers('dev-server'));
    redis = await startRedisServer();
    fleet = await startFleet({
      address: env.address,
      taskQueue,
      workers: 3,
      redisUrl: redis.url,
      keyPrefix: `${taskQueue}:`,
      maxConcurrency: 2,
    });
  }, 180_000);
  afterAll(async () => {
    await fleet?.stop();
    await redis?.stop();
    await stopServers({ env, provider });
  });

  it('keeps the fleet within the configured concurrency: calls and 429s as for a single worker', async () => {
    const route = `/${taskQueue}/capacity`;
    provider.route(route, { maxInFlight: 2, then: { status: 200, body: { ok: true }, delayMs: 100 } });
    const result = await runProviderBatch(
      env.client,
      taskQueue,
      30,
      { url: provider.url(route) },
      `${taskQueue}-cap`,
    );
    expect(result.failed).toBe(0);
    // One worker with maxConcurrency 2 makes 30 calls and no 429; three without the shared store made 59-64 / 29-34.
    expect(provider.calls(route)).toBeLessThanOrEqual(36);
    expect(provider.responsesWithStatus(429, route)).toBeLessThanOrEqual(6);
  });

  it('a quota STOP learned by one worker holds for the others: 1 provider call fleet-wide', async () => {
    const route = `/${taskQueue}/quota`;
    provider.route(route, { then: { status: 429, headers: { 'retry-after': '10800' } } });
    const input = { url: provider.url(route) };
    const first = await runProviderBatch(env.client, taskQueue, 1, input, `${taskQueue}-q1`);
    expect(first.failed).toBe(1);
    expect(provider.calls(route)).toBe(1);
    // 29 more, spread over the three workers: every one is refused by the shared hold, none reaches the provider.
    const rest = await runProviderBatch(env.client, taskQueue, 29, input, `${taskQueue}-q29`);
    expect(rest.failed).toBe(29);
    expect(provider.calls(route)).toBe(1);
  });

  it('Redis killed mid-run: no workflow fails, the workers go on with their local share', async () => {
    const route = `/${taskQueue}/outage`;
    let mostInFlight = 0;
    let killedAt = Infinity;
    provider.route(route, {
      respond: (request, { inFlight }) => {
        // What the workers admitted at once after Redis died (each worker alone: its share, 2 / 3 workers → 1).
        if (request.callNumber > killedAt) mostInFlight = Math.max(mostInFlight, inFlight);
        return inFlight > 2
          ? { status: 429, body: { error: 'too many concurrent requests' } }
          : { status: 200, body: { ok: true }, delayMs: 200 };
      },
    });
    // The quota test left the tool held for the whole fleet: an operator releases it (the CLI's call).
    const admin = redisStore({ url: redis.url, keyPrefix: `${taskQueue}:`, callTimeoutMs: 5_000 });
    try {
      expect(await releaseTool(admin, 'callProvider')).toBe(true);
    } finally {
      await admin.close();
    }
    const batch = runProviderBatch(
      env.client,
      taskQueue,
      30,
      { url: provider.url(route) },
      `${taskQueue}-out`,
    );
    while (provider.calls(route) < 6) await new Promise((resolve) => setTimeout(resolve, 20));
    await redis.kill();
    killedAt = provider.calls(route) + 3; // calls admitted before the kill may still be in flight
    const result = await batch;
    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(provider.calls(route) - killedAt).toBeGreaterThan(0); // work went on without Redis
    expect(mostInFlight).toBeLessThanOrEqual(3);
  });
});
