// Nothing twice, nothing forged, nothing lost (issue 11), through the whole ingest pipeline against
// moto_server: real GitHub and Stripe signatures, a real SQS queue and a real deduplication table.
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import Stripe from 'stripe';
import type { ResolvedRoute } from '../../../lambda/ingest/config';
import { Deduplicator, REPLAYED_HEADER } from '../../../lambda/ingest/deduplication';
import { ingest, type IngestDependencies } from '../../../lambda/ingest/ingest';
import { DeduplicationKey, IngestTargetKind, SignatureScheme } from '../../../lib';
import { RejectionCause } from '../../../lib/observability/signal-names';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { drainQueue } from '../../support/ingest-harness';

const sqs = new SQSClient(motoClientConfig());
const ddb = new DynamoDBClient(motoClientConfig());
const stripe = new Stripe('sk_test_not_a_real_key');
const GITHUB_SECRET = 'github-webhook-secret-8d3f6a1c9e2b7f40d5a8';
const STRIPE_SECRET = 'whsec_Xq7vN2mK9pR4tW8yB3cF6hJ1lD5sG0zA';
const SLACK_SECRET = 'slack-signing-secret-0123456789abcdef0123';
const DAY = 86_400;

const githubSign = (payload: string): string =>
  JSON.parse(execFileSync(process.execPath, [join(__dirname, '..', '..', 'support', 'github-sign.mjs'), GITHUB_SECRET], { input: JSON.stringify([payload]), encoding: 'utf8' }))[0];

function event(resource: string, body: string, headers: Record<string, string>, extra: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource,
    path: resource,
    headers,
    body,
    isBase64Encoded: false,
    requestContext: { requestId: uniqueName('req'), requestTimeEpoch: Date.now() },
    ...extra,
  } as unknown as APIGatewayProxyEvent;
}

describe('the ingest delivers each delivery once', () => {
  let queueName: string;
  let queueUrl: string;
  let deps: IngestDependencies;
  const signals: unknown[][] = [];

  beforeAll(async () => {
    queueName = uniqueName('once');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const table = uniqueName('dedup');
    await ddb.send(
      new CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
    );
    const target = { kind: IngestTargetKind.SQS, address: queueName };
    const route = (integration: string, resourcePath: string, extra: Partial<ResolvedRoute>): [string, ResolvedRoute] => [
      `POST ${resourcePath}`,
      { integration, method: 'POST', resourcePath, target, targetAddress: queueUrl, schema: { type: 'object' }, ...extra } as ResolvedRoute,
    ];
    const secrets: Record<string, string> = { github: GITHUB_SECRET, stripe: STRIPE_SECRET, slack: SLACK_SECRET };
    deps = {
      routes: new Map([
        route('GitHubEvents', '/github', {
          signature: SignatureScheme.githubHmacSha256().bind(),
          signingSecretId: 'github',
          deduplication: { windowSeconds: 3 * DAY, key: DeduplicationKey.BODY, deliveryId: { header: 'X-GitHub-Delivery' } },
        }),
        route('Payments', '/stripe', { signature: SignatureScheme.stripe().bind(), signingSecretId: 'stripe', deduplication: { windowSeconds: 3 * DAY, key: DeduplicationKey.SIGNED_ID, deliveryId: { bodyPointer: '/id' } } }),
        route('Orders', '/orders', { deduplication: { windowSeconds: 3 * DAY, key: DeduplicationKey.CLIENT_KEY, deliveryId: { header: 'Idempotency-Key' } }, queryParameters: ['page'] }),
        [
          'PUT /orders/{orderId}',
          {
            integration: 'Orders',
            method: 'PUT',
            resourcePath: '/orders/{orderId}',
            target,
            targetAddress: queueUrl,
            schema: { type: 'object' },
            deduplication: { windowSeconds: 3 * DAY, key: DeduplicationKey.CLIENT_KEY, deliveryId: { header: 'Idempotency-Key' } },
          } as ResolvedRoute,
        ],
        route('SlackCommands', '/slack', { signature: SignatureScheme.slack().bind(), signingSecretId: 'slack', bodyFormats: ['json', 'form'] as never, schema: { type: 'object', required: ['command'], properties: { command: { type: 'string' } } } }),
      ]),
      clients: { sqs, eventBridge: new EventBridgeClient(motoClientConfig()), lambda: new LambdaClient(motoClientConfig()) },
      secretsFor: async (id) => ({ values: [secrets[id]], tooShort: [] }),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      deduplicator: new Deduplicator(table, ddb),
      remainingTimeMs: () => 20_000,
      emitSignals: (...args) => void signals.push(args),
      clock: () => 0,
    };
  });

  const drain = () => drainQueue(sqs, queueUrl);

  test('a GitHub delivery replayed (GitHub signs no timestamp) gets the first answer and is queued once', async () => {
    const payload = JSON.stringify({ action: 'opened', issue: { number: 1 } });
    const headers = { 'X-Hub-Signature-256': githubSign(payload), 'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958', 'content-type': 'application/json' };
    const first = await ingest(event('/github', payload, headers), deps);
    const replay = await ingest(event('/github', payload, headers), deps);
    expect(first.statusCode).toBe(202);
    expect(replay.statusCode).toBe(202);
    expect(JSON.parse(replay.body).messageId).toBe(JSON.parse(first.body).messageId);
    expect(replay.headers?.[REPLAYED_HEADER]).toBe('true');
    const queued = await drain();
    expect(queued).toHaveLength(1);
    expect(queued[0].deliveryId).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(signals.at(-1)).toEqual(['GitHubEvents', 202, 0, undefined, 'duplicate']);
  });

  test('a captured GitHub delivery replayed with a new, missing, doubled or over-long X-GitHub-Delivery is still a duplicate: the body names it', async () => {
    const payload = JSON.stringify({ action: 'closed', issue: { number: 2 } });
    const signature = githubSign(payload);
    const send = (headers: Record<string, string>) => ingest(event('/github', payload, { 'X-Hub-Signature-256': signature, ...headers }), deps);
    expect((await send({ 'X-GitHub-Delivery': 'g-1' })).statusCode).toBe(202);
    const replays: Array<Record<string, string>> = [{ 'X-GitHub-Delivery': 'g-2' }, {}, { 'X-GitHub-Delivery': 'g-1', 'x-github-delivery': 'other' }, { 'X-GitHub-Delivery': 'g'.repeat(257) }];
    for (const headers of replays) {
      const replay = await send(headers);
      expect(replay.statusCode).toBe(202);
      expect(replay.headers?.[REPLAYED_HEADER]).toBe('true');
    }
    expect(await drain()).toHaveLength(1);
  });

  test('a Stripe event retried with a fresh timestamp and signature is queued once', async () => {
    const payload = JSON.stringify({ id: 'evt_retry_1', object: 'event', type: 'invoice.paid', data: { object: {} } });
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 120, now - 60, now]) {
      const res = await ingest(event('/stripe', payload, { 'Stripe-Signature': stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET, timestamp }) }), deps);
      expect(res.statusCode).toBe(202);
    }
    expect((await drain()).map((r) => (r.body as { id: string }).id)).toEqual(['evt_retry_1']);
  });

  test('a Stripe retry whose body differs (pending_webhooks went down) gets the first answer, not a 422', async () => {
    const event1 = (pending: number) => JSON.stringify({ id: 'evt_pending_1', object: 'event', type: 'invoice.paid', pending_webhooks: pending, data: { object: {} } });
    const send = (payload: string) => ingest(event('/stripe', payload, { 'Stripe-Signature': stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }) }), deps);
    expect((await send(event1(2))).statusCode).toBe(202);
    const retry = await send(event1(1));
    expect(retry.statusCode).toBe(202);
    expect(retry.headers?.[REPLAYED_HEADER]).toBe('true');
    expect(await drain()).toHaveLength(1);
  });

  test('a delivery whose target failed is not remembered: the retry is delivered, once', async () => {
    const payload = JSON.stringify({ id: 'evt_down_1', object: 'event', type: 'invoice.paid', data: { object: {} } });
    const signed = () => ({ 'Stripe-Signature': stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }) });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    expect((await ingest(event('/stripe', payload, signed()), deps)).statusCode).toBe(502);
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    expect((await ingest(event('/stripe', payload, signed()), deps)).statusCode).toBe(202);
    expect((await ingest(event('/stripe', payload, signed()), deps)).statusCode).toBe(202);
    expect((await drain()).map((r) => (r.body as { id: string }).id)).toEqual(['evt_down_1']);
  });

  test('a forged replay (the id of a real delivery, another body, no valid signature) is refused before the table is read', async () => {
    const payload = JSON.stringify({ id: 'evt_retry_1', object: 'event', type: 'charge.refunded', data: { object: {} } });
    const res = await ingest(event('/stripe', payload, { 'Stripe-Signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` }), deps);
    expect(res.statusCode).toBe(401);
    expect(res.headers?.[REPLAYED_HEADER]).toBeUndefined();
  });

  test('API routes: Idempotency-Key per client; the same key from another client is another request; another body is a 422', async () => {
    const asClient = (clientId: string) => ({ requestContext: { requestId: uniqueName('req'), authorizer: { claims: { client_id: clientId } } } }) as unknown as Partial<APIGatewayProxyEvent>;
    const body = JSON.stringify({ id: 'o-1' });
    const a1 = await ingest(event('/orders', body, { 'Idempotency-Key': 'k-1' }, asClient('client-a')), deps);
    const a2 = await ingest(event('/orders', body, { 'idempotency-key': 'k-1' }, asClient('client-a')), deps);
    const b1 = await ingest(event('/orders', body, { 'Idempotency-Key': 'k-1' }, asClient('client-b')), deps);
    expect([a1.statusCode, a2.statusCode, b1.statusCode]).toEqual([202, 202, 202]);
    expect(JSON.parse(b1.body).messageId).not.toBe(JSON.parse(a1.body).messageId);
    const conflict = await ingest(event('/orders', JSON.stringify({ id: 'o-2' }), { 'Idempotency-Key': 'k-1' }, asClient('client-a')), deps);
    expect(conflict.statusCode).toBe(422);
    // The same key and body on another resource (PUT /orders/2 after PUT /orders/1) is another request: 422, never the first answer.
    const put = (orderId: string) =>
      ingest(
        event('/orders/{orderId}', '{"status":"shipped"}', { 'Idempotency-Key': 'k-put' }, {
          httpMethod: 'PUT',
          path: `/orders/${orderId}`,
          pathParameters: { orderId },
          requestContext: { requestId: uniqueName('req'), authorizer: { claims: { client_id: 'client-a' } } },
        } as unknown as Partial<APIGatewayProxyEvent>),
        deps,
      );
    expect((await put('1')).statusCode).toBe(202);
    expect((await put('2')).statusCode).toBe(422);
    // Without a key, every request is delivered.
    await ingest(event('/orders', body, {}, asClient('client-a')), deps);
    expect(await drain()).toHaveLength(4);
  });

  test('only declared query parameters reach the target', async () => {
    await ingest(event('/orders', '{"id":"q"}', {}, { queryStringParameters: { page: '2', email: 'jane@example.com' } }), deps);
    const [record] = await drain();
    expect(record.queryStringParameters).toEqual({ page: '2' });
  });
});

describe('media types and body structure', () => {
  const routes = new Map<string, ResolvedRoute>([
    ['POST /orders', { integration: 'Orders', method: 'POST', resourcePath: '/orders', schema: { type: 'object' }, target: { kind: IngestTargetKind.SQS, address: 'q' }, targetAddress: 'https://sqs.local/q' } as ResolvedRoute],
    [
      'POST /slack',
      {
        integration: 'SlackCommands',
        method: 'POST',
        resourcePath: '/slack',
        schema: { type: 'object', required: ['command', 'text'], properties: { command: { type: 'string' }, text: { type: 'string' } } },
        signature: SignatureScheme.slack().bind(),
        signingSecretId: 'slack',
        bodyFormats: ['json', 'form'],
        target: { kind: IngestTargetKind.SQS, address: 'q' },
        targetAddress: 'https://sqs.local/q',
      } as unknown as ResolvedRoute,
    ],
  ]);
  function harness() {
    const sent: Array<Record<string, unknown>> = [];
    const signals: unknown[][] = [];
    const deps: IngestDependencies = {
      routes,
      clients: { sqs: { send: async (c: { input: { MessageBody: string } }) => (sent.push(JSON.parse(c.input.MessageBody)), { MessageId: 'm' }) } } as never,
      secretsFor: async () => ({ values: [SLACK_SECRET], tooShort: [] }),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      emitSignals: (...args) => void signals.push(args),
      clock: () => 0,
    };
    return { deps, sent, signals };
  }
  const slackHeaders = (body: string, contentType: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return { 'X-Slack-Request-Timestamp': ts, 'X-Slack-Signature': `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`, 'Content-Type': contentType };
  };

  test.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])('a JSON route answers 415 to %s, counted as malformed', async (type) => {
    const h = harness();
    const res = await ingest(event('/orders', '{"id":"o"}', { 'Content-Type': type }), h.deps);
    expect(res.statusCode).toBe(415);
    expect(h.sent).toEqual([]);
    expect(h.signals).toEqual([['Orders', 415, 0, RejectionCause.MALFORMED, undefined]]);
  });

  test.each([undefined, 'application/json', 'application/json; charset=UTF-8', 'Application/JSON', 'application/merge-patch+json'])('a JSON route accepts Content-Type %s', async (type) => {
    const h = harness();
    expect((await ingest(event('/orders', '{"id":"o"}', type ? { 'content-type': type } : {}), h.deps)).statusCode).toBe(202);
  });

  test('a JSON body in another charset is a 415 (JSON is UTF-8, RFC 8259 section 8.1)', async () => {
    const h = harness();
    expect((await ingest(event('/orders', '{"id":"o"}', { 'content-type': 'application/json; charset=iso-8859-1' }), h.deps)).statusCode).toBe(415);
  });

  test('a Slack slash command (form-encoded, signed on the raw body) is verified, parsed and validated', async () => {
    const h = harness();
    const body = 'token=x&team_id=T1&command=%2Fdeploy&text=prod+now&user_name=jane';
    const res = await ingest(event('/slack', body, slackHeaders(body, 'application/x-www-form-urlencoded')), h.deps);
    expect(res.statusCode).toBe(202);
    expect(h.sent[0].body).toEqual({ token: 'x', team_id: 'T1', command: '/deploy', text: 'prod now', user_name: 'jane' });
    const missing = 'token=x&command=%2Fdeploy';
    expect((await ingest(event('/slack', missing, slackHeaders(missing, 'application/x-www-form-urlencoded')), h.deps)).statusCode).toBe(400);
    // The signature is checked on the raw body before anything else: a changed byte is a 401.
    const forged = slackHeaders(body, 'application/x-www-form-urlencoded');
    expect((await ingest(event('/slack', body.replace('prod', 'dev'), forged), h.deps)).statusCode).toBe(401);
  });

  test('a Slack interactive payload (a JSON payload field) is parsed; form keys that are prototype keys are refused', async () => {
    const h = harness();
    const payload = JSON.stringify({ type: 'block_actions', user: { id: 'U1' } });
    const body = `payload=${encodeURIComponent(payload)}&command=%2Fx&text=t`;
    expect((await ingest(event('/slack', body, slackHeaders(body, 'application/x-www-form-urlencoded')), h.deps)).statusCode).toBe(202);
    expect(h.sent[0].body).toEqual({ payload: JSON.parse(payload), command: '/x', text: 't' });
    const polluting = 'command=%2Fx&text=t&__proto__=1';
    expect((await ingest(event('/slack', polluting, slackHeaders(polluting, 'application/x-www-form-urlencoded')), h.deps)).statusCode).toBe(400);
  });

  test('query parameters named query:<name> in piiFields are forwarded encrypted at queryStringParameters.<name>; others are dropped', async () => {
    const h = harness();
    const calls: Array<{ doc: unknown; paths: readonly string[] }> = [];
    const piiRoutes = new Map([['POST /orders', { ...routes.get('POST /orders')!, piiFields: ['email', 'query:customer_email'], queryParameters: ['page'] }]]);
    const deps: IngestDependencies = {
      ...h.deps,
      routes: piiRoutes,
      encryptPii: async (doc, paths) => {
        calls.push({ doc: JSON.parse(JSON.stringify(doc)), paths });
        return JSON.parse(JSON.stringify(doc).replace(/jane@example.com/g, 'JWE'));
      },
    };
    const res = await ingest(event('/orders', '{"email":"jane@example.com"}', {}, { queryStringParameters: { page: '2', customer_email: 'jane@example.com', toString: 'x' } }), deps);
    expect(res.statusCode).toBe(202);
    expect(calls).toEqual([
      { doc: { email: 'jane@example.com' }, paths: ['email'] },
      { doc: { queryStringParameters: { page: '2', customer_email: 'jane@example.com' } }, paths: ['queryStringParameters.customer_email'] },
    ]);
    expect(h.sent[0].queryStringParameters).toEqual({ page: '2', customer_email: 'JWE' });
    expect(h.sent[0].body).toEqual({ email: 'JWE' });
  });

  test.each(['__proto__', 'constructor', 'prototype'])('a body with a %s key anywhere is a 400, never forwarded', async (key) => {
    const h = harness();
    const res = await ingest(event('/orders', `{"id":"o","items":[{"x":{"${key}":{"isAdmin":true}}}]}`, {}), h.deps);
    expect(res.statusCode).toBe(400);
    expect(h.sent).toEqual([]);
    expect(h.signals).toEqual([['Orders', 400, 0, RejectionCause.MALFORMED, undefined]]);
  });
});
