// The inventory record: the contract between the synth-time report, the registration custom
// resource, the event updater and the CLI. Plain JSON; the runtime imports these types only.

/** The schema version this library writes. Older records are migrated on read (see the CLI and the handler). */
export const INVENTORY_SCHEMA_VERSION = 1;

/** Whether an integration is deployed. */
export type InventoryStatus = 'ACTIVE' | 'DECOMMISSIONED';

/** One inbound route. */
export interface InventoryRoute {
  readonly method: string;
  readonly path: string;
  /** `oauth2`, `iam`, `mtls` or `signature:<scheme>`. */
  readonly auth: string;
  /** Full OAuth 2.0 scopes; empty for webhooks. */
  readonly scopes: string[];
  /** The target's description, e.g. `sqs:<path>`. */
  readonly target: string;
  /**
   * For a mutual TLS route: the client certificates it admits, by subject and issuing CA (subject
   * `*`: any certificate of that CA), and when the issuing CA expires where the library holds the
   * truststore.
   */
  readonly clientCertificates?: InventoryClientCertificate[];
}

/** A client certificate a mutual TLS route admits. */
export interface InventoryClientCertificate {
  /** Subject DN (canonical), or `*` for any certificate the issuer signs. */
  readonly subject: string;
  /** Issuing CA's DN (canonical). */
  readonly issuer: string;
  /** When the issuing CA's certificate in the truststore expires, ISO 8601. */
  readonly issuerNotAfter?: string;
}

/**
 * The `rotationSchedule` of a partner-held credential (a webhook's signing secret): never rotated,
 * changed with the partner by putting its new value in Secrets Manager. Its age is capped by
 * `maxRotationIntervalDays`, the integration's classification limit.
 */
export const PARTNER_MANAGED_SCHEDULE = 'partner-managed';

/** One credential the integration holds. */
/** An outbound integration's partner call, as the inventory records it. */
export interface InventoryOutbound {
  /** The partner endpoint (an https:// URL). */
  readonly endpoint: string;
  /** Its host (and port, when not 443): the partner the data goes to. */
  readonly host: string;
  /** `oauth2-client-credentials`, `api-key`, `basic` (an EventBridge connection), `hmac-sha256` or `standard-webhooks` (the sender signs). */
  readonly auth: string;
  /** `api-destination` (EventBridge calls) or `direct` (the library's sender calls). */
  readonly mode: string;
  /** Where the calls come from, as a partner allowlisting callers must know it. */
  readonly egress: string;
}

export interface InventoryCredential {
  readonly name: string;
  /** The secret's ARN (a deploy-time value; absent from the synth-time report). */
  readonly secretArn?: string;
  /** The rotation period in days, or undefined with a cron window. */
  readonly rotationPeriodDays?: number;
  /** The schedule expression, e.g. `rate(30 days)` or `cron(0 2 ? * SUN *)`, or `partner-managed` ({@link PARTNER_MANAGED_SCHEDULE}). */
  readonly rotationSchedule: string;
  /** The longest time between two rotations, in days. */
  readonly maxRotationIntervalDays: number;
  /** The strategy's description. */
  readonly strategy: string;
  /**
   * ISO 8601 time of the last successful rotation, or of the last new value put in the secret that
   * became current (a partner-held secret's change), kept true by the event updater.
   */
  readonly lastRotated?: string;
  /** Outcome of the last rotation. */
  readonly lastRotationStatus?: 'SUCCEEDED' | 'FAILED';
  /** ISO 8601 time of the rotation event behind `lastRotationStatus` (orders late events; set by the event updater). */
  readonly lastRotationAttemptAt?: string;
}

/** One alarm on the integration. */
export interface InventoryAlarm {
  readonly name: string;
  /** `page`, `ticket` or `heartbeat`... */
  readonly severity: string;
  /** The last known state (`OK`, `ALARM`, `INSUFFICIENT_DATA`), kept true by the event updater. */
  readonly state?: string;
  readonly stateUpdatedAt?: string;
}

/**
 * A queue the integration delivers to that has a dead-letter queue: what
 * `cdk-secure-integrations redrive` moves messages between.
 */
export interface InventoryDeadLetterQueue {
  /** The queue's entry in `targets` (`sqs:<construct path>`). */
  readonly target: string;
  /** The queue's ARN (a deploy-time value; absent from the synth-time report). */
  readonly queueArn?: string;
  /** Its dead-letter queue's ARN (a deploy-time value; absent from the synth-time report). */
  readonly deadLetterQueueArn?: string;
  /** Receives of a message before SQS moves it to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/** The integration register's record of one integration. */
export interface InventoryRecord {
  readonly schemaVersion: typeof INVENTORY_SCHEMA_VERSION;
  /** `<account>:<region>:<stack>:<integration>`: unique across stacks sharing one table. */
  readonly integrationId: string;
  readonly name: string;
  readonly description?: string;
  readonly owner: string;
  readonly dataClassification: string;
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly inbound: InventoryRoute[];
  readonly targets: string[];
  readonly credentials: InventoryCredential[];
  readonly piiFields: string[];
  readonly slo?: { readonly availabilityPercent: number; readonly latencyP95Ms: number; readonly windowDays: number };
  readonly heartbeat?: { readonly everySeconds: number; readonly graceSeconds: number };
  readonly alarms: InventoryAlarm[];
  /** Where an `Outbound.api` integration calls, and how. Absent for other integrations. */
  readonly outbound?: InventoryOutbound;
  /**
   * The queues of `targets` that have a dead-letter queue, with both ARNs. Absent when there is
   * none, and from records written before `redrive` existed (deploy again to add them).
   */
  readonly deadLetterQueues?: InventoryDeadLetterQueue[];
  readonly status: InventoryStatus;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly decommissionedAt?: string;
  /** Optimistic-concurrency counter, incremented on every write. */
  readonly version?: number;
  /** SHA-256 (hex) of the record's declared content (everything set at synth), for change detection. */
  readonly contentHash: string;
}
