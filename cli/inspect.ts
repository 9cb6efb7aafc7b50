import { writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import {
  analyzeHistory,
  type JsonHistoryEvent,
  type JsonPayload,
  type PendingActivity,
} from '../src/forensics/analyze-history';
import type { InspectReport } from '../src/forensics/inspect-report';
import { historyToProto3Json } from './history-json';
import { renderHtml } from '../src/forensics/render-html';
import { renderText } from '../src/forensics/render-text';

/** Options of {@link inspectWorkflow}. */
export interface InspectOptions {
  readonly workflowId: string;
  readonly runId?: string;
  /** @default 'localhost:7233' */
  readonly address?: string;
  /** @default 'default' */
  readonly namespace?: string;
  /** An existing client to use instead of connecting to `address`. */
  readonly client?: Client;
  /** Spacing under which a retry counts as immediate. @default 100 */
  readonly immediateThresholdMs?: number;
}

/**
 * Reads a workflow's history and pending activities from the server and analyses them (see `analyzeHistory`).
 * Works on histories made without the toolkit too: it then infers what it can from timings and error types.
 */
export async function inspectWorkflow(options: InspectOptions): Promise<InspectReport> {
  const connection = options.client
    ? undefined
    : await Connection.connect({ address: options.address ?? 'localhost:7233' });
  const client =
    options.client ?? new Client({ connection: connection!, namespace: options.namespace ?? 'default' });
  try {
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
    }));
    return analyzeHistory({
      events: json.events ?? [],
      decode: decodeJsonPayload,
      pending,
      workflowId: options.workflowId,
      runId: description.runId,
      status: description.status.name.toLowerCase().replace('_', '-').replace('canceled', 'cancelled'),
      immediateThresholdMs: options.immediateThresholdMs,
    });
  } finally {
    await connection?.close();
  }
}

/** Writes the report in the requested forms; returns what to print. */
export function renderReport(report: InspectReport, form: { json?: boolean; htmlFile?: string }): string {
  if (form.htmlFile) writeFileSync(form.htmlFile, renderHtml(report));
  return form.json ? JSON.stringify(report, null, 2) : renderText(report);
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
