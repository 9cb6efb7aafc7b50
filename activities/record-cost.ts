import { priceEntry, type Cost, type CostEntry } from '../src/cost/cost';
import { currentAttemptContext } from './attempt-context';

/**
 * Records what this attempt cost: tokens in and out, USD (or a model name priced by the plugin's `prices` table).
 * Call it as soon as the provider reports usage, before anything that may throw: failed attempts cost money too, and
 * their cost still reaches the workflow's total and its budget.
 *
 * Without the toolkit registered it only returns the priced entry.
 *
 * @example
 * ```ts
 * const reply = await resilientFetch(url, init);
 * recordCost({ model: 'gpt-4o', inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens });
 * ```
 */
export function recordCost(entry: CostEntry): Cost {
  const context = currentAttemptContext();
  return context?.recordCost ? context.recordCost(entry) : priceEntry(entry);
}
