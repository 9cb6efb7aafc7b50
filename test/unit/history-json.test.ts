import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { historyToProto3Json } from '../../cli/history-json';

// The SDK's own conversion works in this repository (its protobufjs copies agree); `inspect` must write exactly what
// it writes without depending on it (see test/consumer for an install where the SDK's breaks).
describe('historyToProto3Json', () => {
  for (const name of ['prospect-outreach', 'trip-booking-saga']) {
    it(`writes what the SDK's historyToJSON writes for the recorded ${name} history`, () => {
      const json = JSON.parse(readFileSync(join(__dirname, `../replay/${name}.json`), 'utf8')) as object;
      const history = historyFromJSON(json);
      expect(historyToProto3Json(history)).toEqual(JSON.parse(historyToJSON(history)));
      expect(historyToProto3Json(history)).toEqual(json);
    });
  }

  it('writes timestamps with their nanoseconds and durations with fractions, as proto3 JSON does', () => {
    const history = historyFromJSON({
      events: [
        {
          eventId: '1',
          eventTime: '2026-11-25T20:40:52.626024526Z',
          eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
          activityTaskScheduledEventAttributes: {
            activityId: '1',
            startToCloseTimeout: '1.500s',
            heartbeatTimeout: '0s',
            retryPolicy: { initialInterval: '0.050s', backoffCoefficient: 2 },
          },
        },
      ],
    });
    const [event] = historyToProto3Json(history).events;
    expect(event).toMatchObject({
      eventTime: '2026-11-25T20:40:52.626024526Z',
      activityTaskScheduledEventAttributes: {
        startToCloseTimeout: '1.500s',
        heartbeatTimeout: '0s',
        retryPolicy: { initialInterval: '0.050s', backoffCoefficient: 2 },
      },
    });
    expect(JSON.parse(historyToJSON(history))).toEqual(historyToProto3Json(history));
  });

  it('refuses what is not a protobufjs message', () => {
    expect(() => historyToProto3Json({ events: [] })).toThrow(
      /History message returned by handle.fetchHistory/,
    );
  });
});
