import { Duration, Token } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../core/errors';
import { HTTP_TOKEN, type DeliveryIdLocation } from '../gateway/signature-scheme';
import { DeduplicationKey, type DeduplicationConfig } from '../ingest/ingest-config';

/** The header an API client sets to make a request safe to retry (IETF draft-ietf-httpapi-idempotency-key-header). */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * The default window: Stripe retries a webhook for up to three days in live mode, the longest
 * automatic retry among the senders in CATALOG.md.
 * @see https://docs.stripe.com/webhooks#retries
 */
export const DEFAULT_DEDUPLICATION_WINDOW = Duration.days(3);
const MIN_WINDOW = Duration.minutes(1);
const MAX_WINDOW = Duration.days(30);

/** Options of {@link Deduplication.onDeliveryId}. */
export interface DeduplicationOptions {
  /**
   * How long a delivery id is remembered: a retry or replay within it gets the first answer and is
   * not delivered again; after it, the same id is delivered as new. From 1 minute to 30 days. The
   * table costs two write request units per delivery (the in-progress and completed writes) and
   * about 0.5 KB of storage per delivery for the window.
   * @default Duration.days(3) - Stripe retries for up to three days
   */
  readonly window?: Duration;
  /**
   * The header that carries the sender's delivery id, for a sender the signature scheme does not
   * know, for example `X-Shopify-Webhook-Id`. It is recorded as the record's `deliveryId`; a header
   * the signature does not cover does not name the delivery (anyone replaying the body can change
   * it): such deliveries are deduplicated on the SHA-256 of their body.
   * @default - the signature scheme's delivery id (`X-GitHub-Delivery`, the Stripe event id,
   *   `webhook-id`), or `Idempotency-Key` on API routes
   */
  readonly idHeader?: string;
}

/**
 * How the ingest deduplicates an integration's deliveries. Senders retry and partners replay: a
 * delivery the ingest has seen within the window gets the first answer again (with the header
 * `idempotent-replayed: true`) and is not delivered again; a copy that arrives while the first is
 * still being delivered gets 409 (retry later). A webhook delivery is remembered only when its
 * target answered 2xx, an API client's key only with a final answer (not 5xx, 408, 409, 423, 425,
 * 429), so the retry of anything else is delivered. Records carry the sender's id as `deliveryId`.
 *
 * What names a delivery: for webhooks, the sender's id where its signature covers it (Standard
 * Webhooks' `webhook-id`, a Stripe event id), otherwise the SHA-256 of the raw body (GitHub, Shopify,
 * Slack: their retries repeat the body byte for byte, and an unsigned id header proves nothing);
 * for API routes, the client's `Idempotency-Key` with its client id, where the same key with another
 * path, query or body is a 422 and a request without a key is not deduplicated.
 *
 * The ids live in one DynamoDB table per platform (on the platform key, TTL at the end of the
 * window), written by Powertools for AWS Lambda's idempotency utility.
 */
export abstract class Deduplication {
  /** Deduplicate on the sender's delivery id (the default for every inbound integration). */
  public static onDeliveryId(options: DeduplicationOptions = {}): Deduplication {
    return new DeliveryIdDeduplication(options);
  }

  /**
   * No deduplication: every retry and replay reaches the target, which must then be idempotent
   * itself. The reason is recorded in the ingest's route table for reviewers.
   */
  public static none(reason: string): Deduplication {
    return new NoDeduplication(reason);
  }

  /**
   * The route's deduplication, or `undefined` for none.
   * @param owner the integration, for errors
   * @param prop the prop path, for errors
   * @param sender where the route's sender puts its delivery id and whether its signature covers it;
   *   `api` for an OAuth 2.0 API route (its clients choose an Idempotency-Key)
   * @throws IntegrationConfigError for a bad window, header or reason
   * @internal
   */
  public abstract _bind(owner: string, prop: string, sender: DeduplicationSender): DeduplicationConfig | undefined;
}

/** What a route's sender offers for deduplication. @internal */
export type DeduplicationSender =
  | { readonly kind: 'api' }
  | { readonly kind: 'webhook'; readonly deliveryId?: DeliveryIdLocation; readonly signedIdHeader?: string; readonly idInSignedBody: boolean };

class DeliveryIdDeduplication extends Deduplication {
  constructor(private readonly options: DeduplicationOptions) {
    super();
  }

  public _bind(owner: string, prop: string, sender: DeduplicationSender): DeduplicationConfig | undefined {
    const window = this.options.window ?? DEFAULT_DEDUPLICATION_WINDOW;
    if (!(window instanceof Duration) || (!Token.isUnresolved(window.toSeconds()) && (window.toSeconds() < MIN_WINDOW.toSeconds() || window.toSeconds() > MAX_WINDOW.toSeconds()))) {
      throw new IntegrationConfigError(
        owner,
        `${prop}.window`,
        window instanceof Duration ? window.toHumanString() : window,
        `Remember deliveries for 1 minute to 30 days, at least as long as the sender retries (Stripe: 3 days), for example Duration.days(3).`,
      );
    }
    const header = this.options.idHeader;
    if (header !== undefined && (typeof header !== 'string' || !HTTP_TOKEN.test(header))) {
      throw new IntegrationConfigError(owner, `${prop}.idHeader`, header, 'Name the HTTP header that carries the delivery id (an RFC 9110 token), for example "X-Shopify-Webhook-Id".');
    }
    const windowSeconds = window.toSeconds();
    if (sender.kind === 'api') {
      return { windowSeconds, key: DeduplicationKey.CLIENT_KEY, deliveryId: { header: header ?? IDEMPOTENCY_KEY_HEADER } };
    }
    const deliveryId = header !== undefined ? { header } : sender.deliveryId;
    // Only an id the signature covers names a delivery; any other id header can be changed by whoever replays the body.
    const signed =
      deliveryId !== undefined &&
      ((deliveryId.bodyPointer !== undefined && sender.idInSignedBody) ||
        (deliveryId.header !== undefined && sender.signedIdHeader !== undefined && deliveryId.header.toLowerCase() === sender.signedIdHeader.toLowerCase()));
    return { windowSeconds, key: signed ? DeduplicationKey.SIGNED_ID : DeduplicationKey.BODY, ...(deliveryId ? { deliveryId } : {}) };
  }
}

class NoDeduplication extends Deduplication {
  constructor(private readonly reason: string) {
    super();
  }

  public _bind(owner: string, prop: string, _sender: DeduplicationSender): undefined {
    if (typeof this.reason !== 'string' || this.reason.trim().length === 0) {
      throw new IntegrationConfigError(owner, prop, this.reason, 'Say why no deduplication is needed, for example Deduplication.none("the target upserts by order id").');
    }
    return undefined;
  }
}
