import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { boundedText, classifyError, classifyHttp, HttpError, MAX_INSPECTED_CHARS } from '../../src';

const QUOTA = '{"error":{"code":"insufficient_quota"}}';
const MB = 1024 * 1024;

describe('bodies of any type are read only up to the limit', () => {
  const head = Buffer.from(QUOTA + ' '.repeat(1000));
  const big = Buffer.concat([head, Buffer.alloc(50 * MB, 0x20)]);

  it.each<[string, unknown]>([
    ['string', big.toString('latin1')],
    ['Buffer', big],
    ['Uint8Array', new Uint8Array(big.buffer, big.byteOffset, big.byteLength)],
    ['ArrayBuffer', big.buffer.slice(big.byteOffset, big.byteOffset + big.byteLength)],
    ['DataView', new DataView(big.buffer, big.byteOffset, big.byteLength)],
  ])('a 50 MB %s body with quota text at its start is STOP', (_name, body) => {
    expect(classifyHttp({ status: 429, body })).toMatchObject({ kind: 'stop', reason: 'quota-text' });
    expect(classifyError(Object.assign(new HttpError(429), { body }))).toMatchObject({ kind: 'stop' });
  });

  it('an axios arraybuffer error response (response.data, 50 MB) is read only at its start', () => {
    const error = Object.assign(new Error('Request failed with status code 429'), {
      isAxiosError: true,
      response: { status: 429, headers: { 'retry-after': '3' }, data: big },
    });
    expect(classifyError(error)).toMatchObject({ kind: 'stop', reason: 'quota-text', retryAfterMs: 3000 });
  });

  it('text beyond the limit is not seen', () => {
    const body = Buffer.concat([Buffer.alloc(MAX_INSPECTED_CHARS + 10, 0x20), Buffer.from(QUOTA)]);
    expect(classifyHttp({ status: 429, body }).kind).toBe('cap');
    expect(boundedText(body).length).toBe(MAX_INSPECTED_CHARS);
  });

  it('a huge array is touched only up to the limit (proxy counter)', () => {
    let reads = 0;
    const target = Array.from({ length: 5_000_000 }, () => 12345);
    const counted = new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(t, key, receiver) as unknown;
      },
    });
    expect(classifyHttp({ status: 500, body: { items: counted } })).toMatchObject({ kind: 'retry' });
    // Each element costs at least 2 characters ("12345,"), so at most limit/2 of them can be read.
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(MAX_INSPECTED_CHARS / 2);
  });

  it('an object with a huge number of keys is touched only up to the limit', () => {
    let reads = 0;
    const record: Record<string, unknown> = {};
    for (let i = 0; i < 200_000; i++) {
      Object.defineProperty(record, `k${i}`, {
        enumerable: true,
        get: () => {
          reads++;
          return 'value';
        },
      });
    }
    classifyHttp({ status: 429, body: record });
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThan(MAX_INSPECTED_CHARS / 8);
  });

  it('streams and async iterables are never read', () => {
    let pulled = 0;
    const stream = new Readable({
      read() {
        pulled++;
        this.push(QUOTA);
        this.push(null);
      },
    });
    expect(classifyHttp({ status: 429, body: stream }).kind).toBe('cap');
    expect(pulled).toBe(0);
    const iterable = {
      [Symbol.asyncIterator]() {
        pulled++;
        return { next: () => Promise.resolve({ done: true, value: undefined }) };
      },
    };
    expect(classifyError(Object.assign(new Error('x'), { status: 503, body: iterable })).kind).toBe('retry');
    expect(pulled).toBe(0);
    expect(boundedText(new ReadableStream())).toBe('');
  });

  it('a circular object body is fine', () => {
    const body: Record<string, unknown> = { error: { code: 'insufficient_quota' } };
    body.self = body;
    expect(classifyHttp({ status: 429, body })).toMatchObject({ kind: 'stop' });
  });

  it('a 50 MB error message is classified from its start', () => {
    const error = new Error('You exceeded your current quota. ' + 'x'.repeat(50 * MB));
    expect(classifyError(error)).toEqual({ kind: 'stop', reason: 'quota-text' });
  });
});
