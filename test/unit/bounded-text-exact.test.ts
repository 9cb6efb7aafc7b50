// Pins what boundedText and boundedJson read of bodies that are not plain strings: primitives other than strings,
// bytes (cut by bytes, decoded leniently), the depth limit of the object walk and a hostile value met exactly at
// the limit. A user relies on these: the classifier sees this text, and it must never throw, never consume more than
// the limit and never invent a JSON value.
import { describe, expect, it } from 'vitest';
import { boundedJson, boundedText } from '../../src/text/bounded-text';

describe('boundedText of primitives', () => {
  it('cuts a number to the limit', () => {
    expect(boundedText(123_456, 3)).toBe('123');
  });

  it('prints a symbol and a function as String() does', () => {
    expect(boundedText(Symbol('x'))).toBe('Symbol(x)');
    expect(boundedText(function f() {}, 10)).toBe('function f');
  });
});

describe('boundedText of bytes', () => {
  it('decodes only the first `limit` bytes, not `limit` characters', () => {
    const bytes = new TextEncoder().encode('é'.repeat(10)); // 20 bytes
    expect(boundedText(bytes, 4)).toBe('éé');
    expect(boundedText(bytes, 3)).toBe('é\uFFFD');
  });

  it('replaces invalid UTF-8 instead of failing', () => {
    expect(boundedText(new Uint8Array([0x61, 0xff, 0x62]))).toBe('a\uFFFDb');
  });
});

describe('boundedText of objects', () => {
  it('writes null at depth 8', () => {
    let nested: unknown = 1;
    for (let i = 0; i < 10; i++) nested = { a: nested };
    expect(boundedText(nested)).toBe(`${'{"a":'.repeat(8)}null${'}'.repeat(8)}`);
  });

  it('does not touch a value once the limit is reached', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('touched');
        },
      },
    );
    expect(boundedText({ a: hostile }, 5)).toBe('{"a":');
  });
});

describe('boundedJson', () => {
  it('gives undefined for text without an object, even if its tail parses', () => {
    expect(boundedJson('retry in 5')).toBeUndefined();
  });

  it('parses the object in a text', () => {
    expect(boundedJson('error: {"code":5}')).toEqual({ code: 5 });
  });
});
