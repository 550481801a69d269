// The sender's signals, in the integration signals' namespace and dimension (see
// lib/observability/signal-names.ts), written as EMF through Powertools Metrics.
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CAUSE_DIMENSION, INTEGRATION_DIMENSION, type RejectionCauseName, SignalMetric } from '../../lib/observability/signal-names';

/** One direct call to the partner, as its signals count it. */
export interface PartnerCallSignal {
  /** The partner's status; undefined when it did not answer (a timeout or a network failure). */
  readonly status?: number;
  /** Milliseconds from sending the request to its outcome. */
  readonly latencyMs: number;
  /** When the call ended (for `last_successful_sync`). */
  readonly at: Date;
}

/**
 * Emits one direct call as one EMF line under {Integration}: `request_count` 1, `error_count` 1 for
 * any answer but a 2xx, or no answer (timeout, network), `client_error_count` 1 for a 4xx, `latency`, and on a 2xx
 * `last_successful_sync` (seconds since the epoch), as `recordSync` writes it for a scheduled sync.
 */
export function emitPartnerCall(metrics: Metrics, integration: string, call: PartnerCallSignal): void {
  const status = call.status;
  metrics.addDimension(INTEGRATION_DIMENSION, integration);
  metrics.addMetric(SignalMetric.REQUEST_COUNT, MetricUnit.Count, 1);
  // Every call the partner did not accept is an error of the outbound SLI: a 401 after a signing
  // secret rotation nobody handed over, or a 429 storm, fails the integration as surely as a 5xx.
  metrics.addMetric(SignalMetric.ERROR_COUNT, MetricUnit.Count, status === undefined || status < 200 || status >= 300 ? 1 : 0);
  metrics.addMetric(SignalMetric.CLIENT_ERROR_COUNT, MetricUnit.Count, status !== undefined && status >= 400 && status < 500 ? 1 : 0);
  metrics.addMetric(SignalMetric.LATENCY, MetricUnit.Milliseconds, call.latencyMs);
  if (status !== undefined && status >= 200 && status < 300) metrics.addMetric(SignalMetric.LAST_SUCCESSFUL_SYNC, MetricUnit.Seconds, Math.floor(call.at.getTime() / 1000));
  metrics.publishStoredMetrics();
}

/**
 * Emits a record the sender rejected (a contract violation): `rejected_count` 1 under {Integration},
 * and a second line under {Integration, Cause}, as the ingest's rejections are counted.
 */
export function emitRejection(metrics: Metrics, integration: string, cause: RejectionCauseName): void {
  metrics.addDimension(INTEGRATION_DIMENSION, integration);
  metrics.addMetric(SignalMetric.REJECTED_COUNT, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  const m = metrics.singleMetric();
  // A single metric starts with Powertools' default `service` dimension again: alarms select on { Integration } (and Cause) alone.
  m.clearDefaultDimensions();
  m.addDimension(INTEGRATION_DIMENSION, integration);
  m.addDimension(CAUSE_DIMENSION, cause);
  m.addMetric(SignalMetric.REJECTED_COUNT, MetricUnit.Count, 1);
}
