import { describe, expect, it } from 'vitest';
import { redactSecrets, REDACTED_FORMATS, safeMessage, safeName, safeStackFrames } from '../../src';
import { REDACTION_WINDOW } from '../../src/text/redact';
import { SECRET_CORPUS as CORPUS } from '../helpers/secret-corpus';

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

describe('redaction corpus (issue 14 item 4)', () => {
  it('covers at least 15 formats', () => {
    expect(new Set(CORPUS.map(([name]) => name.split(' ')[0])).size).toBeGreaterThanOrEqual(15);
    expect(REDACTED_FORMATS.length).toBeGreaterThanOrEqual(14);
  });

  it.each(CORPUS)('%s', (_name, text, secret) => {
    const out = redactSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED]');
    // ... and the cut message, the name and the stack frames too.
    expect(safeMessage(text, 60)).not.toContain(secret.slice(0, 12));
    expect(safeName(`Err ${text}`)).not.toContain(secret.slice(0, 12));
    expect(
      safeStackFrames(`Error: x\n    at fetch (${text})\n    at run (file.js:1:1)`).join('\n'),
    ).not.toContain(secret);
  });

  it.each(CORPUS)('%s straddling the redaction window leaks no part of the secret', (_name, text, secret) => {
    // Place the secret so that the window's end falls in the middle of it.
    const at = text.indexOf(secret);
    const pad = ' '.repeat(REDACTION_WINDOW - at - Math.floor(secret.length / 2));
    const out = safeMessage(pad + text + ' tail'.repeat(10_000), REDACTION_WINDOW);
    expect(out).not.toContain(secret.slice(0, Math.min(8, Math.floor(secret.length / 2))));
  });

  it('redacts before it cuts: a secret at the old 1,000-character cut does not escape in part', () => {
    // Redacted keys shrink the text, which pulled the head of a key cut at 1,000 characters into the first 500.
    const shrinking = Array.from({ length: 5 }, (_, i) => `sk-${String(i).repeat(190)}`).join(' ');
    const secret = 'ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const text = `${shrinking} ${'x'.repeat(1000 - shrinking.length - 12)} ${secret} more ${'y '.repeat(600)}`;
    expect(text.indexOf(secret)).toBeLessThan(1000);
    expect(text.indexOf(secret) + secret.length).toBeGreaterThan(1000);
    const out = safeMessage(text);
    expect(out).not.toMatch(/ghp_|ABCDEF/);
  });

  it('an unbroken 10 MB token is dropped, not partly shown', () => {
    const out = safeMessage('sk-' + 'a'.repeat(10 * 1024 * 1024));
    expect(out).not.toContain('aaaa');
    expect(out).toContain('[truncated,');
  });
});
