import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64Url, sha256, utf8Bytes } from '../../src/idempotency/sha256';

// The edges random strings rarely hit: each UTF-8 length boundary, surrogate pairs and lone surrogates, and base64url
// of every length modulo 3 (the random test only ever encodes 32-byte digests).

describe('utf8Bytes at the encoding boundaries', () => {
  it.each([
    '\u0000',
    '\u007f',
    '\u0080',
    '\u07ff',
    '\u0800',
    '\ud7ff',
    '\ue000',
    '\uffff',
    '\u{10000}',
    '\u{10ffff}',
    'a\u{1f600}b',
  ])('%j encodes as Node does', (text) => {
    expect(Buffer.from(utf8Bytes(text))).toEqual(Buffer.from(text, 'utf8'));
  });

  it('encodes a lone surrogate as its own three bytes (WTF-8), whatever precedes or follows it', () => {
    expect([...utf8Bytes('a\udc00')]).toEqual([0x61, 0xed, 0xb0, 0x80]);
    expect([...utf8Bytes('\ud800')]).toEqual([0xed, 0xa0, 0x80]);
    expect([...utf8Bytes('\ud800a')]).toEqual([0xed, 0xa0, 0x80, 0x61]);
    expect([...utf8Bytes('\udbff\ue000')]).toEqual([0xed, 0xaf, 0xbf, 0xee, 0x80, 0x80]);
    expect([...utf8Bytes('\ud7ff\udc00')]).toEqual([0xed, 0x9f, 0xbf, 0xed, 0xb0, 0x80]);
    expect([...utf8Bytes('\udbff\udfff')]).toEqual([0xf4, 0x8f, 0xbf, 0xbf]);
  });
});

describe('base64Url', () => {
  it.each([0, 1, 2, 3, 4, 5, 6, 31, 32, 33])('of %i bytes matches Node', (n) => {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 13) & 255);
    expect(base64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
  });
});

describe('sha256', () => {
  it('matches Node for messages around the block boundaries and a long one', () => {
    for (const n of [1, 54, 57, 62, 64, 127, 128, 129, 5000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);
      expect(Buffer.from(sha256(bytes)).toString('hex')).toBe(
        createHash('sha256').update(bytes).digest('hex'),
      );
    }
  });
});
