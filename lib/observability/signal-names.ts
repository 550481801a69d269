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
  /**
   * Requests the ingest function rejected as the sender's fault (Count): a bad signature, a body
   * that is not JSON, too deep, or against the schema. With dimensions {Integration} for the
   * data-quality SLI and {Integration, Cause} ({@link RejectionCause}) for dashboards.
   */
  REJECTED_COUNT: 'rejected_count',
  /**
   * Requests the ingest function answered with any 4xx, its own rejections and a target's 4xx
   * answers alike (Count). API Gateway's 4XXError of the integration's methods less this is what
   * the stage rejected before the ingest ran (authorizer, request validator, throttling).
   */
  CLIENT_ERROR_COUNT: 'client_error_count',
  /** Requests the ingest refused because the integration's signing secret is shorter than 32 bytes (Count). */
  SIGNING_SECRET_INVALID: 'signing_secret_invalid',
  /**
   * Deliveries the ingest answered from the deduplication table instead of delivering them again: a
   * sender's retry or a replay of a delivery id seen within the window (Count).
   */
  DUPLICATE_COUNT: 'duplicate_count',
  /**
   * Deliveries whose deduplication record could not be written after the target was called: a
   * delivered answer that could not be kept (a retry after the in-progress time is delivered again),
   * or a failed delivery that could not be freed (retries get 409 until then) (Count).
   */
  DEDUPLICATION_FAILURES: 'deduplication_failures',
} as const;

/** What the deduplication did to a request, where it is worth a signal. */
export const DeduplicationSignal = {
  /** Answered from the table: `duplicate_count`. */
  DUPLICATE: 'duplicate',
  /** The table could not record the outcome: `deduplication_failures`. */
  NOT_KEPT: 'not-kept',
} as const;

/** One of {@link DeduplicationSignal}. */
export type DeduplicationSignalName = (typeof DeduplicationSignal)[keyof typeof DeduplicationSignal];

/** The dimension of `rejected_count` that names why the ingest rejected a request. */
export const CAUSE_DIMENSION = 'Cause';

/** Why the ingest function rejected a request (the `Cause` of `rejected_count`). */
export const RejectionCause = {
  /** The webhook signature is missing, malformed, stale or wrong (401). */
  SIGNATURE: 'signature',
  /** The body is not in the route's media type (415), not JSON or form data, nests deeper than the ingest accepts, or holds a prototype key (400). */
  MALFORMED: 'malformed',
  /** The body does not match the route's JSON Schema (400). */
  SCHEMA: 'schema',
  /** A mutual TLS route's caller presented no client certificate, or one whose subject the route does not admit (403). */
  CLIENT_CERTIFICATE: 'client-certificate',
  /** An outbound record whose payload breaks the partner contract (its payload schema): dead-lettered, not sent. */
  CONTRACT: 'contract',
} as const;

/** One of {@link RejectionCause}. */
export type RejectionCauseName = (typeof RejectionCause)[keyof typeof RejectionCause];

/** The dimension that names a credential within its integration (with {@link INTEGRATION_DIMENSION}). */
export const CREDENTIAL_DIMENSION = 'Credential';
/** The dimension of the credential sweep's own health: the platform's rotation function's name. */
export const ROTATION_FUNCTION_DIMENSION = 'RotationFunction';
/** The dimension of the ingest function's own metrics: the function's name. */
export const INGEST_FUNCTION_DIMENSION = 'IngestFunction';

/** The ingest function's own metrics, by IngestFunction: what no integration's signals can count. */
export const IngestMetric = {
  /**
   * Requests for a route the function's config does not have (Count), answered 500: an API method
   * deployed before or without its route, so every request to it fails and belongs to no integration.
   */
  UNROUTED_COUNT: 'unrouted_count',
} as const;

/** The credential sweep's metrics (hourly, from the platform's rotation function). */
export const CredentialMetric = {
  /** Age of a credential's AWSCURRENT version (Seconds), by Integration and Credential. */
  CREDENTIAL_AGE: 'credential_age',
  /** Credentials of an integration past their policy age: a missed rotation, or a partner-held secret due for change (Count), by Integration. */
  CREDENTIALS_DUE: 'credentials_due',
  /** Credentials of an integration past their classification's limit (Count), by Integration. */
  CREDENTIALS_OVERDUE: 'credentials_overdue',
  /** Sweeps that checked every credential (Count), by RotationFunction. */
  SWEEPS_COMPLETED: 'credential_sweeps_completed',
  /** Credentials a sweep could not check or revoke (Count), by RotationFunction. */
  SWEEP_FAILURES: 'credential_sweep_failures',
} as const;
