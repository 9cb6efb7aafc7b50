import { describe, expect, it } from 'vitest';
import { utf8Bytes } from '../../src/idempotency/sha256';

// Only a high surrogate followed by a low one is a pair. A step name or key part with broken UTF-16 (a string cut in
// the middle of an emoji) must always encode to the same bytes, in the sandbox and in activities, or its idempotency
// key changes between versions and a side effect happens twice.
// (sha256-boundaries.test.ts covers the encoding boundaries and a lone surrogate next to ordinary characters.)

describe('utf8Bytes: what is a surrogate pair', () => {
  it('two low surrogates in a row are two characters, not a pair', () => {
    expect([...utf8Bytes('\udc00\udc00')]).toEqual([0xed, 0xb0, 0x80, 0xed, 0xb0, 0x80]);
    expect([...utf8Bytes('\udfff\udc00')]).toEqual([0xed, 0xbf, 0xbf, 0xed, 0xb0, 0x80]);
  });

  it('a character above the surrogates followed by a low surrogate is two characters', () => {
    expect([...utf8Bytes('\ue000\udc00')]).toEqual([0xee, 0x80, 0x80, 0xed, 0xb0, 0x80]);
  });

  it('a lone high surrogate before a pair leaves the pair whole', () => {
    expect([...utf8Bytes('\ud800\ud800\udc00')]).toEqual([0xed, 0xa0, 0x80, 0xf0, 0x90, 0x80, 0x80]);
  });
});
