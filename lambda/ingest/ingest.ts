import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { IntegrationRecord } from '../../lib/ingest/ingest-config';
import type { SecretEncoding } from '../../lib/gateway/signature-scheme';
import { DeduplicationSignal, type DeduplicationSignalName, RejectionCause, type RejectionCauseName } from '../../lib/observability/signal-names';
import { createHash } from 'node:crypto';
import { refusalReason, type SigningSecrets } from './signing-secrets';
import { verifySignature } from '../shared/verify-signature';
import { canonicalDn } from '../shared/distinguished-name';
import { type ResolvedRoute, routeKey } from './config';
import { type DeliveryClients, deliver, type TargetError } from './deliver';
import { contentTypeOf, parseBody, structuralProblem } from './body';
import { type Answer, type DeduplicationOutcome, type DeliveryKey, DeduplicationStoreError } from './deduplication';
import { deliveryIdAt } from '../shared/delivery-id';
import { queryRecordPaths, QUERY_RECORD_FIELD, splitPiiFields } from '../shared/query-pii';
import { validateBody } from './schema-validation';

export { MAX_BODY_DEPTH, PROTOTYPE_KEYS, structuralProblem } from './body';

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
  readonly secretsFor: (secretId: string, overlapSeconds?: number, secretEncoding?: SecretEncoding) => Promise<SigningSecrets>;
  readonly log: IngestLog;
  readonly traceId?: string;
  readonly nowSeconds?: number;
  /**
   * Emits the request's signals (request_count, error_count, client_error_count, rejected_count,
   * latency) for the integration; `rejection` when the ingest rejected the request as the sender's fault.
   */
  readonly emitSignals?: (integration: string, statusCode: number, latencyMs: number, rejection?: RejectionCauseName, deduplication?: DeduplicationSignalName) => void;
  /**
   * Emits `unrouted_count` for the function: a request for a route its config does not have (a
   * deployment fault that belongs to no integration, so `emitSignals` cannot count it).
   */
  readonly emitUnrouted?: () => void;
  /** Emits the `signing_secret_invalid` signal: the integration's signing secret is too short to use. */
  readonly emitSigningSecretInvalid?: (integration: string) => void;
  /** Monotonic clock in ms, for latency. @default performance.now */
  readonly clock?: () => number;
  /**
   * Milliseconds left before the function times out (`context.getRemainingTimeInMillis`). The
   * ingest answers 503 {@link DEADLINE_MARGIN_MS} before that, with its signals, instead of being
   * killed without any.
   * @default - no deadline
   */
  readonly remainingTimeMs?: () => number;
  /** Encrypts a body's PII fields (KMS envelope encryption); `encryptFields` with the function's key. */
  readonly encryptPii?: (body: object, paths: readonly string[], integration: string) => Promise<unknown>;
  /**
   * Deduplicates the deliveries of routes that ask for it (`Deduplicator` on the platform's table).
   * @default - none: a route that asks for deduplication is answered 500 (a deployment fault)
   */
  readonly deduplicator?: { once(key: DeliveryKey, handle: () => Promise<Answer>, remainingTimeMs?: () => number): Promise<DeduplicationOutcome> };
}

function respond(statusCode: number, body: Record<string, unknown>, requestId: string, headers?: Record<string, string>): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
    body: JSON.stringify({ ...body, requestId }),
  };
}

/** 503 with Retry-After (seconds): a fault of ours or of a dependency, never of the request, so the sender retries. */
function unavailable(requestId: string, retryAfter = '30'): APIGatewayProxyResult {
  return respond(503, { message: 'temporarily unavailable, retry later' }, requestId, { 'retry-after': retryAfter });
}

/** A response, why the ingest rejected the request when it did (the sender's fault), and whether it answered a duplicate. */
interface Outcome {
  readonly response: APIGatewayProxyResult;
  readonly rejection?: RejectionCauseName;
  readonly deduplication?: DeduplicationSignalName;
}

const answer = (response: APIGatewayProxyResult): Outcome => ({ response });
const reject = (rejection: RejectionCauseName, response: APIGatewayProxyResult): Outcome => ({ response, rejection });

/** How long before the function's timeout the ingest stops waiting and answers 503. */
export const DEADLINE_MARGIN_MS = 1_500;

/** Whether `error` (or an error it wraps) came from a KMS call: an AWS SDK error or the field encryption's KmsCallError. */
function isKmsFault(error: unknown): boolean {
  for (let e = error as { name?: string; $metadata?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (e.name === 'KmsCallError' || e.$metadata !== undefined) return true;
  }
  return false;
}

/**
 * The ingest pipeline for one request: find the route, verify the signature (before anything
 * else), parse the JSON, validate it against the full schema, and deliver the record to the
 * target with the request id and trace id carried on. A target failure is a 502, so the sender
 * retries; nothing is dropped silently.
 *
 * Every exit is counted: a rejection (4xx, with its cause), a fault of KMS (503) or the target
 * (502), an unexpected error (500, logged) and a request that would outlive the function (503,
 * {@link DEADLINE_MARGIN_MS} before the timeout) all emit the request's signals.
 */
export async function ingest(event: APIGatewayProxyEvent, deps: IngestDependencies): Promise<APIGatewayProxyResult> {
  const clock = deps.clock ?? (() => performance.now());
  const started = clock();
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const route = deps.routes.get(routeKey(event.httpMethod, event.resource));
  // Aborted at the deadline, so a delivery still in flight does not land after the 503 that tells the sender to retry.
  const abort = new AbortController();
  const work = handleRequest(event, deps, abort.signal).catch((error: unknown) => {
    deps.log.error('ingest failed unexpectedly; nothing was delivered', { integration: route?.integration, error: (error as Error)?.name, message: (error as Error)?.message });
    return answer(respond(500, { message: 'internal error, retry later' }, requestId, { 'retry-after': '30' }));
  });
  const outcome = await withDeadline(work, deps, () => {
    abort.abort();
    deps.log.error('the request would outlive the function; answered 503 so the sender retries', { integration: route?.integration });
    return answer(unavailable(requestId));
  });
  const result = outcome.response;
  if (route) deps.emitSignals?.(route.integration, result.statusCode, Math.round(clock() - started), outcome.rejection, outcome.deduplication);
  else deps.emitUnrouted?.();
  const origin = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'origin')?.[1];
  if (origin && route?.corsOrigins?.includes(origin)) {
    result.headers = { ...result.headers, 'access-control-allow-origin': origin, vary: 'Origin' };
  }
  return result;
}

/** Whether a certificate's subject and issuer are one of the route's admitted pairs (DNs canonical). */
function isAdmitted(clients: Array<{ subject: string; issuer: string }>, cert: NonNullable<IntegrationRecord['clientCertificate']>): boolean {
  const subject = canonicalDn(cert.subjectDN);
  const issuer = canonicalDn(cert.issuerDN);
  return clients.some((c) => c.subject === subject && c.issuer === issuer);
}

/** The client certificate API Gateway verified on a mutual TLS domain (absent elsewhere). */
function clientCertificateOf(event: APIGatewayProxyEvent): IntegrationRecord['clientCertificate'] {
  const cert = (event.requestContext?.identity as { clientCert?: { subjectDN?: unknown; issuerDN?: unknown; serialNumber?: unknown; validity?: { notAfter?: unknown } } | null } | undefined)?.clientCert;
  if (!cert || typeof cert.subjectDN !== 'string' || typeof cert.issuerDN !== 'string' || typeof cert.serialNumber !== 'string') return undefined;
  const notAfter = cert.validity?.notAfter;
  return { subjectDN: cert.subjectDN, issuerDN: cert.issuerDN, serialNumber: cert.serialNumber, ...(typeof notAfter === 'string' ? { notAfter } : {}) };
}

/** `work`, or `late()` when the function's deadline comes first. */
async function withDeadline(work: Promise<Outcome>, deps: IngestDependencies, late: () => Outcome): Promise<Outcome> {
  const remaining = deps.remainingTimeMs?.();
  if (remaining === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve(late()), Math.max(0, remaining - DEADLINE_MARGIN_MS));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function handleRequest(event: APIGatewayProxyEvent, deps: IngestDependencies, abortSignal: AbortSignal): Promise<Outcome> {
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const key = routeKey(event.httpMethod, event.resource);
  const route = deps.routes.get(key);
  if (!route) {
    deps.log.error('no ingest route for the request: the deployed config and the API disagree', { route: key });
    return answer(respond(500, { message: 'route not configured' }, requestId));
  }
  const clientCert = clientCertificateOf(event);
  if (route.clientCertificate) {
    // The domain verified the chain; this route admits only its own partners' certificates.
    // Subject and issuer together: any CA of the shared truststore can write any subject.
    const admitted = clientCert !== undefined && (route.clientCertificate.clients === undefined || isAdmitted(route.clientCertificate.clients, clientCert));
    if (!admitted) {
      deps.log.warn('client certificate refused', { integration: route.integration, subjectDN: clientCert?.subjectDN ?? null, serialNumber: clientCert?.serialNumber ?? null });
      return reject(RejectionCause.CLIENT_CERTIFICATE, respond(403, { message: 'client certificate not allowed' }, requestId));
    }
  }
  const rawBody = event.body === null || event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');

  if (route.signature) {
    const { values: secrets, tooShort } = await deps.secretsFor(route.signingSecretId!, route.signingSecretOverlapSeconds, route.signature.secretEncoding);
    if (tooShort.length > 0) {
      deps.log.error(`signing secret refused: ${refusalReason(route.signature.secretEncoding)}; put the partner's full secret in Secrets Manager`, { integration: route.integration, versions: tooShort });
      deps.emitSigningSecretInvalid?.(route.integration);
    }
    if (tooShort.includes('AWSCURRENT')) {
      // Our configuration, not the sender's request, is wrong: a 5xx, so the sender retries once it is fixed.
      return answer(unavailable(requestId, '300'));
    }
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k, v ?? undefined]));
    const verdict = verifySignature(route.signature, rawBody, headers, secrets, deps.nowSeconds);
    if (!verdict.ok) {
      deps.log.warn('webhook signature rejected', { integration: route.integration, reason: verdict.reason, detail: verdict.detail });
      // The reason is logged, not returned: it would tell a forger which check failed.
      return reject(RejectionCause.SIGNATURE, respond(401, { message: 'invalid signature' }, requestId));
    }
  }

  let body: unknown;
  if (rawBody.length > 0) {
    const parsed = parseBody(rawBody, contentTypeOf(event.headers), route.bodyFormats);
    const problem = parsed.ok ? structuralProblem(parsed.value) : parsed;
    if (problem) {
      deps.log.warn('body rejected', { integration: route.integration, status: problem.status, reason: problem.message });
      return reject(RejectionCause.MALFORMED, respond(problem.status, { message: problem.message }, requestId));
    }
    body = (parsed as { value: unknown }).value;
  }
  if (route.schema) {
    const violations = validateBody(key, route.schema, body);
    if (violations.length > 0) {
      deps.log.warn('body rejected by schema', { integration: route.integration, violations });
      return reject(RejectionCause.SCHEMA, respond(400, { message: 'invalid request body', errors: violations }, requestId));
    }
  }

  const claims = event.requestContext?.authorizer?.claims as Record<string, string> | undefined;
  const clientId = claims?.client_id;
  // An Auth.iam route: the principal that signed the request, as API Gateway authenticated it.
  const callerArn = claims === undefined ? ((event.requestContext as { identity?: { userArn?: string | null } } | undefined)?.identity?.userArn ?? undefined) : undefined;
  const dedup = route.deduplication;
  const deliveryId = dedup?.deliveryId ? deliveryIdAt(dedup.deliveryId, event.headers, body) : undefined;
  const queryStringParameters = declaredQueryParameters(event.queryStringParameters, fieldsOf(route).forwardedQuery);
  const record: IntegrationRecord = {
    integration: route.integration,
    route: key,
    requestId,
    traceId: deps.traceId,
    receivedAt: new Date(event.requestContext?.requestTimeEpoch ?? Date.now()).toISOString(),
    pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
    queryStringParameters,
    clientId,
    ...(callerArn ? { callerArn } : {}),
    ...(route.clientCertificate && clientCert ? { clientCertificate: clientCert } : {}),
    ...(deliveryId === undefined ? {} : { deliveryId }),
    body,
  };
  const handOver = () => encryptAndDeliver(route, key, record, deps, abortSignal);
  return dedup ? deliverOnce(route, key, event, record, rawBody, deps, handOver) : handOver();
}

/**
 * Hands the record over once per delivery (see DeduplicationKey): a retry or replay gets the first
 * answer, a copy of a delivery in flight 409, a reused Idempotency-Key with another request 422.
 */
async function deliverOnce(
  route: ResolvedRoute,
  key: string,
  event: APIGatewayProxyEvent,
  record: IntegrationRecord,
  rawBody: Buffer,
  deps: IngestDependencies,
  handOver: () => Promise<Outcome>,
): Promise<Outcome> {
  const dedup = route.deduplication!;
  const { requestId, deliveryId, clientId, queryStringParameters } = record;
  // What names this delivery (see DeduplicationKey): a signed id, the body's hash, or the client's Idempotency-Key.
  const name = dedup.key === 'body' ? sha256(rawBody) : deliveryId;
  if (name === undefined) {
    // A signed id that is missing, or a client's Idempotency-Key that was sent but is blank, too long or sent twice: not silently ignored.
    const sent = dedup.key === 'signed-id' || Object.keys(event.headers ?? {}).some((h) => h.toLowerCase() === dedup.deliveryId?.header?.toLowerCase());
    if (sent) deps.log.warn('no usable delivery id; delivered without deduplication', { integration: route.integration, where: dedup.deliveryId });
    return handOver();
  }
  if (!deps.deduplicator) throw new Error(`route ${key} deduplicates deliveries but the function has no deduplication table configured`);

  // The caller's client id is part of the scope: API clients choose their Idempotency-Key, and one must never see another's answer.
  // The caller: an OAuth client, an IAM principal, or a certificate's subject (which outlives a renewal, as a client id outlives a new secret).
  const caller = clientId ?? record.callerArn ?? (record.clientCertificate ? `${record.clientCertificate.issuerDN}/${record.clientCertificate.subjectDN}` : '');
  const scope = [route.integration, key, caller, dedup.key].join('#');
  // A client's key must come back with the same request: path, declared query parameters and body (draft-ietf-httpapi-idempotency-key-header).
  const fingerprint = dedup.key === 'client-key' ? sha256(Buffer.concat([Buffer.from(`${JSON.stringify([event.path ?? '', queryStringParameters])}\n`), rawBody])) : undefined;
  let handled: Outcome | undefined;
  let outcome: DeduplicationOutcome;
  try {
    outcome = await deps.deduplicator.once(
      { scope, deliveryId: name, fingerprint, windowSeconds: dedup.windowSeconds, keep: dedup.key === 'client-key' ? 'final' : 'success' },
      async () => {
        handled = await handOver();
        return handled.response as Answer;
      },
      deps.remainingTimeMs,
    );
  } catch (error) {
    if (!(error instanceof DeduplicationStoreError)) throw error;
    deps.log.error('the deduplication table failed; nothing was delivered', { integration: route.integration, error: error.message });
    return answer(unavailable(requestId));
  }
  // `name` is what the delivery is known by (for body-keyed routes the body's hash; the header id may be anyone's).
  const logged = { integration: route.integration, deliveryId, key: dedup.key, name };
  switch (outcome.kind) {
    case 'first':
      if (!outcome.notKept) return handled ?? answer(outcome.answer as APIGatewayProxyResult);
      deps.log.error('delivered, but the answer could not be kept: a retry after the in-progress time is delivered again', { ...logged, error: outcome.notKept });
      return { ...(handled ?? answer(outcome.answer as APIGatewayProxyResult)), deduplication: DeduplicationSignal.NOT_KEPT };
    case 'not-kept':
      if (!outcome.stuck) return handled ?? answer(outcome.answer as APIGatewayProxyResult);
      deps.log.error('not delivered, and the delivery could not be freed: retries get 409 until the in-progress time has passed', { ...logged, error: outcome.stuck });
      return { ...(handled ?? answer(outcome.answer as APIGatewayProxyResult)), deduplication: DeduplicationSignal.NOT_KEPT };
    case 'duplicate':
      deps.log.info('duplicate delivery answered with the first answer; not delivered again', logged);
      return { response: { ...outcome.answer, headers: { ...outcome.answer.headers, 'x-request-id': requestId } }, deduplication: DeduplicationSignal.DUPLICATE };
    case 'in-flight':
      deps.log.warn('the first copy of this delivery is still in progress; answered 409 so the sender retries', logged);
      return answer(respond(409, { message: 'this delivery is being processed, retry later' }, requestId, { 'retry-after': '5' }));
    case 'conflict':
      deps.log.warn('Idempotency-Key reused with another request; refused', logged);
      return answer(respond(422, { message: 'this Idempotency-Key was used before with another request' }, requestId));
  }
}

/** A route's PII body paths, PII query parameters and every query parameter it forwards: worked out once per container. */
const routeFields = new WeakMap<ResolvedRoute, { readonly bodyPaths: string[]; readonly queryNames: string[]; readonly forwardedQuery: string[] }>();
function fieldsOf(route: ResolvedRoute): { readonly bodyPaths: string[]; readonly queryNames: string[]; readonly forwardedQuery: string[] } {
  let fields = routeFields.get(route);
  if (!fields) {
    const { bodyPaths, queryNames } = splitPiiFields(route.piiFields);
    fields = { bodyPaths, queryNames, forwardedQuery: [...(route.queryParameters ?? []), ...queryNames] };
    routeFields.set(route, fields);
  }
  return fields;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Encrypts the record's PII fields and hands it to the target: the part of a request that runs once per delivery. */
async function encryptAndDeliver(route: ResolvedRoute, key: string, record: IntegrationRecord, deps: IngestDependencies, abortSignal: AbortSignal): Promise<Outcome> {
  const requestId = record.requestId;
  let body = record.body;
  let query = record.queryStringParameters;
  const { bodyPaths, queryNames } = fieldsOf(route);
  const encryptedQuery = queryNames.filter((name) => Object.prototype.hasOwnProperty.call(query, name));
  if ((bodyPaths.length && body !== null && typeof body === 'object') || encryptedQuery.length) {
    if (!deps.encryptPii) throw new Error(`route ${key} declares PII fields but the function has no field encryption configured`);
    try {
      if (bodyPaths.length && body !== null && typeof body === 'object') body = await deps.encryptPii(body, bodyPaths, route.integration);
      // Query-string PII is encrypted where the record holds it: consumers decrypt `queryStringParameters.<name>` of the record.
      if (encryptedQuery.length) {
        const encrypted = (await deps.encryptPii({ [QUERY_RECORD_FIELD]: query }, queryRecordPaths(encryptedQuery), route.integration)) as Record<string, Record<string, string>>;
        query = encrypted[QUERY_RECORD_FIELD];
      }
    } catch (error) {
      // Anything but a KMS fault is ours (a 500 from the caller below), never a reason to retry in 30 s.
      if (!isKmsFault(error)) throw error;
      // Never deliver PII in the clear: without a data key the sender retries later.
      deps.log.error('PII encryption failed; nothing was delivered', { integration: route.integration, error: (error as Error).name });
      return answer(unavailable(requestId));
    }
  }
  if (abortSignal.aborted) {
    // The sender was answered 503 at the deadline (logged there as the error it is): the record is not handed over after it.
    deps.log.info('the deadline passed before delivery; not delivered', { integration: route.integration });
    return answer(unavailable(requestId));
  }
  try {
    const delivery = await deliver(deps.clients, route.target, route.targetAddress, { ...record, queryStringParameters: query, body }, abortSignal);
    deps.log.info('record delivered', { integration: route.integration, target: route.target.kind, statusCode: delivery.statusCode });
    return answer({ statusCode: delivery.statusCode, headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...delivery.headers }, body: delivery.body });
  } catch (error) {
    if (abortSignal.aborted) {
      // Aborted at the deadline (logged there as the error it is): the sender was answered 503 and retries; the request may have reached the target.
      deps.log.warn('the deadline passed during delivery; the sender retries, and the target may get the record twice', { integration: route.integration, target: route.target.kind });
      return answer(unavailable(requestId));
    }
    // deliver() throws only TargetError, whose message names the target's error.
    deps.log.error('delivery failed; the sender should retry', { integration: route.integration, target: route.target.kind, error: (error as TargetError).message });
    return answer(respond(502, { message: 'target unavailable, retry later' }, requestId, { 'retry-after': '30' }));
  }
}

/** The query-string parameters the route declares; every other one is dropped (it may carry personal data nobody declared). */
function declaredQueryParameters(given: Record<string, string | undefined> | null | undefined, declared: readonly string[] | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of declared ?? []) {
    const value = given?.[name];
    if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(given, name)) kept[name] = value;
  }
  return kept;
}
