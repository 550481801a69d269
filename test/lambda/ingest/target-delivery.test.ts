// What the ingest sends to each kind of target, and how a target's refusal or failure reaches the
// sender: every failure is a TargetError (the ingest answers 502 so the sender retries), never a 2xx.
// In-memory clients: they record each command and answer as SQS, EventBridge and Lambda answer,
// failures included (a partial PutEvents failure, a function error) that moto does not produce.
import { PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, QueueDoesNotExist, SendMessageCommand } from '@aws-sdk/client-sqs';
import { deliver, type DeliveryClients, TargetError } from '../../../lambda/ingest/deliver';
import { IngestTargetKind, type IngestTargetConfig, type IntegrationRecord } from '../../../lib';
import { uniqueName } from '../../support/aws-env';

const TRACE = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';

const record = (extra: Partial<IntegrationRecord> = {}): IntegrationRecord => ({
  integration: 'Orders',
  route: 'POST /orders',
  requestId: 'req-1',
  receivedAt: '2026-12-01T10:00:00.000Z',
  pathParameters: {},
  queryStringParameters: {},
  body: { orderId: 'o-1' },
  ...extra,
});

interface Sent {
  readonly command: { input: Record<string, unknown> };
  readonly options?: { abortSignal?: AbortSignal };
}

/** Clients whose `send` records each command and answers with `answer(command)` (a rejection when it throws). */
function clients(answer: (command: unknown) => unknown) {
  const sent: Sent[] = [];
  const client = { send: async (command: Sent['command'], options?: Sent['options']) => (sent.push({ command, options }), answer(command)) };
  return { sent, clients: { sqs: client, eventBridge: client, lambda: client } as unknown as DeliveryClients };
}

const sqs: IngestTargetConfig = { kind: IngestTargetKind.SQS, address: 'unused' };
const bus: IngestTargetConfig = { kind: IngestTargetKind.EVENTBRIDGE, address: 'unused' };
const fn: IngestTargetConfig = { kind: IngestTargetKind.LAMBDA, address: 'unused' };

describe('an SQS target', () => {
  const queue = (command: unknown) => (command instanceof GetQueueUrlCommand ? { QueueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/${command.input.QueueName}` } : { MessageId: 'm-1' });

  test('gets the record as the message body, with the integration, request id and trace id as attributes and the trace header', async () => {
    const { sent, clients: c } = clients(queue);
    const url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders';
    const delivery = await deliver(c, sqs, url, record({ traceId: TRACE }));
    expect(delivery).toEqual({ statusCode: 202, body: JSON.stringify({ accepted: true, messageId: 'm-1', requestId: 'req-1' }) });
    expect(sent).toHaveLength(1);
    expect(sent[0].command).toBeInstanceOf(SendMessageCommand);
    expect(sent[0].command.input).toEqual({
      QueueUrl: url,
      MessageBody: JSON.stringify(record({ traceId: TRACE })),
      MessageAttributes: {
        integration: { DataType: 'String', StringValue: 'Orders' },
        requestId: { DataType: 'String', StringValue: 'req-1' },
        traceId: { DataType: 'String', StringValue: TRACE },
      },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE } },
    });
    expect(sent[0].options).toBeUndefined();
  });

  test('without tracing, no trace attribute and no trace header are sent', async () => {
    const { sent, clients: c } = clients(queue);
    await deliver(c, sqs, 'http://localhost:4566/000000000000/orders', record());
    expect(sent[0].command.input).toEqual({
      QueueUrl: 'http://localhost:4566/000000000000/orders',
      MessageBody: JSON.stringify(record()),
      MessageAttributes: { integration: { DataType: 'String', StringValue: 'Orders' }, requestId: { DataType: 'String', StringValue: 'req-1' } },
    });
  });

  test('a queue given by name or ARN is looked up once (GetQueueUrl), then its URL is reused', async () => {
    const { sent, clients: c } = clients(queue);
    const name = uniqueName('orders');
    await deliver(c, sqs, name, record());
    await deliver(c, sqs, `arn:aws:sqs:eu-west-1:123456789012:${name}`, record());
    const commands = sent.map((s) => s.command);
    expect(commands.map((command) => command.constructor.name)).toEqual(['GetQueueUrlCommand', 'SendMessageCommand', 'SendMessageCommand']);
    expect(commands[0].input).toEqual({ QueueName: name });
    expect(commands[1].input.QueueUrl).toBe(`https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`);
    expect(commands[2].input.QueueUrl).toBe(`https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`);
  });

  test("a queue that does not exist is a TargetError naming the AWS error, with it as the cause; no URL is remembered", async () => {
    const missing = new QueueDoesNotExist({ $metadata: {}, message: 'The specified queue does not exist.' });
    let exists = false;
    const { sent, clients: c } = clients((command) => {
      if (command instanceof GetQueueUrlCommand && !exists) throw missing;
      return queue(command);
    });
    const name = uniqueName('not-yet');
    const failure = deliver(c, sqs, name, record());
    await expect(failure).rejects.toBeInstanceOf(TargetError);
    await expect(failure).rejects.toMatchObject({ name: 'TargetError', message: 'delivery to sqs target failed: QueueDoesNotExist', cause: missing });
    // Once the queue is created, the next delivery looks it up again and is delivered.
    exists = true;
    expect((await deliver(c, sqs, name, record())).statusCode).toBe(202);
    expect(sent.filter((s) => s.command instanceof GetQueueUrlCommand)).toHaveLength(2);
  });

  test("the ingest's deadline signal is passed to the SDK call, so that it is aborted", async () => {
    const { sent, clients: c } = clients(queue);
    const abort = new AbortController();
    await deliver(c, sqs, 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', record(), abort.signal);
    expect(sent[0].options).toEqual({ abortSignal: abort.signal });
  });
});

describe('an EventBridge target', () => {
  const accepted = (): PutEventsCommandOutput => ({ $metadata: {}, FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

  test('gets the record as the detail of one event, with the configured source and detail type, and the trace header', async () => {
    const { sent, clients: c } = clients(accepted);
    const delivery = await deliver(c, { ...bus, source: 'support.tool', detailType: 'TicketUpdate' }, 'support-bus', record({ traceId: TRACE }));
    expect(delivery).toEqual({ statusCode: 202, body: JSON.stringify({ accepted: true, eventId: 'e-1', requestId: 'req-1' }) });
    expect(sent[0].command).toBeInstanceOf(PutEventsCommand);
    expect(sent[0].command.input).toEqual({
      Entries: [{ EventBusName: 'support-bus', Source: 'support.tool', DetailType: 'TicketUpdate', Detail: JSON.stringify(record({ traceId: TRACE })), TraceHeader: TRACE }],
    });
  });

  test('without a configured source and detail type, the source is integrations.<integration> and the detail type the route', async () => {
    const { sent, clients: c } = clients(accepted);
    await deliver(c, bus, 'arn:aws:events:eu-west-1:123456789012:event-bus/support', record());
    expect(sent[0].command.input).toEqual({
      Entries: [{ EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/support', Source: 'integrations.Orders', DetailType: 'POST /orders', Detail: JSON.stringify(record()) }],
    });
  });

  test('an event PutEvents refused (a partial failure, answered with HTTP 200) is a TargetError with its error code and message', async () => {
    const { clients: c } = clients(() => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] }));
    await expect(deliver(c, bus, 'support-bus', record())).rejects.toMatchObject({ name: 'TargetError', message: 'EventBridge refused the event: ThrottlingException Rate exceeded' });
  });

  test('a failure count without the failed entry, or an entry without an event id, is still a TargetError', async () => {
    const countOnly = clients(() => ({ FailedEntryCount: 1, Entries: [] }));
    await expect(deliver(countOnly.clients, bus, 'support-bus', record())).rejects.toMatchObject({ message: 'EventBridge refused the event: unknown' });
    const failedWithEventId = clients(() => ({ FailedEntryCount: 1, Entries: [{ EventId: 'e-2', ErrorCode: 'InternalFailure' }] }));
    await expect(deliver(failedWithEventId.clients, bus, 'support-bus', record())).rejects.toMatchObject({ message: 'EventBridge refused the event: InternalFailure' });
    const noEventId = clients(() => ({ Entries: [{}] }));
    await expect(deliver(noEventId.clients, bus, 'support-bus', record())).rejects.toMatchObject({ name: 'TargetError', message: 'EventBridge refused the event: unknown' });
    const emptyEntries = clients(() => ({ FailedEntryCount: 0, Entries: [] }));
    await expect(deliver(emptyEntries.clients, bus, 'support-bus', record())).rejects.toMatchObject({ name: 'TargetError', message: 'EventBridge refused the event: unknown' });
    const noEntries = clients(() => ({}));
    await expect(deliver(noEntries.clients, bus, 'support-bus', record())).rejects.toMatchObject({ name: 'TargetError', message: 'EventBridge refused the event: unknown' });
  });

  test('a rejected PutEvents call (access denied) is a TargetError naming the AWS error', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: events:PutEvents'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    const { clients: c } = clients(() => {
      throw denied;
    });
    await expect(deliver(c, bus, 'support-bus', record())).rejects.toMatchObject({ message: 'delivery to eventbridge target failed: AccessDeniedException', cause: denied });
  });
});

describe('a Lambda target', () => {
  const invoked = (payload: unknown, extra: Partial<InvokeCommandOutput> = {}) => () => ({
    StatusCode: 200,
    ...(payload === undefined ? {} : { Payload: new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload)) }),
    ...extra,
  });

  test('is invoked synchronously with the record, and its proxy-style answer is the response, headers included', async () => {
    const { sent, clients: c } = clients(invoked({ statusCode: 201, headers: { location: '/orders/o-1' }, body: '{"created":"o-1"}' }));
    const delivery = await deliver(c, fn, 'partner-orders-fn', record());
    expect(delivery).toEqual({ statusCode: 201, headers: { location: '/orders/o-1' }, body: '{"created":"o-1"}' });
    expect(sent[0].command).toBeInstanceOf(InvokeCommand);
    const input = sent[0].command.input as { FunctionName: string; InvocationType: string; Payload: Uint8Array };
    expect(input.FunctionName).toBe('partner-orders-fn');
    expect(input.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(Buffer.from(input.Payload).toString('utf8'))).toEqual(record());
  });

  test('a proxy-style answer whose body is not a string is sent as JSON, and a missing body as {}', async () => {
    const objectBody = clients(invoked({ statusCode: 200, body: { ok: true } }));
    expect(await deliver(objectBody.clients, fn, 'f', record())).toEqual({ statusCode: 200, body: '{"ok":true}', headers: undefined });
    const noBody = clients(invoked({ statusCode: 204 }));
    expect(await deliver(noBody.clients, fn, 'f', record())).toEqual({ statusCode: 204, body: '{}', headers: undefined });
  });

  test('any other JSON answer is a 200 with that JSON; no answer at all is a 200 with the request id', async () => {
    const plain = clients(invoked({ received: true }));
    expect(await deliver(plain.clients, fn, 'f', record())).toEqual({ statusCode: 200, body: '{"received":true}' });
    const scalar = clients(invoked('"done"'));
    expect(await deliver(scalar.clients, fn, 'f', record())).toEqual({ statusCode: 200, body: '"done"' });
    const nothing = clients(invoked(undefined));
    expect(await deliver(nothing.clients, fn, 'f', record())).toEqual({ statusCode: 200, body: '{"requestId":"req-1"}' });
    const nullAnswer = clients(invoked('null'));
    expect(await deliver(nullAnswer.clients, fn, 'f', record())).toEqual({ statusCode: 200, body: '{"requestId":"req-1"}' });
  });

  test('a function error (the handler threw or timed out) is a TargetError, even with a proxy-style payload', async () => {
    const { clients: c } = clients(invoked({ statusCode: 200, body: 'ok', errorMessage: 'Task timed out after 3.00 seconds' }, { FunctionError: 'Unhandled' }));
    await expect(deliver(c, fn, 'f', record())).rejects.toMatchObject({ name: 'TargetError', message: 'target function failed (Unhandled)' });
  });

  test('an answer that is not JSON is a TargetError, never a 2xx', async () => {
    const { clients: c } = clients(invoked('<html>502 Bad Gateway</html>'));
    await expect(deliver(c, fn, 'f', record())).rejects.toMatchObject({ name: 'TargetError', message: 'delivery to lambda target failed: SyntaxError' });
  });

  test('a throttled invocation (TooManyRequestsException) is a TargetError naming it', async () => {
    const throttled = Object.assign(new Error('Rate Exceeded.'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    const { clients: c } = clients(() => {
      throw throttled;
    });
    await expect(deliver(c, fn, 'f', record())).rejects.toMatchObject({ message: 'delivery to lambda target failed: TooManyRequestsException', cause: throttled });
  });
});

test('a target of an unknown kind (a config from a newer version) is a TargetError, and nothing is sent', async () => {
  const { sent, clients: c } = clients(() => ({}));
  await expect(deliver(c, { kind: 'kinesis' as IngestTargetKind, address: 'stream' }, 'stream', record())).rejects.toMatchObject({ name: 'TargetError', message: 'unknown target kind kinesis' });
  expect(sent).toEqual([]);
});
