// The sender bundle the platform deploys (dist/handlers/outbound/index.js, built by `npm run
// build`), each run in a process of its own as in a fresh execution environment: config from its
// file with deploy-time references in the environment, SDK clients against moto_server, and for
// direct mode active tracing (a UDP socket stands in for the X-Ray daemon) and the test CA added to
// Node's trust store (NODE_EXTRA_CA_CERTS, read at the process's start).
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { sendOutbound } from '../../../lambda/shared/outbound';
import type { OutboundConfigFile } from '../../../lib/outbound/outbound-config';
import { motoClientConfig, motoEndpoint, uniqueName } from '../../support/aws-env';
import { makeCertificates, removeCertificates, type TestCertificates, TestPartner } from '../../support/https-partner';
import { createQueue, eventOf, receiveAll, type TestQueue } from '../../support/outbound-harness';

const BUNDLE = join(__dirname, '..', '..', '..', 'dist', 'handlers', 'outbound', 'index.js');
const PRODUCER_XRAY = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const SENDER_ROOT = '1-6a1b2c3d-00112233445566778899aabb';
const WHSEC = `whsec_${Buffer.alloc(33, 7).toString('base64')}`;

describe('outbound sender bundle', () => {
  const sqs = new SQSClient(motoClientConfig());
  let certificates: TestCertificates;
  let partner: TestPartner;
  let daemon: Socket;
  const datagrams: string[] = [];
  let dir: string;
  let source: TestQueue;
  let dlq: TestQueue;

  beforeAll(async () => {
    certificates = makeCertificates();
    writeFileSync(join(certificates.dir, 'extra-ca.pem'), certificates.ca);
    partner = await TestPartner.start(certificates);
    daemon = createSocket('udp4');
    daemon.on('message', (message) => datagrams.push(message.toString('utf8')));
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    dir = mkdtempSync(join(tmpdir(), 'outbound-bundle-'));
    [source, dlq] = await Promise.all([createQueue(sqs, 'outbound-bundle-src'), createQueue(sqs, 'outbound-bundle-dlq')]);
  });
  afterAll(async () => {
    daemon?.close();
    await partner?.close();
    removeCertificates(certificates);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const produce = async (payload: unknown): Promise<SQSEvent> => {
    const saved = process.env._X_AMZN_TRACE_ID;
    process.env._X_AMZN_TRACE_ID = PRODUCER_XRAY;
    try {
      await sendOutbound('PartnerOrders', payload, { sqs, queueUrl: source.url });
    } finally {
      process.env._X_AMZN_TRACE_ID = saved;
    }
    return eventOf(sqs, source);
  };

  /** Runs the bundle's handler on `event` in a fresh process; its result, and what it wrote to stdout (logs and EMF). */
  const invoke = async (config: OutboundConfigFile, event: SQSEvent, env: Record<string, string>): Promise<{ result: SQSBatchResponse; stdout: string }> => {
    const configFile = join(dir, `${uniqueName('config')}.json`);
    const eventFile = join(dir, `${uniqueName('event')}.json`);
    writeFileSync(configFile, JSON.stringify(config));
    writeFileSync(eventFile, JSON.stringify(event));
    const script = `
      const { handler } = require(${JSON.stringify(BUNDLE)});
      const event = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(eventFile)}, 'utf8'));
      const context = { functionName: 'sender', awsRequestId: 'lambda-req', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sender', getRemainingTimeInMillis: () => 60000 };
      handler(event, context).then((res) => setTimeout(() => process.stderr.write('RESULT ' + JSON.stringify(res) + '\\n'), 200));
    `;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: {
        PATH: process.env.PATH,
        OUTBOUND_CONFIG_FILE: configFile,
        AWS_ENDPOINT_URL: motoEndpoint(),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_DISABLED: 'false',
        ...env,
      },
      timeout: 30_000,
    });
    return { result: JSON.parse(/^RESULT (.*)$/m.exec(stderr)![1]) as SQSBatchResponse, stdout };
  };

  test("direct: the signed call reaches the partner over TLS; the call's X-Ray subsegment is the parent in traceparent and X-Amzn-Trace-Id; logs and signals on stdout", async () => {
    const secretArn = (await new SecretsManagerClient(motoClientConfig()).send(new CreateSecretCommand({ Name: uniqueName('outbound/bundle-signing'), SecretString: WHSEC }))).ARN!;
    const order = { orderId: 'PO-3001', customer: { email: 'hedy@example.com' } };
    const event = await produce(order);
    const config: OutboundConfigFile = {
      version: 1,
      integration: 'PartnerOrders',
      mode: 'direct',
      endpoint: `${partner.url}/orders`,
      method: 'PUT',
      timeoutMs: 5_000,
      maxAttempts: 30,
      signing: { kind: 'standard-webhooks', secretArn: { env: 'OUTBOUND_REF_0' } },
      headers: { 'X-Partner-Account': 'acme-42' },
      deadLetterQueueUrl: { env: 'OUTBOUND_REF_1' },
    };
    const { result, stdout } = await invoke(config, event, {
      OUTBOUND_REF_0: secretArn,
      OUTBOUND_REF_1: dlq.url,
      NODE_EXTRA_CA_CERTS: join(certificates.dir, 'extra-ca.pem'),
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'sender',
      LAMBDA_TASK_ROOT: dir,
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      _X_AMZN_TRACE_ID: `Root=${SENDER_ROOT};Parent=0123456789abcdef;Sampled=1`,
    });
    expect(result).toEqual({ batchItemFailures: [] });
    const [received] = partner.requests;
    expect(received.method).toBe('PUT');
    expect(received.headers['x-partner-account']).toBe('acme-42');
    expect(new Webhook(WHSEC).verify(received.body, received.headers as Record<string, string>)).toEqual(order);
    const [, traceId, span] = (received.headers.traceparent as string).split('-');
    expect(traceId).toBe('5759e988bd862e3fe1be46a994272793');
    expect(received.headers['x-amzn-trace-id']).toBe(`Root=${SENDER_ROOT};Parent=${span};Sampled=1`);
    // The partner call is a remote subsegment of the invocation, and its id is the span the partner was given.
    const subsegments = datagrams.flatMap((d) => d.split('\n').slice(1)).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(subsegments.find((s) => s.id === span)).toEqual(
      expect.objectContaining({ name: new URL(partner.url).host, namespace: 'remote', trace_id: SENDER_ROOT, type: 'subsegment', http: { request: { method: 'PUT', url: `${partner.url}/orders` }, response: { status: 200 } } }),
    );
    expect(subsegments.find((s) => s.id === span)).not.toHaveProperty('fault');
    // JSON logs and EMF signals, without the payload or the signature.
    const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ message: 'delivered', outcome: 'delivered', status: 200, integration: 'PartnerOrders', messageId: event.Records[0].messageId })]));
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ Integration: 'PartnerOrders', request_count: 1, error_count: 0, last_successful_sync: expect.any(Number) })]));
    expect(stdout).not.toContain('hedy@example.com');
    expect(stdout).not.toContain((received.headers['webhook-signature'] as string).slice(3));
  });

  test('api-destination: the record is put on the outbound bus for the rule', async () => {
    const eventBridge = new EventBridgeClient(motoClientConfig());
    const busName = uniqueName('outbound-bundle-bus');
    await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
    const delivered = await createQueue(sqs, 'outbound-bundle-delivered');
    await eventBridge.send(new PutRuleCommand({ Name: 'orders', EventBusName: busName, EventPattern: JSON.stringify({ source: ['cdk-secure-integrations.outbound'], 'detail-type': ['PartnerOrders'] }) }));
    await eventBridge.send(new PutTargetsCommand({ Rule: 'orders', EventBusName: busName, Targets: [{ Id: 'destination', Arn: delivered.arn }] }));
    const event = await produce({ orderId: 'PO-3002' });
    const config: OutboundConfigFile = {
      version: 1,
      integration: 'PartnerOrders',
      mode: 'api-destination',
      endpoint: 'https://partner.example.com/orders',
      method: 'POST',
      timeoutMs: 5_000,
      maxAttempts: 5,
      payloadSchema: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string', pattern: '^PO-' } } },
      deadLetterQueueUrl: { env: 'OUTBOUND_REF_0' },
      eventBusName: { env: 'OUTBOUND_REF_1' },
      eventSource: 'cdk-secure-integrations.outbound',
    };
    const { result } = await invoke(config, event, { OUTBOUND_REF_0: dlq.url, OUTBOUND_REF_1: busName, POWERTOOLS_TRACE_ENABLED: 'false' });
    expect(result).toEqual({ batchItemFailures: [] });
    const [put] = (await receiveAll(sqs, delivered.url, 1)).map((m) => JSON.parse(m.Body!));
    expect(put.detail).toEqual({ payload: { orderId: 'PO-3002' }, traceparent: expect.stringMatching(/^00-5759e988bd862e3fe1be46a994272793-[0-9a-f]{16}-01$/), idempotencyKey: JSON.parse(event.Records[0].body).idempotencyKey ?? event.Records[0].messageId });
  });
});
