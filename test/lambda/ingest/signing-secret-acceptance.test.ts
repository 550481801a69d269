import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { loadRoutes } from '../../../lambda/ingest/config';
import { ingest, IngestDependencies } from '../../../lambda/ingest/ingest';
import { clearSecretCache, SECRET_CACHE_MS, signingSecrets } from '../../../lambda/ingest/signing-secrets';
import { IngestConfig, IngestTargetKind, SignatureScheme } from '../../../lib';
import { motoClientConfig, uniqueName } from '../../support/aws-env';

/**
 * Which signing secrets verify a webhook at the ingest, against moto_server's Secrets Manager (real
 * version stages, and the CreatedDate of each version): AWSPREVIOUS only within the route's overlap
 * after the AWSCURRENT version was created, and no secret shorter than 32 bytes (RFC 2104 section 3).
 *
 * moto stamps CreatedDate with the wall clock, so every test reads it back and moves the ingest's
 * clock (the `now` that `secretsFor` passes to `signingSecrets`) relative to it.
 */
const sqs = new SQSClient(motoClientConfig());
const secretsManager = new SecretsManagerClient(motoClientConfig());

// GitHub webhook secrets are any string the repository owner picks.
const OLD_SECRET = 'gh-whk-old-5f2a9c7e1b3d8046a2c9e7f1b5d3a8c0';
const NEW_SECRET = 'gh-whk-new-8b1e4d7a0c3f6925e8b4d1a7c0f3e692';
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

const body = JSON.stringify({ ref: 'refs/heads/main', after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246' });
const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const delivery = (signedWith: string): APIGatewayProxyEvent =>
  ({
    httpMethod: 'POST',
    resource: '/webhooks/github',
    path: '/webhooks/github',
    headers: { 'X-Hub-Signature-256': sign(signedWith), 'X-GitHub-Event': 'push' },
    body,
    isBase64Encoded: false,
    requestContext: { requestId: uniqueName('req'), requestTimeEpoch: Date.now() },
  }) as unknown as APIGatewayProxyEvent;

/** Replaces the secret's value as a person would (PutSecretValue), and answers the new AWSCURRENT version's CreatedDate in ms. */
async function replaceSecret(secretId: string, value: string): Promise<number> {
  await secretsManager.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
  const current = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  expect(current.SecretString).toBe(value);
  return current.CreatedDate!.getTime();
}

/** A GitHub webhook route on the ingest, with its own signing secret (holding `secret`) and its own queue. */
async function githubWebhook(secret: string, route: { signingSecretOverlapSeconds?: number } = {}) {
  const secretName = uniqueName('integrations/github/signing-secret');
  await secretsManager.send(new CreateSecretCommand({ Name: secretName, SecretString: secret }));
  const queueName = uniqueName('github-events');
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
  const config: IngestConfig = {
    version: 1,
    routes: [
      {
        integration: 'GitHub',
        method: 'POST',
        resourcePath: '/webhooks/github',
        signature: SignatureScheme.githubHmacSha256().bind(),
        signingSecret: secretName,
        ...route,
        target: { kind: IngestTargetKind.SQS, address: queueName },
      },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), 'signing-secret-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const clock = { now: Date.now() };
  const logs: Array<{ level: string; msg: string; extra: Record<string, unknown> }> = [];
  const emitSigningSecretInvalid = jest.fn<void, [string]>();
  const deps: IngestDependencies = {
    routes: loadRoutes(join(dir, 'config.json'), {}),
    clients: { sqs, eventBridge: new EventBridgeClient(motoClientConfig()), lambda: new LambdaClient(motoClientConfig()) },
    // As the function does (index.ts), with the test's clock in place of Date.now().
    secretsFor: (id, overlapSeconds) => signingSecrets(secretsManager, id, overlapSeconds, clock.now),
    log: {
      info: (msg, extra) => logs.push({ level: 'info', msg, extra }),
      warn: (msg, extra) => logs.push({ level: 'warn', msg, extra }),
      error: (msg, extra) => logs.push({ level: 'error', msg, extra }),
    },
    emitSigningSecretInvalid,
  };
  /** The status the ingest answers, at `at` (ms), to a delivery signed with `signedWith`, as a fresh container would see it. */
  const statusAt = async (at: number, signedWith: string) => {
    clearSecretCache();
    clock.now = at;
    return (await ingest(delivery(signedWith), deps)).statusCode;
  };
  const queued = async () => {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    return out.Messages ?? [];
  };
  return { secretName, deps, logs, emitSigningSecretInvalid, statusAt, queued };
}

beforeEach(() => clearSecretCache());

describe('the previous signing secret verifies only within the overlap after the current one was created', () => {
  test('a delivery signed with the replaced secret is accepted until 24 h after the new version was created, then rejected', async () => {
    // GIVEN a webhook route with the default overlap, whose signing secret was replaced
    const webhook = await githubWebhook(OLD_SECRET);
    const createdAt = await replaceSecret(webhook.secretName, NEW_SECRET);

    // WHEN the sender, not switched yet, signs with the replaced secret
    // THEN it is accepted and delivered up to the last millisecond of the overlap
    expect(await webhook.statusAt(createdAt + DAY_MS - 1, OLD_SECRET)).toBe(202);
    expect(await webhook.queued()).toHaveLength(1);
    // AND rejected from the end of the overlap on, while the new secret still verifies
    expect(await webhook.statusAt(createdAt + DAY_MS, OLD_SECRET)).toBe(401);
    expect(webhook.logs.at(-1)).toEqual(expect.objectContaining({ msg: 'webhook signature rejected', extra: expect.objectContaining({ reason: 'mismatch' }) }));
    expect(await webhook.statusAt(createdAt + 30 * DAY_MS, OLD_SECRET)).toBe(401);
    expect(await webhook.statusAt(createdAt + 30 * DAY_MS, NEW_SECRET)).toBe(202);
    expect(await webhook.queued()).toHaveLength(1);
  });

  test('with an overlap of 0 the replaced secret never verifies, not even at the instant the new one was created', async () => {
    // GIVEN a webhook route with no overlap, whose signing secret was replaced
    const webhook = await githubWebhook(OLD_SECRET, { signingSecretOverlapSeconds: 0 });
    const createdAt = await replaceSecret(webhook.secretName, NEW_SECRET);

    // WHEN deliveries signed with the replaced secret arrive at the new version's creation and now
    // THEN each is rejected, and only the new secret verifies
    expect(await webhook.statusAt(createdAt, OLD_SECRET)).toBe(401);
    expect(await webhook.statusAt(Date.now(), OLD_SECRET)).toBe(401);
    expect(await webhook.statusAt(createdAt, NEW_SECRET)).toBe(202);
  });

  test("the route's configured overlap is the one applied, not the 24 h default", async () => {
    // GIVEN a webhook route configured with a one-hour overlap, whose signing secret was replaced
    const webhook = await githubWebhook(OLD_SECRET, { signingSecretOverlapSeconds: 3600 });
    const createdAt = await replaceSecret(webhook.secretName, NEW_SECRET);

    // WHEN deliveries signed with the replaced secret arrive just before and at one hour after
    // THEN the first is accepted and the second rejected, well inside the default 24 h
    expect(await webhook.statusAt(createdAt + HOUR_MS - 1, OLD_SECRET)).toBe(202);
    expect(await webhook.statusAt(createdAt + HOUR_MS, OLD_SECRET)).toBe(401);
    expect(await webhook.statusAt(createdAt + HOUR_MS, NEW_SECRET)).toBe(202);
  });

  test('a cached secret still stops verifying when the overlap ends, without waiting for the cache to expire', async () => {
    // GIVEN a signing secret replaced an hour's overlap ago, read once within the overlap
    const secretName = uniqueName('integrations/github/signing-secret');
    await secretsManager.send(new CreateSecretCommand({ Name: secretName, SecretString: OLD_SECRET }));
    const createdAt = await replaceSecret(secretName, NEW_SECRET);
    const client = new SecretsManagerClient(motoClientConfig());
    let reads = 0;
    client.middlewareStack.add(
      (next) => (args) => {
        reads += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countSecretReads' },
    );
    const fetchedAt = createdAt + HOUR_MS - 60_000;
    expect((await signingSecrets(client, secretName, 3600, fetchedAt)).values).toEqual([NEW_SECRET, OLD_SECRET]);
    const readsWhenFetched = reads;

    // WHEN it is asked for again past the overlap but within the cache's lifetime
    const pastOverlap = createdAt + HOUR_MS + 1;
    expect(pastOverlap - fetchedAt).toBeLessThan(SECRET_CACHE_MS);
    const cached = await signingSecrets(client, secretName, 3600, pastOverlap);

    // THEN the answer came from the cache and no longer holds the previous secret
    expect(reads).toBe(readsWhenFetched);
    expect(cached).toEqual({ values: [NEW_SECRET], tooShort: [] });
  });
});

describe('a signing secret shorter than 32 bytes is refused', () => {
  test('a short AWSCURRENT answers 503 with Retry-After, logs, signals, and delivers nothing, even for a request it signed', async () => {
    // GIVEN a webhook route whose signing secret is 31 bytes
    const shortSecret = 'gh-whk-31-bytes-9c41f0b27e5d8a6';
    expect(Buffer.byteLength(shortSecret)).toBe(31);
    const webhook = await githubWebhook(shortSecret);

    // WHEN a delivery signed with that secret arrives
    const res = await ingest(delivery(shortSecret), webhook.deps);

    // THEN the sender is told to retry later (our configuration is at fault, not its request)
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('300');
    // AND the fault is logged and signalled for the integration, without the secret
    expect(webhook.logs).toContainEqual({
      level: 'error',
      msg: expect.stringMatching(/^signing secret refused: shorter than 32 bytes; /),
      extra: expect.objectContaining({ integration: 'GitHub', versions: ['AWSCURRENT'] }),
    });
    expect(JSON.stringify(webhook.logs)).not.toContain(shortSecret);
    expect(webhook.emitSigningSecretInvalid).toHaveBeenCalledWith('GitHub');
    // AND nothing reached the target
    expect(await webhook.queued()).toEqual([]);
  });

  test('a short AWSPREVIOUS is dropped within the overlap while a 32-byte AWSCURRENT still verifies', async () => {
    // GIVEN a signing secret that was 20 bytes, replaced within the overlap by one of exactly 32 bytes
    const shortSecret = 'gh-whk-20-bytes-only';
    const fullSecret = 'gh-whk-32-bytes-7c2e9a4f1b8d06e3';
    expect([Buffer.byteLength(shortSecret), Buffer.byteLength(fullSecret)]).toEqual([20, 32]);
    const webhook = await githubWebhook(shortSecret);
    const createdAt = await replaceSecret(webhook.secretName, fullSecret);

    // WHEN deliveries signed with each arrive within the overlap
    // THEN the current one is accepted and the short previous one is not
    expect(await webhook.statusAt(createdAt + HOUR_MS, fullSecret)).toBe(202);
    expect(await webhook.statusAt(createdAt + HOUR_MS, shortSecret)).toBe(401);
    expect(await webhook.queued()).toHaveLength(1);
    // AND the dropped version is logged and signalled
    expect(webhook.logs).toContainEqual({
      level: 'error',
      msg: expect.stringMatching(/^signing secret refused: shorter than 32 bytes; /),
      extra: expect.objectContaining({ integration: 'GitHub', versions: ['AWSPREVIOUS'] }),
    });
    expect(webhook.emitSigningSecretInvalid).toHaveBeenCalledWith('GitHub');
  });
});
