import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

/** Tests that assert on log lines set this array; every log entry is then copied into it. */
declare global {
  var capturedLogs: LogEntry[] | undefined;
  var runtimeInstalledBySetup: boolean | undefined;
}

// Workers log every state change at INFO and every failed attempt at WARN; the tests assert those themselves, so only
// errors are printed. Everything is still offered to a test that captures logs.
const printer = new DefaultLogger('ERROR');
// Once per process: Stryker's vitest configuration (test/vitest.stryker.config.ts) runs test files one after another in
// one shared context, where this file runs again for each of them.
if (!globalThis.runtimeInstalledBySetup) {
  Runtime.install({
    logger: new DefaultLogger('DEBUG', (entry) => {
      globalThis.capturedLogs?.push(entry);
      if (entry.level === 'ERROR') printer.log(entry.level, entry.message, entry.meta);
    }),
  });
  globalThis.runtimeInstalledBySetup = true;
}
