import type { ProviderSignals } from '../../src/classification/providers/provider-profile';

/** The moment the provider-profile tests classify at (2026-01-01 UTC). */
export const NOW = Date.UTC(2026, 0, 1);

/** What a profile reads of one answer: nothing (no headers, body or codes) at {@link NOW}, with `more` on top. */
export const signals = (more: Partial<ProviderSignals> = {}): ProviderSignals => ({
  headers: {},
  body: undefined,
  text: '',
  codes: new Set(),
  nowMs: NOW,
  maxWaitMs: 60_000,
  ...more,
});
