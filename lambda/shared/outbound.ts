import { randomUUID } from 'node:crypto';
// sendOutbound: a producer's side of an outbound integration (runtime helpers). The record goes to
// the integration's outbound queue, whose sender function delivers it to the partner.
import { type MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { traceparentFromXRay } from '../outbound/trace-context';
import { outboundQueueUrlEnv } from './outbound-env';

export { outboundQueueUrlEnv } from './outbound-env';

/**
 * SQS's largest message, in bytes: the body and the message attributes together.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 */
export const SQS_MAX_MESSAGE_BYTES = 262_144;
/**
 * Bytes kept free for the attributes the sender adds when it dead-letters a record (reason,
 * integration, detail of at most 1,000 characters, originalMessageId): the dead-letter queue takes
 * the original body with them, so the body must leave room for them.
 */
export const DEAD_LETTER_ATTRIBUTE_BYTES = 4_096;
/** The largest envelope `sendOutbound` sends, in bytes of JSON (UTF-8). */
export const MAX_OUTBOUND_MESSAGE_BYTES = SQS_MAX_MESSAGE_BYTES - DEAD_LETTER_ATTRIBUTE_BYTES;

/** Options of {@link sendOutbound}. */
export interface SendOutboundOptions {
  /**
   * The SQS client.
   * @default - one client per container, configured from the environment
   */
  readonly sqs?: SQSClient;
  /**
   * The outbound queue's URL.
   * @default - the environment variable `integration.grantSendOutbound(fn)` sets ({@link outboundQueueUrlEnv})
   */
  readonly queueUrl?: string;
}

/** What SQS answered. */
export interface SendOutboundResult {
  /** The record's SQS message id: the partner's idempotency key. */
  readonly messageId: string;
}

/** The payload cannot be sent: not JSON, or too large for the outbound queue. */
export class OutboundPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundPayloadError';
  }
}

let defaultSqs: SQSClient | undefined;

/**
 * Sends `payload` to the partner of an outbound integration: puts an envelope (`{ payload,
 * traceparent, idempotencyKey }`, the key a random UUID the partner deduplicates on) on the integration's outbound queue, from which its sender function checks it
 * against the partner contract, handles its PII fields and delivers it, retrying for about a day.
 *
 * The queue's URL is read from `OUTBOUND_QUEUE_URL_<INTEGRATION>` (the name upper-cased, other
 * characters than letters and digits as `_`), which `integration.grantSendOutbound(fn)` sets. The
 * `traceparent` continues the function's X-Ray trace (`_X_AMZN_TRACE_ID`), when it has one.
 *
 * @param integration the integration's name, as on its `SecureIntegration`
 * @param payload the JSON document the partner receives as the request body
 * @throws Error when the queue's variable is not set (the function was not granted)
 * @throws OutboundPayloadError when the payload is not JSON or its envelope exceeds {@link MAX_OUTBOUND_MESSAGE_BYTES}
 */
export async function sendOutbound(integration: string, payload: unknown, options: SendOutboundOptions = {}): Promise<SendOutboundResult> {
  const variable = outboundQueueUrlEnv(integration);
  const queueUrl = options.queueUrl ?? process.env[variable];
  if (!queueUrl) {
    throw new Error(`sendOutbound: no outbound queue for integration ${JSON.stringify(integration)}: environment variable ${variable} is not set (grant this function with integration.grantSendOutbound(fn))`);
  }
  const xray = process.env._X_AMZN_TRACE_ID;
  const body = envelopeOf(payload, traceparentFromXRay(xray), randomUUID());
  const attributes: Record<string, MessageAttributeValue> = { integration: { DataType: 'String', StringValue: integration } };
  const size = Buffer.byteLength(body, 'utf8') + attributeBytes(attributes);
  if (size > MAX_OUTBOUND_MESSAGE_BYTES) {
    throw new OutboundPayloadError(`sendOutbound: the record for ${JSON.stringify(integration)} is ${size} bytes, over the ${MAX_OUTBOUND_MESSAGE_BYTES} an outbound queue takes (SQS's 256 KiB less room for the dead-letter attributes); send a reference to the data instead`);
  }
  const sqs = options.sqs ?? (defaultSqs ??= new SQSClient({}));
  const out = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageAttributes: attributes,
      // X-Ray follows the record through SQS to the sender.
      ...(xray ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: xray } } } : {}),
    }),
  );
  return { messageId: out.MessageId! };
}

/** The envelope's JSON (an `OutboundEnvelope`), or OutboundPayloadError when the payload has none (undefined, a function). */
export function envelopeOf(payload: unknown, traceparent?: string, idempotencyKey?: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    throw new OutboundPayloadError(`sendOutbound: the payload is not JSON: ${(error as Error).message}`);
  }
  if (json === undefined) throw new OutboundPayloadError('sendOutbound: the payload is not JSON (undefined, a function or a symbol)');
  // An OutboundEnvelope's JSON: JSON.stringify({ payload, traceparent }) without serializing the payload twice.
  return `{"payload":${json}${traceparent ? `,"traceparent":${JSON.stringify(traceparent)}` : ''}${idempotencyKey ? `,"idempotencyKey":${JSON.stringify(idempotencyKey)}` : ''}}`;
}

/** The bytes SQS counts for message attributes: each name, type and value. */
function attributeBytes(attributes: Record<string, MessageAttributeValue>): number {
  return Object.entries(attributes).reduce((n, [name, a]) => n + Buffer.byteLength(name) + Buffer.byteLength(a.DataType ?? '') + Buffer.byteLength(a.StringValue ?? ''), 0);
}
