// Every way out of the ingest pipeline is counted in the integration's signals, with the status
// the sender should act on: 4xx with a cause for its own faults, 503 for KMS, 502 for the target,
// 500 for ours, and 503 before the function's timeout instead of a silent kill.
import { createHmac } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ResolvedRoute } from '../../../lambda/ingest/config';
import type { DeliveryClients } from '../../../lambda/ingest/deliver';
import { DEADLINE_MARGIN_MS, ingest, type IngestDependencies, MAX_BODY_DEPTH, structuralProblem } from '../../../lambda/ingest/ingest';
import { KmsCallError } from '../../../lambda/shared/field-encryption/data-key-cache';
import { FieldEncryptionError } from '../../../lambda/shared/field-encryption/field-encryption';
import { IngestTargetKind, SignatureScheme } from '../../../lib';
import { RejectionCause } from '../../../lib/observability/signal-names';

const SECRET = 'whsec-exits-test-0123456789abcdef0123456789';
const schema = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, email: { type: 'string' } } };

function route(resourcePath: string, extra: Partial<ResolvedRoute> = {}): [string, ResolvedRoute] {
  return [
    `POST ${resourcePath}`,
    { integration: 'Orders', method: 'POST', resourcePath, schema, target: { kind: IngestTargetKind.SQS, address: 'orders' }, targetAddress: 'https://sqs.local/orders', ...extra } as ResolvedRoute,
  ];
}

const routes = new Map<string, ResolvedRoute>([
  route('/orders'),
  route('/pii', { piiFields: ['email'] }),
  route('/signed', { signature: SignatureScheme.githubHmacSha256().bind(), signingSecretId: 'signing' }),
]);

function event(resource: string, body: string, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return { httpMethod: 'POST', resource, path: resource, headers, body, isBase64Encoded: false, requestContext: { requestId: 'req-1' } } as unknown as APIGatewayProxyEvent;
}

interface Harness {
  readonly deps: IngestDependencies;
  readonly signals: unknown[][];
  readonly sent: unknown[];
  readonly logs: string[];
}

function harness(overrides: Partial<IngestDependencies> = {}, send: () => Promise<unknown> = async () => ({ MessageId: 'm-1' })): Harness {
  const signals: unknown[][] = [];
  const sent: unknown[] = [];
  const logs: string[] = [];
  const sqs = { send: (command: unknown, options?: { abortSignal?: AbortSignal }) => (sent.push({ command, options }), send()) };
  const log = (level: string) => (msg: string) => logs.push(`${level}: ${msg}`);
  return {
    signals,
    sent,
    logs,
    deps: {
      routes,
      clients: { sqs } as unknown as DeliveryClients,
      secretsFor: async () => ({ values: [SECRET], tooShort: [] }),
      log: { info: log('info'), warn: log('warn'), error: log('error') },
      emitSignals: (...args) => signals.push(args),
      clock: () => 0,
      encryptPii: async (body) => body,
      ...overrides,
    },
  };
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('every exit of the ingest is counted', () => {
  test('an accepted record: 202, no rejection', async () => {
    const h = harness();
    const res = await ingest(event('/orders', '{"id":"o-1"}'), h.deps);
    expect(res.statusCode).toBe(202);
    expect(h.signals).toEqual([['Orders', 202, 0, undefined]]);
  });

  test('a body that is not JSON is a 400 rejected as malformed', async () => {
    const h = harness();
    expect((await ingest(event('/orders', '{"id":'), h.deps)).statusCode).toBe(400);
    expect(h.signals).toEqual([['Orders', 400, 0, RejectionCause.MALFORMED]]);
  });

  test('a body 10,000 levels deep is a 400 rejected as malformed right after parsing, never a 503 that burns the error budget', async () => {
    const h = harness({ encryptPii: async () => Promise.reject(new RangeError('Maximum call stack size exceeded')) });
    const res = await ingest(event('/pii', nested(10_000)), h.deps);
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['retry-after']).toBeUndefined();
    expect(h.signals).toEqual([['Orders', 400, 0, RejectionCause.MALFORMED]]);
    expect(h.sent).toEqual([]);
  });

  test('the depth limit is the documented one', () => {
    expect(structuralProblem(JSON.parse(nested(MAX_BODY_DEPTH)))).toBeUndefined();
    expect(structuralProblem(JSON.parse(nested(MAX_BODY_DEPTH + 1)))?.status).toBe(400);
    expect(structuralProblem('a string')).toBeUndefined();
  });

  test('a body against the schema is a 400 rejected for the schema', async () => {
    const h = harness();
    expect((await ingest(event('/orders', '{"name":"x"}'), h.deps)).statusCode).toBe(400);
    expect(h.signals).toEqual([['Orders', 400, 0, RejectionCause.SCHEMA]]);
  });

  test('a bad signature is a 401 rejected for the signature', async () => {
    const h = harness();
    expect((await ingest(event('/signed', '{"id":"o"}', { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }), h.deps)).statusCode).toBe(401);
    expect(h.signals).toEqual([['Orders', 401, 0, RejectionCause.SIGNATURE]]);
    const body = '{"id":"o"}';
    const good = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    expect((await ingest(event('/signed', body, { 'x-hub-signature-256': good }), h.deps)).statusCode).toBe(202);
  });

  test('a KMS fault while encrypting PII is a 503 with Retry-After, counted as an error', async () => {
    const h = harness({
      encryptPii: async () => {
        throw new FieldEncryptionError('no data key', { cause: new KmsCallError('throttled', 'ThrottlingException') });
      },
    });
    const res = await ingest(event('/pii', '{"id":"o","email":"a@example.com"}'), h.deps);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('30');
    expect(h.signals).toEqual([['Orders', 503, 0, undefined]]);
  });

  test('any other fault while encrypting PII is a 500, logged, counted, and nothing is delivered', async () => {
    const h = harness({ encryptPii: async () => Promise.reject(new TypeError('cannot read properties of undefined')) });
    const res = await ingest(event('/pii', '{"id":"o","email":"a@example.com"}'), h.deps);
    expect(res.statusCode).toBe(500);
    expect(h.signals).toEqual([['Orders', 500, 0, undefined]]);
    expect(h.sent).toEqual([]);
    expect(h.logs.some((l) => l.startsWith('error: ingest failed unexpectedly'))).toBe(true);
  });

  test('a thrown error anywhere (the signing secret cannot be read) is a 500 with signals, not a silent crash', async () => {
    const h = harness({ secretsFor: async () => Promise.reject(Object.assign(new Error('Secrets Manager can’t find the specified secret'), { name: 'ResourceNotFoundException' })) });
    const res = await ingest(event('/signed', '{"id":"o"}', { 'x-hub-signature-256': 'sha256=00' }), h.deps);
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body).requestId).toBe('req-1');
    expect(h.signals).toEqual([['Orders', 500, 0, undefined]]);
  });

  test('a target fault is a 502', async () => {
    const h = harness({}, async () => Promise.reject(Object.assign(new Error('down'), { name: 'ServiceUnavailable' })));
    expect((await ingest(event('/orders', '{"id":"o"}'), h.deps)).statusCode).toBe(502);
    expect(h.signals).toEqual([['Orders', 502, 0, undefined]]);
  });

  test('a target that would outlive the function: 503 before the timeout, counted once', async () => {
    const h = harness({ remainingTimeMs: () => DEADLINE_MARGIN_MS + 50 }, () => new Promise(() => undefined));
    const started = Date.now();
    const res = await ingest(event('/orders', '{"id":"o"}'), h.deps);
    expect(res.statusCode).toBe(503);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(h.signals).toEqual([['Orders', 503, 0, undefined]]);
    expect(h.logs.some((l) => l.includes('outlive the function'))).toBe(true);
    // The SDK call in flight is aborted, so the record does not land after the 503 that makes the sender retry.
    const [{ options }] = h.sent as Array<{ options?: { abortSignal?: AbortSignal } }>;
    expect(options?.abortSignal?.aborted).toBe(true);
  });
});

describe('what the deduplication table could not record is counted', () => {
  const dedupRoutes = new Map<string, ResolvedRoute>([route('/dedup', { deduplication: { windowSeconds: 3600, key: 'body' } } as Partial<ResolvedRoute>)]);
  test.each([
    ['a delivered answer that could not be kept', { kind: 'first', notKept: 'IdempotencyPersistenceLayerError <- ThrottlingException' }, 202, 'delivered, but the answer could not be kept'],
    ['a failed delivery that could not be freed', { kind: 'not-kept', stuck: 'IdempotencyPersistenceLayerError <- AccessDeniedException' }, 502, 'could not be freed'],
  ])('%s: deduplication_failures, and an error log naming the AWS error', async (_what, result, status, logged) => {
    const h = harness({
      routes: dedupRoutes,
      deduplicator: {
        once: async (_key, handle) => {
          const answer = await handle();
          return { ...result, answer } as never;
        },
      },
    }, status === 502 ? async () => Promise.reject(Object.assign(new Error('down'), { name: 'ServiceUnavailable' })) : undefined);
    const res = await ingest(event('/dedup', '{"id":"o"}'), h.deps);
    expect(res.statusCode).toBe(status);
    expect(h.signals).toEqual([['Orders', status, 0, undefined, 'not-kept']]);
    expect(h.logs.some((l) => l.startsWith('error:') && l.includes(logged))).toBe(true);
  });
});

describe('schema validation reads only the body\'s own keys', () => {
  test('required: ["toString"] is not met by {} through Object.prototype, and is by a body that has it', async () => {
    const strict = new Map<string, ResolvedRoute>([route('/strict', { schema: { type: 'object', required: ['toString', 'hasOwnProperty'] } })]);
    const h = harness({ routes: strict });
    expect((await ingest(event('/strict', '{}'), h.deps)).statusCode).toBe(400);
    expect(h.signals).toEqual([['Orders', 400, 0, RejectionCause.SCHEMA, undefined]]);
    expect((await ingest(event('/strict', '{"hasOwnProperty":"c","toString":"t"}'), h.deps)).statusCode).toBe(202);
  });
});

describe('schema violations name no personal data', () => {
  test('a key the schema does not declare shows as * in the violation path; declared keys and indexes stay', async () => {
    const schema = {
      type: 'object',
      properties: { contacts: { type: 'array', items: { type: 'object', properties: { email: { type: 'string' } } } }, scores: { type: 'object', additionalProperties: { type: 'integer' } } },
    };
    const h = harness({ routes: new Map<string, ResolvedRoute>([route('/people', { schema })]) });
    const res = await ingest(event('/people', JSON.stringify({ contacts: [{ email: 7 }], scores: { 'jane.doe@example.com': 'high', 'a/b~c': 'x' } })), h.deps);
    expect(res.statusCode).toBe(400);
    const paths = (JSON.parse(res.body).errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(['/contacts/0/email', '/scores/*', '/scores/*']);
    expect(res.body).not.toContain('jane.doe');
  });
});

describe('what the ingest reads from the request and answers', () => {
  test('a KMS error straight from the AWS SDK (it carries $metadata) while encrypting PII is a 503, and nothing is delivered', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const h = harness({ encryptPii: async () => Promise.reject(throttled) });
    const res = await ingest(event('/pii', '{"id":"o","email":"a@example.com"}'), h.deps);
    expect(res.statusCode).toBe(503);
    expect(h.sent).toEqual([]);
    expect(h.logs).toContain('error: PII encryption failed; nothing was delivered');
  });

  test('a base64-encoded body (API Gateway binary media) is decoded before the signature is checked and the body parsed', async () => {
    const h = harness();
    const body = '{"id":"o-64"}';
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const encoded = { ...event('/signed', Buffer.from(body).toString('base64'), { 'x-hub-signature-256': signature }), isBase64Encoded: true };
    expect((await ingest(encoded, h.deps)).statusCode).toBe(202);
    const [{ command }] = h.sent as Array<{ command: { input: { MessageBody: string } } }>;
    expect(JSON.parse(command.input.MessageBody).body).toEqual({ id: 'o-64' });
  });

  test("an Origin the route allows is answered with it and Vary: Origin; another origin gets no CORS header", async () => {
    const h = harness({ routes: new Map<string, ResolvedRoute>([route('/cors', { corsOrigins: ['https://app.example.com'] } as Partial<ResolvedRoute>)]) });
    const allowed = await ingest(event('/cors', '{"id":"o"}', { Origin: 'https://app.example.com' }), h.deps);
    expect(allowed.headers).toMatchObject({ 'access-control-allow-origin': 'https://app.example.com', vary: 'Origin', 'x-request-id': 'req-1' });
    const other = await ingest(event('/cors', '{"id":"o"}', { origin: 'https://evil.example' }), h.deps);
    expect(other.headers?.['access-control-allow-origin']).toBeUndefined();
    // A rejection is answered with CORS headers too, so that the browser can read why.
    const rejected = await ingest(event('/cors', '{"name":"x"}', { origin: 'https://app.example.com' }), h.deps);
    expect(rejected.statusCode).toBe(400);
    expect(rejected.headers?.['access-control-allow-origin']).toBe('https://app.example.com');
  });
});
