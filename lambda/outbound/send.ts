// The outbound sender: one batch of an integration's outbound queue, each record checked against
// the partner contract, its PII fields decrypted or encrypted, and sent to the partner (direct
// mode) or put on the outbound bus for an EventBridge API destination (api-destination mode).
// Nothing is lost: a record is delivered, dead-lettered with its reason, or reported back to SQS,
// which delivers it again after a backoff and moves it to the dead-letter queue after maxAttempts.
import type { Agent } from 'node:https';
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { KMSClient } from '@aws-sdk/client-kms';
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { OutboundDeadLetterReason, type OutboundEnvelope, type OutboundEventDetail } from '../../lib/outbound/outbound-config';
import { RejectionCause, type RejectionCauseName } from '../../lib/observability/signal-names';
import { validateBody, type SchemaViolation } from '../ingest/schema-validation';
import { decryptFields, encryptFields, FieldDecryptionError, FieldDecryptionFailureReason, FieldEncryptionConfigurationError, FieldEncryptionError, KmsCallError } from '../shared/field-encryption';
import { isKmsRejection } from '../shared/field-encryption/field-decryption';
import { retryAfterSeconds, visibilityTimeoutSeconds } from './backoff';
import type { ResolvedOutboundConfig } from './config';
import { type PartnerResponse, sendToPartner } from './http';
import { signatureHeaders, SigningKeyError } from './sign';
import type { PartnerCallSignal } from './signals';
import { requestHeaders } from './headers';
import { outboundTrace, type RandomBytes, XRAY_TRACE_HEADER } from './trace-context';

/** One of the dead-letter reasons of the contract (`OutboundDeadLetterReason`). */
export type DeadLetterReason = (typeof OutboundDeadLetterReason)[keyof typeof OutboundDeadLetterReason];

/** The log calls the sender makes (Powertools Logger in the function). Never given a payload, a secret or a signature. */
export interface OutboundLog {
  info(msg: string, extra: Record<string, unknown>): void;
  warn(msg: string, extra: Record<string, unknown>): void;
  error(msg: string, extra: Record<string, unknown>): void;
}

/** The sender's signals (EMF in the function, see signals.ts). */
export interface OutboundSignals {
  /** One direct call: request_count, error_count, client_error_count, latency, last_successful_sync. */
  partnerCall(integration: string, call: PartnerCallSignal): void;
  /** A record rejected as the producer's fault: rejected_count by {Integration} and {Integration, Cause}. */
  rejected(integration: string, cause: RejectionCauseName): void;
  /** The signing secret is too short to sign with: signing_secret_invalid. */
  signingSecretInvalid?(integration: string): void;
}

/** What the sender needs besides the event, injected so tests drive it directly. */
export interface SenderDependencies {
  readonly config: ResolvedOutboundConfig;
  /** Changes a failed record's visibility (the backoff) and dead-letters records. */
  readonly sqs: SQSClient;
  /** For `api-destination` mode: puts the records on the outbound bus. */
  readonly eventBridge?: EventBridgeClient;
  /** For PII fields: KMS (decryptFields and encryptFields). @default - the field encryption's container client */
  readonly kms?: KMSClient;
  /** The platform key that encrypts, and is pinned when decrypting, PII fields. @default - the FIELD_ENCRYPTION_KEY_ID environment variable */
  readonly fieldKeyId?: string;
  /** The secrets that sign, current first (`signingSecretsFor`, cached per container). Needed when the config signs. */
  readonly signingSecrets?: (secretId: string, kind: 'hmac-sha256' | 'standard-webhooks') => Promise<string[]>;
  /**
   * The client certificate of a mutual TLS partner (`config.clientCertificate`), from its secret
   * (cached per container). Needed when the config has one.
   */
  readonly clientCertificate?: (secretId: string) => Promise<{ readonly cert: string; readonly key: string }>;
  /** The HTTPS agent of direct calls (keep-alive; tests pass one trusting their CA). @default - Node's global agent */
  readonly agent?: Agent;
  readonly signals?: OutboundSignals;
  readonly log: OutboundLog;
  /** Wall clock in ms since the epoch (signature timestamps, Retry-After dates, last_successful_sync). @default Date.now */
  readonly now?: () => number;
  /** Monotonic clock in ms, for latency. @default performance.now */
  readonly clock?: () => number;
  /** The function's X-Ray trace header (`_X_AMZN_TRACE_ID`, set per invocation). */
  readonly xrayTraceHeader?: () => string | undefined;
  /**
   * Runs a direct call inside a span of its own (an X-Ray subsegment in the function, see
   * tracing.ts) and passes the span's id, which becomes the parent-id of the forwarded trace headers.
   * @default - no span: a random parent-id
   */
  readonly traceCall?: (call: PartnerCallTarget, run: (spanId?: string) => Promise<PartnerResponse>) => Promise<PartnerResponse>;
  /** Random bytes for trace ids. @default node:crypto randomBytes */
  readonly random?: RandomBytes;
  /**
   * Milliseconds left before the function times out (`context.getRemainingTimeInMillis`): a record
   * whose call could outlive the function is reported back to SQS unsent.
   * @default - no deadline
   */
  readonly remainingTimeMs?: () => number;
}

/** What a traced call goes to: the partner's host, the method and the endpoint without its query. */
export interface PartnerCallTarget {
  readonly host: string;
  readonly method: string;
  readonly url: string;
}

/**
 * EventBridge's largest event entry, in bytes (Source, DetailType, Detail and Time counted).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export const MAX_EVENT_ENTRY_BYTES = 262_144;
/** The longest `detail` message attribute of a dead-lettered record, in characters. */
export const MAX_DEAD_LETTER_DETAIL_LENGTH = 1_000;
/** Statuses a retry can change: Request Timeout, Too Early, Too Many Requests (and every 5xx). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);

type Outcome =
  | { readonly kind: 'delivered'; readonly status?: number }
  | { readonly kind: 'retry'; readonly why: string; readonly status?: number; readonly retryAfterSeconds?: number }
  | { readonly kind: 'dead-letter'; readonly reason: DeadLetterReason; readonly detail: string; readonly status?: number };

/** The envelope as read: a `traceparent` that is not a string is dropped. */
type Envelope = OutboundEnvelope;

/**
 * How long before the function's timeout the sender stops starting calls, on top of the call's own
 * timeout: room for the dead-letter or visibility write of the last record.
 */
export const DEADLINE_MARGIN_MS = 5_000;

/**
 * Processes one batch of the outbound queue (the event source mapping reports batch item failures).
 * Records are handled one after the other (the event source's maximum concurrency is then the most
 * calls in flight) and independently: one record's failure never fails another.
 *
 * A record is in `batchItemFailures` when SQS must deliver it again: the partner or EventBridge
 * could not take it now (its visibility then set to the backoff of its receive count), it could
 * not be dead-lettered, or the function's time ran out before its turn. After the queue's
 * maxReceiveCount receives, SQS's redrive policy moves it to the dead-letter queue; the last
 * attempt is handled like every other.
 */
export async function processBatch(event: SQSEvent, deps: SenderDependencies): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records ?? []) {
    const left = deps.remainingTimeMs?.();
    const failed =
      left !== undefined && left < (deps.config.mode === 'direct' ? deps.config.timeoutMs : 0) + DEADLINE_MARGIN_MS
        ? await retryLater(record, deps, { kind: 'retry', why: 'the function ran out of time before this record' }, contextOf(record, deps))
        : await processRecord(record, deps);
    if (failed) batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures };
}

function contextOf(record: SQSRecord, deps: SenderDependencies): Record<string, unknown> {
  return { integration: deps.config.integration, messageId: record.messageId, attempt: receiveCountOf(record), maxAttempts: deps.config.maxAttempts, mode: deps.config.mode };
}

/** Handles one record; true when it must be reported as a batch item failure. */
async function processRecord(record: SQSRecord, deps: SenderDependencies): Promise<boolean> {
  const { log } = deps;
  const context = contextOf(record, deps);
  let outcome: Outcome;
  try {
    outcome = await decide(record, deps, context);
  } catch (error) {
    // Not the record's fault as far as the sender can tell (a bug, a broken config): SQS delivers it again.
    log.error('the record could not be processed; SQS delivers it again', { ...context, error: (error as Error)?.name, message: (error as Error)?.message });
    outcome = { kind: 'retry', why: 'unexpected error' };
  }
  if (outcome.kind === 'retry') outcome = unlessExpiring(record, deps, outcome);
  switch (outcome.kind) {
    case 'delivered':
      log.info('delivered', { ...context, outcome: 'delivered', status: outcome.status });
      return false;
    case 'dead-letter':
      try {
        await deadLetter(record, deps, outcome.reason, outcome.detail);
      } catch (error) {
        log.error('the record could not be dead-lettered; SQS delivers it again', { ...context, outcome: 'dead-letter-failed', reason: outcome.reason, status: outcome.status, error: (error as Error)?.name, message: (error as Error)?.message });
        return true;
      }
      log.warn('dead-lettered', { ...context, outcome: 'dead-lettered', reason: outcome.reason, detail: outcome.detail, status: outcome.status });
      return false;
    case 'retry':
      return retryLater(record, deps, outcome, context);
  }
}

/** Hides the record for its backoff and reports it back to SQS (always true: a batch item failure). */
async function retryLater(record: SQSRecord, deps: SenderDependencies, outcome: Extract<Outcome, { kind: 'retry' }>, context: Record<string, unknown>): Promise<true> {
  const attempt = receiveCountOf(record);
  const visibilityTimeout = visibilityTimeoutSeconds(attempt, outcome.retryAfterSeconds);
  try {
    const queueUrl = await sourceQueueUrl(deps.sqs, record.eventSourceARN);
    await deps.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: visibilityTimeout }));
  } catch (error) {
    // The record still comes back, after the queue's own visibility timeout.
    deps.log.warn('could not set the backoff; the record comes back after the queue visibility timeout', { ...context, error: (error as Error)?.name, message: (error as Error)?.message });
  }
  deps.log.warn('will retry', { ...context, outcome: 'retry', why: outcome.why, status: outcome.status, visibilityTimeoutSeconds: visibilityTimeout, lastAttempt: attempt >= deps.config.maxAttempts });
  return true;
}

/** What to do with a record. Adds `traceparent` to the log context once known. */
async function decide(record: SQSRecord, deps: SenderDependencies, context: Record<string, unknown>): Promise<Outcome> {
  const { config } = deps;
  const envelope = parseEnvelope(record.body, config);
  if (typeof envelope === 'string') return { kind: 'dead-letter', reason: OutboundDeadLetterReason.MALFORMED, detail: envelope };
  if (typeof envelope.traceparent === 'string') context.producerTraceparent = envelope.traceparent;

  // The contract (payloadSchema) describes the payload in clear text: checked after decrypting,
  // before encrypting.
  let payload = envelope.payload;
  if (config.pii?.mode === 'decrypt') {
    const decrypted = await protectFields(payload, deps, context);
    if ('outcome' in decrypted) return decrypted.outcome;
    payload = decrypted.payload;
  }
  if (config.payloadSchema) {
    const violations = validateBody(`outbound ${config.integration}`, config.payloadSchema, payload);
    if (violations.length > 0) {
      deps.signals?.rejected(config.integration, RejectionCause.CONTRACT);
      return { kind: 'dead-letter', reason: OutboundDeadLetterReason.CONTRACT, detail: describeViolations(violations) };
    }
  }
  if (config.pii?.mode === 'encrypt') {
    const encrypted = await protectFields(payload, deps, context);
    if ('outcome' in encrypted) return encrypted.outcome;
    payload = encrypted.payload;
  }
  return config.mode === 'direct' ? callPartner(record, envelope, payload, deps, context) : putOnBus(record, envelope, payload, deps, context);
}

/** The envelope, or why the body is not one. */
function parseEnvelope(body: string, config: ResolvedOutboundConfig): Envelope | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'the message body is not JSON';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'the message body is not a JSON object';
  // A dead letter EventBridge wrote after it gave up (the whole event), redriven to this queue: the
  // envelope is its detail, idempotency key included, when the event is this integration's.
  const event = parsed as { source?: unknown; 'detail-type'?: unknown; detail?: unknown };
  if (!Object.prototype.hasOwnProperty.call(parsed, 'payload') && config.eventSource && event.source === config.eventSource && event['detail-type'] === config.integration && event.detail && typeof event.detail === 'object') {
    parsed = event.detail;
  }
  if (!Object.prototype.hasOwnProperty.call(parsed, 'payload')) return 'the message body has no payload';
  const { payload, traceparent, idempotencyKey } = parsed as { payload: unknown; traceparent?: unknown; idempotencyKey?: unknown };
  // An invalid traceparent is ignored, as the W3C spec has a receiver do; it never refuses the record.
  // An idempotency key is kept only as a header-safe token (it goes out as Idempotency-Key and webhook-id).
  const key = typeof idempotencyKey === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(idempotencyKey) ? idempotencyKey : undefined;
  return { payload, ...(typeof traceparent === 'string' ? { traceparent } : {}), ...(key ? { idempotencyKey: key } : {}) };
}

/** The paths and messages of contract violations, for the dead-letter attribute and the log (never a value). */
function describeViolations(violations: readonly SchemaViolation[]): string {
  return truncate(violations.map((v) => `${v.path} ${v.message}`).join('; '));
}

/** The payload with its PII fields decrypted or encrypted as configured, or what to do with the record instead. */
async function protectFields(payload: unknown, deps: SenderDependencies, context: Record<string, unknown>): Promise<{ payload: unknown } | { outcome: Outcome }> {
  const { config, log } = deps;
  const pii = config.pii!;
  // A payload that is not an object or array has no fields to protect.
  if (pii.paths.length === 0 || payload === null || typeof payload !== 'object') return { payload };
  const options = { integration: config.integration, ...(deps.kms ? { kms: deps.kms } : {}), ...(deps.fieldKeyId ? { keyId: deps.fieldKeyId } : {}) };
  try {
    return { payload: pii.mode === 'decrypt' ? await decryptFields(payload, pii.paths, options) : await encryptFields(payload, pii.paths, options) };
  } catch (error) {
    const name = (error as Error)?.name;
    const message = (error as Error)?.message;
    // KMS throttled or could not be reached: not the record's fault, and worth a retry.
    if (isKmsOutage(error)) return { outcome: { kind: 'retry', why: `KMS unavailable (${pii.mode})` } };
    // A KMS refusal (a missing grant, a disabled key) or a broken config is the operator's to fix:
    // an error-level log line, and the record waits in the dead-letter queue for a redrive.
    const operatorFault =
      error instanceof FieldEncryptionConfigurationError ||
      (error instanceof FieldDecryptionError && error.reason === FieldDecryptionFailureReason.KMS_REJECTED) ||
      (error instanceof FieldEncryptionError && !(error instanceof FieldEncryptionConfigurationError)) ||
      name === 'FieldPathError';
    const reason = error instanceof FieldDecryptionError ? error.reason : name;
    if (operatorFault) log.error(`PII fields could not be ${pii.mode}ed: check the function's KMS grant and key`, { ...context, reason, message });
    return { outcome: { kind: 'dead-letter', reason: OutboundDeadLetterReason.PII, detail: truncate(`${pii.mode} failed: ${reason}${error instanceof FieldDecryptionError ? ` at ${error.location}` : ''}`) } };
  }
}

function isKmsOutage(error: unknown): boolean {
  if (error instanceof FieldDecryptionError) return error.reason === FieldDecryptionFailureReason.KMS_UNAVAILABLE;
  if (error instanceof FieldEncryptionError && !(error instanceof FieldEncryptionConfigurationError)) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof KmsCallError && !isKmsRejection(cause.kmsErrorName);
  }
  return false;
}

/** Direct mode: sign, call the partner once, and judge its answer. */
async function callPartner(record: SQSRecord, envelope: Envelope, payload: unknown, deps: SenderDependencies, context: Record<string, unknown>): Promise<Outcome> {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  const clock = deps.clock ?? (() => performance.now());
  const body = JSON.stringify(payload);
  const idempotencyKey = envelope.idempotencyKey ?? record.messageId;

  let signature: Record<string, string> = {};
  if (config.signing) {
    try {
      if (!deps.signingSecrets) throw new SigningKeyError('no signing secret reader');
      const secrets = await deps.signingSecrets(config.signing.secretArn, config.signing.kind);
      signature = signatureHeaders(config.signing, secrets, { body, messageId: idempotencyKey, at: new Date(now()) });
    } catch (error) {
      // The operator's to fix (a short secret, a missing grant), or Secrets Manager is out: retried, never sent unsigned.
      if (error instanceof SigningKeyError) deps.signals?.signingSecretInvalid?.(config.integration);
      log.error('cannot sign the request; nothing was sent', { ...context, error: (error as Error)?.name, message: (error as Error)?.message });
      return { kind: 'retry', why: 'signing secret unavailable' };
    }
  }

  let clientCertificate: { readonly cert: string; readonly key: string } | undefined;
  if (config.clientCertificate) {
    try {
      if (!deps.clientCertificate) throw new Error('no client certificate reader');
      clientCertificate = await deps.clientCertificate(config.clientCertificate.secretArn);
    } catch (error) {
      // The operator's to fix (a missing grant, a secret without certificate and privateKey), or Secrets Manager is out: retried, never sent without it.
      log.error('cannot read the client certificate; nothing was sent', { ...context, error: (error as Error)?.name, message: (error as Error)?.message });
      return { kind: 'retry', why: 'client certificate unavailable' };
    }
  }

  const endpoint = new URL(config.endpoint);
  const target: PartnerCallTarget = { host: endpoint.host, method: config.method, url: `${endpoint.origin}${endpoint.pathname}` };
  const traceCall = deps.traceCall ?? ((_target: PartnerCallTarget, run: (spanId?: string) => Promise<PartnerResponse>) => run(undefined));
  let latencyMs = 0;
  const response = await traceCall(target, async (spanId) => {
    const trace = outboundTrace(envelope.traceparent, deps.xrayTraceHeader?.(), spanId, deps.random);
    context.traceparent = trace.traceparent;
    const headers = requestHeaders(config.headers, { traceparent: trace.traceparent, [XRAY_TRACE_HEADER]: trace.xrayTraceHeader, 'Idempotency-Key': idempotencyKey, ...signature });
    const started = clock();
    const answer = await sendToPartner({ endpoint: config.endpoint, method: config.method, headers, body, timeoutMs: config.timeoutMs, agent: deps.agent, clientCertificate });
    latencyMs = Math.round(clock() - started);
    return answer;
  });
  const status = response.kind === 'response' ? response.status : undefined;
  deps.signals?.partnerCall(config.integration, { status, latencyMs, at: new Date(now()) });
  context.latencyMs = latencyMs;

  if (response.kind === 'timeout') return { kind: 'retry', why: `no answer within ${config.timeoutMs} ms` };
  if (response.kind === 'network') return { kind: 'retry', why: `network: ${response.code}` };
  if (response.status >= 200 && response.status < 300) return { kind: 'delivered', status: response.status };
  if (response.status >= 500 || RETRYABLE_STATUSES.has(response.status)) {
    const header = response.headers['retry-after'];
    return { kind: 'retry', why: `HTTP ${response.status}`, status: response.status, retryAfterSeconds: retryAfterSeconds(Array.isArray(header) ? header[0] : header, now()) };
  }
  // A redirect is not followed (the partner's endpoint is fixed at synth); any other status, a retry cannot change.
  return { kind: 'dead-letter', reason: OutboundDeadLetterReason.REFUSED, detail: `HTTP ${response.status}`, status: response.status };
}

/** The size EventBridge counts for an entry (UTF-8 bytes of Source, DetailType and Detail; 14 for Time). */
export function eventEntrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'));
  return (entry.Time ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0);
}

/** api-destination mode: put the prepared record on the outbound bus; the rule's API destination calls the partner. */
async function putOnBus(record: SQSRecord, envelope: Envelope, payload: unknown, deps: SenderDependencies, context: Record<string, unknown>): Promise<Outcome> {
  const { config, log } = deps;
  if (!deps.eventBridge) throw new Error('api-destination mode needs an EventBridge client');
  const trace = outboundTrace(envelope.traceparent, deps.xrayTraceHeader?.(), undefined, deps.random);
  context.traceparent = trace.traceparent;
  const detail: OutboundEventDetail = { payload, traceparent: trace.traceparent, idempotencyKey: envelope.idempotencyKey ?? record.messageId };
  const entry: PutEventsRequestEntry = {
    EventBusName: config.eventBusName,
    Source: config.eventSource,
    DetailType: config.integration,
    Detail: JSON.stringify(detail),
    TraceHeader: trace.xrayTraceHeader,
  };
  // Encrypted fields make a payload longer: one that fits SQS may not fit an event, and never will.
  const size = eventEntrySize(entry);
  if (size > MAX_EVENT_ENTRY_BYTES) return { kind: 'dead-letter', reason: OutboundDeadLetterReason.MALFORMED, detail: `the event would be ${size} bytes, over EventBridge's ${MAX_EVENT_ENTRY_BYTES}` };
  let out;
  try {
    out = await deps.eventBridge.send(new PutEventsCommand({ Entries: [entry] }));
  } catch (error) {
    return { kind: 'retry', why: `PutEvents failed: ${(error as Error)?.name}` };
  }
  const failed = out.Entries?.[0];
  if ((out.FailedEntryCount ?? 0) > 0 || failed?.ErrorCode) {
    const code = failed?.ErrorCode ?? 'unknown';
    // Throttling and internal failures pass; anything else (a missing permission, a deleted bus) is the operator's to fix within the retries.
    if (!/Throttl|Internal/i.test(code)) log.error('EventBridge refused the event', { ...context, errorCode: code, errorMessage: failed?.ErrorMessage });
    return { kind: 'retry', why: `PutEvents entry failed: ${code}` };
  }
  return { kind: 'delivered' };
}

/** Sends the original body to the dead-letter queue with why; throws when SQS does not take it. */
async function deadLetter(record: SQSRecord, deps: SenderDependencies, reason: DeadLetterReason, detail: string): Promise<void> {
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const trace = record.attributes?.AWSTraceHeader;
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.config.deadLetterQueueUrl,
      MessageBody: record.body,
      MessageAttributes: {
        reason: text(reason),
        integration: text(deps.config.integration),
        detail: text(truncate(detail) || reason),
        originalMessageId: text(record.messageId),
      },
      ...(trace ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: trace } } } : {}),
    }),
  );
}

function truncate(text: string): string {
  return text.length <= MAX_DEAD_LETTER_DETAIL_LENGTH ? text : `${text.slice(0, MAX_DEAD_LETTER_DETAIL_LENGTH - 1)}…`;
}

/** The outbound queue's retention when the config does not say (the library's queue keeps records 4 days). */
export const DEFAULT_RETENTION_SECONDS = 4 * 86_400;
/** The least time a record must have left in the queue after its wait, for the next attempt and its dead-letter write. */
const RETENTION_MARGIN_SECONDS = 900;

/**
 * A retry whose wait would end past the record's time in the queue is a dead letter (`expiring`):
 * SQS would delete it at its retention, unseen by the dead-letter queue and its alarm.
 */
function unlessExpiring(record: SQSRecord, deps: SenderDependencies, outcome: Extract<Outcome, { kind: 'retry' }>): Outcome {
  const sentAt = Number(record.attributes?.SentTimestamp);
  if (!Number.isFinite(sentAt)) return outcome;
  const now = (deps.now ?? Date.now)();
  const left = (deps.config.retentionSeconds ?? DEFAULT_RETENTION_SECONDS) - (now - sentAt) / 1000;
  const wait = visibilityTimeoutSeconds(receiveCountOf(record), outcome.retryAfterSeconds);
  if (wait + RETENTION_MARGIN_SECONDS <= left) return outcome;
  return { kind: 'dead-letter', reason: OutboundDeadLetterReason.EXPIRING, detail: `not delivered (${outcome.why}), and the next wait of ${wait} s would outlast the ${Math.max(0, Math.floor(left))} s left in the queue`, status: outcome.status };
}

function receiveCountOf(record: SQSRecord): number {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isInteger(count) && count >= 1 ? count : 1;
}

const queueUrls = new Map<string, Promise<string>>();

/** The URL of the queue a record came from (GetQueueUrl on its ARN, once per container). */
async function sourceQueueUrl(sqs: SQSClient, arn: string): Promise<string> {
  let url = queueUrls.get(arn);
  if (!url) {
    const [, , , , account, name] = arn.split(':');
    url = sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })).then((out) => out.QueueUrl!);
    queueUrls.set(arn, url);
    url.catch(() => queueUrls.delete(arn));
  }
  return url;
}
