import { describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { createResilienceInterceptors } from '../../index';

/** A logger that says its level, as the SDK's DefaultLogger does, and records every call that reaches it. */
function recordingLogger(level: LogLevel): Logger & { readonly calls: string[] } {
  const calls: string[] = [];
  const at = (l: LogLevel) => (message: string, _meta?: LogMetadata) => void calls.push(`${l} ${message}`);
  return {
    level,
    calls,
    log: (l: LogLevel, message: string) => void calls.push(`${l} ${message}`),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  } as Logger & { readonly calls: string[]; readonly level: LogLevel };
}

async function completedAttemptWith(logger: Logger): Promise<void> {
  const env = new MockActivityEnvironment(
    {
      attempt: 1,
      activityId: 'a-1',
      activityType: 'chat',
      workflowExecution: { workflowId: 'wf-level', runId: 'run-level' },
      currentAttemptScheduledTimestampMs: Date.UTC(2026, 0, 1),
    },
    { interceptors: createResilienceInterceptors().activity, logger },
  );
  expect(await env.run(async () => 'ok')).toBe('ok');
}

// Every attempt writes two debug lines; with the logger at INFO (the SDK's default) they are not even built.
describe('debug lines follow the logger level', () => {
  it('reach a logger at DEBUG', async () => {
    const logger = recordingLogger('DEBUG');
    await completedAttemptWith(logger);
    expect(logger.calls.filter((c) => c.includes('attempt.'))).toEqual([
      'DEBUG attempt.started',
      'DEBUG attempt.completed',
    ]);
  });

  it('are not sent to a logger at INFO', async () => {
    const logger = recordingLogger('INFO');
    await completedAttemptWith(logger);
    expect(logger.calls.filter((c) => c.includes('attempt.'))).toEqual([]);
  });
});
