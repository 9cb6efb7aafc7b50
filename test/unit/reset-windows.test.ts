import { describe, expect, it } from 'vitest';
import { msUntilWindowEnds } from '../../src/classification/providers/reset-windows';

// When a provider's calendar quota comes back: the STOP's retryAfterMs, i.e. how long a tool stays held. Google's
// daily quotas reset at midnight Pacific time, which moves between UTC-8 and UTC-7 with US daylight saving time.

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('msUntilWindowEnds', () => {
  it('next-utc-day: until the next UTC midnight; a full day from midnight itself', () => {
    expect(msUntilWindowEnds('next-utc-day', at('2026-03-05T13:00:00Z'))).toBe(11 * H);
    expect(msUntilWindowEnds('next-utc-day', at('2026-03-05T00:00:00Z'))).toBe(24 * H);
    expect(msUntilWindowEnds('next-utc-day', at('2026-12-31T23:00:00Z'))).toBe(H);
  });

  it('next-utc-month: until 00:00 UTC on the first of next month, across a year end', () => {
    expect(msUntilWindowEnds('next-utc-month', at('2026-12-31T12:00:00Z'))).toBe(12 * H);
    expect(msUntilWindowEnds('next-utc-month', at('2026-02-28T00:00:00Z'))).toBe(24 * H);
  });

  it.each([
    // 2026: March 1 and November 1 are Sundays, so DST runs from March 8 to November 1.
    ['2026-01-15T20:00:00Z', 12, 'winter, PST'],
    ['2026-07-15T20:00:00Z', 11, 'summer, PDT'],
    ['2026-03-07T20:00:00Z', 12, 'the day before DST starts'],
    ['2026-03-09T20:00:00Z', 11, 'the day after DST starts'],
    ['2026-10-31T20:00:00Z', 11, 'the day before DST ends'],
    ['2026-11-02T20:00:00Z', 12, 'the day after DST ends'],
    // 2027: March 1 and November 1 are Mondays, so DST runs from March 14 to November 7.
    ['2027-03-13T20:00:00Z', 12, 'the day before DST starts (2027)'],
    ['2027-03-15T20:00:00Z', 11, 'the day after DST starts (2027)'],
    ['2027-11-06T20:00:00Z', 11, 'the day before DST ends (2027)'],
    ['2027-11-08T20:00:00Z', 12, 'the day after DST ends (2027)'],
  ])('next-pacific-day from %s: %i h (%s)', (iso, hours) => {
    expect(msUntilWindowEnds('next-pacific-day', at(iso))).toBe(hours * H);
  });

  it('next-pacific-day: the hour DST starts and ends, in UTC', () => {
    // DST starts at 10:00 UTC on its Sunday and ends at 09:00 UTC on its Sunday.
    expect(msUntilWindowEnds('next-pacific-day', at('2026-03-08T10:00:00Z'))).toBe(21 * H);
    expect(msUntilWindowEnds('next-pacific-day', at('2026-11-01T09:00:00Z'))).toBe(23 * H);
  });

  it('next-pacific-day: before the change on its own day, the coming midnight already has the new offset', () => {
    // 00:00 and 01:30 PST on the day DST starts: that day has 23 hours, so its midnight is 23 h and 21.5 h away.
    expect(msUntilWindowEnds('next-pacific-day', at('2026-03-08T08:00:00Z'))).toBe(23 * H);
    expect(msUntilWindowEnds('next-pacific-day', at('2026-03-08T09:30:00Z'))).toBe(21.5 * H);
    // 00:00 and 01:00 PDT on the day DST ends: that day has 25 hours, so its midnight is 25 h and 24 h away.
    expect(msUntilWindowEnds('next-pacific-day', at('2026-11-01T07:00:00Z'))).toBe(25 * H);
    expect(msUntilWindowEnds('next-pacific-day', at('2026-11-01T08:00:00Z'))).toBe(24 * H);
  });
});
