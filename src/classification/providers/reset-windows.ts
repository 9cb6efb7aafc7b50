import type { ResetWindow } from './provider-profile';

const HOUR_MS = 3_600_000;

/**
 * Milliseconds from `nowMs` to the end of a calendar window: the next UTC midnight, the next midnight in US Pacific
 * time (Google's daily quotas), or 00:00 UTC on the first of next month (Anthropic's monthly spend cap). Pure: the
 * Pacific offset follows the US rule (DST from the second Sunday of March to the first Sunday of November).
 */
export function msUntilWindowEnds(window: ResetWindow, nowMs: number): number {
  const now = new Date(nowMs);
  if (window === 'next-utc-month') {
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - nowMs;
  }
  if (window === 'next-utc-day') {
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - nowMs;
  }
  // Today's date in Pacific time takes the offset in force now; the coming midnight takes its own offset, which
  // differs on the two days the clocks change (the change is at 02:00, so a midnight is never inside it).
  const local = new Date(nowMs + pacificOffsetHours(nowMs) * HOUR_MS);
  const nextLocalMidnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1);
  const midnightOffsetMs = pacificOffsetHours(nextLocalMidnight + 8 * HOUR_MS) * HOUR_MS;
  return nextLocalMidnight - midnightOffsetMs - nowMs;
}

/** -7 during US daylight saving time, -8 otherwise. */
function pacificOffsetHours(nowMs: number): number {
  const year = new Date(nowMs).getUTCFullYear();
  // DST starts 2:00 PST (10:00 UTC) on the second Sunday of March, ends 2:00 PDT (09:00 UTC) on the first Sunday of November.
  const start = nthSunday(year, 2, 2) + 10 * HOUR_MS;
  const end = nthSunday(year, 10, 1) + 9 * HOUR_MS;
  return nowMs >= start && nowMs < end ? -7 : -8;
}

function nthSunday(year: number, month: number, n: number): number {
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
  const day = 1 + ((7 - first) % 7) + (n - 1) * 7;
  return Date.UTC(year, month, day);
}
