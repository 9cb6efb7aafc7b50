/** Failure messages are cut to this many characters. */
export const MAX_MESSAGE_LENGTH = 500;

const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/(authorization\s*[:=]\s*)(bearer|basic|token)?\s*[^\s,;"'}]+/gi, '$1[REDACTED]'],
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [REDACTED]'],
  [/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, '[REDACTED]'],
  [/\b(sk|pk|rk)_(live|test)_[A-Za-z0-9]{8,}/g, '[REDACTED]'],
  [/\bAKIA[0-9A-Z]{16}\b/g, '[REDACTED]'],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, '[REDACTED]'],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}/g, '[REDACTED]'],
  [
    /((?:api[_-]?key|x-api-key|access[_-]?token|secret|password|client[_-]?secret)["']?\s*[:=]\s*["']?)[^\s,;&"'}]+/gi,
    '$1[REDACTED]',
  ],
];

/**
 * Removes credentials from text bound for failure messages, logs and spans: Authorization headers, bearer tokens,
 * provider API keys (`sk-...`, `sk_live_...`), `api_key=...`-style pairs, AWS, GitHub and Slack tokens.
 *
 * Failures are stored in workflow history forever and shown in the UI to everyone with access; a key that lands
 * there is leaked.
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Redacts, then cuts to `max` characters with a marker saying how much was dropped. */
export function safeMessage(text: string, max: number = MAX_MESSAGE_LENGTH): string {
  // Cut before redacting: a 10 MB message must not cost a regex pass over 10 MB, but keep a margin so that a
  // secret straddling the cut is still recognised.
  const head = text.length > max * 2 ? text.slice(0, max * 2) : text;
  const clean = redactSecrets(head);
  if (clean.length <= max && head.length === text.length) return clean;
  return `${clean.slice(0, max)}… [truncated, ${text.length} chars]`;
}
