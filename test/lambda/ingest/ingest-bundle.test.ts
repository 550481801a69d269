import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { IngestConfig, IngestTargetKind, SignatureScheme } from '../../../lib';
import { motoClientConfig, motoEndpoint, uniqueName } from '../../support/aws-env';

/**
 * The bundle the platform deploys (dist/handlers/ingest/index.js, built by `npm run build`), loaded
 * as Lambda would load it: config from its file, SDK clients from the environment (AWS_ENDPOINT_URL
 * pointing at moto_server).
 */
describe('ingest bundle', () => {
  const sqs = new SQSClient(motoClientConfig());
  const secretsManager = new SecretsManagerClient(motoClientConfig());
  // GitHub webhook secrets: the replaced one, its replacement, and one too short to use (20 bytes).
  const REPLACED_SECRET = 'gh-whk-old-5f2a9c7e1b3d8046a2c9e7f1b5d3a8c0';
  const CURRENT_SECRET = 'gh-whk-new-8b1e4d7a0c3f6925e8b4d1a7c0f3e692';
  const SHORT_SECRET = 'gh-whk-20-bytes-only';
  let queueUrl: string;
  let forgeQueueUrl: string;
  let handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyResult>;

  beforeAll(async () => {
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('bundle') }))).QueueUrl!;
    const githubQueue = uniqueName('bundle-github');
    await sqs.send(new CreateQueueCommand({ QueueName: githubQueue }));
    const forgeQueue = uniqueName('bundle-forge');
    forgeQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: forgeQueue }))).QueueUrl!;
    // A signing secret replaced before the container first reads it, and one that is too short.
    const replaced = uniqueName('bundle/github-signing-secret');
    await secretsManager.send(new CreateSecretCommand({ Name: replaced, SecretString: REPLACED_SECRET }));
    await secretsManager.send(new PutSecretValueCommand({ SecretId: replaced, SecretString: CURRENT_SECRET }));
    const short = uniqueName('bundle/short-signing-secret');
    await secretsManager.send(new CreateSecretCommand({ Name: short, SecretString: SHORT_SECRET }));
    const github = SignatureScheme.githubHmacSha256().bind();
    const config: IngestConfig = {
      version: 1,
      routes: [
        { integration: 'Crm', method: 'POST', resourcePath: '/contacts', schema: { type: 'object', required: ['id'] }, target: { kind: IngestTargetKind.SQS, address: { env: 'INGEST_REF_0' } } },
        { integration: 'GitHub', method: 'POST', resourcePath: '/webhooks/github', signature: github, signingSecret: replaced, signingSecretOverlapSeconds: 0, target: { kind: IngestTargetKind.SQS, address: githubQueue } },
        { integration: 'Forge', method: 'POST', resourcePath: '/webhooks/forge', signature: github, signingSecret: short, target: { kind: IngestTargetKind.SQS, address: forgeQueue } },
        // Formats, in a draft-07 and a draft-04 schema: ajv and ajv-formats come from the bundle's on-demand file.
        { integration: 'Crm', method: 'POST', resourcePath: '/leads', schema: { type: 'object', properties: { email: { type: 'string', format: 'email' } } }, target: { kind: IngestTargetKind.SQS, address: { env: 'INGEST_REF_0' } } },
        {
          integration: 'Crm',
          method: 'POST',
          resourcePath: '/legacy-leads',
          schema: { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: { email: { type: 'string', format: 'email' }, score: { type: 'integer', minimum: 0, exclusiveMinimum: true } } },
          target: { kind: IngestTargetKind.SQS, address: { env: 'INGEST_REF_0' } },
        },
      ],
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
      POWERTOOLS_METRICS_DISABLED: 'false',
      _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(join(__dirname, '..', '..', '..', 'dist', 'handlers', 'ingest', 'index.js')).handler;
  });

  const context = { functionName: 'ingest', awsRequestId: 'lambda-req', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ingest', getRemainingTimeInMillis: () => 10000 };
  const post = (resource: string, body: string, headers: Record<string, string> = {}) =>
    handler({ httpMethod: 'POST', resource, headers, body, isBase64Encoded: false, requestContext: { requestId: 'bundle-req', requestTimeEpoch: 1764400000000 } }, context);
  const push = JSON.stringify({ ref: 'refs/heads/main' });
  const signed = (secret: string) => ({ 'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(push).digest('hex')}` });

  /** Runs `call`, and answers the JSON lines (Powertools logs and EMF) the function wrote to stdout and stderr meanwhile. */
  async function outputOf<T>(call: () => Promise<T>): Promise<{ result: T; lines: Array<Record<string, unknown>> }> {
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      const result = await call();
      return { result, lines: written.flatMap((w) => w.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) };
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }

  test('reads its route table and delivers a record to SQS', async () => {
    const res = await post('/contacts', JSON.stringify({ id: 'c-1' }));
    expect(res.statusCode).toBe(202);
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    const record = JSON.parse(out.Messages![0].Body!);
    expect(record).toEqual(expect.objectContaining({ integration: 'Crm', requestId: 'bundle-req', body: { id: 'c-1' } }));
    expect(record.traceId).toContain('Root=1-5759e988');
  });

  test('validates bodies against draft-07 and draft-04 schemas with formats, loading the validators on demand', async () => {
    // GIVEN routes whose schemas use formats, one of them draft-04 (exclusiveMinimum as a boolean)
    // WHEN bodies that break them arrive
    const leads = await post('/leads', JSON.stringify({ email: 'not-an-email' }));
    const legacy = await post('/legacy-leads', JSON.stringify({ email: 'not-an-email', score: 0 }));
    // THEN both are refused with the violations' paths, never the values
    expect(leads.statusCode).toBe(400);
    expect(JSON.parse(leads.body).errors.map((e: { path: string }) => e.path)).toEqual(['/email']);
    expect(legacy.statusCode).toBe(400);
    expect(JSON.parse(legacy.body).errors.map((e: { path: string }) => e.path).sort()).toEqual(['/email', '/score']);
    expect(leads.body + legacy.body).not.toContain('not-an-email');
    // AND the validators are the bundle's on-demand file, beside index.js
    expect(existsSync(join(__dirname, '..', '..', '..', 'dist', 'handlers', 'ingest', 'json-schema-validators.js'))).toBe(true);
  });

  test("applies the route's signing-secret overlap: with 0, a delivery signed with the replaced secret is rejected at once", async () => {
    // GIVEN a route with signingSecretOverlapSeconds 0 whose secret was just replaced (AWSPREVIOUS exists)
    // WHEN deliveries signed with the replaced and the current secret arrive
    // THEN only the current one is accepted
    expect((await post('/webhooks/github', push, signed(REPLACED_SECRET))).statusCode).toBe(401);
    expect((await post('/webhooks/github', push, signed(CURRENT_SECRET))).statusCode).toBe(202);
  });

  test('a signing secret under 32 bytes is a 503, logged and counted as signing_secret_invalid for the integration, and nothing is delivered', async () => {
    // GIVEN a route whose signing secret is 20 bytes
    // WHEN a delivery signed with it arrives
    const { result, lines } = await outputOf(() => post('/webhooks/forge', push, signed(SHORT_SECRET)));
    // THEN the sender is told to retry later
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('300');
    // AND the function logs the refusal, without the secret, and emits the signal for the integration
    expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: expect.stringMatching(/^signing secret refused: shorter than 32 bytes; /), integration: 'Forge' }));
    expect(JSON.stringify(lines)).not.toContain(SHORT_SECRET);
    const signal = lines.find((l) => 'signing_secret_invalid' in l);
    expect(signal).toEqual(expect.objectContaining({ Integration: 'Forge', signing_secret_invalid: 1 }));
    expect((signal!._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> }).CloudWatchMetrics[0]).toEqual(
      expect.objectContaining({ Namespace: 'CdkSecureIntegrations', Dimensions: [['Integration']] }),
    );
    // AND nothing reached the target
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: forgeQueueUrl, WaitTimeSeconds: 0 }));
    expect(out.Messages ?? []).toEqual([]);
  });
});
