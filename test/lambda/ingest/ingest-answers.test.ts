// What the ingest pipeline answers, logs, counts and hands over on each of its paths, exactly: the
// response a sender acts on (status, headers, body), the line an operator searches for (level,
// message, fields), the signals the alarms read, the record the target gets and the requests made
// to the deduplication table and KMS. Fake clients that record every call, so each path is checked
// without moto_server; the tests against moto (ingest.test.ts, mutual-tls.test.ts, ...) check the
// same pipeline with real queues and tables.
import { createHash, createHmac } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ResolvedRoute } from '../../../lambda/ingest/config';
import { type Answer, DeduplicationStoreError, type DeduplicationOutcome, type DeliveryKey } from '../../../lambda/ingest/deduplication';
import { type DeliveryClients } from '../../../lambda/ingest/deliver';
import { DEADLINE_MARGIN_MS, ingest, type IngestDependencies } from '../../../lambda/ingest/ingest';
import { KmsCallError } from '../../../lambda/shared/field-encryption/data-key-cache';
import { canonicalDn } from '../../../lambda/shared/distinguished-name';
import { DeduplicationKey, IngestTargetKind, SignatureScheme } from '../../../lib';
import { DeduplicationSignal, RejectionCause } from '../../../lib/observability/signal-names';
import { splitPiiFields } from '../../../lambda/shared/query-pii';
import { type LoggedLine, recordingLog } from '../../support/ingest-harness';

// Counts how often a route's PII fields are worked out (once per container and route, not per request).
jest.mock('../../../lambda/shared/query-pii', () => {
  const actual = jest.requireActual<typeof import('../../../lambda/shared/query-pii')>('../../../lambda/shared/query-pii');
  return { ...actual, splitPiiFields: jest.fn(actual.splitPiiFields) };
});

const SECRET = 'whsec-answers-test-0123456789abcdef0123456789';
const REQUEST_ID = 'req-answers-1';
const TRACE = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';
const RECEIVED = 1764400000000;
const schema = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, email: { type: 'string' } } };
const JSON_HEADERS = { 'content-type': 'application/json', 'x-request-id': REQUEST_ID };

function route(resourcePath: string, extra: Partial<ResolvedRoute> = {}): ResolvedRoute {
  return { integration: 'Orders', method: 'POST', resourcePath, target: { kind: IngestTargetKind.SQS, address: 'orders' }, targetAddress: 'https://sqs.local/orders', ...extra } as ResolvedRoute;
}

function routesOf(...list: ResolvedRoute[]): Map<string, ResolvedRoute> {
  return new Map(list.map((r) => [`${r.method} ${r.resourcePath}`, r]));
}

type EventOverrides = Partial<Omit<APIGatewayProxyEvent, 'requestContext'>> & { requestContext?: unknown };

function event(resource: string, body: string | null | undefined, overrides: EventOverrides = {}): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource,
    path: resource,
    headers: {},
    body,
    isBase64Encoded: false,
    requestContext: { requestId: REQUEST_ID, requestTimeEpoch: RECEIVED },
    ...overrides,
  } as unknown as APIGatewayProxyEvent;
}

interface Harness {
  readonly deps: IngestDependencies;
  readonly signals: unknown[][];
  /** The SQS SendMessage inputs, parsed: the records the target got. */
  readonly records: () => Array<Record<string, unknown>>;
  readonly sends: Array<{ input: Record<string, unknown>; abortSignal?: AbortSignal }>;
  readonly logs: LoggedLine[];
  readonly invalidSecrets: string[];
  readonly encryptCalls: Array<{ body: unknown; paths: readonly string[]; integration: string }>;
}

/** Every dependency faked and recorded; `send` answers the SQS SendMessage calls (given the call's abort signal). */
function harness(routes: Map<string, ResolvedRoute>, overrides: Partial<IngestDependencies> = {}, send: (abortSignal?: AbortSignal) => Promise<unknown> = async () => ({ MessageId: 'm-1' })): Harness {
  const signals: unknown[][] = [];
  const sends: Harness['sends'] = [];
  const invalidSecrets: string[] = [];
  const encryptCalls: Harness['encryptCalls'] = [];
  const { logs, log } = recordingLog();
  const sqs = { send: (command: { input: Record<string, unknown> }, options?: { abortSignal?: AbortSignal }) => (sends.push({ input: command.input, abortSignal: options?.abortSignal }), send(options?.abortSignal)) };
  return {
    signals,
    sends,
    logs,
    invalidSecrets,
    encryptCalls,
    records: () => sends.map((s) => JSON.parse(s.input.MessageBody as string) as Record<string, unknown>),
    deps: {
      routes,
      clients: { sqs } as unknown as DeliveryClients,
      secretsFor: async () => ({ values: [SECRET], tooShort: [] }),
      log,
      traceId: TRACE,
      emitSignals: (...args) => void signals.push(args),
      emitSigningSecretInvalid: (integration) => void invalidSecrets.push(integration),
      clock: () => 0,
      encryptPii: async (body, paths, integration) => {
        encryptCalls.push({ body: structuredClone(body), paths, integration });
        return mark(body, paths);
      },
      ...overrides,
    },
  };
}

/** A stand-in for field encryption: each named one-step path's value replaced by `enc(<value>)`. */
function mark(body: object, paths: readonly string[]): unknown {
  const out = structuredClone(body) as Record<string, unknown>;
  for (const path of paths) {
    const [head, tail] = path.split('.');
    if (tail === undefined) out[head] = `enc(${String(out[head])})`;
    else (out[head] as Record<string, unknown>)[tail] = `enc(${String((out[head] as Record<string, unknown>)[tail])})`;
  }
  return out;
}

const bodyOf = (res: { body: string }) => JSON.parse(res.body) as Record<string, unknown>;
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const githubSignature = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

describe('accepted records', () => {
  const routes = routesOf(route('/orders', { schema }), route('/open'));

  test('a record delivered to SQS: 202 with the message id, the record exactly as the target gets it, one info line, one signal', async () => {
    const h = harness(routes);
    const res = await ingest(event('/orders', '{"id":"o-1"}', { pathParameters: { orderId: 'o-1' } }), h.deps);
    expect(res).toEqual({ statusCode: 202, headers: JSON_HEADERS, body: JSON.stringify({ accepted: true, messageId: 'm-1', requestId: REQUEST_ID }) });
    expect(h.records()).toEqual([
      { integration: 'Orders', route: 'POST /orders', requestId: REQUEST_ID, traceId: TRACE, receivedAt: new Date(RECEIVED).toISOString(), pathParameters: { orderId: 'o-1' }, queryStringParameters: {}, body: { id: 'o-1' } },
    ]);
    expect(h.logs).toEqual([{ level: 'info', msg: 'record delivered', extra: { integration: 'Orders', target: 'sqs', statusCode: 202 } }]);
    expect(h.signals).toEqual([['Orders', 202, 0, undefined, undefined]]);
    expect(h.invalidSecrets).toEqual([]);
  });

  test('the latency signal is the clock\'s difference, rounded to whole milliseconds', async () => {
    const times = [100.2, 141.9];
    const h = harness(routes, { clock: () => times.shift()! });
    await ingest(event('/orders', '{"id":"o-1"}'), h.deps);
    expect(h.signals).toEqual([['Orders', 202, 42, undefined, undefined]]);
  });

  test('without a clock given, latency is measured with performance.now: a whole number of milliseconds, never NaN', async () => {
    const h = harness(routes, { clock: undefined });
    await ingest(event('/orders', '{"id":"o-1"}'), h.deps);
    const [[, , latency]] = h.signals as [[string, number, number]];
    expect(Number.isInteger(latency)).toBe(true);
    expect(latency).toBeGreaterThanOrEqual(0);
  });

  test('an event without a requestContext: request id "unknown", received now, and no caller', async () => {
    const h = harness(routes);
    const before = Date.now();
    const res = await ingest(event('/open', '{"a":1}', { requestContext: undefined }), h.deps);
    expect(res.statusCode).toBe(202);
    expect(res.headers?.['x-request-id']).toBe('unknown');
    const [record] = h.records();
    expect(record.requestId).toBe('unknown');
    expect(Date.parse(record.receivedAt as string)).toBeGreaterThanOrEqual(before - 1);
    expect(record).not.toHaveProperty('callerArn');
    expect(record).not.toHaveProperty('clientId');
  });

  test.each([
    ['null', null],
    ['undefined', undefined],
    ['empty', ''],
  ])('a route without a schema takes a request whose body is %s: the record has no body', async (_what, body) => {
    const h = harness(routes);
    const res = await ingest(event('/open', body), h.deps);
    expect(res.statusCode).toBe(202);
    const [record] = h.records();
    expect(record).not.toHaveProperty('body');
    expect(record.route).toBe('POST /open');
  });

  test('a route with a schema refuses a request without a body (the schema asks for an object)', async () => {
    const h = harness(routes);
    const res = await ingest(event('/orders', null), h.deps);
    expect(res.statusCode).toBe(400);
    expect(h.sends).toEqual([]);
  });

  test('an OAuth 2.0 caller: the client id is in the record, and no IAM caller even where API Gateway reports one', async () => {
    const h = harness(routes);
    await ingest(event('/open', '{}', { requestContext: { requestId: REQUEST_ID, requestTimeEpoch: RECEIVED, authorizer: { claims: { client_id: 'erp-client' } }, identity: { userArn: 'arn:aws:iam::111122223333:role/other' } } }), h.deps);
    const [record] = h.records();
    expect(record.clientId).toBe('erp-client');
    expect(record).not.toHaveProperty('callerArn');
  });

  test('an IAM caller: the principal API Gateway authenticated is the record\'s callerArn', async () => {
    const h = harness(routes);
    await ingest(event('/open', '{}', { requestContext: { requestId: REQUEST_ID, requestTimeEpoch: RECEIVED, identity: { userArn: 'arn:aws:sts::111122223333:assumed-role/erp/session' } } }), h.deps);
    const [record] = h.records();
    expect(record.callerArn).toBe('arn:aws:sts::111122223333:assumed-role/erp/session');
    expect(record).not.toHaveProperty('clientId');
  });

  test.each([
    ['a null userArn', { userArn: null }],
    ['no userArn', {}],
  ])('%s, or no identity at all: no callerArn key in the record', async (_what, identity) => {
    for (const requestContext of [{ requestId: REQUEST_ID, identity }, { requestId: REQUEST_ID }]) {
      const h = harness(routes);
      await ingest(event('/open', '{}', { requestContext }), h.deps);
      const [record] = h.records();
      expect(record).not.toHaveProperty('callerArn');
    }
  });
});

describe('query-string parameters', () => {
  test('only the declared ones are forwarded; a route that declares none forwards none', async () => {
    const h = harness(routesOf(route('/q', { queryParameters: ['page'] }), route('/none')));
    await ingest(event('/q', '{}', { queryStringParameters: { page: '2', email: 'a@example.com', debug: 'true' } }), h.deps);
    await ingest(event('/none', '{}', { queryStringParameters: { page: '2', email: 'a@example.com' } }), h.deps);
    await ingest(event('/q', '{}', { queryStringParameters: null }), h.deps);
    expect(h.records().map((r) => r.queryStringParameters)).toEqual([{ page: '2' }, {}, {}]);
  });

  test('a declared name is read from the parameters themselves, never from what the object inherits', async () => {
    const h = harness(routesOf(route('/q', { queryParameters: ['page', 'token'] })));
    const inherited = Object.assign(Object.create({ token: 'inherited' }) as Record<string, string>, { page: '3' });
    await ingest(event('/q', '{}', { queryStringParameters: inherited }), h.deps);
    expect(h.records().map((r) => r.queryStringParameters)).toEqual([{ page: '3' }]);
  });

  test('a PII query parameter is forwarded encrypted; a request without it makes no KMS call for it', async () => {
    const h = harness(routesOf(route('/q', { queryParameters: ['page'], piiFields: ['query:ssn'] })));
    await ingest(event('/q', '{"id":"x"}', { queryStringParameters: { page: '1', ssn: '123-45-6789' } }), h.deps);
    await ingest(event('/q', '{"id":"y"}', { queryStringParameters: { page: '2' } }), h.deps);
    expect(h.encryptCalls).toEqual([{ body: { queryStringParameters: { page: '1', ssn: '123-45-6789' } }, paths: ['queryStringParameters.ssn'], integration: 'Orders' }]);
    expect(h.records().map((r) => [r.queryStringParameters, r.body])).toEqual([
      [{ page: '1', ssn: 'enc(123-45-6789)' }, { id: 'x' }],
      [{ page: '2' }, { id: 'y' }],
    ]);
  });
});

describe('PII fields in the body', () => {
  const routes = routesOf(route('/pii', { piiFields: ['email'] }), route('/both', { piiFields: ['email', 'query:ssn'] }));

  test('the body\'s PII is encrypted before delivery, once, with the integration named', async () => {
    const h = harness(routes);
    await ingest(event('/pii', '{"id":"o","email":"a@example.com"}'), h.deps);
    expect(h.encryptCalls).toEqual([{ body: { id: 'o', email: 'a@example.com' }, paths: ['email'], integration: 'Orders' }]);
    expect(h.records()[0].body).toEqual({ id: 'o', email: 'enc(a@example.com)' });
  });

  test('body and query PII: one call for each, and each lands where it was', async () => {
    const h = harness(routes);
    await ingest(event('/both', '{"email":"a@example.com"}', { queryStringParameters: { ssn: '1' } }), h.deps);
    expect(h.encryptCalls.map((c) => c.paths)).toEqual([['email'], ['queryStringParameters.ssn']]);
    const [record] = h.records();
    expect(record.body).toEqual({ email: 'enc(a@example.com)' });
    expect(record.queryStringParameters).toEqual({ ssn: 'enc(1)' });
  });

  test.each([
    ['JSON null', 'null', null],
    ['a JSON string', '"just text"', 'just text'],
    ['a number', '7', 7],
  ])('a body that is %s holds no field: delivered as it is, with no KMS call, even without field encryption configured', async (_what, raw, value) => {
    const h = harness(routes, { encryptPii: undefined });
    const res = await ingest(event('/pii', raw), h.deps);
    expect(res.statusCode).toBe(202);
    expect(h.records()[0].body).toEqual(value);
  });

  test.each([
    ['null', 'null', null],
    ['a JSON string', '"text"', 'text'],
  ])('body %s with a PII query parameter: only the query is encrypted', async (_what, raw, value) => {
    const h = harness(routes);
    await ingest(event('/both', raw, { queryStringParameters: { ssn: '9' } }), h.deps);
    expect(h.encryptCalls.map((c) => c.paths)).toEqual([['queryStringParameters.ssn']]);
    expect(h.records()[0]).toMatchObject({ body: value, queryStringParameters: { ssn: 'enc(9)' } });
  });

  test('a route that declares PII fields on a function without field encryption: 500, the fault named in the log, nothing delivered', async () => {
    const h = harness(routes, { encryptPii: undefined });
    const res = await ingest(event('/pii', '{"email":"a@example.com"}'), h.deps);
    expect(res).toEqual({ statusCode: 500, headers: { ...JSON_HEADERS, 'retry-after': '30' }, body: JSON.stringify({ message: 'internal error, retry later', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([
      { level: 'error', msg: 'ingest failed unexpectedly; nothing was delivered', extra: { integration: 'Orders', error: 'Error', message: 'route POST /pii declares PII fields but the function has no field encryption configured' } },
    ]);
    expect(h.sends).toEqual([]);
  });

  test('a KMS fault: 503 with Retry-After 30, the error\'s name in the log, nothing delivered', async () => {
    const h = harness(routes, { encryptPii: async () => Promise.reject(new KmsCallError('throttled', 'ThrottlingException')) });
    const res = await ingest(event('/pii', '{"email":"a@example.com"}'), h.deps);
    expect(res).toEqual({ statusCode: 503, headers: { ...JSON_HEADERS, 'retry-after': '30' }, body: JSON.stringify({ message: 'temporarily unavailable, retry later', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([{ level: 'error', msg: 'PII encryption failed; nothing was delivered', extra: { integration: 'Orders', error: 'KmsCallError' } }]);
    expect(h.signals).toEqual([['Orders', 503, 0, undefined, undefined]]);
    expect(h.sends).toEqual([]);
  });

  /** An error wrapping `inner` `depth` times through `cause`. */
  const wrapped = (inner: Error, depth: number): Error => (depth === 0 ? inner : new Error(`wrapper ${depth}`, { cause: wrapped(inner, depth - 1) }));

  test('a KMS fault is found through the causes of the error that wraps it, up to five errors deep', async () => {
    const kms = Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    const fourDeep = harness(routes, { encryptPii: async () => Promise.reject(wrapped(kms, 4)) });
    expect((await ingest(event('/pii', '{"email":"a"}'), fourDeep.deps)).statusCode).toBe(503);
    const fiveDeep = harness(routes, { encryptPii: async () => Promise.reject(wrapped(kms, 5)) });
    expect((await ingest(event('/pii', '{"email":"a"}'), fiveDeep.deps)).statusCode).toBe(500);
  });

  test('an error whose causes form a cycle is not a KMS fault, and the ingest still answers (500)', async () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const h = harness(routes, { encryptPii: async () => Promise.reject(a) });
    expect((await ingest(event('/pii', '{"email":"a"}'), h.deps)).statusCode).toBe(500);
  });
});

describe('rejections: the sender\'s faults', () => {
  const routes = routesOf(
    route('/orders', { schema }),
    route('/signed', { signature: SignatureScheme.githubHmacSha256().bind(), signingSecretId: 'signing-secret' }),
  );

  test('a body that is not JSON: 400 with the parser\'s reason, a warning, rejected as malformed', async () => {
    const h = harness(routes);
    const res = await ingest(event('/orders', '{"id":'), h.deps);
    expect(res).toEqual({ statusCode: 400, headers: JSON_HEADERS, body: JSON.stringify({ message: 'body is not valid JSON', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([{ level: 'warn', msg: 'body rejected', extra: { integration: 'Orders', status: 400, reason: 'body is not valid JSON' } }]);
    expect(h.signals).toEqual([['Orders', 400, 0, RejectionCause.MALFORMED, undefined]]);
  });

  test('a body against the schema: 400 "invalid request body" with the violations, logged as a warning', async () => {
    const h = harness(routes);
    const res = await ingest(event('/orders', '{"id":7}'), h.deps);
    const { errors } = bodyOf(res);
    expect(res).toEqual({ statusCode: 400, headers: JSON_HEADERS, body: JSON.stringify({ message: 'invalid request body', errors, requestId: REQUEST_ID }) });
    expect(errors).toEqual([expect.objectContaining({ path: '/id' })]);
    expect(h.logs).toEqual([{ level: 'warn', msg: 'body rejected by schema', extra: { integration: 'Orders', violations: errors } }]);
    expect(h.signals).toEqual([['Orders', 400, 0, RejectionCause.SCHEMA, undefined]]);
  });

  test('a wrong signature: 401 "invalid signature" (the reason only in the log), nothing delivered', async () => {
    const h = harness(routes);
    const res = await ingest(event('/signed', '{"id":"o"}', { headers: { 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` } }), h.deps);
    expect(res).toEqual({ statusCode: 401, headers: JSON_HEADERS, body: JSON.stringify({ message: 'invalid signature', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([
      { level: 'warn', msg: 'webhook signature rejected', extra: { integration: 'Orders', reason: 'mismatch', detail: "the signature in 'X-Hub-Signature-256' matches the body under none of the signing secrets" } },
    ]);
    expect(JSON.stringify(h.logs)).not.toContain(SECRET);
    expect(h.signals).toEqual([['Orders', 401, 0, RejectionCause.SIGNATURE, undefined]]);
    expect(h.sends).toEqual([]);
  });

  test('a good signature is checked against the secret the route names, with its overlap and encoding', async () => {
    const asked: unknown[][] = [];
    const signed = route('/signed', { signature: SignatureScheme.githubHmacSha256().bind(), signingSecretId: 'signing-secret', signingSecretOverlapSeconds: 600 });
    const h = harness(routesOf(signed), { secretsFor: async (...args) => (asked.push(args), { values: [SECRET], tooShort: [] }) });
    const body = '{"id":"o"}';
    const res = await ingest(event('/signed', body, { headers: { 'X-Hub-Signature-256': githubSignature(body) } }), h.deps);
    expect(res.statusCode).toBe(202);
    expect(asked).toEqual([['signing-secret', 600, signed.signature!.secretEncoding]]);
    expect(h.logs.map((l) => l.level)).toEqual(['info']);
    expect(h.invalidSecrets).toEqual([]);
  });

  test('a base64-encoded body is decoded before the signature is checked', async () => {
    const h = harness(routes);
    const body = '{"id":"é"}';
    const res = await ingest(event('/signed', Buffer.from(body).toString('base64'), { isBase64Encoded: true, headers: { 'x-hub-signature-256': githubSignature(body) } }), h.deps);
    expect(res.statusCode).toBe(202);
    expect(h.records()[0].body).toEqual({ id: 'é' });
  });
});

describe('a signing secret too short to use', () => {
  const routes = routesOf(route('/signed', { signature: SignatureScheme.githubHmacSha256().bind(), signingSecretId: 'signing-secret' }));
  const body = '{"id":"o"}';

  test('AWSCURRENT too short: 503 with Retry-After 300 (our configuration, so the sender retries once it is fixed), the refusal logged and counted', async () => {
    const h = harness(routes, { secretsFor: async () => ({ values: [], tooShort: ['AWSCURRENT'] }) });
    const res = await ingest(event('/signed', body, { headers: { 'x-hub-signature-256': githubSignature(body) } }), h.deps);
    expect(res).toEqual({ statusCode: 503, headers: { ...JSON_HEADERS, 'retry-after': '300' }, body: JSON.stringify({ message: 'temporarily unavailable, retry later', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([
      { level: 'error', msg: "signing secret refused: shorter than 32 bytes; put the partner's full secret in Secrets Manager", extra: { integration: 'Orders', versions: ['AWSCURRENT'] } },
    ]);
    expect(h.invalidSecrets).toEqual(['Orders']);
    expect(h.signals).toEqual([['Orders', 503, 0, undefined, undefined]]);
    expect(h.sends).toEqual([]);
  });

  test('only AWSPREVIOUS too short: logged and counted, and the request is verified with AWSCURRENT', async () => {
    const h = harness(routes, { secretsFor: async () => ({ values: [SECRET], tooShort: ['AWSPREVIOUS'] }) });
    const res = await ingest(event('/signed', body, { headers: { 'x-hub-signature-256': githubSignature(body) } }), h.deps);
    expect(res.statusCode).toBe(202);
    expect(h.invalidSecrets).toEqual(['Orders']);
    expect(h.logs.map((l) => [l.level, l.extra.versions])).toEqual([['error', ['AWSPREVIOUS']], ['info', undefined]]);
  });

  test('a function that does not emit signing_secret_invalid still answers', async () => {
    const h = harness(routes, { secretsFor: async () => ({ values: [], tooShort: ['AWSCURRENT'] }), emitSigningSecretInvalid: undefined });
    expect((await ingest(event('/signed', body), h.deps)).statusCode).toBe(503);
  });
});

describe('mutual TLS routes', () => {
  const PARTNER = { subjectDN: 'CN=orders.partner.example,O=Partner Corp,C=US', issuerDN: 'CN=Partner Root CA,O=Partner Corp,C=US', serialNumber: '1f:00:3a', validity: { notBefore: 'Nov 28 00:00:00 2025 GMT', notAfter: 'Nov 28 00:00:00 2027 GMT' } };
  const clients = [{ subject: canonicalDn(PARTNER.subjectDN), issuer: canonicalDn(PARTNER.issuerDN) }];
  const routes = routesOf(route('/listed', { clientCertificate: { clients } }), route('/any', { clientCertificate: {} }), route('/public'));
  const withCert = (resource: string, clientCert: unknown) => event(resource, '{}', { requestContext: { requestId: REQUEST_ID, requestTimeEpoch: RECEIVED, identity: { userArn: null, clientCert } } });

  test('a listed certificate is admitted, in any spelling of its DNs, and its record carries the certificate as API Gateway reported it', async () => {
    const h = harness(routes);
    const respelled = { ...PARTNER, subjectDN: 'C=US, O=Partner Corp, CN=orders.partner.example' };
    expect((await ingest(withCert('/listed', PARTNER), h.deps)).statusCode).toBe(202);
    expect((await ingest(withCert('/listed', respelled), h.deps)).statusCode).toBe(202);
    expect(h.records().map((r) => r.clientCertificate)).toEqual([
      { subjectDN: PARTNER.subjectDN, issuerDN: PARTNER.issuerDN, serialNumber: '1f:00:3a', notAfter: 'Nov 28 00:00:00 2027 GMT' },
      { subjectDN: respelled.subjectDN, issuerDN: PARTNER.issuerDN, serialNumber: '1f:00:3a', notAfter: 'Nov 28 00:00:00 2027 GMT' },
    ]);
  });

  test.each([
    ['another subject from the same CA', { ...PARTNER, subjectDN: 'CN=billing.partner.example,O=Partner Corp,C=US' }],
    ['the listed subject from another CA', { ...PARTNER, issuerDN: 'CN=Other CA,O=Other,C=US' }],
    ['both another subject and another CA', { ...PARTNER, subjectDN: 'CN=x', issuerDN: 'CN=y' }],
  ])('%s: 403, logged with the subject and serial, rejected for the certificate', async (_what, cert) => {
    const h = harness(routes);
    const res = await ingest(withCert('/listed', cert), h.deps);
    expect(res).toEqual({ statusCode: 403, headers: JSON_HEADERS, body: JSON.stringify({ message: 'client certificate not allowed', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([{ level: 'warn', msg: 'client certificate refused', extra: { integration: 'Orders', subjectDN: cert.subjectDN, serialNumber: '1f:00:3a' } }]);
    expect(h.signals).toEqual([['Orders', 403, 0, RejectionCause.CLIENT_CERTIFICATE, undefined]]);
    expect(h.sends).toEqual([]);
  });

  test('a route that lists several clients admits each of them', async () => {
    const second = { ...PARTNER, subjectDN: 'CN=backup.partner.example,O=Partner Corp,C=US' };
    const h = harness(routesOf(route('/two', { clientCertificate: { clients: [...clients, { subject: canonicalDn(second.subjectDN), issuer: clients[0].issuer }] } })));
    expect((await ingest(withCert('/two', second), h.deps)).statusCode).toBe(202);
    expect((await ingest(withCert('/two', PARTNER), h.deps)).statusCode).toBe(202);
  });

  test.each([
    ['no certificate', undefined],
    ['a null certificate', null],
    ['no subjectDN', { ...PARTNER, subjectDN: undefined }],
    ['no issuerDN', { ...PARTNER, issuerDN: undefined }],
    ['no serialNumber', { ...PARTNER, serialNumber: undefined }],
    ['a subjectDN that is not a string', { ...PARTNER, subjectDN: 7 }],
    ['an issuerDN that is not a string', { ...PARTNER, issuerDN: ['CN=Partner Root CA'] }],
    ['a serialNumber that is not a string', { ...PARTNER, serialNumber: 31 }],
  ])('%s: 403 on a route that lists clients and on one that admits any verified certificate, logged with nulls', async (_what, cert) => {
    for (const resource of ['/listed', '/any']) {
      const h = harness(routes);
      expect((await ingest(withCert(resource, cert), h.deps)).statusCode).toBe(403);
      expect(h.logs).toEqual([{ level: 'warn', msg: 'client certificate refused', extra: { integration: 'Orders', subjectDN: null, serialNumber: null } }]);
    }
  });

  test('a route that admits any verified certificate takes one, with no notAfter when API Gateway gives none as a string', async () => {
    const h = harness(routes);
    await ingest(withCert('/any', { ...PARTNER, validity: undefined }), h.deps);
    await ingest(withCert('/any', { ...PARTNER, validity: { notAfter: 1827532800 } }), h.deps);
    expect(h.records().map((r) => r.clientCertificate)).toEqual([
      { subjectDN: PARTNER.subjectDN, issuerDN: PARTNER.issuerDN, serialNumber: '1f:00:3a' },
      { subjectDN: PARTNER.subjectDN, issuerDN: PARTNER.issuerDN, serialNumber: '1f:00:3a' },
    ]);
  });

  test('a route that is not mutual TLS ignores a certificate: the record carries none', async () => {
    const h = harness(routes);
    await ingest(withCert('/public', PARTNER), h.deps);
    await ingest(event('/public', '{}', { requestContext: { requestId: REQUEST_ID, identity: null } }), h.deps);
    expect(h.records().map((r) => 'clientCertificate' in r)).toEqual([false, false]);
  });

  test('a mutual TLS route without a certificate on the event refuses even when identity is missing', async () => {
    const h = harness(routes);
    expect((await ingest(event('/any', '{}', { requestContext: { requestId: REQUEST_ID } }), h.deps)).statusCode).toBe(403);
  });
});

/** A deduplicator that records the key it is given and answers as told: `run` says whether it runs the handler. */
function fakeDeduplicator(outcome: (answer?: Answer) => DeduplicationOutcome, run = true) {
  const keys: DeliveryKey[] = [];
  const deadlines: unknown[] = [];
  return {
    keys,
    deadlines,
    deduplicator: {
      once: async (key: DeliveryKey, handle: () => Promise<Answer>, remainingTimeMs?: () => number) => {
        keys.push(key);
        deadlines.push(remainingTimeMs);
        return outcome(run ? await handle() : undefined);
      },
    },
  };
}

describe('deduplicated routes', () => {
  const routes = routesOf(
    route('/by-body', { deduplication: { windowSeconds: 3600, key: DeduplicationKey.BODY } }),
    route('/by-id', { deduplication: { windowSeconds: 600, key: DeduplicationKey.SIGNED_ID, deliveryId: { header: 'webhook-id' } } }),
    route('/by-key', { queryParameters: ['page'], deduplication: { windowSeconds: 86_400, key: DeduplicationKey.CLIENT_KEY, deliveryId: { header: 'Idempotency-Key' } } }),
    route('/by-key-mtls', { clientCertificate: {}, deduplication: { windowSeconds: 60, key: DeduplicationKey.CLIENT_KEY, deliveryId: { header: 'Idempotency-Key' } } }),
  );
  const first = (answer?: Answer): DeduplicationOutcome => ({ kind: 'first', answer: answer! });
  const body = '{"id":"o-1"}';

  test('a body-keyed delivery: named by the SHA-256 of the raw body, scoped to integration, route and no caller, kept when it succeeds', async () => {
    const d = fakeDeduplicator(first);
    const remainingTimeMs = () => 20_000;
    const h = harness(routes, { deduplicator: d.deduplicator, remainingTimeMs });
    const res = await ingest(event('/by-body', body), h.deps);
    expect(res.statusCode).toBe(202);
    expect(d.keys).toEqual([{ scope: 'Orders#POST /by-body##body', deliveryId: sha256(body), fingerprint: undefined, windowSeconds: 3600, keep: 'success' }]);
    expect(d.deadlines).toEqual([remainingTimeMs]);
    expect(h.records()).toHaveLength(1);
    expect(h.records()[0]).not.toHaveProperty('deliveryId');
  });

  test('a signed id: named by the id, the record carries it', async () => {
    const d = fakeDeduplicator(first);
    const h = harness(routes, { deduplicator: d.deduplicator });
    await ingest(event('/by-id', body, { headers: { 'Webhook-Id': 'msg_2x' } }), h.deps);
    expect(d.keys).toEqual([{ scope: 'Orders#POST /by-id##signed-id', deliveryId: 'msg_2x', fingerprint: undefined, windowSeconds: 600, keep: 'success' }]);
    expect(h.records()[0].deliveryId).toBe('msg_2x');
  });

  test('a client\'s Idempotency-Key: scoped to its client id, fingerprinted with path, declared query and body, every final answer kept', async () => {
    const d = fakeDeduplicator(first);
    const h = harness(routes, { deduplicator: d.deduplicator });
    const e = event('/by-key', body, {
      path: '/v1/by-key',
      headers: { 'idempotency-key': 'k-1' },
      queryStringParameters: { page: '2', utm: 'x' },
      requestContext: { requestId: REQUEST_ID, authorizer: { claims: { client_id: 'erp' } } },
    });
    await ingest(e, h.deps);
    const fingerprint = sha256(Buffer.concat([Buffer.from(`${JSON.stringify(['/v1/by-key', { page: '2' }])}\n`), Buffer.from(body)]));
    expect(d.keys).toEqual([{ scope: 'Orders#POST /by-key#erp#client-key', deliveryId: 'k-1', fingerprint, windowSeconds: 86_400, keep: 'final' }]);
  });

  test('the fingerprint of an event without a path is taken over an empty path', async () => {
    const d = fakeDeduplicator(first);
    const h = harness(routes, { deduplicator: d.deduplicator });
    await ingest(event('/by-key', body, { path: undefined, headers: { 'idempotency-key': 'k-2' }, requestContext: { requestId: REQUEST_ID, identity: { userArn: 'arn:aws:iam::111122223333:role/erp' } } }), h.deps);
    expect(d.keys).toEqual([
      expect.objectContaining({ scope: 'Orders#POST /by-key#arn:aws:iam::111122223333:role/erp#client-key', fingerprint: sha256(Buffer.concat([Buffer.from(`${JSON.stringify(['', {}])}\n`), Buffer.from(body)])) }),
    ]);
  });

  test('a mutual TLS caller is scoped by its certificate\'s issuer and subject', async () => {
    const d = fakeDeduplicator(first);
    const h = harness(routes, { deduplicator: d.deduplicator });
    const clientCert = { subjectDN: 'CN=pay.partner.example', issuerDN: 'CN=Partner Root CA', serialNumber: '01' };
    await ingest(event('/by-key-mtls', body, { headers: { 'Idempotency-Key': 'k-3' }, requestContext: { requestId: REQUEST_ID, identity: { clientCert } } }), h.deps);
    expect(d.keys.map((k) => k.scope)).toEqual(['Orders#POST /by-key-mtls#CN=Partner Root CA/CN=pay.partner.example#client-key']);
  });

  test('a signed-id route without a usable id: delivered without deduplication, and a warning says where the id was looked for', async () => {
    const d = fakeDeduplicator(first);
    const h = harness(routes, { deduplicator: d.deduplicator });
    expect((await ingest(event('/by-id', body), h.deps)).statusCode).toBe(202);
    expect(d.keys).toEqual([]);
    expect(h.records()).toHaveLength(1);
    expect(h.logs[0]).toEqual({ level: 'warn', msg: 'no usable delivery id; delivered without deduplication', extra: { integration: 'Orders', where: { header: 'webhook-id' } } });
  });

  test('a client-key route: a blank Idempotency-Key (any spelling of the header) is warned about; no key at all is an ordinary request', async () => {
    const d = fakeDeduplicator(first);
    const h = harness(routes, { deduplicator: d.deduplicator });
    await ingest(event('/by-key', body, { headers: { 'IDEMPOTENCY-KEY': '  ' } }), h.deps);
    await ingest(event('/by-key', body, { headers: { 'x-other': 'k' } }), h.deps);
    await ingest(event('/by-key', body, { headers: null }), h.deps);
    expect(d.keys).toEqual([]);
    expect(h.records()).toHaveLength(3);
    expect(h.logs.map((l) => `${l.level}: ${l.msg}`)).toEqual(['warn: no usable delivery id; delivered without deduplication', 'info: record delivered', 'info: record delivered', 'info: record delivered']);
  });

  test('a route that deduplicates on a function without a deduplication table: 500, the fault in the log, nothing delivered', async () => {
    const h = harness(routes);
    const res = await ingest(event('/by-body', body), h.deps);
    expect(res.statusCode).toBe(500);
    expect(h.logs).toEqual([
      { level: 'error', msg: 'ingest failed unexpectedly; nothing was delivered', extra: { integration: 'Orders', error: 'Error', message: 'route POST /by-body deduplicates deliveries but the function has no deduplication table configured' } },
    ]);
    expect(h.sends).toEqual([]);
  });

  test('the deduplication table fails: 503 with Retry-After 30 and the error logged; any other error is a 500', async () => {
    const store = harness(routes, { deduplicator: { once: async () => Promise.reject(new DeduplicationStoreError('ProvisionedThroughputExceededException')) } });
    const res = await ingest(event('/by-body', body), store.deps);
    expect(res).toEqual({ statusCode: 503, headers: { ...JSON_HEADERS, 'retry-after': '30' }, body: JSON.stringify({ message: 'temporarily unavailable, retry later', requestId: REQUEST_ID }) });
    expect(store.logs).toEqual([{ level: 'error', msg: 'the deduplication table failed; nothing was delivered', extra: { integration: 'Orders', error: 'ProvisionedThroughputExceededException' } }]);
    const other = harness(routes, { deduplicator: { once: async () => Promise.reject(new TypeError('bug')) } });
    expect((await ingest(event('/by-body', body), other.deps)).statusCode).toBe(500);
    expect(other.logs.map((l) => l.extra.error)).toEqual(['TypeError']);
  });

  test('a duplicate: the first answer with this request\'s id, an info line, counted as a duplicate, nothing delivered', async () => {
    const firstAnswer = { statusCode: 202, headers: { 'content-type': 'application/json', 'x-request-id': 'req-0', 'idempotent-replayed': 'true' }, body: '{"accepted":true}' };
    const d = fakeDeduplicator(() => ({ kind: 'duplicate', answer: firstAnswer }), false);
    const h = harness(routes, { deduplicator: d.deduplicator });
    const res = await ingest(event('/by-id', body, { headers: { 'webhook-id': 'msg_1' } }), h.deps);
    expect(res).toEqual({ ...firstAnswer, headers: { ...firstAnswer.headers, 'x-request-id': REQUEST_ID } });
    expect(h.logs).toEqual([{ level: 'info', msg: 'duplicate delivery answered with the first answer; not delivered again', extra: { integration: 'Orders', deliveryId: 'msg_1', key: 'signed-id', name: 'msg_1' } }]);
    expect(h.signals).toEqual([['Orders', 202, 0, undefined, DeduplicationSignal.DUPLICATE]]);
    expect(h.sends).toEqual([]);
  });

  test('the first copy still in flight: 409 with Retry-After 5 and a warning', async () => {
    const d = fakeDeduplicator(() => ({ kind: 'in-flight' }), false);
    const h = harness(routes, { deduplicator: d.deduplicator });
    const res = await ingest(event('/by-body', body), h.deps);
    expect(res).toEqual({ statusCode: 409, headers: { ...JSON_HEADERS, 'retry-after': '5' }, body: JSON.stringify({ message: 'this delivery is being processed, retry later', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([
      { level: 'warn', msg: 'the first copy of this delivery is still in progress; answered 409 so the sender retries', extra: { integration: 'Orders', deliveryId: undefined, key: 'body', name: sha256(body) } },
    ]);
    expect(h.signals).toEqual([['Orders', 409, 0, undefined, undefined]]);
  });

  test('an Idempotency-Key reused with another request: 422 and a warning', async () => {
    const d = fakeDeduplicator(() => ({ kind: 'conflict' }), false);
    const h = harness(routes, { deduplicator: d.deduplicator });
    const res = await ingest(event('/by-key', body, { headers: { 'Idempotency-Key': 'k-9' } }), h.deps);
    expect(res).toEqual({ statusCode: 422, headers: JSON_HEADERS, body: JSON.stringify({ message: 'this Idempotency-Key was used before with another request', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([{ level: 'warn', msg: 'Idempotency-Key reused with another request; refused', extra: { integration: 'Orders', deliveryId: 'k-9', key: 'client-key', name: 'k-9' } }]);
  });

  test('first or not kept: the answer the handler gave, not the deduplicator\'s copy of it; the copy only when the handler did not run here', async () => {
    const copy = { statusCode: 299, body: '{"copy":true}' };
    for (const kind of ['first', 'not-kept'] as const) {
      const ran = harness(routes, { deduplicator: fakeDeduplicator(() => ({ kind, answer: copy })).deduplicator });
      const res = await ingest(event('/by-body', body), ran.deps);
      expect(res.statusCode).toBe(202);
      expect(res.headers).toEqual(JSON_HEADERS);
      expect(ran.signals).toEqual([['Orders', 202, 0, undefined, undefined]]);
      expect(ran.logs.filter((l) => l.level !== 'info')).toEqual([]);
      const notRun = harness(routes, { deduplicator: fakeDeduplicator(() => ({ kind, answer: copy }), false).deduplicator });
      expect(await ingest(event('/by-body', body), notRun.deps)).toEqual(copy);
    }
  });

  test.each([
    ['first', 'notKept', 'delivered, but the answer could not be kept: a retry after the in-progress time is delivered again'],
    ['not-kept', 'stuck', 'not delivered, and the delivery could not be freed: retries get 409 until the in-progress time has passed'],
  ] as const)('%s with %s: the answer, an error line naming the AWS error, counted as not kept', async (kind, field, msg) => {
    const copy = { statusCode: 299, body: '{"copy":true}' };
    const why = 'IdempotencyPersistenceLayerError <- ThrottlingException';
    for (const run of [true, false]) {
      const h = harness(routes, { deduplicator: fakeDeduplicator((answer) => ({ kind, answer: answer ?? copy, [field]: why }) as DeduplicationOutcome, run).deduplicator });
      const res = await ingest(event('/by-body', body), h.deps);
      expect(res.statusCode).toBe(run ? 202 : 299);
      expect(h.logs.filter((l) => l.level === 'error')).toEqual([{ level: 'error', msg, extra: { integration: 'Orders', deliveryId: undefined, key: 'body', name: sha256(body), error: why } }]);
      expect(h.signals).toEqual([['Orders', run ? 202 : 299, 0, undefined, DeduplicationSignal.NOT_KEPT]]);
    }
  });
});

describe('target and deadline faults', () => {
  const routes = routesOf(route('/orders'), route('/pii', { piiFields: ['email'] }));

  test('the target fails: 502 with Retry-After 30, the target error in the log', async () => {
    const h = harness(routes, {}, async () => Promise.reject(Object.assign(new Error('down'), { name: 'ServiceUnavailable' })));
    const res = await ingest(event('/orders', '{}'), h.deps);
    expect(res).toEqual({ statusCode: 502, headers: { ...JSON_HEADERS, 'retry-after': '30' }, body: JSON.stringify({ message: 'target unavailable, retry later', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([{ level: 'error', msg: 'delivery failed; the sender should retry', extra: { integration: 'Orders', target: 'sqs', error: 'delivery to sqs target failed: ServiceUnavailable' } }]);
  });

  test('the deadline passes: 503 with Retry-After 30, an error line, and the delivery in flight aborted', async () => {
    const h = harness(routes, { remainingTimeMs: () => DEADLINE_MARGIN_MS + 20 }, () => new Promise(() => undefined));
    const res = await ingest(event('/orders', '{}'), h.deps);
    expect(res).toEqual({ statusCode: 503, headers: { ...JSON_HEADERS, 'retry-after': '30' }, body: JSON.stringify({ message: 'temporarily unavailable, retry later', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([{ level: 'error', msg: 'the request would outlive the function; answered 503 so the sender retries', extra: { integration: 'Orders' } }]);
    expect(h.signals).toEqual([['Orders', 503, 0, undefined, undefined]]);
    expect(h.sends[0].abortSignal?.aborted).toBe(true);
  });

  test('a delivery aborted at the deadline (the SDK rejects the call): a warning that the target may get it twice, not a second error', async () => {
    // As the AWS SDK does: an aborted call rejects with an AbortError, which deliver() wraps as a TargetError.
    const abortable = (signal?: AbortSignal) => new Promise((_, reject) => signal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }))));
    const h = harness(routes, { remainingTimeMs: () => DEADLINE_MARGIN_MS + 20 }, abortable);
    expect((await ingest(event('/orders', '{}'), h.deps)).statusCode).toBe(503);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.logs).toEqual([
      { level: 'error', msg: 'the request would outlive the function; answered 503 so the sender retries', extra: { integration: 'Orders' } },
      { level: 'warn', msg: 'the deadline passed during delivery; the sender retries, and the target may get the record twice', extra: { integration: 'Orders', target: 'sqs' } },
    ]);
    expect(h.signals).toEqual([['Orders', 503, 0, undefined, undefined]]);
  });

  test('a deduplicated delivery aborted at the deadline is not kept: the sender\'s retry is delivered', async () => {
    const abortable = (signal?: AbortSignal) => new Promise((_, reject) => signal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }))));
    const answers: Answer[] = [];
    const deduplicator = { once: async (_key: DeliveryKey, handle: () => Promise<Answer>) => { const a = await handle(); answers.push(a); return { kind: 'not-kept', answer: a } as DeduplicationOutcome; } };
    const h = harness(routesOf(route('/dedup', { deduplication: { windowSeconds: 60, key: DeduplicationKey.BODY } })), { remainingTimeMs: () => DEADLINE_MARGIN_MS + 20, deduplicator }, abortable);
    expect((await ingest(event('/dedup', '{}'), h.deps)).statusCode).toBe(503);
    await new Promise((resolve) => setImmediate(resolve));
    expect(answers.map((a) => [a.statusCode, a.headers?.['retry-after']])).toEqual([[503, '30']]);
  });

  test('PII encryption that ends after the deadline: nothing is sent to the target after the 503', async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const h = harness(routes, { remainingTimeMs: () => DEADLINE_MARGIN_MS + 10, encryptPii: async (b) => (await slow, b) });
    expect((await ingest(event('/pii', '{"email":"a"}'), h.deps)).statusCode).toBe(503);
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.sends).toEqual([]);
    expect(h.logs).toEqual([
      { level: 'error', msg: 'the request would outlive the function; answered 503 so the sender retries', extra: { integration: 'Orders' } },
      { level: 'info', msg: 'the deadline passed before delivery; not delivered', extra: { integration: 'Orders' } },
    ]);
  });

  test('an answer before the deadline clears its timer: no late 503 log, and the delivery is not aborted afterwards', async () => {
    const h = harness(routes, { remainingTimeMs: () => DEADLINE_MARGIN_MS + 30 });
    expect((await ingest(event('/orders', '{}'), h.deps)).statusCode).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(h.logs.map((l) => l.msg)).toEqual(['record delivered']);
    expect(h.sends[0].abortSignal?.aborted).toBe(false);
  });

  test('the deadline is DEADLINE_MARGIN_MS before the function\'s timeout, to the millisecond; with less time left than that, at once', async () => {
    jest.useFakeTimers();
    try {
      for (const [left, due] of [[DEADLINE_MARGIN_MS + 20, 20], [DEADLINE_MARGIN_MS - 200, 0]]) {
        const h = harness(routes, { remainingTimeMs: () => left }, () => new Promise(() => undefined));
        let settled: number | undefined;
        void ingest(event('/orders', '{}'), h.deps).then((res) => (settled = res.statusCode));
        await jest.advanceTimersByTimeAsync(Math.max(0, due - 1));
        expect(settled).toBe(due === 0 ? 503 : undefined);
        await jest.advanceTimersByTimeAsync(1);
        expect(settled).toBe(503);
      }
    } finally {
      jest.useRealTimers();
    }
  });

  test('without remainingTimeMs there is no deadline: a slow target is waited for', async () => {
    const h = harness(routes, { remainingTimeMs: undefined }, () => new Promise((resolve) => setTimeout(() => resolve({ MessageId: 'm-slow' }), 30)));
    expect((await ingest(event('/orders', '{}'), h.deps)).statusCode).toBe(202);
    expect(h.sends[0].abortSignal?.aborted).toBe(false);
  });

  test('the deadline is the time left less the margin: a target that answers well within it is not cut off', async () => {
    const h = harness(routes, { remainingTimeMs: () => DEADLINE_MARGIN_MS + 1_000 }, () => new Promise((resolve) => setTimeout(() => resolve({ MessageId: 'm-slow' }), 30)));
    expect((await ingest(event('/orders', '{}'), h.deps)).statusCode).toBe(202);
    expect(h.logs.map((l) => l.msg)).toEqual(['record delivered']);
  });

  test('a 500 or 503 the pipeline answers for an event without a requestContext carries request id "unknown"', async () => {
    const signed = routesOf(route('/signed', { signature: SignatureScheme.githubHmacSha256().bind(), signingSecretId: 's' }));
    const failed = await ingest(event('/signed', '{}', { requestContext: undefined }), harness(signed, { secretsFor: async () => Promise.reject(new Error('x')) }).deps);
    expect([failed.statusCode, failed.headers?.['x-request-id'], bodyOf(failed).requestId]).toEqual([500, 'unknown', 'unknown']);
    const late = await ingest(event('/orders', '{}', { requestContext: undefined }), harness(routes, { remainingTimeMs: () => DEADLINE_MARGIN_MS }, () => new Promise(() => undefined)).deps);
    expect([late.statusCode, late.headers?.['x-request-id'], bodyOf(late).requestId]).toEqual([503, 'unknown', 'unknown']);
  });

  test('a function that emits no signals still answers', async () => {
    const h = harness(routes, { emitSignals: undefined });
    expect((await ingest(event('/orders', '{}'), h.deps)).statusCode).toBe(202);
  });

  test('a log call that throws (stdout gone) on a request for no route still gets the 500, logged by the fallback', async () => {
    const h = harness(routes);
    let calls = 0;
    const flaky = (level: string) => (msg: string, extra: Record<string, unknown>) => {
      calls += 1;
      if (calls === 1) throw new Error('EPIPE');
      h.logs.push({ level, msg, extra });
    };
    const res = await ingest(event('/elsewhere', '{}'), { ...h.deps, log: { info: flaky('info'), warn: flaky('warn'), error: flaky('error') } });
    expect(res.statusCode).toBe(500);
    expect(h.logs).toEqual([{ level: 'error', msg: 'ingest failed unexpectedly; nothing was delivered', extra: { integration: undefined, error: 'Error', message: 'EPIPE' } }]);
  });

  test('an error that is not an Error object (a rejected undefined) is still a 500 with signals', async () => {
    const signed = routesOf(route('/signed', { signature: SignatureScheme.githubHmacSha256().bind(), signingSecretId: 's' }));
    const h = harness(signed, { secretsFor: async () => Promise.reject(undefined) });
    const res = await ingest(event('/signed', '{}'), h.deps);
    expect(res.statusCode).toBe(500);
    expect(h.logs).toEqual([{ level: 'error', msg: 'ingest failed unexpectedly; nothing was delivered', extra: { integration: 'Orders', error: undefined, message: undefined } }]);
    expect(h.signals).toEqual([['Orders', 500, 0, undefined, undefined]]);
  });
});

describe('the route\'s fields', () => {
  test('a route\'s PII fields and forwarded parameters are worked out once per container, not for each request', async () => {
    const piiRoute = route('/once', { piiFields: ['email', 'query:ssn'], queryParameters: ['page'] });
    const h = harness(routesOf(piiRoute));
    const before = jest.mocked(splitPiiFields).mock.calls.length;
    await ingest(event('/once', '{"email":"a"}', { queryStringParameters: { page: '1', ssn: '2' } }), h.deps);
    await ingest(event('/once', '{"email":"b"}', { queryStringParameters: { page: '2', ssn: '3' } }), h.deps);
    expect(jest.mocked(splitPiiFields).mock.calls.slice(before)).toEqual([[['email', 'query:ssn']]]);
    expect(h.records().map((r) => r.queryStringParameters)).toEqual([{ page: '1', ssn: 'enc(2)' }, { page: '2', ssn: 'enc(3)' }]);
  });
});

describe('a request for a route the config does not have', () => {
  test('500 "route not configured", an error line naming the route, unrouted_count (no integration to count it against), no CORS', async () => {
    let unrouted = 0;
    const h = harness(routesOf(route('/orders', { corsOrigins: ['https://app.example.com'] })), { emitUnrouted: () => void (unrouted += 1) });
    const res = await ingest(event('/elsewhere', '{}', { headers: { Origin: 'https://app.example.com' } }), h.deps);
    expect(res).toEqual({ statusCode: 500, headers: JSON_HEADERS, body: JSON.stringify({ message: 'route not configured', requestId: REQUEST_ID }) });
    expect(h.logs).toEqual([{ level: 'error', msg: 'no ingest route for the request: the deployed config and the API disagree', extra: { route: 'POST /elsewhere' } }]);
    expect(h.signals).toEqual([]);
    expect(unrouted).toBe(1);
    // A routed request is counted in its integration's signals, never as unrouted.
    await ingest(event('/orders', '{}'), h.deps);
    expect(unrouted).toBe(1);
    // A function that does not emit it still answers.
    expect((await ingest(event('/elsewhere', '{}'), { ...h.deps, emitUnrouted: undefined })).statusCode).toBe(500);
  });

  test('the method is matched in upper case', async () => {
    const h = harness(routesOf(route('/orders')));
    expect((await ingest(event('/orders', '{}', { httpMethod: 'post' }), h.deps)).statusCode).toBe(202);
  });
});

describe('CORS', () => {
  const routes = routesOf(route('/cors', { corsOrigins: ['https://app.example.com'] }));

  test('only the Origin header is read as the origin, in any case of its name', async () => {
    const h = harness(routes);
    const other = await ingest(event('/cors', '{}', { headers: { 'x-forwarded-host': 'https://app.example.com', origin: 'https://evil.example' } }), h.deps);
    expect(other.headers).toEqual({ ...JSON_HEADERS });
    const allowed = await ingest(event('/cors', '{}', { headers: { 'x-forwarded-host': 'https://evil.example', ORIGIN: 'https://app.example.com' } }), h.deps);
    expect(allowed.headers).toEqual({ ...JSON_HEADERS, 'access-control-allow-origin': 'https://app.example.com', vary: 'Origin' });
  });

  test('a route without CORS origins answers an Origin with no CORS header', async () => {
    const h = harness(routesOf(route('/plain')));
    const res = await ingest(event('/plain', '{}', { headers: { origin: 'https://app.example.com' } }), h.deps);
    expect(res.headers).toEqual(JSON_HEADERS);
  });
});
