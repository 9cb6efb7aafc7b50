/**
 * How much of a body or message the classifier looks at. Providers put the error first; a 50 MB body must cost no
 * more than its first 64 KiB.
 */
export const MAX_INSPECTED_CHARS = 64 * 1024;

/** How deep an object body is walked. */
const MAX_DEPTH = 8;

/**
 * The start of a body of any type, as text, reading at most `limit` characters (or bytes) of it: strings are sliced;
 * `Buffer`s, typed arrays, `DataView`s and `ArrayBuffer`s have only their first `limit` bytes decoded; streams
 * (Node `Readable`, web `ReadableStream`, async iterables) and promises are never read (that would consume them and
 * take unbounded time) and give `''`; objects are serialised as JSON by a walker that stops at the limit, so a huge
 * array or a getter-heavy proxy is touched only as far as the limit.
 *
 * Never throws; a getter that throws ends the walk with what was written so far.
 */
export function boundedText(body: unknown, limit: number = MAX_INSPECTED_CHARS): string {
  const max = Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : MAX_INSPECTED_CHARS;
  try {
    if (typeof body === 'string') return body.length > max ? body.slice(0, max) : body;
    if (body === undefined || body === null) return '';
    const bytes = bytesOf(body);
    if (bytes) return decode(bytes, max);
    if (typeof body !== 'object') return String(body).slice(0, max);
    if (isStreamLike(body)) return '';
    const writer: Writer = { out: [], left: max, seen: new Set() };
    write(writer, body, 0);
    return writer.out.join('');
  } catch {
    return '';
  }
}

/** Parses the start of a body as JSON when it is an object, or text that is one (within the limit). */
export function boundedJson(body: unknown, limit: number = MAX_INSPECTED_CHARS): unknown {
  try {
    if (body !== null && typeof body === 'object' && !bytesOf(body) && !isStreamLike(body)) return body;
    const text = boundedText(body, limit + 1);
    if (text.length > limit) return undefined; // cut JSON does not parse; do not try
    const start = text.indexOf('{');
    if (start < 0) return undefined;
    return JSON.parse(text.slice(start)) as unknown;
  } catch {
    return undefined;
  }
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)
    return new Uint8Array(value);
  return undefined;
}

function decode(bytes: Uint8Array, max: number): string {
  // Only the head is decoded: subarray is a view, no copy of the 50 MB.
  const head = bytes.subarray(0, Math.min(bytes.byteLength, max));
  return new TextDecoder('utf-8', { fatal: false }).decode(head).slice(0, max);
}

function isStreamLike(value: object): boolean {
  const v = value as Record<string | symbol, unknown>;
  return (
    typeof v.pipe === 'function' ||
    typeof v.getReader === 'function' ||
    typeof v.then === 'function' ||
    typeof v[Symbol.asyncIterator] === 'function'
  );
}

/** Where the walker writes, and how many characters it may still write. */
interface Writer {
  readonly out: string[];
  left: number;
  readonly seen: Set<object>;
}

function put(w: Writer, s: string): void {
  if (w.left <= 0) return;
  const piece = s.length > w.left ? s.slice(0, w.left) : s;
  w.out.push(piece);
  w.left -= piece.length;
}

function write(w: Writer, value: unknown, depth: number): void {
  if (w.left <= 0) return;
  switch (typeof value) {
    case 'string':
      return put(w, JSON.stringify(value.length > w.left ? value.slice(0, w.left) : value));
    case 'number':
    case 'boolean':
    case 'bigint':
      return put(w, String(value));
    case 'object':
      if (value === null) return put(w, 'null');
      break;
    default:
      return put(w, 'null');
  }
  const obj = value;
  const bytes = bytesOf(obj);
  if (bytes) return put(w, JSON.stringify(decode(bytes, w.left)));
  if (w.seen.has(obj) || depth >= MAX_DEPTH || isStreamLike(obj)) return put(w, 'null');
  w.seen.add(obj);
  if (Array.isArray(obj)) {
    put(w, '[');
    const length = obj.length;
    for (let i = 0; i < length && w.left > 0; i++) {
      if (i > 0) put(w, ',');
      write(w, (obj as unknown[])[i], depth + 1);
    }
    put(w, ']');
  } else {
    put(w, '{');
    let first = true;
    // for..in stops early, unlike Object.keys on a huge object; own enumerable keys only.
    for (const key in obj) {
      if (w.left <= 0) break;
      if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
      if (!first) put(w, ',');
      first = false;
      put(w, `${JSON.stringify(key)}:`);
      write(w, (obj as Record<string, unknown>)[key], depth + 1);
    }
    put(w, '}');
  }
  w.seen.delete(obj);
}
