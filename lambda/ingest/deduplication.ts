// Deduplication of deliveries: a sender's retry or replay of a delivery the ingest already handed to
// its target gets the first answer again and reaches the target no second time. Powertools for AWS
// Lambda's idempotency utility keeps the record (one DynamoDB table per platform, TTL on
// `expiration`); this module decides what a delivery's key is, which answers are kept, and what a
// duplicate is told.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';

/** An answer to the sender: what the ingest returns and what a duplicate gets again. */
export interface Answer {
  readonly statusCode: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/** One delivery, as the deduplication sees it. */
export interface DeliveryKey {
  /** The integration, the route and (API routes) the caller's client id: ids of different senders never meet. */
  readonly scope: string;
  /** The sender's delivery id (a Stripe event id, `webhook-id`, `Idempotency-Key`), or the SHA-256 of a body whose id header is not signed. */
  readonly deliveryId: string;
  /**
   * What the same id must come with again, for ids the caller chooses (an API client's
   * `Idempotency-Key`): the same key with another fingerprint is a conflict, never the first answer.
   * @default - none: a sender's own id (signed, or the body's hash) names the delivery whatever its body
   *   (Stripe's retries of one event differ in `pending_webhooks`)
   */
  readonly fingerprint?: string;
  /** How long, in seconds, the delivery id is remembered. */
  readonly windowSeconds: number;
  /** Which answers are kept for duplicates ({@link isKept}). */
  readonly keep: KeptAnswers;
}

/** What became of a delivery. */
export type DeduplicationOutcome =
  /** Handled now: `answer` is what the target said; `notKept` says why it could not be kept for duplicates, when it could not. */
  | { readonly kind: 'first'; readonly answer: Answer; readonly notKept?: string }
  /** Handled before within the window: `answer` is the first answer. */
  | { readonly kind: 'duplicate'; readonly answer: Answer }
  /** The first delivery of this id is still being handled (in another container): try again shortly. */
  | { readonly kind: 'in-flight' }
  /** The id was used before with another body. */
  | { readonly kind: 'conflict' }
  /**
   * The first delivery failed (`answer` is a 5xx or 429): nothing was kept, so a retry is delivered;
   * `stuck` says why the key could not be freed, when it could not (retries get 409 until the
   * in-progress time has passed).
   */
  | { readonly kind: 'not-kept'; readonly answer: Answer; readonly stuck?: string };

/** The deduplication table could not be read or written: the sender should retry later. */
export class DeduplicationStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeduplicationStoreError';
  }
}

/**
 * The largest answer body kept for duplicates, in bytes. A DynamoDB item holds at most 400 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html); a larger
 * first answer is kept without its body, and a duplicate gets its status code and headers with
 * `{"duplicate":true}`.
 */
export const MAX_KEPT_BODY_BYTES = 64 * 1024;

/** The header on a duplicate's answer (Stripe's name for the same thing). */
export const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * Answers an API client may retry with the same key and expect to be handled again: a timeout, a
 * conflict, a lock, "too early" and throttling (as Stripe's API treats them), besides every 5xx.
 */
const RETRIABLE_CLIENT_ANSWERS: ReadonlySet<number> = new Set([408, 409, 423, 425, 429]);

/**
 * Whether an answer is kept for duplicates. A webhook sender retries whatever is not a 2xx, and its
 * retries are how a target recovers from a passing 4xx (an order it does not know yet): only 2xx is
 * kept. An API client's key keeps its final answers, 4xx included, but not the retriable ones
 * ({@link RETRIABLE_CLIENT_ANSWERS}) and no 5xx.
 */
export function isKept(answer: Answer, keep: KeptAnswers): boolean {
  if (keep === 'success') return answer.statusCode >= 200 && answer.statusCode < 300;
  return answer.statusCode < 500 && !RETRIABLE_CLIENT_ANSWERS.has(answer.statusCode);
}

/** Which answers are kept: `success` (webhooks: 2xx only) or `final` (API clients' keys: all but retriable ones). */
export type KeptAnswers = 'success' | 'final';

interface KeptAnswer {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

class NotKept extends Error {
  constructor(readonly answer: Answer) {
    // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
    super('the first delivery failed; nothing kept');
    // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
    this.name = 'NotKept';
  }
}

/** Deduplicates deliveries in one DynamoDB table (Powertools' DynamoDBPersistenceLayer). */
export class Deduplicator {
  // Powertools configures a persistence layer once (its window and payload check included): one layer per configuration.
  private readonly layers = new Map<string, DynamoDBPersistenceLayer>();

  constructor(
    private readonly tableName: string,
    private readonly client: DynamoDBClient,
  ) {}

  /**
   * Runs `handle` for the first delivery of `key` within its window, and returns its answer again
   * for every later one. `handle` runs at most once per key while its answer is kept; an answer
   * that is not kept ({@link isKept}) frees the key, so the sender's retry is handled.
   *
   * @param remainingTimeMs the function's remaining time: a first delivery that never finishes
   *   (the function timed out) frees its key when that time has passed
   * @throws DeduplicationStoreError when the table cannot be read or written before `handle` ran
   */
  public async once(key: DeliveryKey, handle: () => Promise<Answer>, remainingTimeMs?: () => number): Promise<DeduplicationOutcome> {
    let first: Answer | undefined;
    const validates = key.fingerprint !== undefined;
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      ...(validates ? { payloadValidationJmesPath: 'fingerprint' } : {}),
      expiresAfterSeconds: key.windowSeconds,
      hashFunction: 'sha256',
      lambdaContext: remainingTimeMs ? ({ getRemainingTimeInMillis: remainingTimeMs } as unknown as Context) : undefined,
    });
    const run = makeIdempotent(
      async (_input: { key: string; fingerprint?: string }): Promise<KeptAnswer> => {
        const answer = await handle();
        first = answer;
        if (!isKept(answer, key.keep)) throw new NotKept(answer);
        // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
        const bodyFits = Buffer.byteLength(answer.body, 'utf8') <= MAX_KEPT_BODY_BYTES;
        return { statusCode: answer.statusCode, ...(answer.headers ? { headers: answer.headers } : {}), ...(bodyFits ? { body: answer.body } : {}) };
      },
      { persistenceStore: this.layer(key.windowSeconds, validates), config, keyPrefix: 'delivery' },
    );
    const input = { key: `${key.scope}#${key.deliveryId}`, ...(validates ? { fingerprint: key.fingerprint } : {}) };
    try {
      const kept = await run(input);
      if (first) return { kind: 'first', answer: first };
      return { kind: 'duplicate', answer: replayed(kept) };
    } catch (error) {
      if (error instanceof NotKept) return { kind: 'not-kept', answer: error.answer };
      const name = (error as Error)?.name;
      if (name === 'IdempotencyAlreadyInProgressError') return { kind: 'in-flight' };
      if (name === 'IdempotencyValidationError') return { kind: 'conflict' };
      if (first && !isKept(first, key.keep)) return { kind: 'not-kept', answer: first, stuck: describe(error) };
      // The delivery succeeded but its answer could not be kept: answer it anyway (the sender must not
      // retry what was delivered); a retry within the in-progress time is told to wait, after it is delivered again.
      if (first) return { kind: 'first', answer: first, notKept: describe(error) };
      if (name?.startsWith('Idempotency')) throw new DeduplicationStoreError(`the deduplication table failed: ${describe(error)}`, { cause: error });
      throw error;
    }
  }

  private layer(windowSeconds: number, validates: boolean): DynamoDBPersistenceLayer {
    const id = `${windowSeconds}/${validates}`;
    let layer = this.layers.get(id);
    if (!layer) {
      layer = new DynamoDBPersistenceLayer({ tableName: this.tableName, awsSdkV3Client: this.client });
      this.layers.set(id, layer);
    }
    return layer;
  }
}

/** An error and the AWS errors it wraps, by name and message: what the log must show (ResourceNotFoundException, AccessDeniedException, a KMS error). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as Error | undefined, i = 0; e && i < 4; e = e.cause as Error | undefined, i++) parts.push(`${e.name}: ${e.message}`);
  return parts.join(' <- ');
}

function replayed(kept: KeptAnswer): Answer {
  return {
    statusCode: kept.statusCode,
    headers: { ...kept.headers, [REPLAYED_HEADER]: 'true' },
    body: kept.body ?? JSON.stringify({ duplicate: true }),
  };
}
