// `temporal-resilience tools` against a real redis-server: lists what the fleet's workers stored, and a release ends
// a hold for every worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/index';
import { redisStore } from '../../../interceptors/containment/redis-store';
import { toolSettingsOf } from '../../../interceptors/containment/tool-options';
import { holdUntil, initialToolState } from '../../../src/containment/tool-state';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    args,
    (t) => out.push(t),
    (t: string) => err.push(t),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('temporal-resilience tools', () => {
  it('lists the shared states and releases a hold fleet-wide', async () => {
    const settings = toolSettingsOf({ maxConcurrency: 2 }, 3_600_000);
    const store = redisStore({ url: redis.url, keyPrefix: 'cli:', callTimeoutMs: 5_000 });
    try {
      const now = Date.now();
      await store.update(
        'llm|tenant=acme',
        () => initialToolState(settings, now),
        (s) => ({ state: holdUntil(s, now + 600_000, 'quota-exhausted', settings, now), result: undefined }),
      );
      await store.update(
        'search',
        () => initialToolState(settings, now),
        (s) => ({ state: s, result: undefined }),
      );

      const listed = await run(['tools', '--redis', redis.url, '--prefix', 'cli:']);
      expect(listed.code).toBe(0);
      expect(listed.out).toMatch(
        /^llm\|tenant=acme: circuit closed, in flight 0\/2, HELD (599|600) s \(quota-exhausted\)$/m,
      );
      expect(listed.out).toMatch(/^search: circuit closed, in flight 0\/2$/m);

      const json = JSON.parse((await run(['tools', '--redis', redis.url, '--prefix', 'cli:', '--json'])).out);
      expect(json['llm|tenant=acme'].holdReason).toBe('quota-exhausted');

      const released = await run([
        'tools',
        '--redis',
        redis.url,
        '--prefix',
        'cli:',
        '--release',
        'llm|tenant=acme',
      ]);
      expect(released).toMatchObject({ code: 0 });
      expect((await store.read('llm|tenant=acme'))?.hold).toBeUndefined();

      const missing = await run(['tools', '--redis', redis.url, '--prefix', 'cli:', '--release', 'nope']);
      expect(missing.code).toBe(1);
      expect(missing.err).toContain("no state for tool key 'nope'");
    } finally {
      await store.close();
    }
  });

  it('says what is missing', async () => {
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      const r = await run(['tools']);
      expect(r.code).toBe(2);
      expect(r.err).toContain('Missing --redis URL');
    } finally {
      if (saved !== undefined) process.env.REDIS_URL = saved;
    }
  });

  it('fails with the URL redacted when Redis does not answer', async () => {
    const r = await run(['tools', '--redis', 'redis://user:secret@127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot reach Redis at redis://user:***@127.0.0.1:1');
    expect(r.err).not.toContain('secret');
  });
});
