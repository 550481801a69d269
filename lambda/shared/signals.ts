import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  CAUSE_DIMENSION,
  DeduplicationSignal,
  type DeduplicationSignalName,
  INGEST_FUNCTION_DIMENSION,
  IngestMetric,
  INTEGRATION_DIMENSION,
  type RejectionCauseName,
  SIGNALS_NAMESPACE,
  SignalMetric,
} from '../../lib/observability/signal-names';

/** A Powertools Metrics instance that writes the integration signals (EMF) with `Integration` as the only dimension. */
export function signalMetrics(): Metrics {
  const metrics = new Metrics({ namespace: SIGNALS_NAMESPACE });
  // Alarms and dashboards select on { Integration } alone: drop Powertools' default `service` dimension.
  metrics.clearDefaultDimensions();
  return metrics;
}

/**
 * Emits one request's signals as one EMF line: request_count, error_count (5xx),
 * client_error_count (4xx), rejected_count (the ingest's own rejections), latency and, for a
 * delivery answered from the deduplication table, duplicate_count, or whose outcome the table could
 * not record, deduplication_failures; and for a rejection, rejected_count by {Integration, Cause} as a second line.
 */
export function emitRequestSignals(metrics: Metrics, integration: string, statusCode: number, latencyMs: number, rejection?: RejectionCauseName, deduplication?: DeduplicationSignalName): void {
  metrics.addDimension(INTEGRATION_DIMENSION, integration);
  metrics.addMetric(SignalMetric.REQUEST_COUNT, MetricUnit.Count, 1);
  metrics.addMetric(SignalMetric.ERROR_COUNT, MetricUnit.Count, statusCode >= 500 ? 1 : 0);
  metrics.addMetric(SignalMetric.CLIENT_ERROR_COUNT, MetricUnit.Count, statusCode >= 400 && statusCode < 500 ? 1 : 0);
  metrics.addMetric(SignalMetric.REJECTED_COUNT, MetricUnit.Count, rejection ? 1 : 0);
  metrics.addMetric(SignalMetric.LATENCY, MetricUnit.Milliseconds, latencyMs);
  if (deduplication === DeduplicationSignal.DUPLICATE) metrics.addMetric(SignalMetric.DUPLICATE_COUNT, MetricUnit.Count, 1);
  if (deduplication === DeduplicationSignal.NOT_KEPT) metrics.addMetric(SignalMetric.DEDUPLICATION_FAILURES, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  if (rejection) countOne(metrics, SignalMetric.REJECTED_COUNT, { [INTEGRATION_DIMENSION]: integration, [CAUSE_DIMENSION]: rejection });
}

/** Emits `signing_secret_invalid` for an integration whose signing secret the ingest refused. */
export function emitSigningSecretInvalid(metrics: Metrics, integration: string): void {
  countOne(metrics, SignalMetric.SIGNING_SECRET_INVALID, { [INTEGRATION_DIMENSION]: integration });
}

/** Emits `unrouted_count` for the ingest function `functionName`: a request for a route its config does not have. */
export function emitUnrouted(metrics: Metrics, functionName: string): void {
  countOne(metrics, IngestMetric.UNROUTED_COUNT, { [INGEST_FUNCTION_DIMENSION]: functionName });
}

/** Emits a count of 1 of `name` as an EMF line of its own, with exactly `dimensions`. */
function countOne(metrics: Metrics, name: string, dimensions: Record<string, string>): void {
  const m = metrics.singleMetric();
  // A single metric starts with Powertools' default `service` dimension again: alarms select on the given dimensions alone.
  m.clearDefaultDimensions();
  for (const [dimension, value] of Object.entries(dimensions)) m.addDimension(dimension, value);
  m.addMetric(name, MetricUnit.Count, 1);
}

/** What a sync reports. */
export interface SyncResult {
  /** The integration's name, as on its `SecureIntegration`. */
  readonly integration: string;
  /** Whether the sync completed. */
  readonly succeeded: boolean;
  /** How many records it moved. */
  readonly records?: number;
  /** When it finished. @default now */
  readonly at?: Date;
}

let syncMetrics: Metrics | undefined;

/**
 * Records the outcome of an outbound sync (a scheduled job the user writes) as EMF through
 * Powertools Metrics: `sync_succeeded` or `sync_failed`, `records_synced`, and on success
 * `last_successful_sync` (seconds since the epoch), which the integration's heartbeat alarm and
 * dashboard read. Call it once per run, at the end, on success and on failure.
 */
export function recordSync(result: SyncResult, metrics: Metrics = (syncMetrics ??= signalMetrics())): void {
  if (typeof result.integration !== 'string' || result.integration.length === 0) throw new Error('recordSync: integration is required');
  const at = result.at ?? new Date();
  metrics.setTimestamp(at);
  metrics.addDimension(INTEGRATION_DIMENSION, result.integration);
  metrics.addMetric(result.succeeded ? SignalMetric.SYNC_SUCCEEDED : SignalMetric.SYNC_FAILED, MetricUnit.Count, 1);
  metrics.addMetric(SignalMetric.RECORDS_SYNCED, MetricUnit.Count, result.records ?? 0);
  if (result.succeeded) metrics.addMetric(SignalMetric.LAST_SUCCESSFUL_SYNC, MetricUnit.Seconds, Math.floor(at.getTime() / 1000));
  metrics.publishStoredMetrics();
}
