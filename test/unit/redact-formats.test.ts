import { describe, expect, it } from 'vitest';
import { REDACTED_FORMATS, redactSecrets, safeName, safeStackFrames } from '../../src';

// Every credential format the README promises to redact, in each spelling the format allows, alone in a sentence so
// that no other pattern (a `token=` pair, an Authorization header) is what removes it. Failures are kept in workflow
// history forever; a spelling that slips through is a leaked key. (redact-mutants.test.ts covers truncation.)

const R = '[REDACTED]';

/** A case: its name, the text, the text once redacted. */
type Case = readonly [name: string, text: string, expected: string];

describe('each documented format, each spelling', () => {
  it.each([
    // Cookie headers: the whole value, up to the end of the line.
    ['Cookie', 'Cookie: sid=abc; theme=dark\nnext', `Cookie: ${R}\nnext`],
    ['Set-Cookie', 'set-cookie= sid=abc; Path=/; HttpOnly', `set-cookie= ${R}`],
    ['a cookie in JSON', '{"cookie":"sid=abc"}', `{"cookie":"${R}"}`],
    // URL userinfo, any scheme.
    [
      'https userinfo',
      'GET https://alice:s3cret@api.example.com/v1 failed',
      `GET https://${R}@api.example.com/v1 failed`,
    ],
    ['a scheme with + and .', 'postgres+ssl.v2://u:p@db:5432/x', `postgres+ssl.v2://${R}@db:5432/x`],
    // Secret query parameters, each name, after ? or &.
    ...[
      'access_token',
      'accesstoken',
      'refresh_token',
      'refreshtoken',
      'id_token',
      'idtoken',
      'token',
      'api_key',
      'apikey',
      'key',
      'sig',
      'signature',
      'secret',
      'client_secret',
      'password',
      'auth',
      'code',
    ].flatMap((name): Case[] => [
      [`?${name}=`, `https://h/p?${name}=v4lue&b=2`, `https://h/p?${name}=${R}&b=2`],
      [`&${name}=`, `https://h/p?a=1&${name}=v4lue&b=2`, `https://h/p?a=1&${name}=${R}&b=2`],
    ]),
    // JSON Web Tokens, signed or not.
    ['a signed JWT', 'jwt eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl here', `jwt ${R} here`],
    ['an unsigned JWT', 'jwt eyJhbGciOi.eyJzdWIiOi. here', `jwt ${R} here`],
    // Provider keys.
    ['Anthropic', 'key sk-ant-api03-AbCdEfGh_12 used', `key ${R} used`],
    ['OpenAI project key', 'key sk-proj-AbCdEfGh-12 used', `key ${R} used`],
    ['Google', 'key AIzaSyA1234567890abcdefghij_- used', `key ${R} used`],
    ['AWS temporary key id', 'id ASIAABCDEFGHIJKLMNOP used', `id ${R} used`],
    ['GitHub fine-grained', 'pat github_pat_11ABCDEFG0123456789_abcdefghij used', `pat ${R} used`],
    ...['p', 'o', 'u', 's', 'r'].map(
      (letter): Case => [`GitHub gh${letter}_`, `tok gh${letter}_A1b2C3d4E5f6G7h8I9j0 used`, `tok ${R} used`],
    ),
    ...['a', 'b', 'p', 'r', 's', 'e'].map(
      (letter): Case => [`Slack xox${letter}-`, `tok xox${letter}-1234-567890 used`, `tok ${R} used`],
    ),
    ['Slack app token', 'tok xapp-1-A0123-4567 used', `tok ${R} used`],
    // name=value pairs the generic pattern knows.
    ['x-goog-api-key header', 'x-goog-api-key: AbC123', `x-goog-api-key: ${R}`],
    ['refresh-token pair', 'refresh-token=abc, next', `refresh-token=${R}, next`],
    ['refreshtoken pair', 'refreshtoken=abc', `refreshtoken=${R}`],
    ['passwd pair', 'passwd: hunter2', `passwd: ${R}`],
    ['client-secret pair', "client-secret='abc'", `client-secret='${R}'`],
    ['accesstoken pair', 'accesstoken = abc', `accesstoken = ${R}`],
  ] satisfies Case[])('%s', (_name, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('too short to be a key is left alone', () => {
    for (const text of [
      'AIzaSyA1234567890abcdef',
      'github_pat_short',
      'ghp_A1b2C3d4E5f6G7h8I9j',
      'xoxb-123456789',
      'eyJhbGc.eyJzdWIiOi.x',
    ])
      expect(redactSecrets(text)).toBe(text);
  });

  it('names every format it redacts, for the README', () => {
    expect(REDACTED_FORMATS).toEqual([
      'Authorization header',
      'Cookie / Set-Cookie header',
      'Bearer / Basic credentials',
      'URL userinfo',
      'secret query parameter',
      'JSON Web Token',
      'Anthropic / OpenAI key (sk-ant-, sk-proj-, sk-)',
      'Stripe key (sk_live_, rk_live_, pk_test_ ...)',
      'Google API key (AIza)',
      'AWS access key id (AKIA/ASIA)',
      'GitHub fine-grained token (github_pat_)',
      'GitHub token (ghp_, gho_, ghu_, ghs_, ghr_)',
      'Slack token (xoxb-, xoxp-, xapp- ...)',
      'name=value secret (api_key=, x-api-key:, password= ...)',
    ]);
  });
});

describe('error names and stack frames', () => {
  it('a name is redacted, then cut to 100 characters; anything but a string is "Error"', () => {
    expect(safeName('ghp_A1b2C3d4E5f6G7h8I9j0Error')).toBe(R);
    expect(safeName('N'.repeat(150))).toBe('N'.repeat(100));
    expect(safeName(42)).toBe('Error');
    expect(safeName(undefined)).toBe('Error');
  });

  it('keeps only the "at" frames, redacted, at most maxFrames of them', () => {
    const stack = [
      'Error: token sk-abcdefghijkl leaked',
      '    at fetch (https://h/p?token=abc:1:2)',
      'not a frame',
      '    at run (/app/a.js:3:4)',
      '    at main (/app/b.js:5:6)',
    ].join('\n');
    expect(safeStackFrames(stack)).toEqual([
      `    at fetch (https://h/p?token=${R}`,
      '    at run (/app/a.js:3:4)',
      '    at main (/app/b.js:5:6)',
    ]);
    expect(safeStackFrames(stack, 2)).toHaveLength(2);
    expect(safeStackFrames(undefined)).toEqual([]);
  });
});
