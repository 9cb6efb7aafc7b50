/** Failure messages are cut to this many characters. */
export const MAX_MESSAGE_LENGTH = 500;

/** Error names are cut to this many characters (after redaction). */
export const MAX_NAME_LENGTH = 100;

/**
 * How much of a text is redacted at most. Redaction runs before the cut to {@link MAX_MESSAGE_LENGTH}, over this
 * window, so a 10 MB message costs one bounded regex pass; the token straddling the window's end is dropped whole,
 * so no part of a secret cut in two can escape.
 */
export const REDACTION_WINDOW = 8 * 1024;

const R = '[REDACTED]';

/**
 * Each entry: the format it catches (for the docs and tests), the pattern and its replacement. Order matters: header
 * forms first (they replace the whole value), then token formats, then generic `name=value` pairs.
 */
const SECRET_PATTERNS: ReadonlyArray<readonly [string, RegExp, string]> = [
  [
    'Authorization header',
    /(authorization\s*["']?\s*[:=]\s*["']?)(?:bearer|basic|token)?\s*[^\s,;"'}]+/gi,
    `$1${R}`,
  ],
  ['Cookie / Set-Cookie header', /\b((?:set-)?cookie\s*["']?\s*[:=]\s*["']?)[^\n"'}]+/gi, `$1${R}`],
  ['Bearer / Basic credentials', /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${R}`],
  ['URL userinfo', /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, `$1${R}@`],
  [
    'secret query parameter',
    /([?&](?:access_?token|refresh_?token|id_?token|token|api_?key|apikey|key|sig|signature|secret|client_secret|password|auth|code)=)[^\s&#"'<>]+/gi,
    `$1${R}`,
  ],
  ['JSON Web Token', /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, R],
  ['Anthropic / OpenAI key (sk-ant-, sk-proj-, sk-)', /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, R],
  ['Stripe key (sk_live_, rk_live_, pk_test_ ...)', /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}/g, R],
  ['Google API key (AIza)', /\bAIza[0-9A-Za-z_-]{20,}/g, R],
  ['AWS access key id (AKIA/ASIA)', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, R],
  ['GitHub fine-grained token (github_pat_)', /\bgithub_pat_[A-Za-z0-9_]{20,}/g, R],
  ['GitHub token (ghp_, gho_, ghu_, ghs_, ghr_)', /\bgh[pousr]_[A-Za-z0-9]{20,}/g, R],
  ['Slack token (xoxb-, xoxp-, xapp- ...)', /\bx(?:ox[abprse]|app)-[A-Za-z0-9-]{10,}/g, R],
  [
    'name=value secret (api_key=, x-api-key:, password= ...)',
    /((?:api[_-]?key|x-api-key|x-goog-api-key|access[_-]?token|refresh[_-]?token|secret|password|passwd|client[_-]?secret)["']?\s*[:=]\s*["']?)[^\s,;&"'}]+/gi,
    `$1${R}`,
  ],
];

/** The formats {@link redactSecrets} recognises, as documentation and for tests. */
export const REDACTED_FORMATS: readonly string[] = SECRET_PATTERNS.map(([name]) => name);

/**
 * Removes credentials from text bound for failure messages, logs and spans: Authorization and Cookie headers, bearer
 * and basic credentials, URL userinfo and secret query parameters, JWTs, provider API keys (OpenAI, Anthropic,
 * Stripe, Google, AWS, GitHub, Slack) and `api_key=...`-style pairs. See {@link REDACTED_FORMATS}.
 *
 * Failures are stored in workflow history forever and shown in the UI to everyone with access; a key that lands
 * there is leaked. Only the first {@link REDACTION_WINDOW} characters are kept (use {@link safeMessage} to also cut).
 */
export function redactSecrets(text: string): string {
  let out = windowed(typeof text === 'string' ? text : '');
  for (const [, pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Redacts, then cuts to `max` characters with a marker saying how much was dropped. */
export function safeMessage(text: string, max: number = MAX_MESSAGE_LENGTH): string {
  const source = typeof text === 'string' ? text : '';
  const limit = Number.isFinite(max) && max > 0 ? Math.floor(max) : MAX_MESSAGE_LENGTH;
  // Redact first, then cut: a cut made before redaction could leave the head of a key that no pattern recognises.
  const clean = redactSecrets(source);
  if (clean.length <= limit && source.length <= REDACTION_WINDOW) return clean;
  return `${clean.slice(0, limit)}… [truncated, ${source.length} chars]`;
}

/** An error `name`, redacted and cut: names are user-settable and have carried tokens. */
export function safeName(name: unknown): string {
  if (typeof name !== 'string') return 'Error';
  return redactSecrets(name.slice(0, REDACTION_WINDOW)).slice(0, MAX_NAME_LENGTH);
}

/**
 * The `at ...` frames of a stack, at most `maxFrames`, each redacted (frames carry URLs, e.g. of a fetched page with a
 * `?token=`). The first line is left out: it repeats the message, which callers redact on its own.
 */
export function safeStackFrames(stack: unknown, maxFrames = 30): string[] {
  if (typeof stack !== 'string') return [];
  return stack
    .slice(0, 20_000)
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, maxFrames)
    .map((line) => redactSecrets(line).slice(0, 1000));
}

/** The first {@link REDACTION_WINDOW} characters, without the token the cut went through. */
function windowed(text: string): string {
  if (text.length <= REDACTION_WINDOW) return text;
  const head = text.slice(0, REDACTION_WINDOW);
  // Back to the last delimiter: a key, a JWT or a URL never contains one, so whatever follows it may be a part of one.
  let end = head.length;
  while (end > 0 && !DELIMITERS.has(head[end - 1]!)) end--;
  return head.slice(0, end);
}

const DELIMITERS = new Set([
  ' ',
  '\n',
  '\r',
  '\t',
  '"',
  "'",
  ',',
  ';',
  '<',
  '>',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
]);
