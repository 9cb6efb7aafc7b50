/**
 * @module temporal-resilience/interceptors/containment/store-health
 *
 * Makes a shared store's degraded mode visible: one warning in the worker's log when the store stops answering (not
 * one per call), one info line when it answers again, and a gauge `temporal_resilience.store.degraded` (1 while this
 * worker runs on local state). Runs in the worker (Node).
 */
import { Runtime } from '@temporalio/worker';
import { metrics } from '../open-telemetry-api';
import type { SharedGovernorStore } from './shared-store';

/** Gauge: 1 while the shared governor store does not answer and this worker runs on local limits, else 0. */
export const STORE_DEGRADED_METRIC = 'temporal_resilience.store.degraded';

/**
 * Logs the shared store's degraded transitions once each, and (with OpenTelemetry installed) reports them as a gauge.
 * Returns the unsubscribe.
 */
export function watchStoreHealth(store: SharedGovernorStore, withMetrics: boolean): () => void {
  const unsubscribe = store.onDegradedChange((degraded, cause) => {
    const logger = Runtime.instance().logger;
    if (degraded) {
      logger.warn(
        'temporal-resilience: the shared governor store does not answer; this worker runs on its share of the ' +
          'configured limits until it answers again',
        { sdkComponent: 'temporal-resilience', error: cause?.message },
      );
    } else {
      logger.info('temporal-resilience: the shared governor store answers again; back to shared state', {
        sdkComponent: 'temporal-resilience',
      });
    }
  });
  if (withMetrics) {
    metrics
      .getMeter('temporal-resilience')
      .createObservableGauge(STORE_DEGRADED_METRIC, {
        description: '1 while the shared governor store does not answer and this worker runs on local limits',
      })
      .addCallback((result) => result.observe(store.degraded ? 1 : 0));
  }
  return unsubscribe;
}
