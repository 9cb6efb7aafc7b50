import { proxyActivities } from '@temporalio/workflow';
import { activityOptions, proxyCompensations, Saga, type SagaOptions } from '../../workflows';
import type * as activities from '../activities';

/** Input of {@link tripBookingWorkflow}. */
export interface TripBookingInput {
  readonly trip: activities.TripRequest;
  /** Start-to-close timeout of each booking attempt. @default the httpApi preset's 30 s */
  readonly attemptTimeoutMs?: number;
  readonly saga?: Pick<
    SagaOptions,
    'continueWithError' | 'parallelCompensation' | 'compensateOnUnknownOutcome'
  >;
}

/** What a completed booking holds. */
export interface TripBooking {
  readonly flight: activities.Booking;
  readonly hotel: activities.Booking;
  readonly car: activities.Booking;
  readonly charge: activities.Booking;
}

/**
 * Books flight, hotel and car, then charges the card. If any step fails (or the workflow is cancelled), the completed
 * steps are undone in reverse order: the half-booked trip of incident 5 cannot happen.
 */
export async function tripBookingWorkflow(input: TripBookingInput): Promise<TripBooking> {
  const book = proxyActivities<typeof activities>(
    activityOptions('httpApi', {
      retry: { maximumAttempts: 3 },
      ...(input.attemptTimeoutMs ? { startToCloseTimeout: input.attemptTimeoutMs } : {}),
    }),
  );
  const pay = proxyActivities<typeof activities>(activityOptions('payment'));
  const undo = proxyCompensations<typeof activities>();
  const { trip } = input;
  const saga = new Saga({ name: 'trip', ...input.saga });
  return saga.run(async () => {
    const flight = await saga.step(
      'book-flight',
      () => book.bookFlight(trip),
      (f) => undo.cancelFlight(trip.baseUrl, f),
    );
    const hotel = await saga.step(
      'book-hotel',
      () => book.bookHotel(trip),
      (h) => undo.cancelHotel(trip.baseUrl, h),
    );
    const car = await saga.step(
      'book-car',
      () => book.bookCar(trip),
      (c) => undo.cancelCar(trip.baseUrl, c),
    );
    const charge = await saga.step(
      'charge-card',
      () => pay.chargeCard(trip),
      (c) => undo.refundCharge(trip.baseUrl, c),
    );
    return { flight, hotel, car, charge };
  });
}
