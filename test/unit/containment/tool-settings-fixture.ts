import { DEFAULT_CIRCUIT_SETTINGS } from '../../../src/containment/circuit';
import { aimdLimit, DEFAULT_AIMD } from '../../../src/containment/concurrency-limit';
import type { ToolSettings } from '../../../src/containment/tool-state';

/** The tool settings the state-machine tests share: the default limit, a circuit that opens after 2 failures. */
export const TEST_TOOL_SETTINGS: ToolSettings = {
  circuit: { ...DEFAULT_CIRCUIT_SETTINGS, volumeThreshold: 2 },
  limit: aimdLimit(DEFAULT_AIMD),
  headroom: 0.8,
  reportedHeadroom: 0.8,
  maxHoldMs: 60_000,
  resendBudget: { max: 3, perSuccess: 0.5 },
};
