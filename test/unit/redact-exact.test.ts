// Pins each alternative of the redaction patterns, the window cut and its delimiters, and the guards of safeMessage,
// safeName and safeStackFrames. A user relies on these: a secret that slips past one of them is stored in workflow
// history forever; a guard that throws on a non-string turns an error report into a crash.
import { describe, expect, it } from 'vitest';
import {
  MAX_MESSAGE_LENGTH,
  REDACTION_WINDOW,
  redactSecrets,
  safeMessage,
  safeName,
  safeStackFrames,
} from '../../src/text/redact';

describe('redactSecrets, Authorization header forms', () => {
  it.each([
    // a quoted, pretty-printed key: space between the closing quote and the colon
    ['{"authorization" : "tok12345"}', '{"authorization" : "[REDACTED]"}'],
    // a JSON key: quote right after the name
    ['{"authorization": "tok12345"}', '{"authorization": "[REDACTED]"}'],
    // a value without a scheme word
    ['Authorization: abc123', 'Authorization: [REDACTED]'],
    // no space between the separator and the value
    ['authorization=abc123', 'authorization=[REDACTED]'],
    ['Authorization:Bearer abc123', 'Authorization:[REDACTED]'],
    // space then a quote before the separator
    ['authorization "=tok12345', 'authorization "=[REDACTED]'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves a field that only starts with "authorization" alone', () => {
    expect(redactSecrets('authorization_id: 42')).toBe('authorization_id: 42');
  });
});

describe('redactSecrets, bearer / basic, URL userinfo, query parameters', () => {
  it('catches a bearer credential after several spaces', () => {
    expect(redactSecrets('sent bearer   abcdefgh')).toBe('sent bearer [REDACTED]');
  });

  it('catches URL userinfo at the very start of the text', () => {
    expect(redactSecrets('https://user:pw@host/x')).toBe('https://[REDACTED]@host/x');
  });

  it.each([
    ['GET /a?accesstoken=ab,cd', 'GET /a?accesstoken=[REDACTED]'],
    ['GET /a?access_token=ab,cd', 'GET /a?access_token=[REDACTED]'],
    ['GET /a?refreshtoken=ab;cd', 'GET /a?refreshtoken=[REDACTED]'],
    ['GET /a?refresh_token=ab;cd', 'GET /a?refresh_token=[REDACTED]'],
    ['GET /a?x=1&apikey=ab}cd', 'GET /a?x=1&apikey=[REDACTED]'],
    ['GET /a?x=1&api_key=ab,cd', 'GET /a?x=1&api_key=[REDACTED]'],
  ])('redacts the whole query value of %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});

describe('redactSecrets and safeMessage on non-strings', () => {
  it('redactSecrets returns "" for a non-string', () => {
    expect(redactSecrets(undefined as unknown as string)).toBe('');
    expect(redactSecrets(42 as unknown as string)).toBe('');
  });

  it('safeMessage returns "" for a non-string', () => {
    expect(safeMessage(undefined as unknown as string)).toBe('');
    expect(safeMessage(null as unknown as string, 10)).toBe('');
  });
});

describe('safeMessage, the limit', () => {
  const long = 'a'.repeat(600);
  const cutAtDefault = `${'a'.repeat(MAX_MESSAGE_LENGTH)}… [truncated, 600 chars]`;

  it.each([[NaN], [0], [-1], [Infinity], [-Infinity]])(
    'falls back to the default limit for max = %s',
    (max) => {
      expect(safeMessage(long, max)).toBe(cutAtDefault);
    },
  );

  it('uses a positive finite limit', () => {
    expect(safeMessage(long, 1)).toBe('a… [truncated, 600 chars]');
  });

  it('returns a text of exactly REDACTION_WINDOW characters whole when the limit allows it', () => {
    const exact = `${'a '.repeat(REDACTION_WINDOW / 2 - 1)}ab`;
    expect(exact).toHaveLength(REDACTION_WINDOW);
    expect(safeMessage(exact, REDACTION_WINDOW + 100)).toBe(exact);
    expect(redactSecrets(exact)).toBe(exact);
  });

  it('marks a text one character over the window as truncated even under the limit', () => {
    const over = `${'a '.repeat(REDACTION_WINDOW / 2)}b`;
    expect(safeMessage(over, REDACTION_WINDOW + 100)).toBe(
      `${'a '.repeat(REDACTION_WINDOW / 2)}… [truncated, ${REDACTION_WINDOW + 1} chars]`,
    );
  });
});

describe('the redaction window', () => {
  it('drops everything when the window holds no delimiter', () => {
    expect(redactSecrets('x'.repeat(REDACTION_WINDOW + 808))).toBe('');
  });

  it.each([' ', '\n', '\r', '\t', '"', "'", ',', ';', '<', '>', '(', ')', '{', '}', '[', ']'])(
    'cuts right after the delimiter %j before the token straddling the end',
    (d) => {
      const text = `${'a'.repeat(8000)}${d}${'b'.repeat(500)}`;
      expect(redactSecrets(text)).toBe(`${'a'.repeat(8000)}${d}`);
    },
  );

  it('never keeps more than the window, even when delimiters follow it', () => {
    const text = `${'a'.repeat(8000)} ${'b'.repeat(500)} tail`;
    expect(redactSecrets(text)).toBe(`${'a'.repeat(8000)} `);
  });
});

describe('safeName', () => {
  it('keeps the first MAX_NAME_LENGTH characters of a long name without delimiters', () => {
    expect(safeName('x'.repeat(REDACTION_WINDOW + 808))).toBe('x'.repeat(100));
  });
});

describe('safeStackFrames', () => {
  it('reads only the first 20 000 characters of a stack', () => {
    const stack = `Error\n${'x'.repeat(20_000)}\n    at late (x.js:1:1)`;
    expect(safeStackFrames(stack, 100)).toEqual([]);
  });

  it('keeps only lines that start with "at" after indentation', () => {
    const stack = 'Error: failed at step 2\n    at f (a.js:1:1)\nnot at all';
    expect(safeStackFrames(stack)).toEqual(['    at f (a.js:1:1)']);
  });

  it('cuts each frame to 1000 characters', () => {
    const frame = `    at f (${'a'.repeat(1500)})`;
    expect(safeStackFrames(`Error\n${frame}`)).toEqual([frame.slice(0, 1000)]);
  });
});
