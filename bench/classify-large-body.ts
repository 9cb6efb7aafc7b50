/**
 * `npx tsx bench/classify-large-body.ts`: how long one classification of a 50 MB error body takes, per body type
 * (issue 14 item 5: under 50 ms). Standalone: it needs no server and is not part of `npm run bench`.
 */
import { Readable } from 'node:stream';
import { classifyError, classifyHttp, HttpError } from '../src';

const SIZE = 50 * 1024 * 1024;
const buffer = Buffer.alloc(SIZE, 0x78);
// Decoded from bytes, as a body read from the network is: a flat string. ('x'.repeat(n) builds a rope that V8
// flattens, a one-off 50 MB copy, on the first slice.)
const text = buffer.toString('latin1');
const bodies: Array<[string, unknown]> = [
  ['string', text],
  ['Buffer', buffer],
  ['Uint8Array', new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)],
  ['ArrayBuffer', buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + SIZE)],
  ['Float64Array', new Float64Array(SIZE / 8)],
  ['array of 5M numbers', Array.from({ length: 5_000_000 }, (_, i) => i)],
  ['object with a 50 MB string', { error: { message: text } }],
  ['Node Readable', Readable.from([buffer])],
];

function time(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const rows = bodies.map(([name, body]) => {
  const runs = Array.from({ length: 20 }, () => time(() => classifyHttp({ status: 429, body })));
  const viaError = time(() => classifyError(Object.assign(new HttpError(429), { body })));
  return {
    body: name,
    'first ms': runs[0]!.toFixed(2),
    'median ms': runs.sort((a, b) => a - b)[10]!.toFixed(2),
    'max ms (20 runs)': Math.max(...runs).toFixed(2),
    'classifyError ms': viaError.toFixed(2),
  };
});
rows.push({
  body: '50 MB error message',
  'first ms': '-',
  'median ms': '-',
  'max ms (20 runs)': '-',
  'classifyError ms': time(() => classifyError(new Error(text))).toFixed(2),
});
console.table(rows);
