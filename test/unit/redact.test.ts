import { describe, expect, it } from 'vitest';
import { redactSecrets, safeMessage } from '../../src';

describe('redactSecrets', () => {
  it.each([
    ['Authorization: Bearer abcdefghijklmnop123', 'abcdefghijklmnop123'],
    ['authorization=Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
    ['token bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', 'eyJhbGciOiJIUzI1NiJ9'],
    ['key sk-proj-ABCDEFGH12345678 leaked', 'sk-proj-ABCDEFGH12345678'],
    ['stripe sk_live_ABCDEFGH12345678', 'sk_live_ABCDEFGH12345678'],
    ['{"api_key":"hunter2-very-secret"}', 'hunter2-very-secret'],
    ['x-api-key: zzz-123-secret', 'zzz-123-secret'],
    ['aws AKIAABCDEFGHIJKLMNOP', 'AKIAABCDEFGHIJKLMNOP'],
  ])('removes the secret from %s', (text, secret) => {
    const out = redactSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
  });

  it('keeps ordinary text', () => {
    expect(redactSecrets('HTTP 503 from http://127.0.0.1:8080/v1/chat')).toBe(
      'HTTP 503 from http://127.0.0.1:8080/v1/chat',
    );
  });
});

describe('safeMessage', () => {
  it('truncates a 10 MB message and says so', () => {
    const out = safeMessage('Bearer abcdefghijkl ' + 'x'.repeat(10 * 1024 * 1024));
    expect(out.length).toBeLessThan(600);
    expect(out).toContain('[truncated, 10485780 chars]');
    expect(out).not.toContain('abcdefghijkl');
  });
});
