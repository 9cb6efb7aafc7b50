import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

/** Tests that assert on log lines set this array; every log entry is then copied into it. */
declare global {
  var capturedLogs: LogEntry[] | undefined;
}

// Workers log every state change at INFO and every failed attempt at WARN; the tests assert those themselves, so only
// errors are printed. Everything is still offered to a test that captures logs.
const printer = new DefaultLogger('ERROR');
Runtime.install({
  logger: new DefaultLogger('DEBUG', (entry) => {
    globalThis.capturedLogs?.push(entry);
    if (entry.level === 'ERROR') printer.log(entry.level, entry.message, entry.meta);
  }),
});
