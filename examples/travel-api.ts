/**
 * A scripted travel and payment API on the fake provider, for the trip-booking saga in tests and the demo.
 *
 * Bookings deduplicate by `Idempotency-Key` (like Stripe): a repeated key returns the first booking. The payment API
 * does not deduplicate (many do not), and can commit a charge and then never answer: only reconcile-before-retry
 * keeps the card from being charged twice. The ledger counts what actually happened.
 */
import type { FakeProvider, RecordedRequest, ScriptedResponse } from '../testing';

export type TravelResource = 'flights' | 'hotels' | 'cars' | 'payments';

/** How the API misbehaves. */
export interface TravelApiOptions {
  /** This resource's create call fails with `failStatus` (every time). */
  readonly failAt?: TravelResource;
  /** @default 422 (permanent: the saga unwinds at once) */
  readonly failStatus?: number;
  /** Cancel/refund calls of these resources fail with 503 this many times before succeeding. */
  readonly compensationFailures?: Partial<Record<TravelResource, number>>;
  /** Cancel/refund calls of this resource fail with 422 every time (a compensation that cannot succeed). */
  readonly compensationRejected?: TravelResource;
  /** The first charge is committed, then its response never comes. */
  readonly chargeHangsAfterCommit?: boolean;
  /** Create calls of these resources wait this long before answering (to cancel mid-saga). */
  readonly createDelayMs?: Partial<Record<TravelResource, number>>;
}

/** What the API did. */
export class TravelLedger {
  /** Created resources by idempotency key (or a serial for requests without one). */
  readonly created = new Map<TravelResource, Map<string, string>>();
  /** Ids cancelled or refunded, in order, across resources. */
  readonly undone: Array<{ resource: TravelResource; id: string }> = [];

  /** How many distinct resources of a kind were created: the side effects. */
  createdCount(resource: TravelResource): number {
    return this.created.get(resource)?.size ?? 0;
  }

  /** The order in which resources were undone. */
  undoOrder(): TravelResource[] {
    return this.undone.map((u) => u.resource);
  }
}

const PREFIX: Record<TravelResource, string> = { flights: 'FL', hotels: 'HT', cars: 'CR', payments: 'CH' };
const UNDO_PATH: Record<TravelResource, string> = {
  flights: '/flights/cancel',
  hotels: '/hotels/cancel',
  cars: '/cars/cancel',
  payments: '/payments/refunds',
};

/** Installs the travel API's routes under `prefix` on the provider and returns its ledger. */
export function installTravelApi(
  provider: FakeProvider,
  options: TravelApiOptions = {},
  prefix = '',
): TravelLedger {
  const ledger = new TravelLedger();
  let serial = 0;
  const undoAttempts = new Map<TravelResource, number>();
  // The payment API's lookup by idempotency key (stored as charge metadata by real providers).
  const chargeKeys = new Map<string, string>();

  const create = (resource: TravelResource, request: RecordedRequest): ScriptedResponse => {
    if (options.failAt === resource)
      return { status: options.failStatus ?? 422, body: { error: `${resource} unavailable` } };
    const byKey = ledger.created.get(resource) ?? new Map<string, string>();
    ledger.created.set(resource, byKey);
    const key = request.idempotencyKey ?? `no-key-${++serial}`;
    const existing = byKey.get(key);
    const dedupe = resource !== 'payments';
    if (existing && dedupe) return { status: 200, body: { id: existing } };
    const id = `${PREFIX[resource]}-${byKey.size + 1}`;
    byKey.set(dedupe ? key : `${key}#${byKey.size + 1}`, id);
    chargeKeys.set(key, id);
    if (resource === 'payments' && options.chargeHangsAfterCommit && byKey.size === 1) return { hang: true };
    return { status: 201, body: { id }, delayMs: options.createDelayMs?.[resource] };
  };
  for (const resource of Object.keys(PREFIX) as TravelResource[]) {
    const path = resource === 'payments' ? '/payments/charges' : `/${resource}`;
    provider.route(`${prefix}${path}`, {
      respond: (request) => {
        if (request.method === 'GET') {
          const key = new URL(request.url, 'http://x').searchParams.get('idempotency_key') ?? '';
          const id = chargeKeys.get(key);
          return id ? { status: 200, body: { id } } : { status: 404, body: { error: 'no such charge' } };
        }
        return create(resource, request);
      },
    });
    provider.route(`${prefix}${UNDO_PATH[resource]}`, {
      respond: (request) => {
        if (options.compensationRejected === resource)
          return { status: 422, body: { error: 'cannot cancel' } };
        const failures = undoAttempts.get(resource) ?? 0;
        if (failures < (options.compensationFailures?.[resource] ?? 0)) {
          undoAttempts.set(resource, failures + 1);
          return { status: 503 };
        }
        const { id } = JSON.parse(request.body || '{}') as { id?: string };
        ledger.undone.push({ resource, id: id ?? '?' });
        return { status: 200, body: { ok: true } };
      },
    });
  }
  return ledger;
}
