// Pins the "did you mean" suggestion shown for a misspelt option name: the exact edit distance (with swaps of two
// neighbours), how a whole name beats a camel-case prefix of the same closeness, which of equally close names wins,
// and when nothing is close enough to suggest. A wrong suggestion sends a user to the wrong option.
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/options/did-you-mean';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('a', 'ab')).toBe(1);
    expect(editDistance('ab', 'a')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('jitter', 'jtiter')).toBe(1);
    expect(editDistance('retry', 'rntry')).toBe(1);
  });

  it('a swap needs both letters to cross: one matching pair is not a swap', () => {
    expect(editDistance('ab', 'xa')).toBe(2);
    expect(editDistance('xa', 'ay')).toBe(2);
    expect(editDistance('abc', 'bca')).toBe(2);
  });

  it('compares at most 64 characters of each string', () => {
    expect(editDistance('x', 'x'.repeat(100))).toBe(63);
    expect(editDistance('x'.repeat(100), 'x')).toBe(63);
    expect(editDistance('x'.repeat(100), 'x'.repeat(64) + 'y'.repeat(36))).toBe(0);
  });
});

describe('didYouMean', () => {
  it('suggests nothing when no name is close enough', () => {
    expect(didYouMean('zzzzz', ['retry', 'timeout'])).toBeUndefined();
    expect(didYouMean('ret', ['retry'])).toBeUndefined();
    expect(didYouMean('anything', [])).toBeUndefined();
  });

  it('a whole name beats a camel-case prefix at the same distance, whatever the order', () => {
    expect(didYouMean('jiter', ['jitterRatio', 'jitter'])).toBe('jitter');
    expect(didYouMean('jiter', ['jitter', 'jitterRatio'])).toBe('jitter');
    expect(didYouMean('timeout', ['timeoutMs', 'timeout'])).toBe('timeout');
  });

  it('a prefix match is found through a leading camel-case word', () => {
    expect(didYouMean('jiter', ['jitterRatio'])).toBe('jitterRatio');
    expect(didYouMean('maximun', ['maximumAttempts'])).toBe('maximumAttempts');
    expect(didYouMean('timme', ['timeZone'])).toBe('timeZone');
  });

  it('only capital letters start a word: digits do not', () => {
    expect(didYouMean('oautj', ['oauth2Token'])).toBeUndefined();
  });

  it('of equally close names the first given wins', () => {
    expect(didYouMean('rntry', ['retry', 'entry'])).toBe('retry');
    expect(didYouMean('rntry', ['entry', 'retry'])).toBe('entry');
  });

  it('a closer name wins over one that only shares the leading words', () => {
    expect(didYouMean('maxBodyByts', ['maxBodySize', 'maxBodyBytes'])).toBe('maxBodyBytes');
    expect(didYouMean('maxBodyBytes', ['maxBodySize'])).toBe('maxBodySize');
  });

  it('compares case-insensitively', () => {
    expect(didYouMean('MAXIMUMATTEMPTS', ['maximumAttempts'])).toBe('maximumAttempts');
  });
});
