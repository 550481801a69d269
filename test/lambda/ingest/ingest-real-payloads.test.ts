import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import Stripe from 'stripe';
import { githubWebhookSchema } from '../../../bin/example-schemas';
import { loadRoutes } from '../../../lambda/ingest/config';
import { ingest, IngestDependencies } from '../../../lambda/ingest/ingest';
import { clearSecretCache, signingSecrets } from '../../../lambda/ingest/signing-secrets';
import { convertSchemaForApiGateway, IngestConfig, IngestTargetKind, SignatureScheme } from '../../../lib';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { drainQueue } from '../../support/ingest-harness';

/**
 * The ingest function on real partner payloads: GitHub's published example deliveries signed by
 * GitHub's own library, and Stripe events signed with the stripe package's test-header helper,
 * forwarded to a real SQS API (moto_server).
 */
const sqs = new SQSClient(motoClientConfig());
const secretsManager = new SecretsManagerClient(motoClientConfig());
// GitHub's secret is any string the owner picks; Stripe's is `whsec_` and 32 characters. The
// ingest refuses signing secrets under 32 bytes.
const GITHUB_SECRET = 'github-webhook-secret-8d3f6a1c9e2b7f40d5a8';
const STRIPE_SECRET = 'whsec_Xq7vN2mK9pR4tW8yB3cF6hJ1lD5sG0zA';
const stripe = new Stripe('sk_test_not_a_real_key');

// eslint-disable-next-line @typescript-eslint/no-require-imports
const examples = require('@octokit/webhooks-examples') as Array<{ name: string; examples: Array<Record<string, unknown>> }>;
const githubSchema = convertSchemaForApiGateway(githubWebhookSchema, { owner: 'GitHubEvents', prop: 'inbound.bodySchema' }).schema;

/** Signs payloads with GitHub's library, in one child process for all of them. */
function githubSignAll(payloads: string[], secret = GITHUB_SECRET): string[] {
  return JSON.parse(execFileSync(process.execPath, [join(__dirname, '..', '..', 'support', 'github-sign.mjs'), secret], { input: JSON.stringify(payloads), encoding: 'utf8' }));
}
const githubSign = (payload: string, secret = GITHUB_SECRET) => githubSignAll([payload], secret)[0];

function event(resource: string, body: string, headers: Record<string, string>): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource,
    path: resource,
    headers,
    body,
    isBase64Encoded: false,
    requestContext: { requestId: uniqueName('req'), requestTimeEpoch: Date.now() },
  } as unknown as APIGatewayProxyEvent;
}

const warnings: Array<Record<string, unknown>> = [];
const silent = { info: () => undefined, warn: (_msg: string, extra: Record<string, unknown>) => void warnings.push(extra), error: () => undefined };

describe('ingest on real GitHub and Stripe deliveries', () => {
  let queueName: string;
  let queueUrl: string;
  let deps: IngestDependencies;

  beforeAll(async () => {
    queueName = uniqueName('webhooks');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const githubSecret = uniqueName('github/signing-secret');
    const stripeSecret = uniqueName('stripe/signing-secret');
    await secretsManager.send(new CreateSecretCommand({ Name: githubSecret, SecretString: GITHUB_SECRET }));
    await secretsManager.send(new CreateSecretCommand({ Name: stripeSecret, SecretString: STRIPE_SECRET }));
    const config: IngestConfig = {
      version: 1,
      routes: [
        {
          integration: 'GitHubEvents',
          method: 'POST',
          resourcePath: '/webhooks/github',
          schema: githubSchema as Record<string, unknown>,
          signature: SignatureScheme.githubHmacSha256().bind(),
          signingSecret: githubSecret,
          target: { kind: IngestTargetKind.SQS, address: queueName },
        },
        {
          integration: 'Payments',
          method: 'POST',
          resourcePath: '/webhooks/stripe',
          schema: { type: 'object', required: ['id', 'object', 'type', 'data'], properties: { object: { enum: ['event'] } } },
          signature: SignatureScheme.stripe().bind(),
          signingSecret: stripeSecret,
          target: { kind: IngestTargetKind.SQS, address: queueName },
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'ingest-real-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    deps = {
      routes: loadRoutes(join(dir, 'config.json'), {}),
      clients: { sqs, eventBridge: new EventBridgeClient(motoClientConfig()), lambda: new LambdaClient(motoClientConfig()) },
      secretsFor: (id, overlapSeconds) => signingSecrets(secretsManager, id, overlapSeconds),
      log: silent,
    };
  });
  beforeEach(() => clearSecretCache());

  const drain = () => drainQueue(sqs, queueUrl);

  test.each(['push', 'pull_request', 'issues'])('GitHub %s deliveries signed by @octokit/webhooks-methods are accepted and queued', async (name) => {
    const payloads = examples.find((e) => e.name === name)!.examples;
    // GitHub's examples that its own published schema accepts (some lag behind the schema).
    const accepted: string[] = [];
    const bodies = payloads.map((p) => JSON.stringify(p));
    const signatures = githubSignAll(bodies);
    for (const [i, body] of bodies.entries()) {
      const res = await ingest(event('/webhooks/github', body, { 'X-Hub-Signature-256': signatures[i], 'X-GitHub-Event': name }), deps);
      expect([202, 400]).toContain(res.statusCode);
      if (res.statusCode === 202) accepted.push(body);
    }
    expect(accepted.length).toBeGreaterThan(0);
    const queued = await drain();
    expect(queued.map((r) => JSON.stringify(r.body))).toEqual(accepted);
  });

  test('tampered, wrongly signed, unsigned, non-JSON and schema-invalid GitHub deliveries are rejected and never forwarded', async () => {
    const body = JSON.stringify(examples.find((e) => e.name === 'push')!.examples.at(-1));
    const tampered = body.replace('"ref":"', '"ref":"x');
    const cases: Array<[string, Record<string, string>, number]> = [
      [tampered, { 'X-Hub-Signature-256': githubSign(body) }, 401],
      [body, { 'X-Hub-Signature-256': githubSign(body, 'github-webhook-secret-not-the-one-configured') }, 401],
      [body, {}, 401],
      ['{"ref": "refs/heads/main"', { 'X-Hub-Signature-256': githubSign('{"ref": "refs/heads/main"') }, 400],
      ['{"zen": 42}', { 'X-Hub-Signature-256': githubSign('{"zen": 42}') }, 400],
    ];
    for (const [payload, headers, status] of cases) {
      expect((await ingest(event('/webhooks/github', payload, headers), deps)).statusCode).toBe(status);
    }
    expect(await drain()).toEqual([]);
  });

  test('Stripe events signed with stripe.webhooks.generateTestHeaderString are accepted; stale or wrongly signed ones are not', async () => {
    const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', customer_email: 'a@example.com' } } });
    const now = Math.floor(Date.now() / 1000);
    const header = (secret: string, timestamp: number) => stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
    expect((await ingest(event('/webhooks/stripe', payload, { 'Stripe-Signature': header(STRIPE_SECRET, now) }), deps)).statusCode).toBe(202);
    const stale = await ingest(event('/webhooks/stripe', payload, { 'Stripe-Signature': header(STRIPE_SECRET, now - 600) }), deps);
    expect(stale.statusCode).toBe(401);
    expect(warnings.at(-1)?.reason).toBe('timestamp-out-of-tolerance');
    expect((await ingest(event('/webhooks/stripe', payload, { 'Stripe-Signature': header('whsec_Lm4pQ8sT2vX6zB0dF3hK7nR1wY5cG9jE', now) }), deps)).statusCode).toBe(401);
    const queued = await drain();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toEqual(expect.objectContaining({ integration: 'Payments', body: JSON.parse(payload) }));
  });

  test('when the queue is unavailable the sender gets a 5xx, and its retry is delivered once the queue is back', async () => {
    const payload = JSON.stringify({ id: 'evt_2', object: 'event', type: 'invoice.paid', data: { object: {} } });
    const signed = () => ({ 'Stripe-Signature': stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }) });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    const failed = await ingest(event('/webhooks/stripe', payload, signed()), deps);
    expect(failed.statusCode).toBe(502);
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const retried = await ingest(event('/webhooks/stripe', payload, signed()), deps);
    expect(retried.statusCode).toBe(202);
    expect((await drain()).map((r) => (r.body as { id: string }).id)).toEqual(['evt_2']);
  });
});
