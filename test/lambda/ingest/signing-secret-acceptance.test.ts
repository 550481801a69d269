import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { loadRoutes } from '../../../lambda/ingest/config';
import { ingest, IngestDependencies } from '../../../lambda/ingest/ingest';
import { clearSecretCache, minimumKeyBytes, refusalReason, SECRET_CACHE_MS, signingSecrets } from '../../../lambda/ingest/signing-secrets';
import { IngestConfig, IngestTargetKind, SecretEncoding, SignatureScheme } from '../../../lib';
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

/**
 * A Secrets Manager holding one secret's AWSCURRENT and AWSPREVIOUS versions in memory, answering
 * GetSecretValue as AWS does (ResourceNotFoundException for a stage no version has), or with
 * `failure` for the stages it names: the errors moto_server cannot be made to answer.
 */
function inMemorySecretsManager(versions: { current?: { SecretString?: string; CreatedDate?: Date }; previous?: { SecretString?: string } }) {
  const requests: Array<{ SecretId?: string; VersionStage?: string }> = [];
  const failures = new Map<string, Error>();
  const client = {
    send: async (command: GetSecretValueCommand) => {
      requests.push(command.input);
      const stage = command.input.VersionStage!;
      const failure = failures.get(stage);
      if (failure) throw failure;
      const version = stage === 'AWSCURRENT' ? versions.current : stage === 'AWSPREVIOUS' ? versions.previous : undefined;
      if (!version) throw new ResourceNotFoundException({ $metadata: { httpStatusCode: 400 }, message: "Secrets Manager can't find the specified secret value for staging label: " + stage });
      return { ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${command.input.SecretId}-AbCdEf`, VersionStages: [stage], ...version };
    },
  };
  return { client: client as unknown as SecretsManagerClient, requests, failures };
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });

describe('reading the signing secrets (Secrets Manager errors, the cache, refused keys)', () => {
  const created = new Date('2026-11-30T12:00:00Z');
  const at = (ms: number) => created.getTime() + ms;

  test('AWSCURRENT, then AWSPREVIOUS, are read by the route\'s secret id; within the overlap both verify, current first', async () => {
    const sm = inMemorySecretsManager({ current: { SecretString: NEW_SECRET, CreatedDate: created }, previous: { SecretString: OLD_SECRET } });
    expect(await signingSecrets(sm.client, 'integrations/github', 3600, at(HOUR_MS - 1))).toEqual({ values: [NEW_SECRET, OLD_SECRET], tooShort: [] });
    expect(sm.requests).toEqual([
      { SecretId: 'integrations/github', VersionStage: 'AWSCURRENT' },
      { SecretId: 'integrations/github', VersionStage: 'AWSPREVIOUS' },
    ]);
  });

  test('without a route overlap, AWSPREVIOUS verifies for 24 hours after AWSCURRENT was created', async () => {
    const sm = inMemorySecretsManager({ current: { SecretString: NEW_SECRET, CreatedDate: created }, previous: { SecretString: OLD_SECRET } });
    expect((await signingSecrets(sm.client, 'github-default', undefined, at(DAY_MS - 1))).values).toEqual([NEW_SECRET, OLD_SECRET]);
    expect((await signingSecrets(sm.client, 'github-default', undefined, at(DAY_MS))).values).toEqual([NEW_SECRET]);
  });

  test('a secret never changed (no AWSPREVIOUS version: ResourceNotFoundException) verifies with its current value alone', async () => {
    const sm = inMemorySecretsManager({ current: { SecretString: NEW_SECRET, CreatedDate: created } });
    expect(await signingSecrets(sm.client, 'never-rotated', 3600, at(1))).toEqual({ values: [NEW_SECRET], tooShort: [] });
  });

  test.each([
    ['throttled', () => awsError('ThrottlingException', 'Rate exceeded')],
    ['denied', () => awsError('AccessDeniedException', 'User is not authorized to perform: secretsmanager:GetSecretValue')],
  ])('reading AWSPREVIOUS %s is an error, never taken for "no previous version", and nothing is cached', async (_what, error) => {
    const sm = inMemorySecretsManager({ current: { SecretString: NEW_SECRET, CreatedDate: created }, previous: { SecretString: OLD_SECRET } });
    const failure = error();
    sm.failures.set('AWSPREVIOUS', failure);
    await expect(signingSecrets(sm.client, 'previous-fails', 3600, at(1))).rejects.toBe(failure);
    // The next request reads the secret again, and gets both values once Secrets Manager answers.
    sm.failures.clear();
    expect((await signingSecrets(sm.client, 'previous-fails', 3600, at(2))).values).toEqual([NEW_SECRET, OLD_SECRET]);
  });

  test('reading AWSCURRENT failing is an error (the ingest answers 500 and the sender retries)', async () => {
    const sm = inMemorySecretsManager({ current: { SecretString: NEW_SECRET, CreatedDate: created } });
    const failure = awsError('DecryptionFailure', "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
    sm.failures.set('AWSCURRENT', failure);
    await expect(signingSecrets(sm.client, 'current-fails', 3600, at(1))).rejects.toBe(failure);
  });

  test('an AWSPREVIOUS equal to AWSCURRENT (a value put again unchanged) is listed once', async () => {
    const sm = inMemorySecretsManager({ current: { SecretString: NEW_SECRET, CreatedDate: created }, previous: { SecretString: NEW_SECRET } });
    expect((await signingSecrets(sm.client, 'same-twice', 3600, at(1))).values).toEqual([NEW_SECRET]);
  });

  test('a binary AWSPREVIOUS (no SecretString) verifies nothing', async () => {
    const sm = inMemorySecretsManager({ current: { SecretString: NEW_SECRET, CreatedDate: created }, previous: {} });
    expect(await signingSecrets(sm.client, 'binary-previous', 3600, at(1))).toEqual({ values: [NEW_SECRET], tooShort: [] });
  });

  test('a binary AWSCURRENT (no SecretString) is refused as too short, never used as an empty key', async () => {
    const sm = inMemorySecretsManager({ current: { CreatedDate: created } });
    expect(await signingSecrets(sm.client, 'binary-current', 3600, at(1))).toEqual({ values: [], tooShort: ['AWSCURRENT'] });
  });

  test('a current version without a CreatedDate gives the previous value no overlap', async () => {
    const sm = inMemorySecretsManager({ current: { SecretString: NEW_SECRET }, previous: { SecretString: OLD_SECRET } });
    expect((await signingSecrets(sm.client, 'no-created-date', 3600, at(1))).values).toEqual([NEW_SECRET]);
  });

  test(`a secret is cached for ${SECRET_CACHE_MS} ms from when it was read, per secret id`, async () => {
    const sm = inMemorySecretsManager({ current: { SecretString: NEW_SECRET, CreatedDate: created } });
    const fetchedAt = at(1);
    await signingSecrets(sm.client, 'cached-a', 3600, fetchedAt);
    await signingSecrets(sm.client, 'cached-a', 3600, fetchedAt + SECRET_CACHE_MS - 1);
    expect(sm.requests).toHaveLength(2);
    // Another secret is read for itself.
    await signingSecrets(sm.client, 'cached-b', 3600, fetchedAt + 1);
    expect(sm.requests.slice(2).map((r) => r.SecretId)).toEqual(['cached-b', 'cached-b']);
    // Once the cache time has passed, the secret is read again (a new value takes effect within it).
    await signingSecrets(sm.client, 'cached-a', 3600, fetchedAt + SECRET_CACHE_MS);
    expect(sm.requests.slice(4).map((r) => r.SecretId)).toEqual(['cached-a', 'cached-a']);
  });

  test('a Standard Webhooks secret (whsec_ base64) needs 24 decoded key bytes, not 32; one not in padded base64 is refused', async () => {
    const whsec = (bytes: number) => `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;
    const read = async (secret: string) => signingSecrets(inMemorySecretsManager({ current: { SecretString: secret, CreatedDate: created } }).client, uniqueName('whsec'), 3600, at(1), SecretEncoding.WHSEC_BASE64);
    expect(await read(whsec(24))).toEqual({ values: [whsec(24)], tooShort: [] });
    expect(await read(whsec(23))).toEqual({ values: [], tooShort: ['AWSCURRENT'] });
    expect(await read(whsec(25))).toEqual({ values: [whsec(25)], tooShort: [] });
    expect(whsec(25)).toMatch(/==$/);
    expect(await read(whsec(25).replace(/=+$/, ''))).toEqual({ values: [], tooShort: ['AWSCURRENT'] });
    // The same text read as UTF-8 (Stripe's whsec_ secrets are text) is judged by its 32-byte length.
    expect(minimumKeyBytes(SecretEncoding.WHSEC_BASE64)).toBe(24);
    expect(minimumKeyBytes(SecretEncoding.UTF8)).toBe(32);
    expect(minimumKeyBytes(undefined)).toBe(32);
  });

  test('why a secret was refused, as the log says it', () => {
    expect(refusalReason(SecretEncoding.WHSEC_BASE64)).toBe('not whsec_ base64 of at least 24 key bytes');
    expect(refusalReason(SecretEncoding.UTF8)).toBe('shorter than 32 bytes');
    expect(refusalReason(undefined)).toBe('shorter than 32 bytes');
  });
});
