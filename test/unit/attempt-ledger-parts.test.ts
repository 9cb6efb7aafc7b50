import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { AttemptChain, AttemptRecord } from '../../src/attempts/attempt-record';
import {
  CHAIN_METADATA_KEY,
  continueChain,
  fromChainWire,
  isWireEnvelope,
  toChainWire,
  type ChainWire,
} from '../../src/attempts/chain-wire';
import { AttemptStore } from '../../interceptors/attempt-store';
import { ChainPayloadCodec, HEARTBEAT_MARKER } from '../../interceptors/chain-payload-codec';
import { InMemorySpendTally } from '../../interceptors/spend-tally';

const identity = {
  activityId: '1',
  activityType: 'chat',
  toolKey: 'chat',
  step: 'chat#1',
  idempotencyKey: 'k',
};
const record = (attempt: number, outcome: AttemptRecord['outcome'], usd?: number): AttemptRecord => ({
  ...identity,
  attempt,
  outcome,
  startedAt: `2026-01-01T00:00:0${attempt}.000Z`,
  ...(usd !== undefined ? { cost: { inputTokens: 0, outputTokens: 0, usd } } : {}),
});
const chainOf = (records: AttemptRecord[], usd: number): AttemptChain => ({
  records,
  dropped: 0,
  cost: { inputTokens: 0, outputTokens: 0, usd },
});
const context = {
  type: 'activity' as const,
  namespace: 'default',
  workflowId: 'wf',
  activityId: '1',
  isLocal: false,
};
const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());

describe('the chain wire form', () => {
  it('leaves out what every record shares and puts it back', () => {
    const chain = chainOf([record(1, 'failed', 0.1), record(2, 'completed')], 0.1);
    const wire = toChainWire('r', chain);
    expect(JSON.stringify(wire)).not.toContain('chat#1');
    expect(wire.k).toBe('k');
    expect(fromChainWire(wire, identity).chain).toEqual(chain);
  });

  it('a first attempt that completed at no cost, untimed, travels as the key alone', () => {
    const only: AttemptRecord = { ...identity, attempt: 1, outcome: 'completed', startedAt: '' };
    const wire = toChainWire('r', chainOf([only], 0));
    expect(wire).toEqual({ v: 1, k: 'k' });
    expect(fromChainWire(wire, identity).chain.records).toEqual([only]);
  });

  it('a lost attempt keeps the cost it recorded; attempts that left nothing are lost with no cost', () => {
    const previous = chainOf([record(1, 'failed', 0.1)], 0.1);
    const out = continueChain(previous, record(3, 'lost', 0.1), 5, identity);
    expect(out.records.map((r) => [r.attempt, r.outcome, r.cost?.usd])).toEqual([
      [1, 'failed', 0.1],
      [2, 'lost', undefined],
      [3, 'lost', 0.1],
      [4, 'lost', undefined],
    ]);
    expect(out.cost.usd).toBeCloseTo(0.2, 6);
  });
});

describe('ChainPayloadCodec', () => {
  it('heartbeats: the payload is the user details, the chain is metadata, and it comes back off for the next attempt', async () => {
    const store = new AttemptStore();
    const codec = new ChainPayloadCodec(store);
    const key = AttemptStore.key('wf', '1');
    store.set(key, { runId: 'r', attempt: 1, chain: chainOf([], 0), current: record(1, 'lost', 0.1) });
    const wrapped = defaultPayloadConverter.toPayload({ marker: HEARTBEAT_MARKER, user: { cursor: 7 } });
    const [out] = await codec.encode([wrapped], context);
    expect(defaultPayloadConverter.fromPayload(out!)).toEqual({ cursor: 7 });
    expect(out!.metadata?.[CHAIN_METADATA_KEY]).toBeDefined();
    const [back] = await codec.decode([out!], context);
    expect(back!.metadata?.[CHAIN_METADATA_KEY]).toBeUndefined();
    expect(defaultPayloadConverter.fromPayload(back!)).toEqual({ cursor: 7 });
    const arrived = store.takeArrived(key) as ChainWire;
    expect(arrived.cur?.c?.[2]).toBe(0.1);
  });

  it('a heartbeat without details stays undefined', async () => {
    const codec = new ChainPayloadCodec(new AttemptStore());
    const [out] = await codec.encode(
      [defaultPayloadConverter.toPayload({ marker: HEARTBEAT_MARKER })],
      context,
    );
    expect(defaultPayloadConverter.fromPayload(out!)).toBeUndefined();
  });

  it('results: unchanged in history, handed to the sandbox with the chain; other payloads pass through', async () => {
    const store = new AttemptStore();
    const codec = new ChainPayloadCodec(store);
    const key = AttemptStore.key('wf', '1');
    const args = defaultPayloadConverter.toPayload(['x']);
    expect(await codec.encode([args], context)).toEqual([args]);
    store.set(key, {
      runId: 'r',
      attempt: 2,
      chain: chainOf([record(1, 'failed'), record(2, 'completed')], 0),
      resultPending: true,
    });
    const [stored] = await codec.encode([defaultPayloadConverter.toPayload('hello')], context);
    expect(text(stored!.data)).toBe('"hello"');
    expect(store.get(key)).toBeUndefined();
    const [sandbox] = (await codec.decode([stored!], context)) as [Payload];
    const value = defaultPayloadConverter.fromPayload(sandbox);
    expect(isWireEnvelope(value)).toBe(true);
    expect(value).toMatchObject({ result: 'hello' });
  });
});

describe('InMemorySpendTally', () => {
  it('adds per execution, ignores nonsense, and forgets the least recently used beyond its bound', () => {
    const tally = new InMemorySpendTally({ maxExecutions: 2 });
    tally.add('a', 0.1);
    tally.add('a', 0.2);
    tally.add('a', Number.NaN);
    tally.add('a', -1);
    expect(tally.spent('a')).toBeCloseTo(0.3, 9);
    tally.add('b', 1);
    tally.add('c', 1);
    expect(tally.spent('a')).toBe(0);
    expect(tally.spent('c')).toBe(1);
  });
});

describe('the failure an attempt carries', () => {
  it('stays under the server 4 KB retry failure limit with a long message, a deep stack and a long chain', async () => {
    const { defaultFailureConverter } = await import('@temporalio/common');
    const { temporal } = await import('@temporalio/proto');
    const { toApplicationFailure } = await import('../../interceptors/failure-mapping');
    const original = new Error(`upstream failed: ${'x'.repeat(5_000)}`);
    original.stack = [
      `Error: ${original.message}`,
      ...Array.from(
        { length: 60 },
        (_, i) => `    at frame${i} (/srv/app/node_modules/some/deep/path/module-${i}.js:${i}:${i})`,
      ),
    ].join('\n');
    const decision = {
      kind: 'retry' as const,
      reason: 'http-500',
      failureType: 'TransientFailure' as const,
      nonRetryable: false,
      benign: false,
      delayMs: 1_000,
      nextNotBefore: '2026-01-01T00:00:01.000Z',
      attempt: 50,
      toolKey: 'chat',
      step: 'chat#1',
      idempotencyKey: 'k'.repeat(32),
    };
    // A retried attempt's failure carries no chain (the chain travels to the next attempt beside the heartbeat).
    const failure = toApplicationFailure(decision, original);
    const proto = defaultFailureConverter.errorToFailure(failure, defaultPayloadConverter);
    const bytes = temporal.api.failure.v1.Failure.encode(proto).finish().length;
    expect(bytes).toBeLessThan(4_096);
    expect(failure.stack).toBe(`ApplicationFailure: ${failure.message}`);
  });
});
