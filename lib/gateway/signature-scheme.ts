import { Token } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../core/errors';

/** How a signature digest is written in its header. */
export enum DigestEncoding {
  /** Lower- or upper-case hexadecimal, 64 characters for SHA-256 (GitHub, Stripe, Slack). */
  HEX = 'hex',
  /** Standard base64 (RFC 4648 section 4) with padding, 44 characters for SHA-256 (Shopify). */
  BASE64 = 'base64',
}

/** How the signature header is laid out. */
export enum SignatureHeaderFormat {
  /** One digest after an optional fixed prefix, for example `sha256=<hex>` or a bare base64 digest. */
  DIGEST = 'digest',
  /**
   * Comma-separated `key=value` pairs: the signed timestamp under one key and one or more digests
   * under another (Stripe: `t=<unix seconds>,v1=<hex>,v1=<hex>`). Keys other than these two are ignored.
   */
  KEY_VALUE_LIST = 'key-value-list',
  /**
   * Space-separated entries, each a version label and its digest, for example
   * `v1,<base64> v1,<base64> v1a,<base64>` (Standard Webhooks). An entry counts when it starts with
   * {@link SignatureSchemeConfig.signaturePrefix} (`v1,`); entries of other versions (`v1a,`, an
   * asymmetric signature) are ignored, and any one matching digest passes.
   */
  SPACE_LIST = 'space-list',
}

/** How the signing secret held in Secrets Manager becomes the HMAC key. */
export enum SecretEncoding {
  /**
   * The secret's UTF-8 bytes are the key, exactly as stored (GitHub, Slack, Shopify, and Stripe,
   * whose `whsec_...` secrets are used as text, prefix included).
   */
  UTF8 = 'utf8',
  /**
   * `whsec_` then standard base64 (RFC 4648 section 4, padded) of the key bytes; the key is the
   * decoded bytes. As in the Standard Webhooks reference library, a secret without the prefix is
   * decoded as base64 too.
   * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#signature-scheme
   */
  WHSEC_BASE64 = 'whsec-base64',
}

/**
 * Where a sender puts its unique id of a delivery, the same on every retry of it, for
 * deduplication: a request header or a JSON pointer into the body. Exactly one of the two is set.
 */
export interface DeliveryIdLocation {
  /** The request header holding the id, matched case-insensitively, for example `X-GitHub-Delivery`. */
  readonly header?: string;
  /** An RFC 6901 JSON pointer to a string in the JSON body, for example `/id` (Stripe's `evt_...`). */
  readonly bodyPointer?: string;
}

/** The placeholder for the raw request body in {@link SignatureSchemeConfig.signedPayload}. */
export const BODY_PLACEHOLDER = '{body}';
/** The placeholder for the signed timestamp, exactly as sent, in {@link SignatureSchemeConfig.signedPayload}. */
export const TIMESTAMP_PLACEHOLDER = '{timestamp}';
/** The placeholder for the message id, exactly as sent in {@link SignatureSchemeConfig.idHeader}, in {@link SignatureSchemeConfig.signedPayload}. */
export const ID_PLACEHOLDER = '{id}';

/**
 * What the ingest function needs to verify a signed webhook: plain, JSON-serializable data.
 * Every scheme is HMAC-SHA256 keyed with the integration's signing secret.
 */
export interface SignatureSchemeConfig {
  /** A short name for logs and the inventory, for example `github-hmac-sha256`. */
  readonly scheme: string;
  /** A one-line description for the inventory, for example `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of {body}>`. */
  readonly description: string;
  /** The header carrying the signature. Matched case-insensitively at runtime. */
  readonly signatureHeader: string;
  /** How the signature header is laid out. */
  readonly headerFormat: SignatureHeaderFormat;
  /**
   * With {@link SignatureHeaderFormat.DIGEST}: the fixed text before the digest, `''` when none.
   * With {@link SignatureHeaderFormat.SPACE_LIST}: the version label before each entry's digest
   * (`v1,`); entries with another prefix are ignored.
   */
  readonly signaturePrefix: string;
  /** With {@link SignatureHeaderFormat.KEY_VALUE_LIST}: the key of the digests (Stripe: `v1`). */
  readonly signatureKey?: string;
  /** With {@link SignatureHeaderFormat.KEY_VALUE_LIST}: the key of the signed timestamp (Stripe: `t`). */
  readonly timestampKey?: string;
  /**
   * With {@link SignatureHeaderFormat.DIGEST} or {@link SignatureHeaderFormat.SPACE_LIST}: the
   * header carrying the signed timestamp, when one is signed.
   */
  readonly timestampHeader?: string;
  /**
   * The header carrying the signed message id, set exactly when `signedPayload` holds `{id}`
   * (Standard Webhooks: `webhook-id`). An id containing `.` is refused: the spec says ids must not hold one.
   */
  readonly idHeader?: string;
  /** How the digest is encoded. */
  readonly encoding: DigestEncoding;
  /**
   * How the signing secret becomes the HMAC key.
   * @default SecretEncoding.UTF8 (left out of the config)
   */
  readonly secretEncoding?: SecretEncoding;
  /**
   * What is signed: a template of literal text and the placeholders `{body}` (the raw request body,
   * byte for byte), `{timestamp}` (the timestamp exactly as sent) and `{id}` (the message id exactly
   * as sent), for example `{timestamp}.{body}`.
   */
  readonly signedPayload: string;
  /**
   * The replay window: a request whose signed timestamp is further than this from the receiver's
   * clock, in either direction, is rejected. Set exactly when a timestamp is signed.
   */
  readonly toleranceSeconds?: number;
  /**
   * Where the sender's unique id of the delivery is, stable across its retries, for deduplication.
   * @default - the sender sends no such id
   */
  readonly deliveryId?: DeliveryIdLocation;
}

/** Options of the schemes that sign a timestamp. */
export interface ReplayWindowOptions {
  /**
   * How far, in seconds, the signed timestamp may be from the receiver's clock in either direction.
   * A whole number from 1 to 3600: timestamps are whole seconds, so less than 1 s rejects genuine
   * deliveries; the window is how long a captured request can be replayed, and a retry is a new
   * delivery with a fresh timestamp (Stripe generates a new signature and timestamp for each retry),
   * so more than an hour buys no reliability and is no longer replay protection.
   * @default 300 (five minutes, the tolerance Stripe's, Slack's and the Standard Webhooks reference libraries apply)
   * @see https://docs.stripe.com/webhooks#verify-manually
   * @see https://api.slack.com/authentication/verifying-requests-from-slack
   */
  readonly toleranceSeconds?: number;
}

/** Options of {@link SignatureScheme.hmacSha256}. */
export interface HmacSha256SchemeOptions extends ReplayWindowOptions {
  /**
   * The header carrying the signature, an HTTP field name (RFC 9110 token), for example
   * `X-Shopify-Hmac-Sha256`.
   */
  readonly header: string;
  /**
   * Fixed text before the digest in the header value, for example `sha256=`. Visible ASCII, no spaces.
   * @default '' (the header holds the bare digest)
   */
  readonly prefix?: string;
  /** How the digest is encoded. */
  readonly encoding: DigestEncoding;
  /**
   * The header carrying a signed Unix timestamp in seconds. When set, the timestamp must appear in
   * `signedPayload`, and requests outside `toleranceSeconds` are rejected.
   * @default - no timestamp: nothing protects against replay, so the target must be idempotent
   */
  readonly timestampHeader?: string;
  /**
   * What the partner signs: literal text around the placeholders `{body}` (the raw body, exactly
   * once) and `{timestamp}` (the `timestampHeader` value as sent, exactly once when that header is
   * set, never otherwise). No other braces. Examples: `{body}` (Shopify), `{timestamp}.{body}`
   * (Stripe-style), `v0:{timestamp}:{body}` (Slack), `{timestamp}{body}` (Zendesk).
   * @default '{body}', or '{timestamp}.{body}' when `timestampHeader` is set
   */
  readonly signedPayload?: string;
  /**
   * The header in which the partner sends its unique id of the delivery, the same on every retry,
   * an HTTP field name; the ingest can deduplicate on it. Shopify's is `X-Shopify-Webhook-Id`
   * (Shopify's duplicate guide now names `X-Shopify-Event-Id`, which is shared by every subscription
   * to one event).
   * @default - none: the partner sends no delivery id, or it is not used
   * @see https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates
   */
  readonly deliveryIdHeader?: string;
}

const DEFAULT_TOLERANCE_SECONDS = 300;
const MIN_TOLERANCE_SECONDS = 1;
const MAX_TOLERANCE_SECONDS = 3600;
/** RFC 9110 section 5.1: field-name = token; section 5.6.2: token = 1*tchar. */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII (RFC 5234 VCHAR): a prefix with spaces would be trimmed away by HTTP parsers (RFC 9110 section 5.5). */
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;
const MAX_PREFIX_LENGTH = 32;

/**
 * How a signed webhook proves it comes from the partner: the partner computes an HMAC-SHA256 of
 * the raw body (and, in most schemes, a timestamp) with a shared secret and sends it in a header.
 * Choose one with a static factory, for example `SignatureScheme.githubHmacSha256()`.
 */
export abstract class SignatureScheme {
  /**
   * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.
   *
   * GitHub signs no timestamp, so a captured delivery can be replayed: make the target idempotent.
   * The delivery id is the `X-GitHub-Delivery` header, a GUID that a redelivery repeats. GitHub
   * documents it as unique per event: two GitHub webhooks (a repository's and its organization's)
   * that send one event to the same route carry the same id.
   * @see https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
   * @see https://docs.github.com/en/webhooks/using-webhooks/best-practices-for-using-webhooks#use-the-x-github-delivery-header
   */
  public static githubHmacSha256(): SignatureScheme {
    return new HmacSha256Scheme({
      scheme: 'github-hmac-sha256',
      description: 'X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of {body}>',
      signatureHeader: 'X-Hub-Signature-256',
      headerFormat: SignatureHeaderFormat.DIGEST,
      signaturePrefix: 'sha256=',
      encoding: DigestEncoding.HEX,
      signedPayload: BODY_PLACEHOLDER,
      deliveryId: { header: 'X-GitHub-Delivery' },
    });
  }

  /**
   * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
   *
   * While a secret is being rolled Stripe sends one `v1` per active secret: any matching one passes.
   * `v0` entries (a legacy test-mode scheme) are ignored. Timestamps outside the tolerance, in either
   * direction, are rejected.
   *
   * The delivery id is the event's `id` in the body (`evt_...`): Stripe retries an event with the
   * same id, and asks receivers to skip event ids they already processed.
   * @see https://docs.stripe.com/webhooks#verify-manually
   * @see https://docs.stripe.com/webhooks#handle-duplicate-events
   */
  public static stripe(options: ReplayWindowOptions = {}): SignatureScheme {
    const owner = 'SignatureScheme.stripe';
    return new HmacSha256Scheme({
      scheme: 'stripe-v1',
      description: 'Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of {timestamp}.{body}>',
      signatureHeader: 'Stripe-Signature',
      headerFormat: SignatureHeaderFormat.KEY_VALUE_LIST,
      signaturePrefix: '',
      signatureKey: 'v1',
      timestampKey: 't',
      encoding: DigestEncoding.HEX,
      signedPayload: `${TIMESTAMP_PLACEHOLDER}.${BODY_PLACEHOLDER}`,
      toleranceSeconds: validateTolerance(owner, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS),
      deliveryId: { bodyPointer: '/id' },
    });
  }

  /**
   * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<raw body>">`, the timestamp
   * in `X-Slack-Request-Timestamp`. Slack asks receivers to reject timestamps more than five
   * minutes from their clock.
   *
   * No delivery id: the same signing secret and scheme sign Events API callbacks, whose JSON body
   * carries an `event_id`, and slash commands and interactivity payloads, which are form-encoded
   * and carry none, so no one location holds an id for every request Slack signs.
   * @see https://api.slack.com/authentication/verifying-requests-from-slack
   * @see https://api.slack.com/apis/events-api#callback-field
   */
  public static slack(options: ReplayWindowOptions = {}): SignatureScheme {
    const owner = 'SignatureScheme.slack';
    return new HmacSha256Scheme({
      scheme: 'slack-v0',
      description: 'X-Slack-Signature: v0=<hex HMAC-SHA256 of v0:{timestamp}:{body}>, timestamp in X-Slack-Request-Timestamp',
      signatureHeader: 'X-Slack-Signature',
      headerFormat: SignatureHeaderFormat.DIGEST,
      signaturePrefix: 'v0=',
      timestampHeader: 'X-Slack-Request-Timestamp',
      encoding: DigestEncoding.HEX,
      signedPayload: `v0:${TIMESTAMP_PLACEHOLDER}:${BODY_PLACEHOLDER}`,
      toleranceSeconds: validateTolerance(owner, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS),
    });
  }

  /**
   * Standard Webhooks (also what Svix sends): `webhook-signature` holds space-separated
   * `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">` entries, any
   * matching one passes (a sender rotating its secret signs with both); `v1a` (asymmetric) and
   * other versions are ignored. Timestamps outside the tolerance, in either direction, are
   * rejected, and so is a `webhook-id` containing `.` (the spec says an id must not hold one: it
   * would let the boundary between the id and the timestamp shift).
   *
   * The signing secret is `whsec_` followed by the base64 of the key bytes, as the sender shows it
   * (the prefix may be left out); the HMAC key is the decoded bytes, at least 24 of them (the
   * spec's minimum key size). The delivery id is `webhook-id`, which the spec says stays the same
   * on every retry and is meant as the idempotency key.
   * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
   */
  public static standardWebhooks(options: ReplayWindowOptions = {}): SignatureScheme {
    const owner = 'SignatureScheme.standardWebhooks';
    return new HmacSha256Scheme({
      scheme: 'standard-webhooks-v1',
      description: 'webhook-signature: v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{body}> (space-separated), id in webhook-id, timestamp in webhook-timestamp, whsec_ base64 secret',
      signatureHeader: 'webhook-signature',
      headerFormat: SignatureHeaderFormat.SPACE_LIST,
      signaturePrefix: 'v1,',
      timestampHeader: 'webhook-timestamp',
      idHeader: 'webhook-id',
      encoding: DigestEncoding.BASE64,
      secretEncoding: SecretEncoding.WHSEC_BASE64,
      signedPayload: `${ID_PLACEHOLDER}.${TIMESTAMP_PLACEHOLDER}.${BODY_PLACEHOLDER}`,
      toleranceSeconds: validateTolerance(owner, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS),
      deliveryId: { header: 'webhook-id' },
    });
  }

  /**
   * Any other HMAC-SHA256 scheme: a header holding `<prefix><digest>`, the digest hex or base64,
   * over a template of the raw body and optionally a timestamp from another header.
   *
   * Shopify, for example, is
   * `SignatureScheme.hmacSha256({ header: 'X-Shopify-Hmac-Sha256', encoding: DigestEncoding.BASE64, deliveryIdHeader: 'X-Shopify-Webhook-Id' })`.
   * @see https://shopify.dev/docs/apps/build/webhooks/subscribe/https
   */
  public static hmacSha256(options: HmacSha256SchemeOptions): SignatureScheme {
    const owner = 'SignatureScheme.hmacSha256';
    validateHeaderName(owner, 'header', options.header);
    const prefix = options.prefix ?? '';
    validatePrefix(owner, prefix);
    validateEncoding(owner, options.encoding);
    const timestampHeader = options.timestampHeader;
    if (timestampHeader !== undefined) {
      validateHeaderName(owner, 'timestampHeader', timestampHeader);
      if (sameHeader(options.header, timestampHeader)) {
        throw new IntegrationConfigError(owner, 'timestampHeader', timestampHeader, 'The timestamp and the signature travel in two different headers: name the header that carries the Unix timestamp.');
      }
    } else if (options.toleranceSeconds !== undefined) {
      throw new IntegrationConfigError(
        owner,
        'toleranceSeconds',
        options.toleranceSeconds,
        'A replay tolerance needs a signed timestamp: set timestampHeader to the header carrying it, or remove toleranceSeconds.',
      );
    }
    const signedPayload = options.signedPayload ?? (timestampHeader !== undefined ? `${TIMESTAMP_PLACEHOLDER}.${BODY_PLACEHOLDER}` : BODY_PLACEHOLDER);
    validateSignedPayload(owner, signedPayload, timestampHeader !== undefined);
    const deliveryIdHeader = options.deliveryIdHeader;
    if (deliveryIdHeader !== undefined) {
      validateHeaderName(owner, 'deliveryIdHeader', deliveryIdHeader);
      const clash = [options.header, timestampHeader].find((other) => sameHeader(other, deliveryIdHeader));
      if (clash !== undefined) {
        throw new IntegrationConfigError(
          owner,
          'deliveryIdHeader',
          deliveryIdHeader,
          `The delivery id travels in its own header, not in '${clash}': name the header the partner repeats on every retry of a delivery (Shopify: "X-Shopify-Webhook-Id"), or leave deliveryIdHeader out.`,
        );
      }
    }
    const digest = `${options.encoding} HMAC-SHA256 of ${signedPayload}`;
    return new HmacSha256Scheme({
      scheme: 'hmac-sha256',
      description: `${options.header}: ${prefix}<${digest}>${timestampHeader !== undefined ? `, timestamp in ${timestampHeader}` : ''}`,
      signatureHeader: options.header,
      headerFormat: SignatureHeaderFormat.DIGEST,
      signaturePrefix: prefix,
      timestampHeader,
      encoding: options.encoding,
      signedPayload,
      toleranceSeconds: timestampHeader !== undefined ? validateTolerance(owner, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS) : undefined,
      deliveryId: deliveryIdHeader !== undefined ? { header: deliveryIdHeader } : undefined,
    });
  }

  /** Returns the scheme as plain data, for the ingest function's configuration. */
  public abstract bind(): SignatureSchemeConfig;
}

class HmacSha256Scheme extends SignatureScheme {
  constructor(private readonly config: SignatureSchemeConfig) {
    super();
  }

  public bind(): SignatureSchemeConfig {
    // Leave optional fields out rather than set to undefined, so the config survives JSON unchanged.
    return Object.fromEntries(Object.entries(this.config).filter(([, value]) => value !== undefined)) as unknown as SignatureSchemeConfig;
  }
}

function validateHeaderName(owner: string, prop: string, value: unknown): void {
  if (typeof value === 'string' && Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || value.length === 0) {
    throw new IntegrationConfigError(owner, prop, value, 'Name the HTTP header, for example "X-Signature".');
  }
  if (!HTTP_TOKEN.test(value)) {
    throw new IntegrationConfigError(
      owner,
      prop,
      value,
      "A header name is an HTTP token (RFC 9110 section 5.6.2): letters, digits and !#$%&'*+-.^_`|~ only, no spaces, colons or quotes, for example \"X-Signature\".",
    );
  }
}

/** Whether two header names are the same field (case-insensitive); never for unresolved tokens, which cannot be compared. */
function sameHeader(a: string | undefined, b: string): boolean {
  if (a === undefined || Token.isUnresolved(a) || Token.isUnresolved(b)) return false;
  return a.toLowerCase() === b.toLowerCase();
}

function validatePrefix(owner: string, prefix: unknown): void {
  if (typeof prefix === 'string' && Token.isUnresolved(prefix)) return;
  if (typeof prefix !== 'string' || prefix.length > MAX_PREFIX_LENGTH || !VISIBLE_ASCII.test(prefix)) {
    throw new IntegrationConfigError(
      owner,
      'prefix',
      prefix,
      `Use up to ${MAX_PREFIX_LENGTH} visible ASCII characters without spaces, for example "sha256=", or leave prefix out when the header holds the bare digest.`,
    );
  }
}

function validateEncoding(owner: string, encoding: unknown): void {
  if (!(Object.values(DigestEncoding) as unknown[]).includes(encoding)) {
    throw new IntegrationConfigError(owner, 'encoding', encoding, 'Use DigestEncoding.HEX or DigestEncoding.BASE64, whichever the partner documents for the digest.');
  }
}

function validateTolerance(owner: string, value: number): number {
  if (Token.isUnresolved(value)) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_TOLERANCE_SECONDS || value > MAX_TOLERANCE_SECONDS) {
    throw new IntegrationConfigError(
      owner,
      'toleranceSeconds',
      value,
      `Use a whole number of seconds from ${MIN_TOLERANCE_SECONDS} to ${MAX_TOLERANCE_SECONDS}; ${DEFAULT_TOLERANCE_SECONDS} (five minutes) is what Stripe and Slack use.`,
    );
  }
  return value;
}

function validateSignedPayload(owner: string, template: unknown, hasTimestamp: boolean): void {
  if (typeof template === 'string' && Token.isUnresolved(template)) return;
  const example = hasTimestamp ? '"{timestamp}.{body}"' : '"{body}"';
  if (typeof template !== 'string') {
    throw new IntegrationConfigError(owner, 'signedPayload', template, `Describe what is signed as a template, for example ${example}.`);
  }
  const rest = template.split(BODY_PLACEHOLDER).join('').split(TIMESTAMP_PLACEHOLDER).join('');
  if (rest.includes('{') || rest.includes('}')) {
    throw new IntegrationConfigError(
      owner,
      'signedPayload',
      template,
      `The only placeholders are {body} and {timestamp}, and no other braces are allowed: for example ${example}.`,
    );
  }
  if (occurrences(template, BODY_PLACEHOLDER) !== 1) {
    throw new IntegrationConfigError(owner, 'signedPayload', template, `Include {body} exactly once, where the partner puts the raw request body: for example ${example}.`);
  }
  const timestamps = occurrences(template, TIMESTAMP_PLACEHOLDER);
  if (hasTimestamp && timestamps !== 1) {
    throw new IntegrationConfigError(
      owner,
      'signedPayload',
      template,
      'Include {timestamp} exactly once: a timestamp that is not signed can be changed by an attacker and protects nothing. For example "{timestamp}.{body}".',
    );
  }
  if (!hasTimestamp && timestamps !== 0) {
    throw new IntegrationConfigError(owner, 'signedPayload', template, 'The template uses {timestamp}: set timestampHeader to the header carrying it, or remove {timestamp}.');
  }
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}
