import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { IngestConfig, IngestTargetKind } from '../../lib';
import { motoClientConfig, motoEndpoint, uniqueName } from '../support/aws-env';

/**
 * The bundle the platform deploys (dist/handlers/ingest/index.js, built by `npm run build`), loaded
 * as Lambda would load it: config from its file, SDK clients from the environment (AWS_ENDPOINT_URL
 * pointing at moto_server).
 */
describe('ingest bundle', () => {
  test('reads its route table and delivers a record to SQS', async () => {
    const sqs = new SQSClient(motoClientConfig());
    const queueName = uniqueName('bundle');
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const config: IngestConfig = {
      version: 1,
      routes: [{ integration: 'Crm', method: 'POST', resourcePath: '/contacts', schema: { type: 'object', required: ['id'] }, target: { kind: IngestTargetKind.SQS, address: { env: 'INGEST_REF_0' } } }],
    };
    const dir = mkdtempSync(join(tmpdir(), 'ingest-bundle-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    Object.assign(process.env, {
      INGEST_CONFIG_FILE: join(dir, 'config.json'),
      INGEST_REF_0: queueUrl,
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(join(__dirname, '..', '..', 'dist', 'handlers', 'ingest', 'index.js'));
    const res = await handler(
      {
        httpMethod: 'POST',
        resource: '/contacts',
        headers: {},
        body: JSON.stringify({ id: 'c-1' }),
        isBase64Encoded: false,
        requestContext: { requestId: 'bundle-req', requestTimeEpoch: 1764400000000 },
      },
      { functionName: 'ingest', awsRequestId: 'lambda-req', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ingest', getRemainingTimeInMillis: () => 10000 },
    );
    expect(res.statusCode).toBe(202);
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    const record = JSON.parse(out.Messages![0].Body!);
    expect(record).toEqual(expect.objectContaining({ integration: 'Crm', requestId: 'bundle-req', body: { id: 'c-1' } }));
    expect(record.traceId).toContain('Root=1-5759e988');
  });
});
