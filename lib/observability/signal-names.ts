// The four signals every integration emits, shared by the constructs (alarms, dashboards) and the
// runtime (the ingest function, recordSync). No imports: the runtime bundles this file.

/** The CloudWatch namespace of every integration signal. */
export const SIGNALS_NAMESPACE = 'CdkSecureIntegrations';
/** The one dimension of every integration signal: the integration's name. */
export const INTEGRATION_DIMENSION = 'Integration';

/** Metric names. `error_rate` is derived (error_count / request_count) and `p95_latency` is `latency` at p95. */
export const SignalMetric = {
  /** Requests handled by the platform, one per request (Count). */
  REQUEST_COUNT: 'request_count',
  /** Requests the platform answered with a 5xx, the SLI's bad events (Count). */
  ERROR_COUNT: 'error_count',
  /** Time the platform took per request (Milliseconds); the SLO reads its p95. */
  LATENCY: 'latency',
  /** Time of the last successful sync, in seconds since the epoch (Seconds), one point per success. */
  LAST_SUCCESSFUL_SYNC: 'last_successful_sync',
  /** Successful syncs (Count), the heartbeat's signal. */
  SYNC_SUCCEEDED: 'sync_succeeded',
  /** Failed syncs (Count). */
  SYNC_FAILED: 'sync_failed',
  /** Records a sync moved (Count). */
  RECORDS_SYNCED: 'records_synced',
} as const;
