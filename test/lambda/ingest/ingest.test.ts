import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { loadRoutes } from '../../../lambda/ingest/config';
import { ingest, IngestDependencies } from '../../../lambda/ingest/ingest';
import { clearSecretCache, signingSecrets } from '../../../lambda/ingest/signing-secrets';
import { IngestConfig, IngestTargetKind, SignatureScheme } from '../../../lib';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { recordingLog } from '../../support/ingest-harness';

const sqs = new SQSClient(motoClientConfig());
const eventBridge = new EventBridgeClient(motoClientConfig());
const secretsManager = new SecretsManagerClient(motoClientConfig());
const TRACE = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';
// GitHub webhook secrets are any string the owner picks; the ingest refuses ones under 32 bytes.
const FIRST_SECRET = 'gh-whk-1-9c41f0b27e5d8a63c2f4e1b09d7a5c38';
const SECOND_SECRET = 'gh-whk-2-4e7b2d91a0c6f35e8b1d7a42c9f0e6b3';
const UNKNOWN_SECRET = 'gh-whk-3-b5a0e8d3f1c7294a6e0b8d5c3f7a1e92';

const orderSchema = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  required: ['orderId', 'email'],
  properties: { orderId: { type: 'string' }, email: { type: 'string', format: 'email' }, quantity: { type: 'integer', minimum: 1 } },
};

/** A local stand-in for the Lambda Invoke API (moto does not run Lambda code): runs `respond` on each invocation. */
function fakeLambdaService(respond: (payload: unknown) => { status?: number; functionError?: string; body: unknown }) {
  const calls: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const payload = JSON.parse(data);
      calls.push({ path: req.url, payload });
      const out = respond(payload);
      res.writeHead(out.status ?? 200, { 'content-type': 'application/json', ...(out.functionError ? { 'x-amz-function-error': out.functionError } : {}) });
      res.end(JSON.stringify(out.body));
    });
  });
  return { server, calls };
}

function apiEvent(overrides: Partial<APIGatewayProxyEvent> & { body?: string | null }): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource: '/orders',
    path: '/orders',
    headers: {},
    multiValueHeaders: {},
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: null,
    requestContext: { requestId: 'req-123', requestTimeEpoch: 1764400000000, authorizer: { claims: { client_id: 'partner-client' } } } as never,
    ...overrides,
  } as APIGatewayProxyEvent;
}

const { logs, log } = recordingLog();

describe('ingest function against moto', () => {
  let queueName: string;
  let queueUrl: string;
  let busName: string;
  let busQueueUrl: string;
  let secretName: string;
  let lambdaService: ReturnType<typeof fakeLambdaService>;
  let deps: IngestDependencies;

  beforeAll(async () => {
    queueName = uniqueName('orders');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    busName = uniqueName('support');
    await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
    busQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('bus-sink') }))).QueueUrl!;
    const busQueueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: busQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    await eventBridge.send(new PutRuleCommand({ Name: 'all', EventBusName: busName, EventPattern: JSON.stringify({ source: ['support.tool'] }) }));
    await eventBridge.send(new PutTargetsCommand({ Rule: 'all', EventBusName: busName, Targets: [{ Id: 'sink', Arn: busQueueArn }] }));
    secretName = uniqueName('integrations/github/signing-secret');
    await secretsManager.send(new CreateSecretCommand({ Name: secretName, SecretString: FIRST_SECRET }));

    lambdaService = fakeLambdaService((payload) => {
      const record = payload as { body?: { orderId?: string } };
      if (record.body?.orderId === 'boom') return { functionError: 'Unhandled', body: { errorMessage: 'boom' } };
      return { body: { statusCode: 201, body: JSON.stringify({ created: record.body?.orderId }) } };
    });
    await new Promise<void>((r) => lambdaService.server.listen(0, '127.0.0.1', r));
    const lambdaEndpoint = `http://127.0.0.1:${(lambdaService.server.address() as AddressInfo).port}`;

    const config: IngestConfig = {
      version: 1,
      routes: [
        { integration: 'Orders', method: 'POST', resourcePath: '/orders', schema: orderSchema, target: { kind: IngestTargetKind.SQS, address: queueName } },
        { integration: 'Orders', method: 'PUT', resourcePath: '/orders/{orderId}', schema: orderSchema, target: { kind: IngestTargetKind.LAMBDA, address: { env: 'INGEST_REF_0' } } },
        { integration: 'Support', method: 'POST', resourcePath: '/tickets', target: { kind: IngestTargetKind.EVENTBRIDGE, address: busName, source: 'support.tool', detailType: 'TicketUpdate' } },
        {
          integration: 'GitHub',
          method: 'POST',
          resourcePath: '/webhooks/github',
          signature: SignatureScheme.githubHmacSha256().bind(),
          signingSecret: secretName,
          target: { kind: IngestTargetKind.SQS, address: queueName },
        },
        { integration: 'Broken', method: 'POST', resourcePath: '/broken', target: { kind: IngestTargetKind.SQS, address: 'no-such-queue' } },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'ingest-test-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    deps = {
      routes: loadRoutes(join(dir, 'config.json'), { INGEST_REF_0: 'partner-orders-fn' }),
      clients: { sqs, eventBridge, lambda: new LambdaClient({ ...motoClientConfig(), endpoint: lambdaEndpoint }) },
      secretsFor: (id, overlapSeconds) => signingSecrets(secretsManager, id, overlapSeconds),
      log,
      traceId: TRACE,
    };
  });

  afterAll(() => new Promise<void>((r) => lambdaService.server.close(() => r())));
  beforeEach(() => {
    logs.length = 0;
    clearSecretCache();
  });

  async function receiveOne(url: string) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    expect(out.Messages).toHaveLength(1);
    return out.Messages![0];
  }

  test('a valid record reaches the queue with the request id and the trace id carried on', async () => {
    const res = await ingest(apiEvent({ body: JSON.stringify({ orderId: 'o-1', email: 'buyer@example.com', quantity: 2 }) }), deps);
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toEqual(expect.objectContaining({ accepted: true, messageId: expect.any(String), requestId: 'req-123' }));
    const message = await receiveOne(queueUrl);
    const record = JSON.parse(message.Body!);
    expect(record).toEqual(
      expect.objectContaining({ integration: 'Orders', route: 'POST /orders', requestId: 'req-123', traceId: TRACE, clientId: 'partner-client', body: { orderId: 'o-1', email: 'buyer@example.com', quantity: 2 } }),
    );
    expect(message.MessageAttributes?.requestId?.StringValue).toBe('req-123');
    expect(message.MessageAttributes?.traceId?.StringValue).toBe(TRACE);
    expect(message.MessageAttributes?.integration?.StringValue).toBe('Orders');
  });

  test('the full schema is enforced, formats included, and the offending values are not echoed', async () => {
    const res = await ingest(apiEvent({ body: JSON.stringify({ orderId: 'o-2', email: 'not-an-email', quantity: 0 }) }), deps);
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/email', '/quantity']);
    expect(res.body).not.toContain('not-an-email');
  });

  test('a body that is not JSON is a 400', async () => {
    const res = await ingest(apiEvent({ body: '{"orderId": ' }), deps);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).message).toBe('body is not valid JSON');
  });

  test('a Lambda target answers the caller with its own response', async () => {
    const res = await ingest(apiEvent({ httpMethod: 'PUT', resource: '/orders/{orderId}', pathParameters: { orderId: 'o-3' }, body: JSON.stringify({ orderId: 'o-3', email: 'b@example.com' }) }), deps);
    expect(res.statusCode).toBe(201);
    expect(JSON.parse(res.body)).toEqual({ created: 'o-3' });
    const call = lambdaService.calls.at(-1) as { path: string; payload: { pathParameters: Record<string, string>; traceId: string } };
    expect(call.path).toContain('/functions/partner-orders-fn/invocations');
    expect(call.payload.pathParameters).toEqual({ orderId: 'o-3' });
    expect(call.payload.traceId).toBe(TRACE);
  });

  test('a failing Lambda target is a 502 with Retry-After, so the sender retries', async () => {
    const res = await ingest(apiEvent({ httpMethod: 'PUT', resource: '/orders/{orderId}', body: JSON.stringify({ orderId: 'boom', email: 'b@example.com' }) }), deps);
    expect(res.statusCode).toBe(502);
    expect(res.headers?.['retry-after']).toBe('30');
    expect(logs.some((l) => l.level === 'error' && l.msg.includes('delivery failed'))).toBe(true);
  });

  test('a queue that does not exist is a 502, never a silent 2xx', async () => {
    const res = await ingest(apiEvent({ resource: '/broken', body: '{}' }), deps);
    expect(res.statusCode).toBe(502);
  });

  test('an event-bus target puts the record as the event detail with the configured source and detail type', async () => {
    const res = await ingest(apiEvent({ resource: '/tickets', body: JSON.stringify({ ticket: { id: 7 } }) }), deps);
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body).eventId).toEqual(expect.any(String));
    const event = JSON.parse((await receiveOne(busQueueUrl)).Body!);
    expect(event.source).toBe('support.tool');
    expect(event['detail-type']).toBe('TicketUpdate');
    expect(event.detail).toEqual(expect.objectContaining({ integration: 'Support', requestId: 'req-123', body: { ticket: { id: 7 } } }));
  });

  test('every handled request emits its integration signals, 5xx counted as errors', async () => {
    const signals: Array<[string, number, number]> = [];
    let now = 1000;
    const withSignals = { ...deps, emitSignals: (i: string, s: number, l: number) => signals.push([i, s, l]), clock: () => (now += 25) };
    await ingest(apiEvent({ body: JSON.stringify({ orderId: 'o-9', email: 'a@example.com' }) }), withSignals);
    await receiveOne(queueUrl);
    await ingest(apiEvent({ resource: '/broken', body: '{}' }), withSignals);
    expect(signals).toEqual([
      ['Orders', 202, 25],
      ['Broken', 502, 25],
    ]);
  });

  test('an unknown route is a 500 and logged as a configuration fault', async () => {
    const res = await ingest(apiEvent({ resource: '/nowhere' }), deps);
    expect(res.statusCode).toBe(500);
    expect(logs.some((l) => l.level === 'error')).toBe(true);
  });

  describe('signed webhook', () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'abc' });
    const sign = (secret: string, payload = body) => `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
    const webhook = (signature: string | undefined, payload = body) =>
      apiEvent({ resource: '/webhooks/github', body: payload, headers: signature ? { 'x-hub-signature-256': signature } : {} });

    test('a correctly signed event is accepted and queued', async () => {
      const res = await ingest(webhook(sign(FIRST_SECRET)), deps);
      expect(res.statusCode).toBe(202);
      expect(JSON.parse((await receiveOne(queueUrl)).Body!).integration).toBe('GitHub');
    });

    test('a wrong signature is a 401 before the body is parsed or delivered', async () => {
      const res = await ingest(webhook(sign(UNKNOWN_SECRET)), deps);
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ message: 'invalid signature', requestId: 'req-123' });
      expect(logs.find((l) => l.msg === 'webhook signature rejected')?.extra.reason).toBe('mismatch');
    });

    test('a body changed after signing is rejected', async () => {
      const res = await ingest({ ...webhook(sign(FIRST_SECRET)), body: body.replace('main', 'mains') }, deps);
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ message: 'invalid signature', requestId: 'req-123' });
      expect(logs.find((l) => l.msg === 'webhook signature rejected')?.extra.reason).toBe('mismatch');
    });

    test('a missing signature header is a 401', async () => {
      const res = await ingest(webhook(undefined), deps);
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body).reason).toBeUndefined();
      expect(logs.find((l) => l.msg === 'webhook signature rejected')?.extra.reason).toBe('missing-header');
    });

    test('after the secret changes, both the new (AWSCURRENT) and, within the default 24 h overlap, the previous (AWSPREVIOUS) value verify', async () => {
      await secretsManager.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: SECOND_SECRET }));
      clearSecretCache();
      expect((await ingest(webhook(sign(SECOND_SECRET)), deps)).statusCode).toBe(202);
      await receiveOne(queueUrl);
      expect((await ingest(webhook(sign(FIRST_SECRET)), deps)).statusCode).toBe(202);
      await receiveOne(queueUrl);
      expect((await ingest(webhook(sign(UNKNOWN_SECRET)), deps)).statusCode).toBe(401);
    });
  });
});
