import type { ClassKind } from '../classification';
import type { ClassificationRule } from '../rules';

/**
 * What one provider's error code (or status) means. `throttle` is a rate limit whose class depends on the wait the
 * response states: WAIT (or STOP when longer than `maxWaitMs`) with one, CAP without.
 */
export interface CodeMeaning {
  readonly kind: ClassKind | 'throttle';
  /** Stable reason code reported with the classification. */
  readonly reason: string;
  /**
   * For STOP: the window that ends the hold when no header states a wait (Anthropic's monthly spend cap ends at
   * 00:00 UTC on the 1st, Gemini's daily quotas at midnight Pacific time).
   */
  readonly until?: ResetWindow;
}

/** Calendar windows a quota resets at. */
export type ResetWindow = 'next-utc-day' | 'next-pacific-day' | 'next-utc-month';

/**
 * One rate-limit budget a provider reports in headers: the remaining count and when it resets. When several budgets
 * are reported (requests and tokens), the one that is spent is the one that blocks the next call.
 */
export interface RateLimitBudget {
  /** `requests`, `tokens`, `input-tokens`, ... */
  readonly name: string;
  /** Header with the remaining count (lower-case). */
  readonly remaining: string;
  /** Header with the reset (lower-case). */
  readonly reset: string;
  /** Header with the budget's full size (lower-case), when the provider sends one: pacing syncs to it. */
  readonly limit?: string;
  /**
   * `delay`: seconds or a Go-style duration (`12s`, `1m30s`, `6ms`); `time`: an RFC 3339 timestamp or epoch seconds;
   * `auto`: epoch seconds when the number is that large, else seconds, a duration or RFC 3339.
   */
  readonly resetFormat: 'delay' | 'time' | 'auto';
  /** A token budget: it blocks a call that needs more tokens than remain, even when the count is not 0. */
  readonly tokens?: boolean;
}

/** A budget as read from one response: what remains and how long until it resets. */
export interface ReportedBudget {
  readonly name: string;
  readonly remaining: number;
  readonly ms: number;
  readonly tokens: boolean;
  /** The budget's full size, when reported. */
  readonly limit?: number;
}

/** The parts of a failure a profile reads. All bounded: `text` is at most 64 KiB, `body` parsed from it. */
export interface ProviderSignals {
  readonly status?: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body parsed as JSON (objects as given), when it is one. */
  readonly body: unknown;
  /** The start of the body or message as text. */
  readonly text: string;
  /** Error codes, types and statuses found in the body (`error.code`, `error.type`, `error.status`, ...). */
  readonly codes: ReadonlySet<string>;
  readonly nowMs: number;
  readonly maxWaitMs: number;
}

/** A profile's verdict; `retryAfterMs` is the wait it read (WAIT, STOP). */
export interface ProviderVerdict {
  readonly kind: ClassKind | 'throttle';
  readonly reason: string;
  readonly retryAfterMs?: number;
  readonly until?: ResetWindow;
}

/**
 * What one provider sends when it fails, as data: error codes, statuses with a provider-specific meaning, body or
 * header rules, and the rate-limit budgets it reports in headers. Add your own (Exa, Tavily, Slack, ...) through
 * `classify.providers`; a profile with the `name` of a built-in one replaces it.
 *
 * @example
 * ```ts
 * const tavily: ProviderProfile = {
 *   name: 'tavily',
 *   codes: { usage_limit_exceeded: { kind: 'stop', reason: 'tavily-usage-limit', until: 'next-utc-month' } },
 *   budgets: [{ name: 'requests', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset', resetFormat: 'delay' }],
 * };
 * resiliencePlugin({ classify: { providers: [tavily] } });
 * ```
 */
export interface ProviderProfile {
  /** Unique name; a user profile with a built-in's name replaces the built-in. */
  readonly name: string;
  /** The provider documentation each signal comes from (shown in docs/providers.md). */
  readonly docs?: readonly string[];
  /** Error codes/types/statuses in the body (lower-case) and what they mean. */
  readonly codes?: Readonly<Record<string, CodeMeaning>>;
  /** Statuses with a provider-specific meaning (Anthropic's 529), used when no code matched. */
  readonly statuses?: Readonly<Record<number, CodeMeaning>>;
  /** Rules over status, headers and body text, checked after the codes. */
  readonly rules?: readonly ClassificationRule[];
  /** Rate-limit budgets the provider reports in headers. */
  readonly budgets?: readonly RateLimitBudget[];
  /** Budgets in headers that need parsing beyond name/value pairs (the IETF `RateLimit` structured field). */
  readonly readBudgets?: (signals: ProviderSignals) => readonly ReportedBudget[];
  /** Structured bodies that data cannot express (Gemini's `google.rpc` details). Runs first. */
  readonly inspect?: (signals: ProviderSignals) => ProviderVerdict | undefined;
}
