/**
 * @module temporal-resilience/cli/history-json
 *
 * Turns the `History` message the client fetched into proto3 JSON (the form `historyToJSON` writes), without the
 * SDK's `@temporalio/common/lib/proto-utils`. That module resolves `protobufjs/ext/protojson` from wherever npm put
 * `@temporalio/common`, while the message types come from `@temporalio/proto`'s own copy; when npm hoists one major
 * of protobufjs and nests another (as it does with `@temporalio/client` 1.24 and grpc's proto-loader), the two copies
 * meet and it throws "type must be a Type". Here each message converts itself with the protobufjs copy that decoded
 * it (`toJSON()`), and only the two well-known types that reflection leaves as objects are rewritten.
 */

/** Proto3 JSON of a history: what `analyzeHistory` reads. */
export interface HistoryJson {
  readonly events: Record<string, unknown>[];
}

/**
 * Proto3 JSON of a fetched history: enums as names, 64-bit integers as strings, bytes as base64 (protobufjs's JSON
 * options), `google.protobuf.Timestamp` fields (named `...Time`) as RFC 3339 strings and `google.protobuf.Duration`
 * fields as seconds with an `s` suffix (`"1.500s"`).
 *
 * @throws TypeError when the argument is not a protobufjs message.
 */
export function historyToProto3Json(history: object): HistoryJson {
  // Typed `IHistory` by the client, but at run time a protobufjs message, which has `toJSON()`.
  const toJSON = (history as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== 'function') {
    throw new TypeError(
      'historyToProto3Json: expected the History message returned by handle.fetchHistory()',
    );
  }
  const plain = toJSON.call(history) as { events?: unknown[] };
  return { events: (plain.events ?? []).map((event) => wellKnown(event, '') as Record<string, unknown>) };
}

// In Temporal's API every Timestamp field ends in `_time`; the Duration fields are timeouts, intervals, backoffs and
// other spans. Reflection (`toJSON`) turns both into `{ seconds, nanos }` objects (an empty one when zero), so the
// field name tells them apart, and an empty object elsewhere (a `header: {}`) stays a message.
const TIMESTAMP_FIELD = /Time$/;
const DURATION_FIELD = /(Timeout|Interval|Backoff|Duration|Delay|Ttl|Jitter|Period)$/;

function wellKnown(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => wellKnown(v, key));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const timeLike = TIMESTAMP_FIELD.test(key) || DURATION_FIELD.test(key);
  if ((isSecondsNanos(record) || (timeLike && Object.keys(record).length === 0)) && key !== '') {
    return TIMESTAMP_FIELD.test(key) ? timestamp(record) : duration(record);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = wellKnown(v, k);
  return out;
}

function isSecondsNanos(record: Record<string, unknown>): boolean {
  const keys = Object.keys(record);
  return (
    keys.length > 0 &&
    keys.every((k) => k === 'seconds' || k === 'nanos') &&
    (record.seconds === undefined ||
      typeof record.seconds === 'string' ||
      typeof record.seconds === 'number') &&
    (record.nanos === undefined || typeof record.nanos === 'number')
  );
}

function timestamp(record: Record<string, unknown>): string {
  const seconds = Number(record.seconds ?? 0);
  const nanos = Number(record.nanos ?? 0);
  const iso = new Date(seconds * 1000).toISOString().replace(/\.000Z$/, '');
  if (nanos === 0) return `${iso}Z`;
  return `${iso}.${fraction(nanos)}Z`;
}

function duration(record: Record<string, unknown>): string {
  const seconds = BigInt(String(record.seconds ?? 0));
  const nanos = Number(record.nanos ?? 0);
  if (nanos === 0) return `${seconds}s`;
  const negative = seconds < 0n || nanos < 0;
  const whole = seconds < 0n ? -seconds : seconds;
  return `${negative ? '-' : ''}${whole}.${fraction(Math.abs(nanos))}s`;
}

/** Nanoseconds as 3, 6 or 9 fractional digits, as proto3 JSON writes them. */
function fraction(nanos: number): string {
  const digits = String(nanos).padStart(9, '0');
  if (digits.endsWith('000000')) return digits.slice(0, 3);
  if (digits.endsWith('000')) return digits.slice(0, 6);
  return digits;
}
