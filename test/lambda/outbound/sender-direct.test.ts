// The outbound sender in direct mode (issue 16), end to end: records put on a real queue by
// sendOutbound (moto SQS), signing secrets in moto Secrets Manager, PII fields under a moto KMS
// key, and a partner on a real HTTPS server on 127.0.0.1 with a certificate of a throwaway CA.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Agent } from 'node:https';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type ChangeMessageVisibilityCommandInput, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import type { ResolvedOutboundConfig } from '../../../lambda/outbound/config';
import { processBatch, type SenderDependencies } from '../../../lambda/outbound/send';
import { clearSecretCache } from '../../../lambda/ingest/signing-secrets';
import { signingSecretsFor } from '../../../lambda/outbound/sign';
import { decryptFields, encryptFields, isEncryptedField } from '../../../lambda/shared/field-encryption';
import { sendOutbound } from '../../../lambda/shared/outbound';
import { RejectionCause } from '../../../lib/observability/signal-names';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { makeCertificates, removeCertificates, type TestCertificates, TestPartner, trustingAgent } from '../../support/https-partner';
import { recordingLog } from '../../support/ingest-harness';
import { createQueue, directConfig, eventOf, receiveAll, recordingSignals, recordOf, type TestQueue } from '../../support/outbound-harness';

const githubVerify = (secret: string, payload: string, signature: string): boolean =>
  JSON.parse(execFileSync(process.execPath, [join(__dirname, '..', '..', 'support', 'github-verify.mjs'), secret], { input: JSON.stringify([[payload, signature]]), encoding: 'utf8' }))[0];

const HMAC_SECRET = 'partner-orders-hmac-3b9e7a1c5d2f8e40b6a9';
const WHSEC = `whsec_${Buffer.from('outbound-test-key-24-byt').toString('base64')}`;
// The producer's X-Ray trace (a function calling sendOutbound) and the sender's own invocation.
const PRODUCER_XRAY = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const SENDER_XRAY = 'Root=1-6a1b2c3d-00112233445566778899aabb;Parent=0123456789abcdef;Sampled=1;Lineage=1a2b3c4d:1';
const PRODUCER_TRACE_ID = '5759e988bd862e3fe1be46a994272793';

describe('the outbound sender calls the partner directly', () => {
  const sqs = new SQSClient(motoClientConfig());
  const kms = new KMSClient(motoClientConfig());
  const secretsManager = new SecretsManagerClient(motoClientConfig());
  const visibilityChanges: ChangeMessageVisibilityCommandInput[] = [];
  let certificates: TestCertificates;
  let agent: Agent;
  let partner: TestPartner;
  let elsewhere: TestPartner;
  let source: TestQueue;
  let dlq: TestQueue;
  let keyId: string;
  let hmacSecretArn: string;
  let whsecArn: string;
  const savedTrace = process.env._X_AMZN_TRACE_ID;

  beforeAll(async () => {
    certificates = makeCertificates();
    agent = trustingAgent(certificates);
    [partner, elsewhere] = await Promise.all([TestPartner.start(certificates), TestPartner.start(certificates)]);
    [source, dlq] = await Promise.all([createQueue(sqs, 'outbound-src'), createQueue(sqs, 'outbound-dlq')]);
    keyId = (await kms.send(new CreateKeyCommand({ Description: 'platform key' }))).KeyMetadata!.Arn!;
    hmacSecretArn = (await secretsManager.send(new CreateSecretCommand({ Name: uniqueName('outbound/hmac'), SecretString: HMAC_SECRET }))).ARN!;
    whsecArn = (await secretsManager.send(new CreateSecretCommand({ Name: uniqueName('outbound/whsec'), SecretString: WHSEC }))).ARN!;
    // What the sender asks SQS to do with a record it reports back.
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ChangeMessageVisibilityCommand') visibilityChanges.push(args.input as ChangeMessageVisibilityCommandInput);
        return next(args);
      },
      { step: 'initialize', name: 'recordVisibilityChanges' },
    );
  });

  afterAll(async () => {
    agent.destroy();
    await Promise.all([partner?.close(), elsewhere?.close()]);
    removeCertificates(certificates);
    process.env._X_AMZN_TRACE_ID = savedTrace;
  });

  let recorded: ReturnType<typeof recordingSignals>;
  let log: ReturnType<typeof recordingLog>;
  beforeEach(async () => {
    partner.reset();
    elsewhere.reset();
    visibilityChanges.length = 0;
    clearSecretCache();
    recorded = recordingSignals();
    log = recordingLog();
    // Whatever an earlier test left behind.
    await receiveAll(sqs, source.url);
    await receiveAll(sqs, dlq.url);
  });

  const deps = (config: Partial<ResolvedOutboundConfig> = {}, extra: Partial<SenderDependencies> = {}): SenderDependencies => ({
    config: directConfig(`${partner.url}/orders`, dlq.url, config),
    sqs,
    kms,
    fieldKeyId: keyId,
    signingSecrets: (id, kind) => signingSecretsFor(secretsManager, id, kind),
    agent,
    signals: recorded.signals,
    log: log.log,
    xrayTraceHeader: () => SENDER_XRAY,
    ...extra,
  });

  /** Puts payloads on the source queue as a producer would (sendOutbound, inside a traced function), and receives them as the event source does. */
  const produceTo = async (queue: TestQueue, ...payloads: unknown[]): Promise<SQSEvent> => {
    process.env._X_AMZN_TRACE_ID = PRODUCER_XRAY;
    try {
      for (const payload of payloads) await sendOutbound('PartnerOrders', payload, { sqs, queueUrl: queue.url });
    } finally {
      process.env._X_AMZN_TRACE_ID = savedTrace;
    }
    const event = await eventOf(sqs, queue);
    expect(event.Records).toHaveLength(payloads.length);
    return event;
  };
  const produce = (...payloads: unknown[]) => produceTo(source, ...payloads);

  /** The dead-lettered records: body and attributes. */
  const deadLetters = async (): Promise<Array<Record<string, string | undefined>>> =>
    (await receiveAll(sqs, dlq.url)).map((m) => ({
      body: m.Body,
      ...Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
    }));

  const order = { orderId: 'PO-1001', customer: { name: 'Ada Lovelace', email: 'ada@example.com' }, lines: [{ sku: 'A-1', quantity: 2 }] };

  test("standard-webhooks: the partner gets the payload, signed as the reference library verifies it, with the producer's trace continued, X-Amzn-Trace-Id and the record's idempotency key (sendOutbound's UUID) as Idempotency-Key and webhook-id", async () => {
    const event = await produce(order);
    const messageId = JSON.parse(event.Records[0].body).idempotencyKey as string;
    expect(messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(messageId).not.toBe(event.Records[0].messageId);
    const result = await processBatch(event, deps({ signing: { kind: 'standard-webhooks', secretArn: whsecArn, header: 'X-Hub-Signature-256' }, headers: { 'X-Partner-Account': 'acme-42' } }));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(partner.requests).toHaveLength(1);
    const [received] = partner.requests;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/orders');
    expect(JSON.parse(received.body)).toEqual(order);
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers['x-partner-account']).toBe('acme-42');
    expect(received.headers['idempotency-key']).toBe(messageId);
    expect(received.headers['webhook-id']).toBe(messageId);
    // Verified as the partner would, with the reference library.
    expect(new Webhook(WHSEC).verify(received.body, received.headers as Record<string, string>)).toEqual(order);
    // The producer's trace, continued with a span of the sender's.
    const [, traceId, parentId, flags] = (received.headers.traceparent as string).split('-');
    expect(traceId).toBe(PRODUCER_TRACE_ID);
    expect(parentId).toMatch(/^[0-9a-f]{16}$/);
    expect(parentId).not.toBe('53995c3f42cd8ad8');
    expect(flags).toBe('01');
    // The sender's X-Ray trace (its own invocation), without Lineage.
    expect(received.headers['x-amzn-trace-id']).toBe('Root=1-6a1b2c3d-00112233445566778899aabb;Parent=0123456789abcdef;Sampled=1');
    // One call counted, with its success time for last_successful_sync.
    expect(recorded.calls).toEqual([expect.objectContaining({ integration: 'PartnerOrders', status: 200, latencyMs: expect.any(Number), at: expect.any(Date) })]);
    // The log names the record and its outcome, never the payload, the secret or the signature.
    expect(log.logs).toEqual([expect.objectContaining({ level: 'info', msg: 'delivered', extra: expect.objectContaining({ integration: 'PartnerOrders', messageId: event.Records[0].messageId, outcome: 'delivered', status: 200, attempt: 1, traceparent: received.headers.traceparent }) })]);
    const logged = JSON.stringify(log.logs);
    for (const secretOrData of ['ada@example.com', 'Ada Lovelace', WHSEC, received.headers['webhook-signature'] as string]) expect(logged).not.toContain(secretOrData);
  });

  test('standard-webhooks after a rotation: the request carries a signature under each secret, so the partner verifies with the old one or the new one', async () => {
    const rotatedArn = (await secretsManager.send(new CreateSecretCommand({ Name: uniqueName('outbound/rotated'), SecretString: WHSEC }))).ARN!;
    const next = `whsec_${Buffer.alloc(33, 5).toString('base64')}`;
    await secretsManager.send(new PutSecretValueCommand({ SecretId: rotatedArn, SecretString: next }));
    const event = await produce(order);
    await processBatch(event, deps({ signing: { kind: 'standard-webhooks', secretArn: rotatedArn, header: 'unused' } }));
    const [received] = partner.requests;
    expect((received.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    for (const secret of [WHSEC, next]) expect(new Webhook(secret).verify(received.body, received.headers as Record<string, string>)).toEqual(order);
  });

  test("hmac-sha256: `sha256=<hex>` in the configured header, as GitHub's library verifies it", async () => {
    const event = await produce(order);
    await processBatch(event, deps({ signing: { kind: 'hmac-sha256', secretArn: hmacSecretArn, header: 'X-Partner-Signature' } }));
    const [received] = partner.requests;
    const signature = received.headers['x-partner-signature'] as string;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(githubVerify(HMAC_SECRET, received.body, signature)).toBe(true);
    expect(githubVerify(HMAC_SECRET, received.body.replace('PO-1001', 'PO-1002'), signature)).toBe(false);
  });

  test('a 5xx is retried: the record is a batch item failure, invisible for the backoff (30 s), not the queue\'s 1 s; the other records of the batch are delivered', async () => {
    partner.answer = (req) => (JSON.parse(req.body).orderId === 'PO-fail' ? { status: 503 } : { status: 201 });
    // A queue of its own whose visibility timeout is 1 s: a record still invisible after that was given the sender's backoff.
    const queue = await createQueue(sqs, 'outbound-backoff', 1);
    const event = await produceTo(queue, { orderId: 'PO-ok' }, { orderId: 'PO-fail' });
    const failing = event.Records.find((r) => r.body.includes('PO-fail'))!;
    const result = await processBatch(event, deps());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
    expect(visibilityChanges).toEqual([{ QueueUrl: queue.url, ReceiptHandle: failing.receiptHandle, VisibilityTimeout: 30 }]);
    expect(recorded.calls.map((c) => c.status).sort()).toEqual([201, 503]);
    // Past the queue's own visibility timeout the failed record is still held back by the sender's
    // backoff, while the delivered one (which the event source would have deleted) is back.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await receiveAll(sqs, queue.url)).map((m) => m.MessageId)).toEqual(event.Records.filter((r) => r !== failing).map((r) => r.messageId));
    const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
    expect(Number(attributes.ApproximateNumberOfMessagesNotVisible)).toBe(2);
    expect(await deadLetters()).toEqual([]);
    expect(log.logs.find((l) => l.extra.outcome === 'retry')?.extra).toEqual(expect.objectContaining({ status: 503, visibilityTimeoutSeconds: 30, attempt: 1, why: 'HTTP 503' }));
  });

  test('the backoff follows the receive count, and a 429\'s Retry-After lengthens it; the last attempt is reported like any other (SQS\'s redrive dead-letters it)', async () => {
    partner.answer = () => ({ status: 429, headers: { 'retry-after': '900' } });
    const [first] = (await produce({ orderId: 'PO-429' })).Records;
    const third = { ...first, attributes: { ...first.attributes, ApproximateReceiveCount: '3' } };
    expect((await processBatch({ Records: [third] }, deps())).batchItemFailures).toHaveLength(1);
    partner.answer = () => ({ status: 500 });
    const last = { ...first, attributes: { ...first.attributes, ApproximateReceiveCount: '30' } };
    expect((await processBatch({ Records: [last] }, deps())).batchItemFailures).toEqual([{ itemIdentifier: first.messageId }]);
    partner.answer = () => ({ status: 502 });
    expect((await processBatch({ Records: [third] }, deps())).batchItemFailures).toHaveLength(1);
    expect(visibilityChanges.map((c) => c.VisibilityTimeout)).toEqual([900, 3600, 120]);
    expect(await deadLetters()).toEqual([]);
    expect(recorded.calls.map((c) => c.status)).toEqual([429, 500, 502]);
  });

  test('408 and 425 are retried too', async () => {
    for (const status of [408, 425]) {
      partner.answer = () => ({ status });
      const event = await produce({ orderId: `PO-${status}` });
      expect((await processBatch(event, deps())).batchItemFailures).toHaveLength(1);
    }
    expect(await deadLetters()).toEqual([]);
  });

  test('a partner that does not answer within timeoutMs is retried; the call is counted as an error', async () => {
    partner.answer = () => ({ status: 200, delayMs: 3_000 });
    const event = await produce({ orderId: 'PO-slow' });
    const started = Date.now();
    const result = await processBatch(event, deps({ timeoutMs: 300 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0].messageId }]);
    expect(visibilityChanges).toHaveLength(1);
    expect(recorded.calls).toEqual([expect.objectContaining({ status: undefined })]);
    expect(recorded.calls[0].latencyMs).toBeGreaterThanOrEqual(250);
  });

  test('a 400 is dead-lettered at once with reason partner-refused, the status and the original body', async () => {
    partner.answer = () => ({ status: 400 });
    const event = await produce(order);
    const result = await processBatch(event, deps());
    expect(result.batchItemFailures).toEqual([]);
    expect(visibilityChanges).toEqual([]);
    expect(await deadLetters()).toEqual([{ body: event.Records[0].body, reason: 'partner-refused', detail: 'HTTP 400', integration: 'PartnerOrders', originalMessageId: event.Records[0].messageId }]);
    expect(recorded.calls).toEqual([expect.objectContaining({ status: 400 })]);
  });

  test('a redirect is not followed: the second server gets no request and the record is dead-lettered', async () => {
    partner.answer = () => ({ status: 302, headers: { location: `${elsewhere.url}/collect` } });
    const event = await produce(order);
    expect((await processBatch(event, deps())).batchItemFailures).toEqual([]);
    expect(partner.requests).toHaveLength(1);
    expect(elsewhere.requests).toEqual([]);
    expect(await deadLetters()).toEqual([expect.objectContaining({ reason: 'partner-refused', detail: 'HTTP 302' })]);
  });

  test('a payload against the partner contract is dead-lettered with reason contract and the violations (paths and messages, never values); the partner gets nothing', async () => {
    const payloadSchema = {
      type: 'object',
      required: ['orderId', 'customer'],
      properties: { orderId: { type: 'string', pattern: '^PO-' }, customer: { type: 'object', properties: { email: { type: 'string', format: 'email' } } } },
    };
    const event = await produce({ orderId: 'SO-77', customer: { email: 'not-an-e-mail-address' } }, order);
    const result = await processBatch(event, deps({ payloadSchema }));
    expect(result.batchItemFailures).toEqual([]);
    expect(partner.requests.map((r) => JSON.parse(r.body).orderId)).toEqual(['PO-1001']);
    const [dead] = await deadLetters();
    expect(dead).toEqual(expect.objectContaining({ reason: 'contract', integration: 'PartnerOrders' }));
    expect(dead.detail).toContain('/orderId must match pattern "^PO-"');
    expect(dead.detail).toContain('/customer/email must match format "email"');
    expect(dead.detail).not.toContain('not-an-e-mail-address');
    expect(dead.detail).not.toContain('SO-77');
    expect(recorded.rejections).toEqual([{ integration: 'PartnerOrders', cause: RejectionCause.CONTRACT }]);
    expect(JSON.stringify(log.logs)).not.toContain('not-an-e-mail-address');
  });

  test('a body that is not an envelope is dead-lettered with reason malformed', async () => {
    for (const body of ['not json', '[1,2]', '{"traceparent":"00-x"}']) await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: body }));
    const event = await eventOf(sqs, source);
    expect((await processBatch(event, deps())).batchItemFailures).toEqual([]);
    expect((await deadLetters()).map((d) => [d.body, d.reason, d.detail]).sort()).toEqual([
      ['[1,2]', 'malformed', 'the message body is not a JSON object'],
      ['not json', 'malformed', 'the message body is not JSON'],
      ['{"traceparent":"00-x"}', 'malformed', 'the message body has no payload'],
    ]);
    expect(partner.requests).toEqual([]);
  });

  test('PII decrypt: records hold the library\'s encrypted fields, the partner receives clear text; the contract is checked on the clear text', async () => {
    const paths = ['customer.email', 'customer.name'];
    const encrypted = await encryptFields(order, paths, { integration: 'PartnerOrders', kms, keyId });
    expect(isEncryptedField(encrypted.customer && (encrypted.customer as Record<string, unknown>).email)).toBe(true);
    const event = await produce(encrypted);
    const payloadSchema = { type: 'object', properties: { customer: { type: 'object', properties: { email: { type: 'string', format: 'email' } } } } };
    expect((await processBatch(event, deps({ pii: { mode: 'decrypt', paths }, payloadSchema }))).batchItemFailures).toEqual([]);
    expect(JSON.parse(partner.requests[0].body)).toEqual(order);
    // The dead-letter queue never sees clear text from the sender: nothing was dead-lettered.
    expect(await deadLetters()).toEqual([]);
  });

  test('PII encrypt: the producer sends clear text, the partner receives encrypted fields that decrypt (moto KMS) to the original', async () => {
    const paths = ['customer.email', 'customer.name'];
    const event = await produce(order);
    expect((await processBatch(event, deps({ pii: { mode: 'encrypt', paths } }))).batchItemFailures).toEqual([]);
    const received = JSON.parse(partner.requests[0].body);
    expect(partner.requests[0].body).not.toContain('ada@example.com');
    expect(isEncryptedField(received.customer.email)).toBe(true);
    expect(received.lines).toEqual(order.lines);
    expect(await decryptFields(received, paths, { integration: 'PartnerOrders', kms, keyId })).toEqual(order);
  });

  test('a field that cannot be decrypted (clear text where a ciphertext belongs, a field of another integration) is dead-lettered with reason pii', async () => {
    const paths = ['customer.email'];
    const foreign = await encryptFields(order, paths, { integration: 'OtherIntegration', kms, keyId });
    const event = await produce(order, foreign);
    expect((await processBatch(event, deps({ pii: { mode: 'decrypt', paths } }))).batchItemFailures).toEqual([]);
    expect(partner.requests).toEqual([]);
    expect((await deadLetters()).map((d) => [d.reason, d.detail]).sort()).toEqual([
      ['pii', 'decrypt failed: integration-mismatch at customer.email'],
      ['pii', 'decrypt failed: not-encrypted at customer.email'],
    ]);
  });

  test('a KMS key the function may not use (the operator\'s fault) dead-letters with reason pii and logs an error', async () => {
    const event = await produce(order);
    const noSuchKey = keyId.replace(/key\/.*/, 'key/00000000-0000-0000-0000-000000000000');
    expect((await processBatch(event, deps({ pii: { mode: 'encrypt', paths: ['customer.email'] } }, { fieldKeyId: noSuchKey }))).batchItemFailures).toEqual([]);
    expect(await deadLetters()).toEqual([expect.objectContaining({ reason: 'pii' })]);
    expect(log.logs.filter((l) => l.level === 'error')).toEqual([expect.objectContaining({ msg: expect.stringContaining('KMS grant') })]);
  });

  test('a record that cannot be dead-lettered is reported back to SQS, never dropped', async () => {
    partner.answer = () => ({ status: 404 });
    const event = await produce(order);
    const result = await processBatch(event, deps({ deadLetterQueueUrl: `${dlq.url}-deleted` }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0].messageId }]);
    expect(log.logs).toEqual([expect.objectContaining({ level: 'error', extra: expect.objectContaining({ outcome: 'dead-letter-failed', reason: 'partner-refused' }) })]);
  });

  test('TLS is verified: an agent that does not trust the certificate gets no request through, and the record is retried', async () => {
    const untrusting = new Agent({ keepAlive: false });
    const event = await produce(order);
    const result = await processBatch(event, deps({}, { agent: untrusting }));
    untrusting.destroy();
    expect(result.batchItemFailures).toHaveLength(1);
    expect(partner.requests).toEqual([]);
    expect(log.logs.find((l) => l.extra.outcome === 'retry')?.extra.why).toMatch(/^network: (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
  });

  test('a signing secret too short to sign with: nothing is sent, the record is retried and signing_secret_invalid is emitted', async () => {
    const shortArn = (await secretsManager.send(new CreateSecretCommand({ Name: uniqueName('outbound/short'), SecretString: 'only-20-bytes-secret' }))).ARN!;
    const event = await produce(order);
    const result = await processBatch(event, deps({ signing: { kind: 'hmac-sha256', secretArn: shortArn, header: 'X-Hub-Signature-256' } }));
    expect(result.batchItemFailures).toHaveLength(1);
    expect(partner.requests).toEqual([]);
    expect(recorded.invalidSecrets).toEqual(['PartnerOrders']);
    expect(log.logs.find((l) => l.level === 'error')?.extra).toEqual(expect.objectContaining({ error: 'SigningKeyError' }));
  });

  test('records whose call could outlive the function are reported back unsent', async () => {
    const event = await produce({ orderId: 'PO-a' }, { orderId: 'PO-b' });
    let left = 30_000;
    const result = await processBatch(event, deps({ timeoutMs: 10_000 }, { remainingTimeMs: () => (left -= 16_000) + 16_000 }));
    // 30 s left for the first record (10 s call + 5 s margin fit), 14 s for the second (they do not).
    expect(partner.requests.map((r) => JSON.parse(r.body).orderId)).toEqual([event.Records[0].body.includes('PO-a') ? 'PO-a' : 'PO-b']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1].messageId }]);
    expect(log.logs.find((l) => l.extra.outcome === 'retry')?.extra.why).toBe('the function ran out of time before this record');
  });

  test('the X-Ray span of the call is the parent in both trace headers', async () => {
    const event = await produce(order);
    const spans: unknown[] = [];
    await processBatch(event, deps({ endpoint: `${partner.url}/orders?tenant=acme` }, { traceCall: (target, run) => (spans.push(target), run('fedcba9876543210')) }));
    const [received] = partner.requests;
    expect(received.url).toBe('/orders?tenant=acme');
    // The span names the partner's host; its URL leaves the query out.
    expect(spans).toEqual([{ host: new URL(partner.url).host, method: 'POST', url: `${partner.url}/orders` }]);
    expect(received.headers.traceparent).toBe(`00-${PRODUCER_TRACE_ID}-fedcba9876543210-01`);
    expect(received.headers['x-amzn-trace-id']).toBe('Root=1-6a1b2c3d-00112233445566778899aabb;Parent=fedcba9876543210;Sampled=1');
  });

  test('a record without a traceparent continues the sender\'s X-Ray trace', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: JSON.stringify({ payload: order }) }));
    const [message] = await receiveAll(sqs, source.url, 1);
    await processBatch({ Records: [recordOf(message, source)] }, deps());
    expect(partner.requests[0].headers.traceparent).toBe('00-6a1b2c3d00112233445566778899aabb-0123456789abcdef-01');
  });
});
