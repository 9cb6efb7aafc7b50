import { writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import {
  analyzeHistory,
  type JsonHistoryEvent,
  type JsonPayload,
  type PendingActivity,
} from '../src/forensics/analyze-history';
import { analyzeFleet, type FleetEntry, type FleetReport } from '../src/forensics/fleet-report';
import type { InspectReport } from '../src/forensics/inspect-report';
import { renderFleetHtml, renderFleetText } from '../src/forensics/render-fleet';
import { historyToProto3Json } from './history-json';
import { renderHtml } from '../src/forensics/render-html';
import { renderText } from '../src/forensics/render-text';

/** Where to reach the server: an existing client, or an address and namespace to connect to. */
export interface ConnectOptions {
  /** @default 'localhost:7233' */
  readonly address?: string;
  /** @default 'default' */
  readonly namespace?: string;
  /** An existing client to use instead of connecting to `address`. */
  readonly client?: Client;
  /** Spacing under which a retry counts as immediate. @default 100 */
  readonly immediateThresholdMs?: number;
}

/** Options of {@link inspectWorkflow}. */
export interface InspectOptions extends ConnectOptions {
  readonly workflowId: string;
  readonly runId?: string;
}

/** Options of {@link inspectFleet}. */
export interface FleetInspectOptions extends ConnectOptions {
  /** A visibility query (`WorkflowType="x" AND ExecutionStatus="Running"`); empty for every execution. */
  readonly query: string;
  /** Executions read at most (newest first). @default 1000 */
  readonly limit?: number;
  /** Histories fetched at once. @default 8 */
  readonly concurrency?: number;
  /** A running attempt without a heartbeat for this long is stalled. @default 300_000 */
  readonly stallAfterMs?: number;
  /** Executions above this many times their type's median cost are listed. @default 3 */
  readonly costFactor?: number;
  /** Now, as epoch ms. @default Date.now() */
  readonly nowMs?: number;
}

/**
 * Reads a workflow's history and pending activities from the server and analyses them (see `analyzeHistory`).
 * Works on histories made without the toolkit too: it then infers what it can from timings and error types.
 */
export async function inspectWorkflow(options: InspectOptions): Promise<InspectReport> {
  return withClient(options, async (client) => (await readExecution(client, options)).report);
}

/**
 * Fleet forensics: lists the executions matching a visibility query, analyses each one, and reports counts per
 * verdict, retries that met the same error inside their backoff window, executions above 3x the median cost of their
 * type, and stalled executions (see `analyzeFleet`).
 */
export async function inspectFleet(options: FleetInspectOptions): Promise<FleetReport> {
  return withClient(options, async (client) => {
    const limit = options.limit ?? 1000;
    const ids: Array<{ workflowId: string; runId: string }> = [];
    for await (const execution of client.workflow.list({ query: options.query || undefined })) {
      ids.push({ workflowId: execution.workflowId, runId: execution.runId });
      if (ids.length >= limit) break;
    }
    const entries: FleetEntry[] = new Array(ids.length);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const i = next++;
        entries[i] = await readExecution(client, { ...options, ...ids[i]! });
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, ids.length) }, worker));
    return analyzeFleet(entries, {
      query: options.query,
      nowMs: options.nowMs ?? Date.now(),
      stallAfterMs: options.stallAfterMs,
      costFactor: options.costFactor,
      immediateThresholdMs: options.immediateThresholdMs,
    });
  });
}

async function withClient<T>(options: ConnectOptions, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = options.client
    ? undefined
    : await Connection.connect({ address: options.address ?? 'localhost:7233' });
  const client =
    options.client ?? new Client({ connection: connection!, namespace: options.namespace ?? 'default' });
  try {
    return await fn(client);
  } finally {
    await connection?.close();
  }
}

async function readExecution(
  client: Client,
  options: { workflowId: string; runId?: string; immediateThresholdMs?: number },
): Promise<FleetEntry> {
  const handle = client.workflow.getHandle(options.workflowId, options.runId);
  const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
  // Not the SDK's historyToJSON: it breaks when npm hoists another major of protobufjs (see history-json.ts).
  const json = historyToProto3Json(history) as { events?: JsonHistoryEvent[] };
  const pending: PendingActivity[] = (description.raw.pendingActivities ?? []).map((p) => ({
    activityId: p.activityId ?? '',
    attempt: p.attempt ?? 0,
    ...(p.nextAttemptScheduleTime
      ? { nextAttemptScheduleTime: timestampIso(p.nextAttemptScheduleTime) }
      : {}),
    ...(p.lastFailure?.applicationFailureInfo?.type
      ? { lastFailureType: p.lastFailure.applicationFailureInfo.type }
      : {}),
    ...(p.lastFailure?.message ? { lastFailureMessage: p.lastFailure.message } : {}),
    ...(p.state ? { state: PENDING_STATES[p.state] ?? String(p.state) } : {}),
    ...(p.lastStartedTime ? { lastStartedTime: timestampIso(p.lastStartedTime) } : {}),
    ...(p.lastHeartbeatTime ? { lastHeartbeatTime: timestampIso(p.lastHeartbeatTime) } : {}),
  }));
  const report = analyzeHistory({
    events: json.events ?? [],
    decode: decodeJsonPayload,
    pending,
    workflowId: options.workflowId,
    runId: description.runId,
    status: description.status.name.toLowerCase().replace('_', '-').replace('canceled', 'cancelled'),
    immediateThresholdMs: options.immediateThresholdMs,
  });
  return { report, pending };
}

/** `PendingActivityState` numbers as names (1 scheduled, 2 started, 3 cancel requested). */
const PENDING_STATES: Record<number, string> = { 1: 'scheduled', 2: 'started', 3: 'cancel-requested' };

/** Writes the report in the requested forms; returns what to print. */
export function renderReport(report: InspectReport, form: { json?: boolean; htmlFile?: string }): string {
  if (form.htmlFile) writeFileSync(form.htmlFile, renderHtml(report));
  return form.json ? JSON.stringify(report, null, 2) : renderText(report);
}

/** Writes the fleet report in the requested forms; returns what to print. */
export function renderFleet(report: FleetReport, form: { json?: boolean; htmlFile?: string }): string {
  if (form.htmlFile) writeFileSync(form.htmlFile, renderFleetHtml(report));
  return form.json ? JSON.stringify(report, null, 2) : renderFleetText(report);
}

/** Decodes a `json/plain` payload from proto3 JSON (base64 fields); anything else is `undefined`. */
export function decodeJsonPayload(payload: JsonPayload): unknown {
  try {
    const encoding = Buffer.from(payload.metadata?.encoding ?? '', 'base64').toString('utf8');
    if (encoding !== 'json/plain' || payload.data === undefined) return undefined;
    return JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

function timestampIso(t: { seconds?: unknown; nanos?: number | null }): string {
  return new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
}
