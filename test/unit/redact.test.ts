import { describe, expect, it } from 'vitest';
import { redactSecrets, REDACTED_FORMATS, safeMessage, safeName, safeStackFrames } from '../../src';
import { REDACTION_WINDOW } from '../../src/text/redact';

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

// Issue 14 item 4: a corpus of secret formats, each as it appears in real failures (messages, URLs, headers, JSON).
// The second column is the secret part that must not survive.
const CORPUS: Array<[string, string, string]> = [
  [
    'Google API key',
    'GET https://generativelanguage.googleapis.com/v1?key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW failed',
    'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW',
  ],
  [
    'Google API key alone',
    'key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW leaked',
    'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW',
  ],
  [
    'bare JWT',
    'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U rejected',
    'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ],
  ['URL userinfo', 'connect to https://admin:s3cr3tP4ss@db.example.com:5432/app failed', 's3cr3tP4ss'],
  [
    '?token= query',
    'GET https://api.example.com/v1/items?page=2&token=tok_9f8e7d6c5b4a returned 500',
    'tok_9f8e7d6c5b4a',
  ],
  ['?access_token= query', 'redirect to /cb?access_token=ya29.a0AfH6SMBx&state=1', 'ya29.a0AfH6SMBx'],
  ['Cookie header', 'request headers: Cookie: session=abc123def456; csrftoken=zzz999', 'abc123def456'],
  ['Set-Cookie header', 'Set-Cookie: sid=s%3Aabcdef0123456789; Path=/; HttpOnly', 'abcdef0123456789'],
  [
    'OpenAI sk-',
    'Incorrect API key provided: sk-abcdefghijklmnopqrstuvwxyz012345',
    'sk-abcdefghijklmnopqrstuvwxyz012345',
  ],
  ['OpenAI sk-proj-', 'key sk-proj-AbCdEfGh_12345678-ijklmnop in use', 'sk-proj-AbCdEfGh_12345678-ijklmnop'],
  [
    'Anthropic sk-ant-',
    'x sk-ant-api03-AbCdEfGhIjKlMnOp-QrStUv_wxyz y',
    'sk-ant-api03-AbCdEfGhIjKlMnOp-QrStUv_wxyz',
  ],
  ['Stripe rk_live_', 'restricted rk_live_51HabcdEFGHijklMNOP', 'rk_live_51HabcdEFGHijklMNOP'],
  ['Stripe sk_live_', 'secret sk_live_51HabcdEFGHijklMNOP', 'sk_live_51HabcdEFGHijklMNOP'],
  ['Slack xoxb-', 'slack xoxb-1234567890-0987654321-AbCdEfGhIjKl', 'xoxb-1234567890-0987654321-AbCdEfGhIjKl'],
  ['Slack xoxp-', 'slack xoxp-1234567890-0987654321-AbCdEfGhIjKl', 'xoxp-1234567890-0987654321-AbCdEfGhIjKl'],
  [
    'GitHub ghp_',
    'auth ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 denied',
    'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  ],
  [
    'GitHub github_pat_',
    'auth github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz denied',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
  ],
  ['AWS AKIA', 'aws AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
  ['Bearer', 'sent Bearer abcDEF123456ghiJKL789', 'abcDEF123456ghiJKL789'],
  ['Basic', 'sent Basic dXNlcjpwYXNzd29yZDEyMw==', 'dXNlcjpwYXNzd29yZDEyMw=='],
  ['x-api-key header', '{"headers":{"x-api-key":"k-9a8b7c6d5e4f"}}', 'k-9a8b7c6d5e4f'],
  ['api_key= pair', 'POST /v1?api_key=plainkey12345&q=1', 'plainkey12345'],
  ['password= pair', 'login failed for password=hunter2hunter2', 'hunter2hunter2'],
  ['Authorization header', 'Authorization: token 0123456789abcdef0123', '0123456789abcdef0123'],
];

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
