// What the outbound sender's tests against moto share: queues with their ARNs, records received
// from them in the shape the SQS event source gives the function, and recording signals.
import { CreateQueueCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { ResolvedOutboundConfig } from '../../lambda/outbound/config';
import type { OutboundSignals } from '../../lambda/outbound/send';
import type { PartnerCallSignal } from '../../lambda/outbound/signals';
import { uniqueName } from './aws-env';

/** A moto queue. */
export interface TestQueue {
  readonly url: string;
  readonly arn: string;
}

/** Creates a queue; `visibilityTimeout` in seconds. */
export async function createQueue(sqs: SQSClient, prefix: string, visibilityTimeout = 30): Promise<TestQueue> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName(prefix), Attributes: { VisibilityTimeout: String(visibilityTimeout) } }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url, arn };
}

/** The messages waiting in a queue (received, so invisible for the queue's visibility timeout). */
export async function receiveAll(sqs: SQSClient, queueUrl: string, waitSeconds = 0): Promise<Message[]> {
  const out: Message[] = [];
  for (;;) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: out.length === 0 ? waitSeconds : 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    if (!res.Messages?.length) return out;
    out.push(...res.Messages);
  }
}

/** A message as the SQS event source hands it to the function. */
export function recordOf(message: Message, queue: TestQueue, attributes: Partial<SQSRecord['attributes']> = {}): SQSRecord {
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) messageAttributes[name] = { stringValue: value.StringValue, dataType: value.DataType ?? 'String' };
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body!,
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: message.Attributes?.SenderId ?? 'AIDATEST',
      ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(message.Attributes?.AWSTraceHeader ? { AWSTraceHeader: message.Attributes.AWSTraceHeader } : {}),
      ...attributes,
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: 'us-east-1',
  };
}

/** Every waiting message of the queue as an SQS event. */
export async function eventOf(sqs: SQSClient, queue: TestQueue): Promise<SQSEvent> {
  return { Records: (await receiveAll(sqs, queue.url, 1)).map((m) => recordOf(m, queue)) };
}

/** Signals the sender emitted. */
export function recordingSignals(): { calls: Array<{ integration: string } & PartnerCallSignal>; rejections: Array<{ integration: string; cause: string }>; invalidSecrets: string[]; signals: OutboundSignals } {
  const calls: Array<{ integration: string } & PartnerCallSignal> = [];
  const rejections: Array<{ integration: string; cause: string }> = [];
  const invalidSecrets: string[] = [];
  return {
    calls,
    rejections,
    invalidSecrets,
    signals: {
      partnerCall: (integration, call) => void calls.push({ integration, ...call }),
      rejected: (integration, cause) => void rejections.push({ integration, cause }),
      signingSecretInvalid: (integration) => void invalidSecrets.push(integration),
    },
  };
}

/** An api-destination sender config on the outbound bus of the tests, with `extra` over it. */
export function apiDestinationConfig(deadLetterQueueUrl: string, extra: Partial<ResolvedOutboundConfig> = {}): ResolvedOutboundConfig {
  return {
    version: 1,
    integration: 'PartnerOrders',
    mode: 'api-destination',
    endpoint: 'https://partner.example.com/orders',
    method: 'POST',
    timeoutMs: 5_000,
    maxAttempts: 5,
    deadLetterQueueUrl,
    eventBusName: 'TestStack-integrations-outbound',
    eventSource: 'cdk-secure-integrations.outbound',
    ...extra,
  };
}

/** A direct-mode config, with what the test changes. */
export function directConfig(endpoint: string, deadLetterQueueUrl: string, extra: Partial<ResolvedOutboundConfig> = {}): ResolvedOutboundConfig {
  return { version: 1, integration: 'PartnerOrders', mode: 'direct', endpoint, method: 'POST', timeoutMs: 2_000, maxAttempts: 30, deadLetterQueueUrl, ...extra };
}
