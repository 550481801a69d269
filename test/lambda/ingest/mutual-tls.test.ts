// Auth.mutualTls at run time: API Gateway's custom domain verified the client certificate's chain
// against the truststore, and hands the ingest `requestContext.identity.clientCert`; a route with
// `clientCertificate` refuses a request without one (403), or, with `clients`, one whose subject and issuer are
// not listed, and its record carries the certificate that was admitted. Against moto_server: a real
// SQS queue and a real deduplication table.
import { canonicalDn } from '../../../lambda/shared/distinguished-name';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { loadRoutes } from '../../../lambda/ingest/config';
import { Deduplicator, REPLAYED_HEADER } from '../../../lambda/ingest/deduplication';
import { ingest, IngestDependencies } from '../../../lambda/ingest/ingest';
import { DeduplicationKey, IngestConfig, IngestTargetKind } from '../../../lib';
import { RejectionCause } from '../../../lib/observability/signal-names';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { drainQueue, recordingLog } from '../../support/ingest-harness';

const sqs = new SQSClient(motoClientConfig());
const ddb = new DynamoDBClient(motoClientConfig());
const TRACE = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'mtls');

/** API Gateway's `serialNumber`: the certificate's serial as colon-separated lowercase hex bytes. */
const serialOf = (hex: string) => hex.toLowerCase().match(/../g)!.join(':');
/** A distinguished name as API Gateway reports it (`CN=...,O=...,C=...`); Node lists it one RDN a line, most significant first. */
const dnOf = (lines: string) => lines.split('\n').reverse().join(',');

type ClientCert = { clientCertPem: string; subjectDN: string; issuerDN: string; serialNumber: string; validity: { notBefore: string; notAfter: string } };

/** `requestContext.identity.clientCert` as API Gateway fills it in for a verified certificate. */
function clientCertOf(pemFile: string): ClientCert {
  const pem = readFileSync(join(FIXTURES, pemFile), 'utf8');
  const cert = new X509Certificate(pem);
  return { clientCertPem: pem, subjectDN: dnOf(cert.subject), issuerDN: dnOf(cert.issuer), serialNumber: serialOf(cert.serialNumber), validity: { notBefore: cert.validFrom, notAfter: cert.validTo } };
}

// The partner's certificate (test/fixtures/mtls/leaf.pem, issued by the Partner Root CA in the truststore).
const PARTNER = clientCertOf('leaf.pem');
const PARTNER_DN = 'CN=orders.partner.example,O=Partner Corp,C=US';
const PARTNER_CA_DN = 'CN=Partner Root CA,O=Partner Corp,C=US';
// Another certificate the same CA issued, to a subject the orders route does not list.
const OTHER: ClientCert = { ...PARTNER, clientCertPem: '-----BEGIN CERTIFICATE-----\nMIIC...other...\n-----END CERTIFICATE-----\n', subjectDN: 'CN=billing.partner.example,O=Partner Corp,C=US', serialNumber: '1f:00:3a:5c:92:7e:44:d1:08:b6:2a:c3:71:9e:0f:55:e4:28:6b:0d' };

const orderSchema = { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' } } };

function apiEvent(overrides: Partial<APIGatewayProxyEvent> & { body?: string | null }, clientCert?: ClientCert | null): APIGatewayProxyEvent {
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
    // A mutual TLS method has no authorizer: no claims, and no IAM caller.
    requestContext: {
      requestId: uniqueName('req'),
      requestTimeEpoch: 1764400000000,
      identity: { sourceIp: '198.51.100.7', userArn: null, ...(clientCert === undefined ? {} : { clientCert }) },
    } as never,
    ...overrides,
  } as APIGatewayProxyEvent;
}

const { logs, log } = recordingLog();

describe('ingest: mutual TLS routes', () => {
  let queueUrl: string;
  let deps: IngestDependencies;
  const signals: unknown[][] = [];

  beforeAll(async () => {
    const queueName = uniqueName('mtls');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const table = uniqueName('dedup');
    await ddb.send(
      new CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
    );
    const target = { kind: IngestTargetKind.SQS, address: queueName };
    const config: IngestConfig = {
      version: 1,
      routes: [
        { integration: 'Orders', method: 'POST', resourcePath: '/orders', schema: orderSchema, target, clientCertificate: { clients: [PARTNER_DN, 'CN=backup.partner.example,O=Partner Corp,C=US'].map((subject) => ({ subject: canonicalDn(subject), issuer: canonicalDn(PARTNER_CA_DN) })) } },
        { integration: 'Partners', method: 'POST', resourcePath: '/any-partner', target, clientCertificate: {} },
        { integration: 'Public', method: 'POST', resourcePath: '/public', target },
        {
          integration: 'Payments',
          method: 'POST',
          resourcePath: '/payments',
          target,
          clientCertificate: {},
          deduplication: { windowSeconds: 86_400, key: DeduplicationKey.CLIENT_KEY, deliveryId: { header: 'Idempotency-Key' } },
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'ingest-mtls-test-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    deps = {
      routes: loadRoutes(join(dir, 'config.json'), {}),
      clients: { sqs, eventBridge: new EventBridgeClient(motoClientConfig()), lambda: new LambdaClient(motoClientConfig()) },
      secretsFor: async () => ({ values: [], tooShort: [] }),
      log,
      traceId: TRACE,
      deduplicator: new Deduplicator(table, ddb),
      remainingTimeMs: () => 20_000,
      emitSignals: (...args) => void signals.push(args),
      clock: () => 0,
    };
  });

  beforeEach(() => {
    logs.length = 0;
    signals.length = 0;
  });

  const drain = () => drainQueue(sqs, queueUrl);

  const order = (orderId: string) => JSON.stringify({ orderId });

  describe('a route that lists its clients (subject and issuer)', () => {
    test('a listed certificate is admitted, and its record carries the certificate as API Gateway reported it', async () => {
      const event = apiEvent({ body: order('o-1') }, PARTNER);
      const res = await ingest(event, deps);
      expect(res.statusCode).toBe(202);
      const [record, ...more] = await drain();
      expect(more).toEqual([]);
      expect(record).toEqual(expect.objectContaining({ integration: 'Orders', route: 'POST /orders', requestId: event.requestContext.requestId, body: { orderId: 'o-1' } }));
      expect(record.clientCertificate).toEqual({
        subjectDN: 'CN=orders.partner.example,O=Partner Corp,C=US',
        issuerDN: 'CN=Partner Root CA,O=Partner Corp,C=US',
        serialNumber: PARTNER.serialNumber,
        notAfter: PARTNER.validity.notAfter,
      });
      // The PEM and notBefore are not carried on.
      expect(JSON.stringify(record)).not.toContain('BEGIN CERTIFICATE');
      expect(JSON.stringify(record)).not.toContain(PARTNER.validity.notBefore);
      expect(record.clientId).toBeUndefined();
      expect(record.callerArn).toBeUndefined();
      expect(signals).toEqual([['Orders', 202, 0, undefined, undefined]]);
    });

    test('a request without a client certificate is a 403, counted as a client-certificate rejection, and nothing is delivered', async () => {
      for (const clientCert of [undefined, null]) {
        const event = apiEvent({ body: order('o-2') }, clientCert);
        const res = await ingest(event, deps);
        expect(res.statusCode).toBe(403);
        expect(JSON.parse(res.body)).toEqual({ message: 'client certificate not allowed', requestId: event.requestContext.requestId });
        expect(res.headers).toEqual(expect.objectContaining({ 'content-type': 'application/json', 'x-request-id': event.requestContext.requestId }));
      }
      expect(signals).toEqual([
        ['Orders', 403, 0, RejectionCause.CLIENT_CERTIFICATE, undefined],
        ['Orders', 403, 0, 'client-certificate', undefined],
      ]);
      expect(logs.filter((l) => l.msg === 'client certificate refused').map((l) => l.extra)).toEqual([
        { integration: 'Orders', subjectDN: null, serialNumber: null },
        { integration: 'Orders', subjectDN: null, serialNumber: null },
      ]);
      expect(await drain()).toEqual([]);
    });

    test('a certificate whose subject is not listed is a 403, whatever its issuer', async () => {
      const event = apiEvent({ body: order('o-3') }, OTHER);
      const res = await ingest(event, deps);
      expect(res.statusCode).toBe(403);
      expect(JSON.parse(res.body)).toEqual({ message: 'client certificate not allowed', requestId: event.requestContext.requestId });
      expect(signals).toEqual([['Orders', 403, 0, 'client-certificate', undefined]]);
      expect(logs.find((l) => l.msg === 'client certificate refused')?.extra).toEqual({ integration: 'Orders', subjectDN: OTHER.subjectDN, serialNumber: OTHER.serialNumber });
      expect(await drain()).toEqual([]);
    });

    test('a certificate with the partner\'s subject issued by another CA of the truststore is refused (any CA can write any subject)', async () => {
      const forged = { ...PARTNER, issuerDN: 'CN=Partner EC Root CA,O=Partner Corp,C=US', serialNumber: '7a:7a' };
      const res = await ingest(apiEvent({ body: order('o-forged') }, forged), deps);
      expect(res.statusCode).toBe(403);
      expect(await drain()).toEqual([]);
    });

    test('DNs match whatever their spacing or RDN order, as tools print them', async () => {
      const respelled = { ...PARTNER, subjectDN: 'C=US, O=Partner Corp, CN=orders.partner.example', issuerDN: 'O=Partner Corp , CN=Partner Root CA , C=US' };
      expect((await ingest(apiEvent({ body: order('o-spaced') }, respelled), deps)).statusCode).toBe(202);
      expect(await drain()).toHaveLength(1);
    });

    test('subjects are matched exactly: a subject that only contains or differs in case from a listed one is refused', async () => {
      for (const subjectDN of [`${PARTNER_DN},OU=Extra`, PARTNER_DN.toLowerCase(), 'CN=orders.partner.example', '']) {
        const res = await ingest(apiEvent({ body: order('o-4') }, { ...PARTNER, subjectDN }), deps);
        expect(res.statusCode).toBe(403);
      }
      expect(await drain()).toEqual([]);
    });

    test('the certificate is checked before the body: an invalid body from an unknown caller is a 403, not a 400', async () => {
      const res = await ingest(apiEvent({ body: '{"orderId": ' }, OTHER), deps);
      expect(res.statusCode).toBe(403);
      expect(signals).toEqual([['Orders', 403, 0, 'client-certificate', undefined]]);
    });

    test('a clientCert without the fields API Gateway always reports counts as no certificate', async () => {
      const { issuerDN: _issuer, ...withoutIssuer } = PARTNER;
      const res = await ingest(apiEvent({ body: order('o-5') }, withoutIssuer as ClientCert), deps);
      expect(res.statusCode).toBe(403);
      expect(await drain()).toEqual([]);
    });
  });

  describe('a route without clients', () => {
    test('any certificate the domain verified is admitted, and carried on', async () => {
      for (const cert of [PARTNER, OTHER]) {
        const res = await ingest(apiEvent({ resource: '/any-partner', path: '/any-partner', body: '{"ping":true}' }, cert), deps);
        expect(res.statusCode).toBe(202);
      }
      const records = await drain();
      expect(records.map((r) => (r.clientCertificate as { subjectDN: string }).subjectDN).sort()).toEqual([OTHER.subjectDN, PARTNER.subjectDN].sort());
      expect(records.every((r) => r.integration === 'Partners')).toBe(true);
      expect(signals).toEqual([
        ['Partners', 202, 0, undefined, undefined],
        ['Partners', 202, 0, undefined, undefined],
      ]);
    });

    test('still refuses a request without a certificate', async () => {
      const res = await ingest(apiEvent({ resource: '/any-partner', path: '/any-partner', body: '{}' }), deps);
      expect(res.statusCode).toBe(403);
      expect(JSON.parse(res.body).message).toBe('client certificate not allowed');
      expect(signals).toEqual([['Partners', 403, 0, 'client-certificate', undefined]]);
      expect(await drain()).toEqual([]);
    });

    test('a certificate reported without a validity is carried on without notAfter', async () => {
      const { validity: _validity, ...withoutValidity } = PARTNER;
      const res = await ingest(apiEvent({ resource: '/any-partner', path: '/any-partner', body: '{}' }, withoutValidity as ClientCert), deps);
      expect(res.statusCode).toBe(202);
      const [record] = await drain();
      expect(record.clientCertificate).toEqual({ subjectDN: PARTNER.subjectDN, issuerDN: PARTNER.issuerDN, serialNumber: PARTNER.serialNumber });
    });
  });

  describe('a route that is not mutual TLS', () => {
    test('never carries a client certificate, even when the event has one, and admits requests without one', async () => {
      const withCert = await ingest(apiEvent({ resource: '/public', path: '/public', body: '{"n":1}' }, PARTNER), deps);
      const withoutCert = await ingest(apiEvent({ resource: '/public', path: '/public', body: '{"n":2}' }), deps);
      expect(withCert.statusCode).toBe(202);
      expect(withoutCert.statusCode).toBe(202);
      const records = await drain();
      expect(records).toHaveLength(2);
      for (const record of records) {
        expect(record.integration).toBe('Public');
        expect(Object.keys(record)).not.toContain('clientCertificate');
      }
    });
  });

  describe('deduplication on the client key', () => {
    const payment = (amount: number) => JSON.stringify({ amount, currency: 'EUR' });
    const pay = (cert: ClientCert | undefined, key: string, body = payment(100)) =>
      ingest(apiEvent({ resource: '/payments', path: '/payments', headers: { 'Idempotency-Key': key }, body }, cert), deps);

    test('two certificates with the same Idempotency-Key are two requests: neither sees the other\'s answer', async () => {
      const key = uniqueName('k');
      const fromPartner = await pay(PARTNER, key);
      const fromOther = await pay(OTHER, key);
      expect(fromPartner.statusCode).toBe(202);
      expect(fromOther.statusCode).toBe(202);
      expect(fromOther.headers?.[REPLAYED_HEADER]).toBeUndefined();
      expect(JSON.parse(fromOther.body).messageId).not.toBe(JSON.parse(fromPartner.body).messageId);
      const records = await drain();
      expect(records.map((r) => (r.clientCertificate as { serialNumber: string }).serialNumber).sort()).toEqual([OTHER.serialNumber, PARTNER.serialNumber].sort());
      expect(records.every((r) => r.deliveryId === key)).toBe(true);
      expect(signals).toEqual([
        ['Payments', 202, 0, undefined, undefined],
        ['Payments', 202, 0, undefined, undefined],
      ]);
    });

    test('another body under another certificate\'s key is not a 422: the keys are apart', async () => {
      const key = uniqueName('k');
      expect((await pay(PARTNER, key, payment(100))).statusCode).toBe(202);
      expect((await pay(OTHER, key, payment(999))).statusCode).toBe(202);
      expect(await drain()).toHaveLength(2);
    });

    test('the same certificate retrying its key gets its first answer, replayed, and is delivered once', async () => {
      const key = uniqueName('k');
      const first = await pay(PARTNER, key);
      const retry = await pay(PARTNER, key);
      expect(first.statusCode).toBe(202);
      expect(retry.statusCode).toBe(202);
      expect(retry.headers?.[REPLAYED_HEADER]).toBe('true');
      expect(JSON.parse(retry.body).messageId).toBe(JSON.parse(first.body).messageId);
      expect(await drain()).toHaveLength(1);
      expect(signals.at(-1)).toEqual(['Payments', 202, 0, undefined, 'duplicate']);
      // ...and the same key with another body from the same certificate is refused.
      const reused = await pay(PARTNER, key, payment(5));
      expect(reused.statusCode).toBe(422);
      expect(await drain()).toEqual([]);
    });

    test('a partner that renewed its certificate (same subject and issuer, new serial) retrying its key gets its first answer, delivered once', async () => {
      const key = uniqueName('k');
      const renewed: ClientCert = { ...PARTNER, serialNumber: '2a:00:3a:5c:92:7e:44:d1:08:b6:2a:c3:71:9e:0f:55:e4:28:6b:0d' };
      const first = await pay(PARTNER, key);
      const retry = await pay(renewed, key);
      expect(retry.statusCode).toBe(202);
      expect(retry.headers?.[REPLAYED_HEADER]).toBe('true');
      expect(JSON.parse(retry.body).messageId).toBe(JSON.parse(first.body).messageId);
      expect(await drain()).toHaveLength(1);
    });

    test('a request without a certificate is refused before the deduplication table is touched', async () => {
      const key = uniqueName('k');
      expect((await pay(undefined, key)).statusCode).toBe(403);
      // Had the refusal been kept, the certified request would be answered with it.
      const res = await pay(PARTNER, key);
      expect(res.statusCode).toBe(202);
      expect(res.headers?.[REPLAYED_HEADER]).toBeUndefined();
      expect(await drain()).toHaveLength(1);
    });
  });
});
