import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { IngestTargetConfig, IntegrationRecord } from '../../lib/ingest/ingest-config';

/** What the caller is told about a delivered record. */
export interface Delivery {
  /** The response to return: a target Lambda's own response, or 202 with the delivery id. */
  readonly statusCode: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/** The SDK clients the delivery needs, created once per container from the environment. */
export interface DeliveryClients {
  readonly sqs: SQSClient;
  readonly eventBridge: EventBridgeClient;
  readonly lambda: LambdaClient;
}

/** Raised when the target did not take the record: the caller gets a 5xx and retries. */
export class TargetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TargetError';
  }
}

const queueUrls = new Map<string, string>();

async function queueUrl(sqs: SQSClient, address: string): Promise<string> {
  if (address.startsWith('https://') || address.startsWith('http://')) return address;
  const name = address.startsWith('arn:') ? address.split(':')[5] : address;
  let url = queueUrls.get(name);
  if (!url) {
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    url = out.QueueUrl!;
    queueUrls.set(name, url);
  }
  return url;
}

/**
 * Delivers the record to its target. Throws TargetError when the target refuses or fails.
 * `abortSignal` aborts the SDK call (the ingest's deadline): a request already received by the
 * service may still take effect.
 */
export async function deliver(clients: DeliveryClients, target: IngestTargetConfig, address: string, record: IntegrationRecord, abortSignal?: AbortSignal): Promise<Delivery> {
  const options = abortSignal ? { abortSignal } : undefined;
  try {
    switch (target.kind) {
      case 'sqs': {
        const url = await queueUrl(clients.sqs, address);
        const out = await clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: JSON.stringify(record),
            MessageAttributes: {
              integration: { DataType: 'String', StringValue: record.integration },
              requestId: { DataType: 'String', StringValue: record.requestId },
              ...(record.traceId ? { traceId: { DataType: 'String', StringValue: record.traceId } } : {}),
            },
            ...(record.traceId ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: record.traceId } } } : {}),
          }),
          options,
        );
        return accepted({ messageId: out.MessageId, requestId: record.requestId });
      }
      case 'eventbridge': {
        const out = await clients.eventBridge.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: address,
                Source: target.source ?? `integrations.${record.integration}`,
                DetailType: target.detailType ?? record.route,
                Detail: JSON.stringify(record),
                ...(record.traceId ? { TraceHeader: record.traceId } : {}),
              },
            ],
          }),
          options,
        );
        const entry = out.Entries?.[0];
        if ((out.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
          throw new TargetError(`EventBridge refused the event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
        }
        return accepted({ eventId: entry.EventId, requestId: record.requestId });
      }
      case 'lambda': {
        const out = await clients.lambda.send(
          new InvokeCommand({ FunctionName: address, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(record)) }),
          options,
        );
        const payload = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
        if (out.FunctionError) throw new TargetError(`target function failed (${out.FunctionError})`);
        return lambdaResponse(payload, record);
      }
      default:
        throw new TargetError(`unknown target kind ${String((target as { kind: unknown }).kind)}`);
    }
  } catch (error) {
    if (error instanceof TargetError) throw error;
    throw new TargetError(`delivery to ${target.kind} target failed: ${(error as Error).name}`, { cause: error });
  }
}

function accepted(body: Record<string, unknown>): Delivery {
  return { statusCode: 202, body: JSON.stringify({ accepted: true, ...body }) };
}

/**
 * A target function may answer like an API Gateway proxy integration ({ statusCode, body, headers })
 * or with any JSON value, which becomes a 200 response.
 */
function lambdaResponse(payload: string, record: IntegrationRecord): Delivery {
  const parsed: unknown = payload ? JSON.parse(payload) : null;
  if (parsed && typeof parsed === 'object' && 'statusCode' in parsed) {
    const r = parsed as { statusCode: number; body?: unknown; headers?: Record<string, string> };
    return { statusCode: r.statusCode, body: typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? {}), headers: r.headers };
  }
  return { statusCode: 200, body: JSON.stringify(parsed ?? { requestId: record.requestId }) };
}
