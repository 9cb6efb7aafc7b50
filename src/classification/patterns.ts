/**
 * Provider wording that means a quota or long window is used up: STOP whatever the Retry-After header says.
 * Extend it with `quotaPatterns: [...DEFAULT_QUOTA_PATTERNS, /my provider's words/i]`.
 *
 * - OpenAI: error code `insufficient_quota`, "You exceeded your current quota";
 * - Anthropic and coding agents: "exceeded your 5-hour usage quota", "credit balance is too low";
 * - Google: "Quota exceeded for metric ...";
 * - generic daily/weekly/monthly limit and billing wording.
 */
export const DEFAULT_QUOTA_PATTERNS: readonly RegExp[] = [
  /insufficient_quota/i,
  /exceeded (?:your|the) [\w\s-]{0,40}quota/i,
  /quota (?:exceeded|exhausted|reached)/i,
  /(?:daily|weekly|monthly|hourly) (?:usage |request |token |spend(?:ing)? )?(?:limit|quota|cap)/i,
  /\b(?:usage|spend(?:ing)?) limit (?:reached|exceeded)/i,
  /billing (?:hard )?limit/i,
  /credit balance is too low/i,
  /out of credits/i,
];

/**
 * Wording that means the request itself is too large for the model: FAIL, since the same input will fail again.
 * Deliberately not "too many tokens", which providers also use for per-minute rate limits.
 */
export const DEFAULT_CONTEXT_LENGTH_PATTERNS: readonly RegExp[] = [
  /context[_ ]length[_ ]exceeded/i,
  /maximum context length/i,
  /prompt is too long/i,
  /input is too long/i,
  /exceeds the (?:model's )?context window/i,
];

/** Only the start of a body or message is examined: providers put the error first, and bodies may be huge. */
export const MAX_SCANNED_TEXT = 64 * 1024;

/** True when any pattern matches the start of the text. Never throws. */
export function matchesAny(patterns: readonly RegExp[], text: string): boolean {
  const head = text.length > MAX_SCANNED_TEXT ? text.slice(0, MAX_SCANNED_TEXT) : text;
  return patterns.some((pattern) => {
    pattern.lastIndex = 0;
    return pattern.test(head);
  });
}
