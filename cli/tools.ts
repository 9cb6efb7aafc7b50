/**
 * `temporal-resilience tools --redis URL [--prefix P] [--release KEY] [--json]`: the fleet's per-tool containment, read
 * from the shared Redis store, and the early release of a quota hold. Runs in Node.
 */
import { redisStore } from '../interceptors/containment/redis-store';
import type { ToolStatus } from '../interceptors/containment/governor-registry';
import { listToolStates, releaseTool } from '../interceptors/containment/tool-admin';

/** What `tools` was asked. */
export interface ToolsCommand {
  readonly redis: string;
  readonly prefix?: string;
  readonly release?: string;
  readonly json?: boolean;
}

/** Runs `tools`; returns the exit code. */
export async function toolsCommand(
  command: ToolsCommand,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const store = redisStore({
    url: command.redis,
    callTimeoutMs: 5_000,
    ...(command.prefix !== undefined ? { keyPrefix: command.prefix } : {}),
  });
  try {
    await store.ready(5_000);
    if (command.release !== undefined) {
      const released = await releaseTool(store, command.release);
      if (!released) {
        err(
          `no state for tool key '${command.release}' (list them with: temporal-resilience tools --redis URL)`,
        );
        return 1;
      }
      out(`released ${command.release}: its quota hold and pause are over, fleet-wide`);
      return 0;
    }
    const states = await listToolStates(store);
    out(command.json ? JSON.stringify(states, jsonNumbers, 2) : renderToolStates(states, Date.now()));
    return 0;
  } catch (error) {
    err(`tools failed: cannot reach Redis at ${redactUrl(command.redis)} (${(error as Error).message})`);
    return 1;
  } finally {
    await store.close();
  }
}

/** One line per tool: circuit, in flight / limit, and any hold or pause with the time left. */
export function renderToolStates(states: Readonly<Record<string, ToolStatus>>, nowMs: number): string {
  const keys = Object.keys(states);
  if (keys.length === 0) return 'no tool states in this store';
  const seconds = (untilMs: number) => `${Math.max(0, Math.ceil((untilMs - nowMs) / 1000))} s`;
  return keys
    .map((key) => {
      const s = states[key]!;
      const limit = s.concurrencyLimit === Infinity ? '∞' : String(s.concurrencyLimit);
      const parts = [`circuit ${s.circuit}`, `in flight ${s.inFlight}/${limit}`];
      if (s.probeAtMs !== undefined) parts.push(`probe in ${seconds(s.probeAtMs)}`);
      if (s.heldUntilMs !== undefined && s.heldUntilMs > nowMs)
        parts.push(`HELD ${seconds(s.heldUntilMs)} (${s.holdReason ?? 'quota'})`);
      if (s.pausedUntilMs !== undefined)
        parts.push(`paused ${seconds(s.pausedUntilMs)} (${s.pauseReason ?? ''})`);
      return `${key}: ${parts.join(', ')}`;
    })
    .join('\n');
}

function jsonNumbers(_key: string, value: unknown): unknown {
  return value === Infinity ? 'Infinity' : value;
}

/** The URL without its password: it is printed in errors. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
