/**
 * Reference activities of the trip-booking saga: each books or cancels through the travel API (the fake provider in
 * tests and the demo), with the step's idempotency key sent by `resilientFetch`.
 */
import { resilientFetch, withReconcile } from '../../activities';
import { HttpError } from '../../index';

/** A booked resource. */
export interface Booking {
  readonly id: string;
}

/** What the trip needs. */
export interface TripRequest {
  readonly baseUrl: string;
  readonly traveller: string;
  readonly amountCents: number;
}

async function post<T>(url: string, body: unknown): Promise<T> {
  const response = await resilientFetch(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    responseTimeoutMs: 2_000,
  });
  return response.json<T>();
}

export async function bookFlight(trip: TripRequest): Promise<Booking> {
  return post(`${trip.baseUrl}/flights`, { traveller: trip.traveller });
}

export async function bookHotel(trip: TripRequest): Promise<Booking> {
  return post(`${trip.baseUrl}/hotels`, { traveller: trip.traveller });
}

export async function bookCar(trip: TripRequest): Promise<Booking> {
  return post(`${trip.baseUrl}/cars`, { traveller: trip.traveller });
}

/**
 * Charges the card. Reconciles before any retry: a timeout after the charge was sent leaves its outcome unknown, so
 * attempt 2 first asks the payment API for a charge with this step's key and returns it if it exists.
 */
export const chargeCard = withReconcile<[TripRequest], Booking>(
  async function chargeCard(trip: TripRequest): Promise<Booking> {
    return post(`${trip.baseUrl}/payments/charges`, { amountCents: trip.amountCents });
  },
  async (key, trip) => {
    try {
      const found = await resilientFetch(
        `${trip.baseUrl}/payments/charges?idempotency_key=${encodeURIComponent(key)}`,
      );
      return { done: true, result: await found.json<Booking>() };
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return { done: false };
      throw error;
    }
  },
);

export async function cancelFlight(baseUrl: string, booking: Booking | undefined): Promise<void> {
  if (booking) await post(`${baseUrl}/flights/cancel`, { id: booking.id });
}

export async function cancelHotel(baseUrl: string, booking: Booking | undefined): Promise<void> {
  if (booking) await post(`${baseUrl}/hotels/cancel`, { id: booking.id });
}

export async function cancelCar(baseUrl: string, booking: Booking | undefined): Promise<void> {
  if (booking) await post(`${baseUrl}/cars/cancel`, { id: booking.id });
}

export async function refundCharge(baseUrl: string, charge: Booking | undefined): Promise<void> {
  if (charge) await post(`${baseUrl}/payments/refunds`, { id: charge.id });
}
