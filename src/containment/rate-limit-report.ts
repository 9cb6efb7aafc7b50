/**
 * @module temporal-resilience/src/containment/rate-limit-report
 *
 * What a provider says about its budgets in response headers, for pacing. Safe anywhere.
 */
import { normalizeHeaders } from '../classification/classify-http';
import { DEFAULT_PROVIDER_PROFILES } from '../classification/providers';
import { reportedBudgets } from '../classification/providers/evaluate-profiles';
import type { ProviderProfile, ReportedBudget } from '../classification/providers/provider-profile';
import type { BudgetReport } from './tool-state';

/** The request and token budgets a response reported, when it did. */
export interface RateLimitReport {
  readonly requests?: BudgetReport;
  readonly tokens?: BudgetReport;
}

/**
 * The budgets in a response's headers, read by the same provider profiles the classifier uses (OpenAI's
 * `x-ratelimit-*-requests` / `-tokens`, Anthropic's, GitHub's, IETF `RateLimit-*`). Of several request (or token)
 * budgets, the one with the least left paces the tool.
 */
export function rateLimitReport(
  rawHeaders: unknown,
  nowMs: number,
  profiles: readonly ProviderProfile[] = DEFAULT_PROVIDER_PROFILES,
): RateLimitReport {
  const budgets = reportedBudgets(profiles, { headers: normalizeHeaders(rawHeaders), nowMs });
  const requests = tightest(budgets.filter((b) => !b.tokens));
  const tokens = tightest(
    budgets.filter((b) => b.tokens && (b.name === 'tokens' || b.name === 'input-tokens')),
  );
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}

function tightest(budgets: readonly ReportedBudget[]): BudgetReport | undefined {
  if (budgets.length === 0) return undefined;
  const least = budgets.reduce((a, b) => (b.remaining < a.remaining ? b : a));
  return {
    remaining: least.remaining,
    resetMs: least.ms,
    ...(least.limit !== undefined ? { limit: least.limit } : {}),
  };
}
