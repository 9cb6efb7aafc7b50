import type { Verdict } from './inspect-report';

/** Small pieces shared by the one-workflow timeline page and the fleet summary page. */

/**
 * A colour per verdict, in the order summaries list them: green for the healthy ones, amber for a step that failed
 * over to its next route, red for the ones someone must look at. Typed by `Verdict`, so a new verdict cannot be left
 * without a colour (it would be drawn grey and listed first).
 */
export const VERDICT_COLOURS: Readonly<Record<Verdict, string>> = {
  ok: '#2e7d32',
  'delayed-retry': '#558b2f',
  pending: '#00838f',
  rerouted: '#f9a825',
  'circuit-open-fast-fail': '#ef6c00',
  'terminal-policy-failure': '#c62828',
  'immediate-retry': '#b71c1c',
  'duplicate-dispatch': '#880e4f',
  'lease-overlap': '#4a148c',
  'duplicate-log': '#37474f',
};

/** The colour of a verdict read from a report (a string: reports written by other versions may carry others). */
export function verdictColour(verdict: string): string | undefined {
  return (VERDICT_COLOURS as Readonly<Record<string, string | undefined>>)[verdict];
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A duration as an operator reads it: `850 ms`, `1.2 s`, `4 min 10 s`, `3 h 0 min`. */
export function formatMs(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 2 : 1)} s`;
  if (abs < 3_600_000) return `${sign}${Math.floor(abs / 60_000)} min ${Math.round((abs % 60_000) / 1000)} s`;
  return `${sign}${Math.floor(abs / 3_600_000)} h ${Math.round((abs % 3_600_000) / 60_000)} min`;
}

/** Dollars with cents, or more digits below a cent. */
export function formatUsd(usd: number): string {
  return usd !== 0 && Math.abs(usd) < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}
