// The config file of an outbound integration's sender function (`/opt/outbound/config.json` in its
// config layer), written at synth by lib/outbound and read by lambda/outbound. Types only, no
// imports but types: the handler bundle imports this file.
import type { ConfigValue } from '../core/config-value';

/** Where the config file lands inside the function (layers unpack under /opt). */
export const OUTBOUND_CONFIG_PATH = '/opt/outbound/config.json';

/** The envelope a producer puts on an outbound queue (`sendOutbound` in `cdk-secure-integrations/runtime` writes it). */
export interface OutboundEnvelope {
  /** The JSON document the partner receives as the request body. */
  readonly payload: unknown;
  /** A W3C trace context (`00-<32 hex>-<16 hex>-<2 hex>`) of the producer, continued into the call. */
  readonly traceparent?: string;
  /**
   * The record's idempotency key (`sendOutbound` draws a random UUID): the `Idempotency-Key` and
   * Standard Webhooks `webhook-id` the partner deduplicates on. It stays the record's through a
   * redrive from the dead-letter queue, which gives the message a new SQS id.
   * @default - the SQS message id
   */
  readonly idempotencyKey?: string;
}

/**
 * How the sender delivers:
 * - `direct`: it calls the partner itself (signed requests, long calls);
 * - `api-destination`: it checks and prepares each record and puts it on the platform's outbound
 *   event bus, whose rule delivers it through an EventBridge API destination (the connection holds
 *   the partner's credential and refreshes OAuth 2.0 tokens).
 */
export type OutboundMode = 'direct' | 'api-destination';

/** How a direct request is signed with the integration's signing secret. */
export interface OutboundSigningConfig {
  /**
   * - `hmac-sha256`: `<header>: sha256=<hex HMAC-SHA256 of the body>` (GitHub's `X-Hub-Signature-256` form);
   * - `standard-webhooks`: `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,<base64>`)
   *   after the Standard Webhooks spec, with a `whsec_` secret.
   */
  readonly kind: 'hmac-sha256' | 'standard-webhooks';
  /** The signing secret's ARN (Secrets Manager; AWSCURRENT signs). */
  readonly secretArn: ConfigValue;
  /** For `hmac-sha256`: the header that carries the signature. */
  readonly header?: string;
}

/** What the sender does with the integration's PII fields before the call. */
export interface OutboundPiiConfig {
  /**
   * - `decrypt`: the records hold the library's JWE values (as the ingest wrote them) and the partner
   *   needs clear text;
   * - `encrypt`: the records hold clear text and the partner receives JWE values (it decrypts with
   *   a grant on the platform key).
   */
  readonly mode: 'decrypt' | 'encrypt';
  /** The field paths (`contact.email`, `items[*].iban`). */
  readonly paths: string[];
}

/** The sender's config file. */
export interface OutboundConfigFile {
  /** The schema version of this file. */
  readonly version: 1;
  /** The integration's name: the `Integration` dimension of its signals and the encryption context of its fields. */
  readonly integration: string;
  readonly mode: OutboundMode;
  /** The partner endpoint (`https://`, host fixed at synth). For `api-destination`, informational. */
  readonly endpoint: string;
  /** The HTTP method of a direct call. */
  readonly method: 'POST' | 'PUT' | 'PATCH';
  /** Milliseconds a direct call may take before it counts as a timeout (retried). */
  readonly timeoutMs: number;
  /** How many times a record is received before SQS moves it to the dead-letter queue (the queue's maxReceiveCount). */
  readonly maxAttempts: number;
  /**
   * The outbound queue's message retention, in seconds: a record whose next wait would outlast it
   * is dead-lettered (reason `expiring`) instead of being deleted by SQS unseen.
   * @default 345600 (4 days, the library's queue)
   */
  readonly retentionSeconds?: number;
  /** The JSON Schema (draft-04, -06 or -07) a payload must meet; a record that does not is dead-lettered, not sent. */
  readonly payloadSchema?: Record<string, unknown>;
  readonly pii?: OutboundPiiConfig;
  readonly signing?: OutboundSigningConfig;
  /**
   * A client certificate the sender presents (mutual TLS): the secret's value is JSON
   * `{ "certificate": "<PEM chain, leaf first>", "privateKey": "<PEM>" }`.
   */
  readonly clientCertificate?: { readonly secretArn: ConfigValue };
  /** Static headers of every call (never a credential: those are the connection's or the signature's). */
  readonly headers?: Record<string, string>;
  /** The dead-letter queue's URL: contract violations and permanent refusals go there at once, with the reason. */
  readonly deadLetterQueueUrl: ConfigValue;
  /** For `api-destination`: the event bus the rule listens on. */
  readonly eventBusName?: ConfigValue;
  /** For `api-destination`: the `source` of the events put on the bus (the rule matches it with the integration's name as `detail-type`). */
  readonly eventSource?: string;
}

/** The `detail` of an event the sender puts on the outbound bus (the rule's target reads `$.detail.payload` as the body). */
export interface OutboundEventDetail {
  readonly payload: unknown;
  readonly traceparent: string;
  /** The SQS message id of the record: the partner's idempotency key. */
  readonly idempotencyKey: string;
}

/** The reason a record was dead-lettered, in its `reason` message attribute. */
export const OutboundDeadLetterReason = {
  /** The message body is not an {@link OutboundEnvelope}. */
  MALFORMED: 'malformed',
  /** The payload breaks the partner contract (the payload schema). */
  CONTRACT: 'contract',
  /** The partner refused the call with a status that a retry cannot change (a 4xx other than 408, 425, 429; a redirect). */
  REFUSED: 'partner-refused',
  /** A PII field could not be encrypted or decrypted as declared. */
  PII: 'pii',
  /** Still not delivered, and the next wait would outlast the queue's retention (SQS would delete it). */
  EXPIRING: 'expiring',
} as const;
