import { describe, expect, it } from 'vitest';
import { redactSecrets, safeMessage } from '../../src';

// The token formats the README promises to redact, each in the places it turns up: an error message, a header dump,
// a JSON body. (Separate from redact.test.ts, which covers the generic patterns.)
const GITHUB = {
  classic: 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8',
  oauth: 'gho_' + 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8',
  app: 'ghs_' + '0123456789abcdefABCDEF0123456789abcd',
  user: 'ghu_' + 'abcdefghijABCDEFGHIJ0123456789abcdef',
  refresh: 'ghr_' + 'QWERTYUIOPasdfghjkl0123456789zxcvbnm1',
};
const SLACK = {
  bot: 'xoxb-' + '1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
  user: 'xoxp-' + '1234567890-1234567890-1234567890123-abcdef0123456789',
  app: 'xoxa-' + '2-1234567890-abcdefabcdef',
  refresh: 'xoxr-' + '1234567890-abcdefABCDEF',
};

describe('GitHub and Slack tokens are redacted', () => {
  it.each([...Object.entries(GITHUB), ...Object.entries(SLACK)])('%s token', (_kind, token) => {
    for (const text of [
      `request failed with token ${token}`,
      `{"token":"${token}","ok":false}`,
      `token=${token}&channel=C1`,
      `GET /repos?access=${token}`,
    ]) {
      const out = redactSecrets(text);
      expect(out).not.toContain(token);
      // Not even a recognisable tail survives.
      expect(out).not.toContain(token.slice(-12));
      expect(out).toContain('[REDACTED]');
    }
  });

  it('keeps the text around the token', () => {
    expect(redactSecrets(`push rejected for ${GITHUB.classic} on main`)).toBe(
      'push rejected for [REDACTED] on main',
    );
    expect(redactSecrets(`slack said no to ${SLACK.bot}.`)).toBe('slack said no to [REDACTED].');
  });

  it('redacts tokens in failure messages too (safeMessage)', () => {
    const out = safeMessage(`401 from api.github.com with ${GITHUB.classic}, then ${SLACK.user}`);
    expect(out).not.toContain(GITHUB.classic);
    expect(out).not.toContain(SLACK.user);
  });

  it('leaves look-alike words alone', () => {
    for (const text of ['ghp_short', 'the ghp_ prefix', 'xoxo hugs', 'xoxb-short']) {
      expect(redactSecrets(text)).toBe(text);
    }
  });
});
