import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_LENGTH, redactSecrets, safeMessage } from '../../src';
import { messageOf } from '../../src/text/message-of';

// Exact outputs and length boundaries of redaction and truncation (kept apart from redact.test.ts).

describe('redactSecrets, exactly', () => {
  it.each([
    ['Authorization: Bearer abc.def-123', 'Authorization: [REDACTED]'],
    ['authorization=token xyz', 'authorization=[REDACTED]'],
    ['AUTHORIZATION : Basic Zm9vOmJhcg==, next', 'AUTHORIZATION : [REDACTED], next'],
    ['sent bearer abcdefgh to', 'sent bearer [REDACTED] to'],
    ['sent Basic abcdefgh to', 'sent Basic [REDACTED] to'],
    ['sent bearer abcdefg to', 'sent bearer abcdefg to'],
    ['k=sk-abcdefgh;', 'k=[REDACTED];'],
    ['k=pk-abcdefgh rk-abcdefgh', 'k=[REDACTED] [REDACTED]'],
    ['k=sk-abcdefg', 'k=sk-abcdefg'],
    [
      'sk_test_abcdefgh and pk_live_12345678 and rk_live_1234567',
      '[REDACTED] and [REDACTED] and rk_live_1234567',
    ],
    ['AKIAABCDEFGHIJKLMNOP', '[REDACTED]'],
    ['AKIAABCDEFGHIJKLMNO', 'AKIAABCDEFGHIJKLMNO'],
    ['"api_key": "v1"', '"api_key": "[REDACTED]"'],
    ['apikey=v1&x=2', 'apikey=[REDACTED]&x=2'],
    ["api-key='v1'", "api-key='[REDACTED]'"],
    ['X-API-Key: abc', 'X-API-Key: [REDACTED]'],
    ['access_token=abc; access-token=def', 'access_token=[REDACTED]; access-token=[REDACTED]'],
    [
      'secret=s1 password=p1 client_secret=c1 clientsecret=c2',
      'secret=[REDACTED] password=[REDACTED] client_secret=[REDACTED] clientsecret=[REDACTED]',
    ],
    ['{"password":"p}"}', '{"password":"[REDACTED]}"}'],
  ])('%s', (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('redacts every occurrence, not just the first', () => {
    expect(redactSecrets('sk-aaaaaaaa sk-bbbbbbbb AKIAABCDEFGHIJKLMNOP AKIAZZZZZZZZZZZZZZZZ')).toBe(
      '[REDACTED] [REDACTED] [REDACTED] [REDACTED]',
    );
  });
});

describe('safeMessage, exactly', () => {
  it('keeps a message up to the limit as it is', () => {
    expect(MAX_MESSAGE_LENGTH).toBe(500);
    const exact = 'a'.repeat(500);
    expect(safeMessage(exact)).toBe(exact);
    expect(safeMessage('abc', 3)).toBe('abc');
  });

  it('cuts a longer one and says how long it was', () => {
    expect(safeMessage('a'.repeat(501))).toBe(`${'a'.repeat(500)}… [truncated, 501 chars]`);
    expect(safeMessage('abcd', 3)).toBe('abc… [truncated, 4 chars]');
    // Longer than twice the limit: cut before redacting, still marked with the full length.
    expect(safeMessage('abcdefg', 3)).toBe('abc… [truncated, 7 chars]');
  });

  it('a message that only fits once redacted is still marked when it was cut before redaction', () => {
    const text = `${'x'.repeat(5)} sk-abcdefghijklmnopqrstuvwxyz`;
    expect(safeMessage(text, 20)).toBe('xxxxx [REDACTED]');
    const long = `sk-abcdefghijklmnop ${'y'.repeat(100)}`;
    expect(safeMessage(long, 20)).toBe(`[REDACTED] ${'y'.repeat(9)}… [truncated, ${long.length} chars]`);
  });

  it('recognises a secret straddling the cut', () => {
    const text = `${'z'.repeat(495)}sk-abcdefghijkl${'z'.repeat(300)}`;
    expect(safeMessage(text)).not.toContain('sk-abcde');
  });
});

describe('messageOf', () => {
  it('reads messages, strings and plain values; never throws', () => {
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf('text')).toBe('text');
    expect(messageOf({ message: 'm' })).toBe('m');
    expect(messageOf({ message: 42 })).toBe('[object Object]');
    expect(messageOf([1])).toBe('[object Array]');
    expect(messageOf(7)).toBe('7');
    expect(messageOf(false)).toBe('false');
    expect(messageOf(undefined)).toBe('');
    expect(messageOf(null)).toBe('');
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('no');
        },
      },
    );
    expect(messageOf(hostile)).toBe('');
  });
});
