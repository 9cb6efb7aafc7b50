import { describe, expect, it } from 'vitest';
import { boundedText, MAX_INSPECTED_CHARS } from '../../src';
import { boundedJson } from '../../src/text/bounded-text';

// What the classifier reads of a body, exactly: the same text as JSON.stringify for an ordinary body (so patterns and
// rules written against a provider's JSON match), cut at the limit, and nothing at all of what it must not consume.
// (classify-bounded-input.test.ts checks through the classifier that huge bodies cost only their start.)

describe('boundedText', () => {
  it('reads an ordinary JSON body as JSON.stringify writes it', () => {
    const body = {
      error: { type: 'rate_limit_error', message: 'Slow "down"', retry: [1, 2.5, true, null] },
      nested: { a: { b: { c: 'deep' } } },
      big: 12n,
      skipped: undefined,
    };
    expect(boundedText(body)).toBe(
      '{"error":{"type":"rate_limit_error","message":"Slow \\"down\\"","retry":[1,2.5,true,null]},' +
        '"nested":{"a":{"b":{"c":"deep"}}},"big":12,"skipped":null}',
    );
    expect(boundedText([])).toBe('[]');
    expect(boundedText({})).toBe('{}');
  });

  it('cuts strings, bytes and objects at the limit', () => {
    expect(boundedText('abcdef', 4)).toBe('abcd');
    expect(boundedText('abcd', 4)).toBe('abcd');
    expect(boundedText(Buffer.from('abcdef'), 4)).toBe('abcd');
    expect(boundedText({ message: 'abcdefgh' }, 12)).toBe('{"message":"');
    expect(boundedText({ message: 'abcdefgh' }, 16)).toBe('{"message":"abcd');
    expect(boundedText([1, 2, 3, 4, 5], 4)).toBe('[1,2');
  });

  it('decodes only the bytes a view shows, whatever the view', () => {
    const whole = new TextEncoder().encode('xxhello world');
    expect(boundedText(whole.subarray(2))).toBe('hello world');
    expect(boundedText(new DataView(whole.buffer, 2, 5))).toBe('hello');
    expect(boundedText(whole.buffer.slice(2, 7))).toBe('hello');
    expect(boundedText({ data: Buffer.from('hi') })).toBe('{"data":"hi"}');
  });

  it('never reads streams, async iterables or promises, as bodies or inside them', () => {
    const stream = { pipe: () => undefined };
    const web = { getReader: () => undefined };
    const iterable = { [Symbol.asyncIterator]: () => undefined };
    const promise = Promise.resolve('secret');
    for (const body of [stream, web, iterable, promise]) expect(boundedText(body)).toBe('');
    expect(boundedText({ a: stream, b: promise })).toBe('{"a":null,"b":null}');
  });

  it('writes null for a repeated reference, for what is deeper than eight levels, and for functions', () => {
    const loop: Record<string, unknown> = { name: 'x' };
    loop.self = loop;
    expect(boundedText(loop)).toBe('{"name":"x","self":null}');
    // The same object twice side by side is not a loop.
    const shared = { v: 1 };
    expect(boundedText([shared, shared])).toBe('[{"v":1},{"v":1}]');
    let deep: unknown = 'bottom';
    for (let i = 0; i < 9; i++) deep = [deep];
    expect(boundedText(deep)).toBe('[[[[[[[[null]]]]]]]]');
    expect(boundedText({ f: () => 1, s: Symbol('s') })).toBe('{"f":null,"s":null}');
  });

  it('reads own keys only; a getter that throws makes it give up on the body rather than throw', () => {
    const proto = { inherited: 1 };
    const own = Object.assign(Object.create(proto) as object, { mine: 2 });
    expect(boundedText(own)).toBe('{"mine":2}');
    const hostile = {
      ok: 'yes',
      get bad(): string {
        throw new Error('no');
      },
    };
    expect(boundedText(hostile)).toBe('');
  });

  it('other values are their String; nothing is empty; a bad limit is the default', () => {
    expect(boundedText(429)).toBe('429');
    expect(boundedText(false)).toBe('false');
    expect(boundedText(undefined)).toBe('');
    expect(boundedText(null)).toBe('');
    expect(MAX_INSPECTED_CHARS).toBe(65_536);
    const long = 'z'.repeat(70_000);
    for (const limit of [0, -5, Number.NaN, Infinity]) expect(boundedText(long, limit)).toHaveLength(65_536);
    expect(boundedText(long, 10.9)).toHaveLength(10);
  });
});

describe('boundedJson', () => {
  it('takes an object body as it is, and parses text that holds one', () => {
    const body = { error: { code: 'x' } };
    expect(boundedJson(body)).toBe(body);
    expect(boundedJson('data: {"error":{"code":"x"}}')).toEqual(body);
    expect(boundedJson(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
  });

  it('gives up on text cut by the limit, without a brace or not JSON', () => {
    expect(boundedJson('{"a":"bcdef"}', 12)).toBeUndefined();
    expect(boundedJson('{"a":"bcdef"}', 13)).toEqual({ a: 'bcdef' });
    expect(boundedJson('no json here')).toBeUndefined();
    expect(boundedJson('{not json')).toBeUndefined();
    expect(boundedJson({ pipe: () => undefined })).toBeUndefined();
  });
});
