// The contract between the platform (synth time) and the ingest function (run time). Plain,
// JSON-serializable data; the runtime imports these types with `import type` only.
import type { ConfigValue } from '../core/config-value';
import type { DeliveryIdLocation, SignatureSchemeConfig } from '../gateway/signature-scheme';

/** Where the ingest function delivers an accepted record. */
export enum IngestTargetKind {
  /** Invoke a Lambda function synchronously; its result is the caller's response. */
  LAMBDA = 'lambda',
  /** Send an SQS message; the caller gets 202 with the message id. */
  SQS = 'sqs',
  /** Put an EventBridge event; the caller gets 202 with the event id. */
  EVENTBRIDGE = 'eventbridge',
}

export type { ConfigValue, EnvRef } from '../core/config-value';

/** A target as the ingest function sees it. */
export interface IngestTargetConfig {
  readonly kind: IngestTargetKind;
  /** Function name or ARN (LAMBDA), queue name or URL (SQS), event bus name or ARN (EVENTBRIDGE). */
  readonly address: ConfigValue;
  /** EventBridge `Source` of the events. */
  readonly source?: string;
  /** EventBridge `DetailType` of the events. */
  readonly detailType?: string;
}

/** What names a delivery for deduplication. */
export enum DeduplicationKey {
  /** The sender's delivery id, which its signature covers (Standard Webhooks' `webhook-id`, a Stripe event id in the signed body). */
  SIGNED_ID = 'signed-id',
  /**
   * The SHA-256 of the raw body: for senders whose id header is not signed (GitHub, Shopify), so a
   * replay with a new, missing or forged id is still the same delivery; their retries and
   * redeliveries repeat the body byte for byte.
   */
  BODY = 'body',
  /**
   * The `Idempotency-Key` an API client chooses, scoped to its client id; the same key with another
   * path, query or body is a 422 (draft-ietf-httpapi-idempotency-key-header).
   */
  CLIENT_KEY = 'client-key',
}

/** How the ingest deduplicates a route's deliveries. */
export interface DeduplicationConfig {
  /** How long, in seconds, a delivery is remembered. */
  readonly windowSeconds: number;
  /** What names a delivery. */
  readonly key: DeduplicationKey;
  /** Where the sender's delivery id is (the record's `deliveryId`); required for SIGNED_ID and CLIENT_KEY. */
  readonly deliveryId?: DeliveryIdLocation;
}

/** The media types a route's body may have. */
export enum BodyFormat {
  /** `application/json` or `application/<subtype>+json`, in UTF-8 (RFC 8259 section 8.1). */
  JSON = 'json',
  /** `application/x-www-form-urlencoded` (Slack slash commands and interactive payloads), parsed into an object of strings. */
  FORM = 'form',
}

/** One route served by the ingest function. */
export interface IngestRouteConfig {
  /** The integration the route belongs to. */
  readonly integration: string;
  /** The HTTP method. */
  readonly method: string;
  /** API Gateway's resource path (`event.resource`), for example `/orders/{orderId}`. */
  readonly resourcePath: string;
  /** The full JSON Schema of the body (as the user gave it), validated with ajv. */
  readonly schema?: Record<string, unknown>;
  /** How a signed webhook is verified. */
  readonly signature?: SignatureSchemeConfig;
  /** Name or ARN of the Secrets Manager secret that holds the signing secret. */
  readonly signingSecret?: ConfigValue;
  /**
   * How long, in seconds, the signing secret's AWSPREVIOUS value is still accepted after the
   * AWSCURRENT version was created (the sender's switch to the new secret). After that, only
   * AWSCURRENT verifies. @default 86400
   */
  readonly signingSecretOverlapSeconds?: number;
  /** Where accepted records go. */
  readonly target: IngestTargetConfig;
  /**
   * JSON paths of the body encrypted before delivery (KMS envelope encryption, encryption context
   * `{ integration, field }`); the key is the environment's FIELD_ENCRYPTION_KEY_ID.
   */
  readonly piiFields?: string[];
  /** Browser origins allowed to read the response (CORS); the matching one is echoed. */
  readonly corsOrigins?: string[];
  /** The media types the body may have; any other is a 415. @default [BodyFormat.JSON] */
  readonly bodyFormats?: BodyFormat[];
  /** How deliveries are deduplicated. @default - not deduplicated */
  readonly deduplication?: DeduplicationConfig;
  /** The query-string parameters forwarded to the target; others are dropped. @default - none */
  readonly queryParameters?: string[];
  /**
   * A mutual TLS route: a request without a client certificate (`requestContext.identity.clientCert`)
   * is refused (403), and with `clients`, one whose subject and issuer DNs (compared in the
   * canonical form of lambda/shared/distinguished-name.ts) are not a listed pair.
   * @default - not a mutual TLS route
   */
  readonly clientCertificate?: { readonly clients?: Array<{ readonly subject: string; readonly issuer: string }> };
}

/** The ingest function's configuration file (`/opt/ingest/config.json` in its config layer). */
export interface IngestConfig {
  /** The schema version of this file. */
  readonly version: 1;
  readonly routes: IngestRouteConfig[];
}

/** Where the config file lands inside the function (layers unpack under /opt). */
export const INGEST_CONFIG_PATH = '/opt/ingest/config.json';

/** The record a target receives. */
export interface IntegrationRecord {
  /** The integration's name. */
  readonly integration: string;
  /** `METHOD /resource/path`. */
  readonly route: string;
  /** API Gateway's request id. */
  readonly requestId: string;
  /** The X-Ray trace id (`Root=...;Parent=...;Sampled=...`), where tracing is on. */
  readonly traceId?: string;
  /** When API Gateway received the request, ISO 8601. */
  readonly receivedAt: string;
  /** Path parameters. */
  readonly pathParameters: Record<string, string>;
  /** The query-string parameters the route declares (`queryParameters`); the others are dropped. */
  readonly queryStringParameters: Record<string, string>;
  /** The OAuth 2.0 client id of the caller, for OAuth 2.0 routes. */
  readonly clientId?: string;
  /** The caller's IAM principal ARN (API Gateway's `identity.userArn`), for `Auth.iam` routes. */
  readonly callerArn?: string;
  /** The client certificate the caller presented, for `Auth.mutualTls` routes (as API Gateway reports it). */
  readonly clientCertificate?: { readonly subjectDN: string; readonly issuerDN: string; readonly serialNumber: string; readonly notAfter?: string };
  /** The sender's delivery id (`X-GitHub-Delivery`, a Stripe event id, `webhook-id`, `Idempotency-Key`), where the route deduplicates. */
  readonly deliveryId?: string;
  /** The parsed body: JSON, or for form-encoded bodies an object of strings. */
  readonly body?: unknown;
}
