import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { IngestConfig, IngestTargetKind } from '../../../lib';
import { motoClientConfig, motoEndpoint, uniqueName } from '../../support/aws-env';

const BUNDLE = join(__dirname, '..', '..', '..', 'dist', 'handlers', 'ingest', 'index.js');
const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';

/**
 * The bundle the platform deploys, with tracing on as Lambda runs it (active tracing: a trace header
 * and the X-Ray daemon's address in the environment): its AWS calls reach the daemon as subsegments
 * of the invocation's trace. The bundle runs in a process of its own, as in a fresh execution
 * environment; a UDP socket here stands in for the daemon.
 */
describe('ingest bundle tracing', () => {
  const sqs = new SQSClient(motoClientConfig());
  let daemon: Socket;
  const datagrams: string[] = [];

  beforeAll(async () => {
    daemon = createSocket('udp4');
    daemon.on('message', (message) => datagrams.push(message.toString('utf8')));
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  });
  afterAll(() => daemon.close());

  test('a delivery to SQS reaches the X-Ray daemon as a SendMessage subsegment of the invocation', async () => {
    // GIVEN a route to a queue, and the environment Lambda sets with active tracing
    const queue = uniqueName('bundle-traced');
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queue }))).QueueUrl!;
    const config: IngestConfig = { version: 1, routes: [{ integration: 'Crm', method: 'POST', resourcePath: '/contacts', target: { kind: IngestTargetKind.SQS, address: queueUrl } }] };
    const dir = mkdtempSync(join(tmpdir(), 'ingest-bundle-tracing-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const env = {
      PATH: process.env.PATH,
      INGEST_CONFIG_FILE: join(dir, 'config.json'),
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'ingest',
      LAMBDA_TASK_ROOT: dir,
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const invoke = `
      const { handler } = require(${JSON.stringify(BUNDLE)});
      const event = { httpMethod: 'POST', resource: '/contacts', headers: {}, body: '{"id":"c-1"}', isBase64Encoded: false, requestContext: { requestId: 'traced-req', requestTimeEpoch: Date.now() } };
      const context = { functionName: 'ingest', awsRequestId: 'lambda-req', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ingest', getRemainingTimeInMillis: () => 10000 };
      handler(event, context).then((res) => setTimeout(() => process.stderr.write('RESULT ' + JSON.stringify(res) + '\\n'), 200));
    `;
    // WHEN the bundle, loaded in a fresh process, handles a request
    const { stderr } = await promisify(execFile)(process.execPath, ['-e', invoke], { env, timeout: 30_000 });
    // THEN the request is delivered
    expect(JSON.parse(/^RESULT (.*)$/m.exec(stderr)![1]).statusCode).toBe(202);
    // AND the daemon received the SQS call as a subsegment of the invocation's trace (the facade segment Lambda opened)
    const subsegments = datagrams.flatMap((d) => d.split('\n').slice(1)).map((line) => JSON.parse(line) as Record<string, unknown>);
    const sendMessage = subsegments.find((s) => s.name === 'SQS' && (s.aws as { operation?: string } | undefined)?.operation === 'SendMessage');
    expect(sendMessage).toEqual(expect.objectContaining({ namespace: 'aws', trace_id: TRACE_ROOT, parent_id: '53995c3f42cd8ad8', type: 'subsegment' }));
    expect(sendMessage).not.toHaveProperty('fault');
  });
});
