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

/** The sum of two costs. Non-finite or negative parts count as 0, so one bad entry cannot poison a total. */
export function addCost(a: Cost, b: Partial<Cost>): Cost {
  return {
    inputTokens: a.inputTokens + nonNegative(b.inputTokens),
    outputTokens: a.outputTokens + nonNegative(b.outputTokens),
    usd: roundUsd(a.usd + nonNegative(b.usd)),
  };
}

/** The cost of an entry: its own `usd`, else tokens priced by the table (0 for an unknown model). */
export function priceEntry(entry: CostEntry, prices: PriceTable = {}): Cost {
  const inputTokens = nonNegative(entry.inputTokens);
  const outputTokens = nonNegative(entry.outputTokens);
  const price = entry.model !== undefined ? prices[entry.model] : undefined;
  const usd =
    entry.usd !== undefined
      ? nonNegative(entry.usd)
      : price
        ? (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000
        : 0;
  return { inputTokens, outputTokens, usd: roundUsd(usd) };
}

function nonNegative(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

/** Micro-dollar precision: sums of many small float prices stay stable and comparable. */
function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
