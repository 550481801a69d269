import { Annotations, Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import Ajv from 'ajv';
import { acknowledgeSqsEventSourceMapping } from '../compliance/acknowledgements';
import { IntegrationConfigError } from '../core/errors';
import { ManagedPolicyRole } from '../identity/managed-policy-role';
import { DeployTimeConfig } from '../core/deploy-time-config';
import { handlerCode } from '../core/handler-code';
import { grantKeyUseVia, KeyService } from '../core/key-use';
import { IntegrationFunction } from '../functions/integration-function';
import { HTTP_TOKEN } from '../gateway/signature-scheme';
import { HttpMethod } from '../gateway/api-route';
import type { JsonSchemaDocument } from '../gateway/json-schema-model';
import { IntegrationQueue } from '../integration/integration-queue';
import { Rotation, TokenCharset } from '../secrets/rotation';
import { outboundQueueUrlEnv } from '../../lambda/shared/outbound-env';
import { checkEndpoint } from './endpoint';
import { DEFAULT_OUTBOUND_SIGNING_ROTATION, type OutboundAuth } from './outbound-auth';
import { OUTBOUND_EVENT_SOURCE } from './outbound-bus';
import { totalRetrySeconds } from '../../lambda/outbound/backoff';
import type { OutboundConfigFile } from './outbound-config';
import type { OutboundApiBinding, OutboundApiBindContext } from './outbound-binding';

/** What the sender does with the integration's `piiFields` before the call. */
export enum OutboundPiiMode {
  /** The records hold the library's encrypted values (as the ingest wrote them); the partner receives clear text. */
  DECRYPT = 'decrypt',
  /** The records hold clear text; the partner receives JWE values (and decrypts with a grant on the platform key). */
  ENCRYPT = 'encrypt',
  /**
   * The records hold the fields in clear text and the partner receives them so (the partner contract
   * requires them in clear). Said explicitly, as CONFIDENTIAL and RESTRICTED data must: the
   * outbound queue is encrypted with the platform key; the fields leave it only for the partner.
   */
  CLEAR = 'clear',
}

/** Options of {@link Outbound.api}. */
export interface ApiOutboundOptions {
  /**
   * The partner's endpoint: an `https://` URL, given literally (its host is fixed at synth and
   * recorded in the inventory), whose host is public.
   */
  readonly endpoint: string;
  /** How the call authenticates: through an API destination's connection, or signed by the sender. */
  readonly auth: OutboundAuth;
  /**
   * The HTTP method of each call.
   * @default HttpMethod.POST
   */
  readonly method?: HttpMethod;
  /**
   * The partner contract: a JSON Schema (draft-04, -06 or -07, with formats) every payload must
   * meet. A record that does not is moved to the dead-letter queue with the violations (paths and
   * messages, never values) and is not sent.
   * @default - any JSON document is sent
   */
  readonly payloadSchema?: JsonSchemaDocument;
  /**
   * What happens to the integration's `piiFields` at the boundary.
   * @default - nothing: the payload is sent as produced (a CONFIDENTIAL or RESTRICTED integration must choose)
   */
  readonly pii?: OutboundPiiMode;
  /**
   * Static headers of every call (a tenant id, an API version). Never a credential: the connection
   * or the signature carries those.
   * @default - none
   */
  readonly headers?: Record<string, string>;
  /**
   * For an API destination: the most calls a second EventBridge makes to the endpoint (1 to 300).
   * @default 10
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateApiDestination.html
   */
  readonly rateLimitPerSecond?: number;
  /**
   * For a signed (direct) call: how long the sender waits for the partner's answer, 1 second to 5
   * minutes. API destinations always wait 5 seconds.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * For a signed (direct) call: the most calls in flight at once (the queue's Lambda event source
   * maximum concurrency, 2 to 50).
   * @default 2
   */
  readonly maxConcurrency?: number;
  /**
   * For a signed (direct) call: how many times a record is tried before it moves to the
   * dead-letter queue, with a backoff of 30 s doubling to 1 hour (30 tries are about 23 hours,
   * EventBridge's 24 hours for API destinations).
   * @default 30
   */
  readonly maxAttempts?: number;
  /**
   * Allow an endpoint on a private, loopback or link-local address or name (a partner reached over
   * a VPN or Direct Connect). The instance metadata service is refused regardless.
   * @default false
   */
  readonly allowPrivateEndpoint?: boolean;
}

/** Headers the library sets itself, which `headers` may not name. */
const RESERVED_HEADERS = /^(authorization|proxy-authorization|cookie|content-type|content-length|host|connection|keep-alive|transfer-encoding|te|trailer|upgrade|traceparent|tracestate|x-amzn-trace-id|idempotency-key|webhook-[a-z-]+)$/i;

/** Header names that carry a credential: never a static header (the connection or the signature carries it). */
const CREDENTIAL_HEADER = /(api[-_]?key|token|secret|passw(or)?d|signature|auth)/i;

/** Records a direct sender takes per invocation, called one after another (its timeout covers them all). */
const DIRECT_BATCH_SIZE = 5;

/** Builds an `Outbound.api` integration's resources: the outbound queue, the sender and, for an API destination, the connection, the destination and its rule. */
export function bindApiOutbound(options: ApiOutboundOptions, context: OutboundApiBindContext): OutboundApiBinding {
  const owner = context.integrationName;
  const endpoint = checkEndpoint(owner, 'outbound.endpoint', options.endpoint, options.allowPrivateEndpoint ?? false);
  if (!options.auth || typeof (options.auth as { _bind?: unknown })._bind !== 'function') {
    throw new IntegrationConfigError(owner, 'outbound.auth', options.auth, 'Choose how the call authenticates: OutboundAuth.oauth2ClientCredentials({...}), .apiKey({...}), .basic({...}), .hmacSha256() or .standardWebhooks().');
  }
  const auth = options.auth._bind(owner, 'outbound.auth');
  const method = options.method ?? HttpMethod.POST;
  if (![HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH].includes(method)) {
    throw new IntegrationConfigError(owner, 'outbound.method', method, 'An outbound call carries its record as the body: use HttpMethod.POST, PUT or PATCH.');
  }
  const headers = checkHeaders(owner, options.headers ?? {}, auth.signing?.header);
  const payloadSchema = checkPayloadSchema(owner, options.payloadSchema);
  const pii = checkPii(owner, options.pii, context.piiFields, context.classificationRequiresPii, context.hasInbound);
  const direct = auth.mode === 'direct';
  if (!direct && options.allowPrivateEndpoint) {
    throw new IntegrationConfigError(owner, 'outbound.allowPrivateEndpoint', true, 'An API destination calls from EventBridge\'s public network and cannot reach a private address: sign the call (the sender runs in the platform\'s VPC when it has one), or remove allowPrivateEndpoint.');
  }
  if (!direct && options.timeout !== undefined) {
    throw new IntegrationConfigError(owner, 'outbound.timeout', options.timeout.toHumanString(), 'An API destination waits at most 5 seconds for the partner: remove timeout, or sign the call (OutboundAuth.hmacSha256() or .standardWebhooks()) so the sender makes it.');
  }
  if (!direct && (options.maxConcurrency !== undefined || options.maxAttempts !== undefined)) {
    throw new IntegrationConfigError(owner, options.maxConcurrency !== undefined ? 'outbound.maxConcurrency' : 'outbound.maxAttempts', options.maxConcurrency ?? options.maxAttempts, 'An API destination is paced by rateLimitPerSecond and retried by EventBridge (185 times over 24 hours): remove it.');
  }
  if (direct && options.rateLimitPerSecond !== undefined) {
    throw new IntegrationConfigError(owner, 'outbound.rateLimitPerSecond', options.rateLimitPerSecond, 'A signed call is made by the sender: pace it with maxConcurrency (2 to 50 calls in flight).');
  }
  const timeout = options.timeout ?? Duration.seconds(10);
  const timeoutSeconds = timeout.toSeconds({ integral: false });
  if (timeoutSeconds < 1 || timeoutSeconds > 300) {
    throw new IntegrationConfigError(owner, 'outbound.timeout', timeout.toHumanString(), 'Give 1 second to 5 minutes.');
  }
  const rateLimitPerSecond = options.rateLimitPerSecond ?? 10;
  if (!Number.isInteger(rateLimitPerSecond) || rateLimitPerSecond < 1 || rateLimitPerSecond > 300) {
    throw new IntegrationConfigError(owner, 'outbound.rateLimitPerSecond', rateLimitPerSecond, 'Give a whole number from 1 to 300 (EventBridge\'s range for an API destination\'s invocation rate).');
  }
  const maxConcurrency = options.maxConcurrency ?? 2;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 50) {
    throw new IntegrationConfigError(owner, 'outbound.maxConcurrency', maxConcurrency, 'Give a whole number from 2 (Lambda\'s least for an SQS event source) to 50.');
  }
  const maxAttempts = options.maxAttempts ?? (direct ? 30 : 5);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000) {
    throw new IntegrationConfigError(owner, 'outbound.maxAttempts', maxAttempts, 'Give a whole number from 1 to 1,000 (SQS\'s maxReceiveCount range).');
  }
  if (direct && totalRetrySeconds(maxAttempts) > OUTBOUND_RETENTION.toSeconds() - 86_400) {
    throw new IntegrationConfigError(owner, 'outbound.maxAttempts', maxAttempts, `${maxAttempts} tries take ${Math.round(totalRetrySeconds(maxAttempts) / 3600)} hours of backoff, and the outbound queue keeps a record ${OUTBOUND_RETENTION.toDays()} days: give at most ${maxAttemptsWithin(OUTBOUND_RETENTION.toSeconds() - 86_400)} so that a record that never got through reaches the dead-letter queue, with a day to spare for the partner's Retry-After.`);
  }

  const { scope } = context;
  // Each record is tried within the function's timeout: a batch of calls in a row, and a margin for
  // the dead-letter writes. SQS hides a received batch for six times that (Lambda's advice).
  const functionTimeout = direct ? Duration.seconds(Math.ceil(DIRECT_BATCH_SIZE * timeoutSeconds) + 15) : Duration.seconds(30);
  if (functionTimeout.toSeconds() > 900) {
    throw new IntegrationConfigError(owner, 'outbound.timeout', timeout.toHumanString(), `A batch of ${DIRECT_BATCH_SIZE} calls must fit Lambda's 15 minutes: give at most 2 minutes 57 seconds.`);
  }
  const queue = new IntegrationQueue(scope, 'OutboundQueue', {
    encryptionKey: context.encryptionKey,
    maxReceiveCount: maxAttempts,
    visibilityTimeout: Duration.seconds(functionTimeout.toSeconds() * 6),
    // The longest a direct record is retried (about 23 hours for 30 tries) with room to spare.
    retentionPeriod: OUTBOUND_RETENTION,
  });
  const sender = new IntegrationFunction(scope, 'Sender', {
    _networkReach: direct ? 'partners' : 'aws',
    code: handlerCode('outbound'),
    description: `cdk-secure-integrations outbound sender of ${owner}: contract, PII, ${direct ? 'signature and the call' : 'hand-off to the API destination'}`,
    timeout: functionTimeout,
    memorySizeMiB: 256,
    reservedConcurrentExecutions: Math.max(maxConcurrency, 2),
    environment: { POWERTOOLS_SERVICE_NAME: 'integration-outbound', NODE_OPTIONS: '--enable-source-maps' },
  });
  queue.grantConsume(sender);
  // Contract violations and refusals go to the dead-letter queue at once, with the reason.
  sender.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.deadLetterQueue.queueArn] }));
  grantKeyUseVia(sender, context.encryptionKey, KeyService.SQS, ['kms:GenerateDataKey']);
  // An EventSourceMapping of its own rather than aws-cdk-lib's SqsEventSource, which would also grant
  // kms:Decrypt on the platform key with no condition (queue.grantConsumeMessages): grantConsume
  // above gives the same SQS actions with the key usable only through SQS.
  const mapping = new lambda.EventSourceMapping(scope, 'SenderEventSource', {
    target: sender.function,
    eventSourceArn: queue.queue.queueArn,
    batchSize: direct ? DIRECT_BATCH_SIZE : 10,
    reportBatchItemFailures: true,
    maxConcurrency,
  });
  acknowledgeSqsEventSourceMapping(mapping, queue.deadLetterQueue.node.path);

  const config = new DeployTimeConfig(sender.function, 'OUTBOUND_REF_');
  let signingSecret: OutboundApiBinding['signingSecret'];
  let apiDestination: events.ApiDestination | undefined;
  let connection: events.Connection | undefined;
  let rule: events.Rule | undefined;
  let signing: OutboundConfigFile['signing'];
  let eventBusName: OutboundConfigFile['eventBusName'];
  if (direct) {
    if (auth.signing) {
      const credential = context.addCredential(
        {
          name: OUTBOUND_SIGNING_SECRET,
          rotation: auth.signing.kind === 'standard-webhooks' ? Rotation.generatedToken({ length: 50, charset: TokenCharset.WHSEC }) : Rotation.generatedToken({ length: 64 }),
          rotateEvery: auth.signing.rotateEvery ?? minDuration(DEFAULT_OUTBOUND_SIGNING_ROTATION, context.credentialMaxAge),
          description: `Signs ${owner}'s outbound calls (${auth.signing.kind}); the partner verifies with it`,
        },
        'outbound.auth',
      );
      // Read AWSCURRENT (and AWSPREVIOUS, to sign with both during the overlap); the key only through Secrets Manager.
      sender.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resources: [credential.secret.secretArn] }));
      grantKeyUseVia(sender, context.encryptionKey, KeyService.SECRETS_MANAGER, ['kms:Decrypt']);
      signingSecret = credential.secret;
      signing = { kind: auth.signing.kind, secretArn: config.value(credential.secret.secretArn), header: auth.signing.header };
    }
  } else {
    const key = context.encryptionKey;
    connection = new events.Connection(scope, 'Connection', {
      authorization: auth.authorization!,
      description: `cdk-secure-integrations: ${owner} to ${endpoint.host} (${auth.method})`,
    });
    // The connection keeps the partner's credential in a secret of its own: on the platform key,
    // which EventBridge may use only when the key carries this tag.
    // @see https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-connections.html
    (connection.node.findChild('Connection') as events.CfnConnection).kmsKeyIdentifier = key.keyArn;
    if (key instanceof kms.Key) {
      Tags.of(key).add('EventBridgeApiDestinations', 'true');
    } else {
      Annotations.of(scope).addWarningV2(
        'cdk-secure-integrations:connectionKeyTag',
        `${owner}'s EventBridge connection is encrypted with the platform's imported key, which must carry the tag EventBridgeApiDestinations=true or EventBridge cannot use it (the connection fails to authorize). Tag the key.`,
      );
    }
    apiDestination = new events.ApiDestination(scope, 'ApiDestination', {
      connection,
      endpoint: endpoint.url,
      httpMethod: method as unknown as events.HttpMethod,
      rateLimitPerSecond,
      description: `cdk-secure-integrations: ${owner}'s partner endpoint`,
    });
    const bus = context.outboundBus();
    rule = new events.Rule(scope, 'OutboundRule', {
      eventBus: bus,
      description: `Delivers ${owner}'s checked records to ${endpoint.host}`,
      eventPattern: { source: [OUTBOUND_EVENT_SOURCE], detailType: [owner] },
    });
    // A role of its own whose one permission (events:InvokeApiDestination on this destination) is
    // in a customer-managed policy; EventBridge assumes it for this account's rule only.
    const deliveryRole = new ManagedPolicyRole(scope, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } } }),
      description: `EventBridge delivers ${owner}'s records to its API destination`,
    });
    rule.addTarget(
      new targets.ApiDestination(apiDestination, {
        eventRole: deliveryRole,
        event: events.RuleTargetInput.fromEventPath('$.detail.payload'),
        // Whole JSON paths in header values are read from the event (EventBridge resolves them per delivery).
        headerParameters: { ...headers, traceparent: '$.detail.traceparent', 'Idempotency-Key': '$.detail.idempotencyKey' },
        deadLetterQueue: queue.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );
    // Only this integration's events: its own detail-type and the library's source. A sender that
    // could put another detail-type would have that integration's destination call its partner.
    // @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html
    sender.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': OUTBOUND_EVENT_SOURCE, 'events:detail-type': owner } },
      }),
    );
    eventBusName = config.value(bus.eventBusName);
  }
  let clientCertificate: OutboundConfigFile['clientCertificate'];
  if (auth.clientCertificate) {
    const secret = auth.clientCertificate;
    // A secret imported by name has a partial ARN, which IAM would never match: the six random characters Secrets Manager appends are `-??????`.
    sender.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`] }));
    if (secret.encryptionKey) grantKeyUseVia(sender, secret.encryptionKey, KeyService.SECRETS_MANAGER, ['kms:Decrypt']);
    clientCertificate = { secretArn: config.value(secret.secretArn) };
  }
  const file: OutboundConfigFile = {
    version: 1,
    integration: owner,
    mode: auth.mode,
    endpoint: endpoint.url,
    method: method as OutboundConfigFile['method'],
    timeoutMs: Math.round(timeoutSeconds * 1000),
    maxAttempts,
    payloadSchema,
    pii: pii && pii !== OutboundPiiMode.CLEAR ? { mode: pii, paths: [...context.piiFields] } : undefined,
    retentionSeconds: OUTBOUND_RETENTION.toSeconds(),
    signing,
    clientCertificate,
    headers: Object.keys(headers).length > 0 ? headers : undefined,
    deadLetterQueueUrl: config.value(queue.deadLetterQueue.queueUrl),
    eventBusName,
    eventSource: direct ? undefined : OUTBOUND_EVENT_SOURCE,
  };
  if (pii && pii !== OutboundPiiMode.CLEAR) {
    // Decrypt or encrypt the integration's fields (encryption context { integration, field }), through the platform key.
    context.grantFieldKey(sender, pii === OutboundPiiMode.DECRYPT ? 'decrypt' : 'encrypt');
  }
  config.writeLayer(scope, 'OutboundConfig', { folder: 'outbound', file: 'config.json' }, file, `cdk-secure-integrations outbound config of ${owner}`);
  return {
    kind: 'api',
    mode: auth.mode,
    authMethod: auth.method,
    endpoint: endpoint.url,
    partnerHost: endpoint.host,
    queue,
    sender,
    signingSecret,
    partnerSecret: auth.partnerSecret,
    clientCertificate: auth.clientCertificate,
    connection,
    apiDestination,
    rule,
    queueUrlEnv: outboundQueueUrlEnv(owner),
  };
}

/** How long the outbound queue keeps a record (SQS allows up to 14 days; a week left in the dead-letter queue). */
export const OUTBOUND_RETENTION = Duration.days(4);

/** The most tries whose backoff fits `seconds`. */
function maxAttemptsWithin(seconds: number): number {
  let n = 1;
  while (totalRetrySeconds(n + 1) <= seconds) n += 1;
  return n;
}

/** The name of an outbound integration's signing secret among its credentials. */
export const OUTBOUND_SIGNING_SECRET = 'outbound-signing-secret';

function checkHeaders(owner: string, headers: Record<string, string>, signatureHeader: string | undefined): Record<string, string> {
  for (const [name, value] of Object.entries(headers)) {
    const prop = `outbound.headers.${name}`;
    if (!HTTP_TOKEN.test(name) || name.length > 512) throw new IntegrationConfigError(owner, prop, name, 'A header name is an RFC 9110 token of at most 512 characters.');
    if (RESERVED_HEADERS.test(name) || (signatureHeader && name.toLowerCase() === signatureHeader.toLowerCase())) {
      throw new IntegrationConfigError(owner, prop, name, 'The library or HTTP sets this header itself (authentication, signature, trace context, idempotency key, connection): remove it.');
    }
    if (CREDENTIAL_HEADER.test(name)) {
      throw new IntegrationConfigError(owner, prop, name, 'This header looks like it carries a credential, which never goes in a static header (the template would hold it in clear): use OutboundAuth.apiKey({ header, value: secret }).');
    }
    if (typeof value !== 'string' || Token.isUnresolved(value) || !/^[\x20-\x7e]{1,512}$/.test(value) || value.startsWith('$')) {
      throw new IntegrationConfigError(owner, prop, value, 'Give a literal of 1 to 512 printable ASCII characters, not starting with $ (EventBridge would read it as a JSON path). A secret never goes in a static header.');
    }
  }
  return headers;
}

function checkPayloadSchema(owner: string, schema: JsonSchemaDocument | undefined): Record<string, unknown> | undefined {
  if (schema === undefined) return undefined;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new IntegrationConfigError(owner, 'outbound.payloadSchema', schema, 'Give a JSON Schema object, for example { type: "object", required: ["invoiceId"] }.');
  }
  try {
    new Ajv({ strict: false, validateSchema: true, validateFormats: false }).compile(schema);
  } catch (error) {
    throw new IntegrationConfigError(owner, 'outbound.payloadSchema', '(schema)', `It is not a valid JSON Schema: ${(error as Error).message}.`);
  }
  return schema as Record<string, unknown>;
}

function checkPii(owner: string, mode: OutboundPiiMode | undefined, piiFields: readonly string[], required: boolean, hasInbound: boolean): OutboundPiiMode | undefined {
  if (mode !== undefined && !Object.values(OutboundPiiMode).includes(mode)) {
    throw new IntegrationConfigError(owner, 'outbound.pii', mode, 'Use OutboundPiiMode.DECRYPT or OutboundPiiMode.ENCRYPT.');
  }
  if (mode !== undefined && piiFields.length === 0) {
    throw new IntegrationConfigError(owner, 'outbound.pii', mode, 'The integration declares no piiFields: list the fields the partner contract covers, or remove pii.');
  }
  if (mode === undefined && piiFields.length > 0 && required) {
    throw new IntegrationConfigError(owner, 'outbound.pii', undefined, 'The integration declares piiFields: say what the partner receives, OutboundPiiMode.CLEAR or DECRYPT (clear text) or OutboundPiiMode.ENCRYPT (JWE values).');
  }
  if (mode === OutboundPiiMode.DECRYPT && !hasInbound) {
    // Only the ingest encrypts fields under this integration's name: without an inbound side every
    // record would arrive in clear and be dead-lettered for it.
    throw new IntegrationConfigError(owner, 'outbound.pii', mode, 'DECRYPT opens fields the library encrypted under this integration, which only its inbound side does: producers of an outbound-only integration hold clear text, so use OutboundPiiMode.CLEAR (sent as produced) or ENCRYPT (sent as JWE).');
  }
  return mode;
}

function minDuration(a: Duration, b: Duration): Duration {
  return a.toSeconds() <= b.toSeconds() ? a : b;
}
