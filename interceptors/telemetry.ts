import { NO_TELEMETRY, type AttemptTelemetry } from './attempt-telemetry';

/** The telemetry the plugin reports to. */
export function createTelemetry(): AttemptTelemetry {
  return NO_TELEMETRY;
}
