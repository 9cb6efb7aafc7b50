// Pins the exact wire encoding of the attempt chain (payload metadata beside activity results and heartbeats): every
// optional field written when present and left out when absent, the round trip back to records, the shape checks
// that tell a chain from a user value, and how the next attempt continues a chain. A user relies on this because the
// wire form is what history stores: a changed key or a lost field silently rewrites every attempt record.
import { describe, expect, it } from 'vitest';
import type { AttemptChain, AttemptRecord } from '../../src/attempts/attempt-record';
import {
  CHAIN_METADATA_KEY,
  WIRE_MARKER,
  continueChain,
  fromChainWire,
  isChainWire,
  isWireEnvelope,
  toChainWire,
  type ChainWire,
} from '../../src/attempts/chain-wire';
import { ZERO_COST } from '../../src/cost/cost';

const base = { activityId: '7', activityType: 'callLlm', toolKey: 'callLlm' } as const;
const T0 = Date.parse('2026-01-02T03:04:05.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function chainOf(records: AttemptRecord[], dropped = 0, cost = ZERO_COST): AttemptChain {
  return { records, dropped, cost };
}

const full: AttemptRecord = {
  ...base,
  attempt: 2,
  startedAt: iso(T0),
  finishedAt: iso(T0 + 1500),
  nextNotBefore: iso(T0 + 4000),
  outcome: 'failed',
  kind: 'retry',
  reason: 'HTTP 503',
  failureType: 'CustomType',
  delayMs: 2500,
  sideEffectUnknown: true,
  resentLocally: true,
  cost: { inputTokens: 10, outputTokens: 20, usd: 0.5 },
  route: 'backup',
};

describe('toChainWire: exact record encoding', () => {
  it('writes every optional field in its short key, with end times as offsets from the start', () => {
    expect(toChainWire('r', chainOf([full]))).toEqual({
      v: 1,
      r: [
        {
          a: 2,
          o: 'f',
          s: T0,
          f: 1500,
          n: 4000,
          k: 'retry',
          r: 'HTTP 503',
          t: 'CustomType',
          d: 2500,
          u: 1,
          c: [10, 20, 0.5],
          x: 1,
          g: 'backup',
        },
      ],
    });
  });

  it('leaves out every absent field', () => {
    const bare: AttemptRecord = { ...base, attempt: 3, startedAt: '', outcome: 'lost' };
    expect(toChainWire('r', chainOf([bare]))).toEqual({ v: 1, r: [{ a: 3, o: 'l' }] });
    expect(Object.keys(toChainWire('r', chainOf([bare])).r![0]!)).toEqual(['a', 'o']);
  });

  it('leaves out s, f and n when the start is not a parseable time', () => {
    const rec: AttemptRecord = {
      ...base,
      attempt: 2,
      startedAt: 'not a date',
      finishedAt: iso(T0),
      nextNotBefore: iso(T0),
      outcome: 'failed',
    };
    expect(toChainWire('r', chainOf([rec])).r).toEqual([{ a: 2, o: 'f' }]);
  });

  it('writes only f when there is an end but no next-not-before, and only n when the reverse', () => {
    const onlyEnd: AttemptRecord = {
      ...base,
      attempt: 2,
      startedAt: iso(T0),
      finishedAt: iso(T0 + 7),
      outcome: 'completed',
    };
    const onlyNext: AttemptRecord = {
      ...base,
      attempt: 2,
      startedAt: iso(T0),
      nextNotBefore: iso(T0 + 9),
      outcome: 'refused',
    };
    expect(toChainWire('r', chainOf([onlyEnd])).r).toEqual([{ a: 2, s: T0, f: 7 }]);
    expect(toChainWire('r', chainOf([onlyNext])).r).toEqual([{ a: 2, o: 'r', s: T0, n: 9 }]);
  });

  it("leaves out the failure type when it is the class's usual one, and writes it without a class", () => {
    const usual: AttemptRecord = {
      ...base,
      attempt: 2,
      startedAt: '',
      outcome: 'failed',
      kind: 'cap',
      failureType: 'RateLimitCap',
    };
    const noKind: AttemptRecord = {
      ...base,
      attempt: 2,
      startedAt: '',
      outcome: 'failed',
      failureType: 'Boom',
    };
    expect(toChainWire('r', chainOf([usual])).r).toEqual([{ a: 2, o: 'f', k: 'cap' }]);
    expect(toChainWire('r', chainOf([noKind])).r).toEqual([{ a: 2, o: 'f', t: 'Boom' }]);
  });

  it('writes a zero delay and an empty reason and route (present, though falsy)', () => {
    const rec: AttemptRecord = {
      ...base,
      attempt: 2,
      startedAt: '',
      outcome: 'failed',
      delayMs: 0,
      reason: '',
      route: '',
    };
    expect(toChainWire('r', chainOf([rec])).r).toEqual([{ a: 2, o: 'f', r: '', d: 0, g: '' }]);
  });
});

describe('toChainWire: chain-level fields', () => {
  const first: AttemptRecord = { ...base, attempt: 1, startedAt: '', outcome: 'completed' };

  it('a single untimed first completion is the bare { v: 1 }', () => {
    expect(toChainWire('r', chainOf([first]))).toEqual({ v: 1 });
  });

  it('a first completion with a start time is written out', () => {
    const timed = { ...first, startedAt: iso(T0) };
    expect(toChainWire('r', chainOf([timed]))).toEqual({ v: 1, r: [{ a: 1, s: T0 }] });
  });

  it('two records are written even when the first is the trivial one', () => {
    const second: AttemptRecord = { ...base, attempt: 1, startedAt: '', outcome: 'completed' };
    expect(toChainWire('r', chainOf([first, second]))).toEqual({ v: 1, r: [{ a: 1 }, { a: 1 }] });
  });

  it('an empty chain writes an empty record list', () => {
    expect(toChainWire('r', chainOf([]))).toEqual({ v: 1, r: [] });
  });

  it('heartbeats carry kind h and the current attempt, and then the trivial chain is written out', () => {
    const current: AttemptRecord = { ...base, attempt: 2, startedAt: iso(T0), outcome: 'completed' };
    expect(toChainWire('h', chainOf([first]), current)).toEqual({
      v: 1,
      kind: 'h',
      r: [{ a: 1 }],
      cur: { a: 2, s: T0 },
    });
  });

  it('writes dropped count, cost, idempotency key and a tool key that differs from the type', () => {
    const rec: AttemptRecord = { ...first, toolKey: 'openai', idempotencyKey: 'idem-1' };
    expect(toChainWire('r', chainOf([rec], 4, { inputTokens: 1, outputTokens: 2, usd: 3 }))).toEqual({
      v: 1,
      d: 4,
      c: { inputTokens: 1, outputTokens: 2, usd: 3 },
      k: 'idem-1',
      t: 'openai',
    });
  });

  it('takes the shared fields from the current attempt when there is one', () => {
    const current: AttemptRecord = {
      ...base,
      attempt: 2,
      startedAt: '',
      outcome: 'completed',
      toolKey: 'x',
      idempotencyKey: 'k2',
    };
    const wire = toChainWire('h', chainOf([first]), current);
    expect(wire.k).toBe('k2');
    expect(wire.t).toBe('x');
  });

  it('writes the cost when any one of its parts is positive', () => {
    for (const c of [
      { inputTokens: 1, outputTokens: 0, usd: 0 },
      { inputTokens: 0, outputTokens: 1, usd: 0 },
      { inputTokens: 0, outputTokens: 0, usd: 0.01 },
    ]) {
      expect(toChainWire('r', chainOf([first], 0, c))).toEqual({ v: 1, c });
    }
  });
});

describe('fromChainWire', () => {
  const identity = { activityId: '7', activityType: 'callLlm' };

  it('round-trips a record with every field', () => {
    const { chain, current } = fromChainWire(toChainWire('r', chainOf([full], 2, full.cost!)), identity);
    expect(current).toBeUndefined();
    expect(chain).toEqual({ records: [full], dropped: 2, cost: full.cost });
  });

  it('round-trips shared fields and step', () => {
    const rec: AttemptRecord = { ...full, toolKey: 'openai', idempotencyKey: 'k', step: 'plan' };
    const wire = toChainWire('h', chainOf([rec]), rec);
    const out = fromChainWire(wire, { ...identity, step: 'plan' });
    expect(out).toEqual({ chain: { records: [rec], dropped: 0, cost: ZERO_COST }, current: rec });
  });

  it('expands the bare wire to one untimed completed first attempt with exactly the identity fields', () => {
    expect(fromChainWire({ v: 1 }, identity)).toEqual({
      chain: {
        records: [
          {
            activityId: '7',
            activityType: 'callLlm',
            toolKey: 'callLlm',
            attempt: 1,
            startedAt: '',
            outcome: 'completed',
          },
        ],
        dropped: 0,
        cost: ZERO_COST,
      },
    });
    const rec = fromChainWire({ v: 1 }, identity).chain.records[0]!;
    expect(Object.keys(rec).sort()).toEqual([
      'activityId',
      'activityType',
      'attempt',
      'outcome',
      'startedAt',
      'toolKey',
    ]);
  });

  it('puts back end and next times as start + offset', () => {
    const rec = fromChainWire({ v: 1, r: [{ a: 2, o: 'f', s: T0, f: 250, n: 1000 }] }, identity).chain
      .records[0]!;
    expect(rec.startedAt).toBe(iso(T0));
    expect(rec.finishedAt).toBe(iso(T0 + 250));
    expect(rec.nextNotBefore).toBe(iso(T0 + 1000));
  });

  it('ignores offsets without a start', () => {
    const rec = fromChainWire({ v: 1, r: [{ a: 2, o: 'f', f: 250, n: 1000 }] }, identity).chain.records[0]!;
    expect(rec).toEqual({ ...base, attempt: 2, startedAt: '', outcome: 'failed' });
  });

  it('restores the usual failure type of a failed or refused class, but not of a lost or completed one', () => {
    const types = (['f', 'r', 'l', undefined] as const).map(
      (o) =>
        fromChainWire({ v: 1, r: [{ a: 1, k: 'wait', ...(o ? { o } : {}) }] }, identity).chain.records[0]!
          .failureType,
    );
    expect(types).toEqual(['RateLimitWait', 'RateLimitWait', undefined, undefined]);
  });

  it('an explicit failure type wins over the usual one', () => {
    const rec = fromChainWire({ v: 1, r: [{ a: 1, o: 'f', k: 'wait', t: 'Mine' }] }, identity).chain
      .records[0]!;
    expect(rec.failureType).toBe('Mine');
    const noKind = fromChainWire({ v: 1, r: [{ a: 1, o: 'f', t: 'Solo' }] }, identity).chain.records[0]!;
    expect(noKind).toEqual({ ...base, attempt: 1, startedAt: '', outcome: 'failed', failureType: 'Solo' });
  });

  it('maps each outcome code', () => {
    const outcomes = (['f', 'r', 'l'] as const).map(
      (o) => fromChainWire({ v: 1, r: [{ a: 1, o }] }, identity).chain.records[0]!.outcome,
    );
    expect(outcomes).toEqual(['failed', 'refused', 'lost']);
  });

  it('restores zero delay, empty reason and route, flags and cost', () => {
    const rec = fromChainWire(
      { v: 1, r: [{ a: 1, o: 'f', d: 0, r: '', g: '', u: 1, x: 1, c: [1, 2, 3] }] },
      identity,
    ).chain.records[0]!;
    expect(rec).toEqual({
      ...base,
      attempt: 1,
      startedAt: '',
      outcome: 'failed',
      reason: '',
      delayMs: 0,
      route: '',
      sideEffectUnknown: true,
      resentLocally: true,
      cost: { inputTokens: 1, outputTokens: 2, usd: 3 },
    });
  });

  it('uses the wire tool key and idempotency key', () => {
    const rec = fromChainWire({ v: 1, t: 'openai', k: 'idem' }, identity).chain.records[0]!;
    expect(rec.toolKey).toBe('openai');
    expect(rec.idempotencyKey).toBe('idem');
    expect('step' in rec).toBe(false);
  });
});

describe('isChainWire and isWireEnvelope', () => {
  it('accepts the valid shapes', () => {
    expect(isChainWire({ v: 1 })).toBe(true);
    expect(isChainWire({ v: 1, kind: 'r' })).toBe(true);
    expect(isChainWire({ v: 1, kind: 'h', r: [] })).toBe(true);
  });

  it('rejects everything else', () => {
    expect(isChainWire(null)).toBe(false);
    expect(isChainWire(undefined)).toBe(false);
    expect(isChainWire('v')).toBe(false);
    expect(isChainWire(1)).toBe(false);
    expect(isChainWire({ v: 2 })).toBe(false);
    expect(isChainWire({})).toBe(false);
    expect(isChainWire({ v: 1, kind: 'x' })).toBe(false);
    expect(isChainWire({ v: 1, r: {} })).toBe(false);
    expect(isChainWire({ v: 1, r: 'abc' })).toBe(false);
  });

  it('an envelope needs the marker and a valid wire', () => {
    const wire: ChainWire = { v: 1 };
    expect(isWireEnvelope({ marker: WIRE_MARKER, wire })).toBe(true);
    expect(isWireEnvelope({ marker: WIRE_MARKER, wire, result: 5 })).toBe(true);
    expect(isWireEnvelope({ marker: 'other', wire })).toBe(false);
    expect(isWireEnvelope({ wire })).toBe(false);
    expect(isWireEnvelope({ marker: WIRE_MARKER, wire: { v: 2 } })).toBe(false);
    expect(isWireEnvelope({ marker: WIRE_MARKER })).toBe(false);
    expect(isWireEnvelope(null)).toBe(false);
    expect(isWireEnvelope(WIRE_MARKER)).toBe(false);
    // A function is not an object value, even with the right properties.
    const fn = Object.assign(() => undefined, { marker: WIRE_MARKER, wire });
    expect(isWireEnvelope(fn)).toBe(false);
  });

  it('the metadata key and marker are the documented strings', () => {
    expect(CHAIN_METADATA_KEY).toBe('resilience-chain');
    expect(WIRE_MARKER).toBe('temporal-resilience/chain-wire@1');
  });
});

describe('continueChain', () => {
  const identity = { ...base };
  const rec = (attempt: number, outcome: AttemptRecord['outcome'] = 'failed'): AttemptRecord => ({
    ...base,
    attempt,
    startedAt: '',
    outcome,
  });

  it('records the in-progress attempt as lost and counts its cost, then fills gaps', () => {
    const out = continueChain(
      chainOf([rec(1)], 0, { inputTokens: 1, outputTokens: 1, usd: 1 }),
      { ...rec(3, 'completed'), cost: { inputTokens: 2, outputTokens: 0, usd: 0.5 } },
      5,
      identity,
    );
    expect(out.records.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'failed'],
      [2, 'lost'],
      [3, 'lost'],
      [4, 'lost'],
    ]);
    expect(out.cost).toEqual({ inputTokens: 3, outputTokens: 1, usd: 1.5 });
    expect(out.records[1]).toEqual({ ...base, attempt: 2, startedAt: '', outcome: 'lost' });
  });

  it('does not add the current attempt when it is the attempt running now', () => {
    const out = continueChain(chainOf([rec(1)]), rec(2, 'completed'), 2, identity);
    expect(out.records.map((r) => [r.attempt, r.outcome])).toEqual([[1, 'failed']]);
  });

  it('does not add the current attempt when the chain already has it', () => {
    const out = continueChain(chainOf([rec(1), rec(2)]), rec(2, 'completed'), 3, identity);
    expect(out.records.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
  });

  it('after dropped records, only attempts above the highest record are gaps', () => {
    const out = continueChain(chainOf([rec(1), rec(2), rec(3), rec(9), rec(10)], 5), undefined, 12, identity);
    expect(out.records.map((r) => r.attempt)).toEqual([1, 2, 3, 9, 10, 11]);
    expect(out.dropped).toBe(5);
  });

  it('after dropped records with the highest first, the gap starts above the maximum', () => {
    const out = continueChain(chainOf([rec(10), rec(2)], 5), undefined, 12, identity);
    expect(out.records.map((r) => r.attempt)).toEqual([2, 10, 11]);
  });
});
