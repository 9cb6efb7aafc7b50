/** What one attempt (or a whole workflow) cost. */
export interface Cost {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly usd: number;
}

/** One `recordCost` call. USD is computed from the price table when not given. */
export interface CostEntry {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly usd?: number;
  readonly model?: string;
}

/** USD per million tokens, by model name. */
export type PriceTable = Readonly<
  Record<string, { readonly inputPerMillion: number; readonly outputPerMillion: number }>
>;

/** No cost. */
export const ZERO_COST: Cost = { inputTokens: 0, outputTokens: 0, usd: 0 };

/**
 * The sum of two costs. Clamps rather than throws (it runs on the attempt's failure path and in the workflow's
 * ledger, where an exception would lose the record): a part of either cost that is NaN, negative, infinite or not a
 * number counts as 0, so one bad entry cannot poison a total, and the result is always finite and ≥ 0.
 */
export function addCost(a: Partial<Cost>, b: Partial<Cost>): Cost {
  return {
    inputTokens: finiteSum(nonNegative(a.inputTokens), nonNegative(b.inputTokens)),
    outputTokens: finiteSum(nonNegative(a.outputTokens), nonNegative(b.outputTokens)),
    usd: roundUsd(finiteSum(nonNegative(a.usd), nonNegative(b.usd))),
  };
}

/**
 * The cost of an entry: its own `usd`, else tokens priced by the table (0 for an unknown model).
 *
 * Clamps rather than throws, like {@link addCost}: token counts, `usd` and table prices that are NaN, negative,
 * infinite or not numbers count as 0, and a product too large for a number counts as 0 too (it can only come from
 * a corrupt count), so the result is always finite and ≥ 0. Prices in `ResilienceOptions.prices` are validated at
 * start-up; this is the last line for entries built at run time.
 */
export function priceEntry(entry: CostEntry, prices: PriceTable = {}): Cost {
  const inputTokens = nonNegative(entry.inputTokens);
  const outputTokens = nonNegative(entry.outputTokens);
  const price =
    typeof entry.model === 'string' && Object.prototype.hasOwnProperty.call(prices, entry.model)
      ? prices[entry.model]
      : undefined;
  const usd =
    entry.usd !== undefined
      ? nonNegative(entry.usd)
      : price
        ? nonNegative(
            (inputTokens * nonNegative(price.inputPerMillion) +
              outputTokens * nonNegative(price.outputPerMillion)) /
              1_000_000,
          )
        : 0;
  return { inputTokens, outputTokens, usd: roundUsd(usd) };
}

function nonNegative(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

/** A sum that stays finite: two huge parts saturate at the largest number instead of becoming Infinity. */
function finiteSum(a: number, b: number): number {
  const sum = a + b;
  return Number.isFinite(sum) ? sum : Number.MAX_VALUE;
}

/** Micro-dollar precision: sums of many small float prices stay stable and comparable. */
function roundUsd(usd: number): number {
  const micro = usd * 1e6;
  return Number.isFinite(micro) ? Math.round(micro) / 1e6 : usd;
}
