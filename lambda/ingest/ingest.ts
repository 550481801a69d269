import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { IntegrationRecord } from '../../lib/ingest/ingest-config';
import type { SigningSecrets } from './signing-secrets';
import { verifySignature } from '../shared/verify-signature';
import { type ResolvedRoute, routeKey } from './config';
import { type DeliveryClients, deliver, TargetError } from './deliver';
import { validateBody } from './schema-validation';

/** The log calls the pipeline makes (Powertools Logger in the function). */
export interface IngestLog {
  info(msg: string, extra: Record<string, unknown>): void;
  warn(msg: string, extra: Record<string, unknown>): void;
  error(msg: string, extra: Record<string, unknown>): void;
}

/** What the ingest pipeline needs besides the event: the route table, clients, secrets, a logger. */
export interface IngestDependencies {
  readonly routes: Map<string, ResolvedRoute>;
  readonly clients: DeliveryClients;
  /** The signing secrets that verify a route's requests (see signing-secrets.ts). */
  readonly secretsFor: (secretId: string, overlapSeconds?: number) => Promise<SigningSecrets>;
  readonly log: IngestLog;
  readonly traceId?: string;
  readonly nowSeconds?: number;
  /** Emits the request's signals (request_count, error_count, latency) for the integration. */
  readonly emitSignals?: (integration: string, statusCode: number, latencyMs: number) => void;
  /** Emits the `signing_secret_invalid` signal: the integration's signing secret is too short to use. */
  readonly emitSigningSecretInvalid?: (integration: string) => void;
  /** Monotonic clock in ms, for latency. @default performance.now */
  readonly clock?: () => number;
  /** Encrypts a body's PII fields (KMS envelope encryption); `encryptFields` with the function's key. */
  readonly encryptPii?: (body: object, paths: readonly string[], integration: string) => Promise<unknown>;
}

function respond(statusCode: number, body: Record<string, unknown>, requestId: string, headers?: Record<string, string>): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
    body: JSON.stringify({ ...body, requestId }),
  };
}

/**
 * The ingest pipeline for one request: find the route, verify the signature (before anything
 * else), parse the JSON, validate it against the full schema, and deliver the record to the
 * target with the request id and trace id carried on. A target failure is a 502, so the sender
 * retries; nothing is dropped silently.
 */
export async function ingest(event: APIGatewayProxyEvent, deps: IngestDependencies): Promise<APIGatewayProxyResult> {
  const clock = deps.clock ?? (() => performance.now());
  const started = clock();
  const result = await handleRequest(event, deps);
  const route = deps.routes.get(routeKey(event.httpMethod, event.resource));
  if (route) deps.emitSignals?.(route.integration, result.statusCode, Math.round(clock() - started));
  const origin = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'origin')?.[1];
  if (origin && route?.corsOrigins?.includes(origin)) {
    result.headers = { ...result.headers, 'access-control-allow-origin': origin, vary: 'Origin' };
  }
  return result;
}

async function handleRequest(event: APIGatewayProxyEvent, deps: IngestDependencies): Promise<APIGatewayProxyResult> {
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const key = routeKey(event.httpMethod, event.resource);
  const route = deps.routes.get(key);
  if (!route) {
    deps.log.error('no ingest route for the request: the deployed config and the API disagree', { route: key });
    return respond(500, { message: 'route not configured' }, requestId);
  }
  const rawBody = event.body === null || event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');

  if (route.signature) {
    const { values: secrets, tooShort } = await deps.secretsFor(route.signingSecretId!, route.signingSecretOverlapSeconds);
    if (tooShort.length > 0) {
      deps.log.error('signing secret refused: shorter than 32 bytes; put the partner\'s full secret in Secrets Manager', { integration: route.integration, versions: tooShort });
      deps.emitSigningSecretInvalid?.(route.integration);
    }
    if (tooShort.includes('AWSCURRENT')) {
      // Our configuration, not the sender's request, is wrong: a 5xx, so the sender retries once it is fixed.
      return respond(503, { message: 'temporarily unavailable, retry later' }, requestId, { 'retry-after': '300' });
    }
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k, v ?? undefined]));
    const verdict = verifySignature(route.signature, rawBody, headers, secrets, deps.nowSeconds);
    if (!verdict.ok) {
      deps.log.warn('webhook signature rejected', { integration: route.integration, reason: verdict.reason, detail: verdict.detail });
      // The reason is logged, not returned: it would tell a forger which check failed.
      return respond(401, { message: 'invalid signature' }, requestId);
    }
  }

  let body: unknown;
  if (rawBody.length > 0) {
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return respond(400, { message: 'body is not valid JSON' }, requestId);
    }
  }
  if (route.schema) {
    const violations = validateBody(key, route.schema, body);
    if (violations.length > 0) {
      deps.log.warn('body rejected by schema', { integration: route.integration, violations });
      return respond(400, { message: 'invalid request body', errors: violations }, requestId);
    }
  }

  if (route.piiFields?.length && body !== null && typeof body === 'object') {
    if (!deps.encryptPii) throw new Error(`route ${key} declares PII fields but the function has no field encryption configured`);
    try {
      body = await deps.encryptPii(body, route.piiFields, route.integration);
    } catch (error) {
      // Never deliver PII in the clear: without a data key the sender retries later.
      deps.log.error('PII encryption failed; nothing was delivered', { integration: route.integration, error: (error as Error).name });
      return respond(503, { message: 'temporarily unavailable, retry later' }, requestId, { 'retry-after': '30' });
    }
  }

  const claims = event.requestContext?.authorizer?.claims as Record<string, string> | undefined;
  const record: IntegrationRecord = {
    integration: route.integration,
    route: key,
    requestId,
    traceId: deps.traceId,
    receivedAt: new Date(event.requestContext?.requestTimeEpoch ?? Date.now()).toISOString(),
    pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
    queryStringParameters: (event.queryStringParameters ?? {}) as Record<string, string>,
    clientId: claims?.client_id,
    body,
  };
  try {
    const delivery = await deliver(deps.clients, route.target, route.targetAddress, record);
    deps.log.info('record delivered', { integration: route.integration, target: route.target.kind, statusCode: delivery.statusCode });
    return { statusCode: delivery.statusCode, headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...delivery.headers }, body: delivery.body };
  } catch (error) {
    const message = error instanceof TargetError ? error.message : String(error);
    deps.log.error('delivery failed; the sender should retry', { integration: route.integration, target: route.target.kind, error: message });
    return respond(502, { message: 'target unavailable, retry later' }, requestId, { 'retry-after': '30' });
  }
}
