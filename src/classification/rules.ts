import type { ClassKind } from './classification';

/**
 * A provider rule: when it matches, it decides the class ahead of the defaults. Rules are data, so a team can add
 * their provider's quirks without forking the classifier.
 *
 * @example
 * ```ts
 * // A provider that answers 400 with "overloaded" when it is merely busy.
 * { status: 400, body: /overloaded/i, kind: 'retry', reason: 'provider-overloaded' }
 * ```
 */
export interface ClassificationRule {
  /** HTTP status (or list) the rule applies to; omit to match any (and errors without status). */
  readonly status?: number | readonly number[];
  /** A response header that must be present, and optionally match. */
  readonly header?: { readonly name: string; readonly pattern?: RegExp };
  /** Pattern over the response body (HTTP) or the error message (other errors). */
  readonly body?: RegExp;
  /** Error `code` (e.g. `ECONNRESET`) the rule applies to. */
  readonly code?: string | readonly string[];
  readonly kind: ClassKind;
  /** Stable reason code reported with the classification. */
  readonly reason: string;
}

/** What a rule is matched against. */
export interface RuleSubject {
  readonly status?: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly code?: string;
}

/** The first rule matching the subject, if any. Never throws. */
export function findRule(
  rules: readonly ClassificationRule[],
  subject: RuleSubject,
): ClassificationRule | undefined {
  return rules.find((rule) => {
    if (rule.status !== undefined) {
      const statuses = typeof rule.status === 'number' ? [rule.status] : rule.status;
      if (subject.status === undefined || !statuses.includes(subject.status)) return false;
    }
    if (rule.code !== undefined) {
      const codes = typeof rule.code === 'string' ? [rule.code] : rule.code;
      if (subject.code === undefined || !codes.includes(subject.code)) return false;
    }
    if (rule.header !== undefined) {
      const value = subject.headers[rule.header.name.toLowerCase()];
      if (value === undefined) return false;
      if (rule.header.pattern && !safeTest(rule.header.pattern, value)) return false;
    }
    if (rule.body !== undefined && !safeTest(rule.body, subject.text)) return false;
    return true;
  });
}

function safeTest(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text.slice(0, 64 * 1024));
}
