import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  CHAIN_METADATA_KEY,
  isChainWire,
  toChainWire,
  WIRE_MARKER,
  type ChainWire,
} from '../src/attempts/chain-wire';
import { AttemptStore } from './attempt-store';

/**
 * Marks the value the activity interceptor heartbeats in place of the user's details, `{ marker, user? }`; the codec
 * turns it back into the user's own payload (with the chain in its metadata) before it leaves the worker.
 */
export const HEARTBEAT_MARKER = 'temporal-resilience/heartbeat@1';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEARTBEAT_PREFIX = encoder.encode(`{"marker":"${HEARTBEAT_MARKER}"`);
const JSON_PLAIN = 'json/plain';
const BINARY_NULL = 'binary/null';

/**
 * The toolkit's payload codec: it carries the attempt chain in payload metadata, beside the user's values, never
 * around them.
 *
 * - Heartbeats: the activity interceptor heartbeats `{ marker, user }`; on the way out the codec writes the user's
 *   details as their own payload and adds the attempt's chain (finished attempts, the attempt in progress and its
 *   cost so far) as metadata. On the way in (the next attempt's task), it takes the metadata off and leaves the chain
 *   for the interceptor, so `heartbeatDetails` is exactly what the user sent.
 * - Results: the first plain payload encoded for an activity whose attempt just completed is its result; the codec
 *   adds the chain as metadata. History, the Web UI and `temporal workflow show` show the result unchanged. On the
 *   way into the workflow sandbox, the codec hands the workflow interceptor `{ marker, wire, result }`, which it
 *   unwraps before the workflow sees the value.
 *
 * It must run first on encode and last on decode (closest to the payload converter): the plugin puts it first in
 * `payloadCodecs`. Only JSON values and `undefined` carry a chain; other encodings pass through untouched.
 */
export class ChainPayloadCodec implements PayloadCodec {
  /** True once the worker has used the codec: until then the interceptor does not wrap heartbeats. */
  used = false;
  /** Set when the worker has a payload converter of its own: nothing is wrapped, the codec passes payloads on. */
  disabled = false;

  constructor(private readonly store: AttemptStore) {}

  encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    this.used = true;
    return Promise.resolve(payloads.map((p) => this.encodeOne(p, context)));
  }

  decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    this.used = true;
    return Promise.resolve(payloads.map((p) => this.decodeOne(p, context)));
  }

  private encodeOne(payload: Payload, context: SerializationContext | undefined): Payload {
    if (context?.type !== 'activity') return payload;
    const key = AttemptStore.key(context.workflowId, context.activityId);
    if (startsWith(payload.data, HEARTBEAT_PREFIX) && encodingOf(payload) === JSON_PLAIN) {
      const envelope = JSON.parse(decoder.decode(payload.data!)) as { marker: string; user?: unknown };
      const user = defaultPayloadConverter.toPayload('user' in envelope ? envelope.user : undefined);
      const live = this.store.get(key);
      return live ? withWire(user, toChainWire('h', live.chain, live.current)) : user;
    }
    const live = this.store.get(key);
    if (!live?.resultPending) return payload;
    live.resultPending = false;
    this.store.delete(key, live);
    const encoding = encodingOf(payload);
    if (encoding !== JSON_PLAIN && encoding !== BINARY_NULL) return payload;
    return withWire(payload, toChainWire('r', live.chain));
  }

  private decodeOne(payload: Payload, context: SerializationContext | undefined): Payload {
    const raw = payload.metadata?.[CHAIN_METADATA_KEY];
    if (!raw) return payload;
    const metadata = { ...payload.metadata };
    delete metadata[CHAIN_METADATA_KEY];
    const user: Payload = { ...payload, metadata };
    let wire: unknown;
    try {
      wire = JSON.parse(decoder.decode(raw));
    } catch {
      return user;
    }
    if (!isChainWire(wire)) return user;
    if (wire.kind === 'h') {
      if (context?.type === 'activity')
        this.store.arrive(AttemptStore.key(context.workflowId, context.activityId), wire);
      return user;
    }
    // A result: the workflow interceptor takes the chain off and passes the result on.
    const encoding = encodingOf(user);
    if (encoding !== JSON_PLAIN && encoding !== BINARY_NULL) return user;
    const parts = [`{"marker":"${WIRE_MARKER}","wire":`, decoder.decode(raw)];
    if (encoding === JSON_PLAIN) parts.push(`,"result":`, decoder.decode(user.data ?? new Uint8Array()));
    parts.push('}');
    return { metadata: { encoding: encoder.encode(JSON_PLAIN) }, data: encoder.encode(parts.join('')) };
  }
}

function withWire(payload: Payload, wire: ChainWire): Payload {
  return {
    ...payload,
    metadata: { ...payload.metadata, [CHAIN_METADATA_KEY]: encoder.encode(JSON.stringify(wire)) },
  };
}

function encodingOf(payload: Payload): string | undefined {
  const raw = payload.metadata?.encoding;
  return raw ? decoder.decode(raw) : undefined;
}

function startsWith(data: Uint8Array | null | undefined, prefix: Uint8Array): boolean {
  if (!data || data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}
