import type { AttemptChain } from '../src/attempts/attempt-record';
import { ZERO_COST } from '../src/cost/cost';

/**
 * No attempts yet: where the chain of an activity's first attempt starts. How the chain then travels from attempt
 * to attempt is {@link AttemptLedger}'s job (`interceptors/attempt-ledger.ts`).
 */
export const EMPTY_CHAIN: AttemptChain = { records: [], dropped: 0, cost: ZERO_COST };
