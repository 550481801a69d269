import { Annotations, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { PROTOTYPE_KEYS } from '../../lambda/ingest/body';
import { IntegrationConfigError } from '../core/errors';
import { acknowledgePreflightMethod } from '../compliance/acknowledgements';
import { HttpMethod, METHODS_WITH_BODY, validateHttpMethod, validateRoutePath } from '../gateway/api-route';
import type { RouteCors } from '../gateway/cors';
import { createRequestModel, JsonSchemaDocument, validateBodySchema } from '../gateway/json-schema-model';
import { convertSchemaForApiGateway } from '../gateway/schema-conversion';
import { KNOWN_FORMATS, undefinedPiiPaths, unknownFormats } from '../gateway/schema-lint';
import { validateDraft04Schema } from '../gateway/schema-meta-validation';
import type { SignatureSchemeConfig } from '../gateway/signature-scheme';
import type { BodyFormat, DeduplicationConfig } from '../ingest/ingest-config';
import type { IngestFunction } from '../ingest/ingest-function';
import type { IntegrationPlatform } from '../platform/integration-platform';
import type { Target } from './target';

/** A client certificate a mutual TLS route admits. */
export interface AdmittedClientCertificate {
  /** The certificate's subject DN, canonical (RFC 4514). */
  readonly subject: string;
  /** Its issuer's DN, canonical. */
  readonly issuer: string;
  /** When the issuing CA expires (ISO 8601), where the truststore is known at synth. */
  readonly issuerNotAfter?: string;
}

/** A route as bound to the platform's API. */
export interface BoundRoute {
  /** The HTTP method. */
  readonly method: HttpMethod;
  /** The path. */
  readonly path: string;
  /** How callers authenticate: `oauth2` (scopes below), `iam`, `mtls` or `signature:<scheme>`. */
  readonly auth: string;
  /** The full scopes (`<resource-server>/<scope>`) a token must carry one of; empty for webhooks. */
  readonly scopes: string[];
  /** The API Gateway method. */
  readonly apiMethod: apigateway.Method;
  /** The target's description. */
  readonly target: string;
  /** The body's schema as API Gateway validates it (draft-04), for routes with a body. */
  readonly schema?: JsonSchemaDocument;
  /** For a mutual TLS route: the client certificates it admits, with their issuing CA's expiry where known. */
  readonly clientCertificates?: AdmittedClientCertificate[];
}

/** What one route asks of the platform. */
export interface RouteRequest {
  readonly scope: Construct;
  readonly integrationName: string;
  readonly platform: IntegrationPlatform;
  /** The prop path of the route, for error messages, e.g. `inbound.routes[0]`. */
  readonly prop: string;
  readonly method: unknown;
  readonly path: unknown;
  readonly bodySchema?: unknown;
  /** A local `$ref` naming the body's schema inside a bundled document. */
  readonly bodySchemaRoot?: string;
  readonly target: Target;
  /** The ingest function of the stack that holds the integration. */
  readonly ingest: IngestFunction;
  readonly methodOptions: apigateway.MethodOptions;
  readonly auth: string;
  readonly scopes: string[];
  readonly signature?: SignatureSchemeConfig;
  /** The signing secret's ARN: the ingest reads it by ARN, so a secret re-created under its name is not read. */
  readonly signingSecretArn?: string;
  /** How long, in seconds, the signing secret's previous value stays valid after the current one was put. */
  readonly signingSecretOverlapSeconds?: number;
  /** Stage throttling for this method only. */
  readonly throttling?: apigateway.ThrottleSettings;
  /** Cross-origin access for browsers. */
  readonly cors?: RouteCors;
  /** Body fields encrypted by the ingest function before delivery. */
  readonly piiFields?: string[];
  /** How the ingest deduplicates deliveries. */
  readonly deduplication?: DeduplicationConfig;
  /** The query-string parameters forwarded to the target. */
  readonly queryParameters?: unknown;
  /** For a mutual TLS route: the client certificates admitted, DNs canonical (undefined: any the truststore trusts). */
  readonly clientCertificate?: { readonly clients?: Array<{ readonly subject: string; readonly issuer: string }> };
  /** The media types the body may have. */
  readonly bodyFormats?: BodyFormat[];
}

/**
 * The API resource of `path` for a route in another stack than the API's (a nested stack): path
 * parts that exist already are shared, wherever they are; new ones are created in the route's stack
 * (under `scope`), so that the API's stack does not grow with integrations it does not hold.
 */
function resourceInStack(root: apigateway.IResource, path: string, scope: Construct): apigateway.IResource {
  let resource = root;
  let prefix = '';
  for (const part of path.split('/').filter((p) => p.length > 0)) {
    prefix += `/${part}`;
    resource = resource.getResource(part) ?? new apigateway.Resource(scope, `Path${prefix}`.replace(/\//g, '_'), { parent: resource, pathPart: part });
  }
  return resource;
}

/** The most query-string parameters a route forwards, and the longest name: ample for the APIs in CATALOG.md. */
export const MAX_QUERY_PARAMETERS = 20;
const QUERY_PARAMETER_NAME = /^[A-Za-z0-9_.~-]{1,128}$/;

/** The route's forwarded query-string parameter names, checked. */
function validateQueryParameters(owner: string, prop: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const fix =
    `List at most ${MAX_QUERY_PARAMETERS} distinct names of query-string parameters the target needs (letters, digits, _ . ~ -, at most 128 characters), ` +
    'for example ["page", "since"]. Parameters not listed are dropped; never list one that carries personal data, which travels unencrypted.';
  if (!Array.isArray(value) || value.length > MAX_QUERY_PARAMETERS || new Set(value).size !== value.length) throw new IntegrationConfigError(owner, prop, value, fix);
  value.forEach((name, i) => {
    if (typeof name !== 'string' || !QUERY_PARAMETER_NAME.test(name) || PROTOTYPE_KEYS.has(name)) throw new IntegrationConfigError(owner, `${prop}[${i}]`, name, fix);
  });
  return value as string[];
}

/**
 * Adds one route: validates method, path and schema, claims the route on the platform, adds the
 * request model and the method (integrated with the platform's ingest function), and registers
 * the route and its target with the ingest function.
 */
export function bindRoute(request: RouteRequest): BoundRoute {
  const { integrationName: name, platform, prop } = request;
  const method = validateHttpMethod(name, `${prop}.method`, request.method);
  const path = validateRoutePath(name, `${prop}.path`, request.path);
  const hasBody = METHODS_WITH_BODY.has(method);
  if (hasBody && request.bodySchema === undefined) {
    throw new IntegrationConfigError(name, `${prop}.bodySchema`, undefined, `${method} carries a body: give a JSON Schema so that a malformed body is rejected before the target runs.`);
  }
  if (!hasBody && request.bodySchema !== undefined) {
    throw new IntegrationConfigError(name, `${prop}.bodySchema`, '(a schema)', `${method} requests carry no body: remove bodySchema, or use POST, PUT or PATCH.`);
  }
  const converted = hasBody
    ? convertSchemaForApiGateway(validateBodySchema(name, `${prop}.bodySchema`, request.bodySchema), { owner: name, prop: `${prop}.bodySchema` }, { rootRef: request.bodySchemaRoot })
    : undefined;
  const schema: JsonSchemaDocument | undefined = converted?.schema;
  if (schema) validateDraft04Schema(name, `${prop}.bodySchema`, schema);
  const formats = schema ? unknownFormats(schema) : [];
  if (formats.length > 0) {
    Annotations.of(request.scope).addWarningV2(
      `cdk-secure-integrations:unknownFormat:${prop}`,
      `${name} ${prop}.bodySchema: ${formats.map((f) => `"${f.format}" at ${f.pointer}`).join(', ')}: a format the ingest function's validator does not know is not checked at all. ` +
        `Use one it knows (${[...KNOWN_FORMATS].slice(0, 8).join(', ')}, ...) or a pattern.`,
    );
  }
  platform._claimRoute(method, path, name, prop);
  if (request.auth !== 'mtls') platform._frontDoor.noteRoute(name, prop, request.auth);
  platform.api.resourcePolicy.addRoute(name, { method, path });

  const ingest = request.ingest;
  const target = request.target.bind({ scope: request.scope, integrationName: name, platform, ingest });
  if (!target.answersCaller && !hasBody) {
    throw new IntegrationConfigError(
      name,
      `${prop}.target`,
      target.description,
      `${method} routes return data to the caller: use Target.lambda(fn), whose result is the response. Queues and event buses only take records.`,
    );
  }

  if (converted) {
    platform.api.recordModelSize(converted.sizeBytes);
    platform._recordModelBytes(request.scope, converted.sizeBytes);
  }
  const routeScope = new Construct(request.scope, `Route${prop.replace(/\D+/g, '') || '0'}`);
  const requestModels = schema
    ? { 'application/json': createRequestModel(routeScope, 'Model', platform.api.restApi, schema, `Body of ${method} ${path} (${name})`) }
    : undefined;
  const methodOptions: apigateway.MethodOptions = {
    ...request.methodOptions,
    requestValidator: platform.api.requestValidator,
    requestModels,
    operationName: `${name}-${method}-${path}`.replace(/[^A-Za-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/-$/, ''),
  };
  const restApi = platform.api.restApi;
  const apiMethod =
    Stack.of(request.scope) === Stack.of(restApi)
      ? restApi.root.resourceForPath(path).addMethod(method, ingest.integration, methodOptions)
      : new apigateway.Method(routeScope, 'Method', { resource: resourceInStack(restApi.root, path, routeScope), httpMethod: method, integration: ingest.integration, options: methodOptions });
  const queryParameters = validateQueryParameters(name, `${prop}.queryParameters`, request.queryParameters);
  if (request.throttling) platform.api.throttleMethod(name, `${prop}.throttling`, method, path, request.throttling);
  if (request.cors) acknowledgePreflightMethod(platform.api.addPreflight(name, `${prop}.cors`, path, method, request.cors));
  ingest.addRoute({
    integration: name,
    method,
    resourcePath: path,
    schema: schema as Record<string, unknown> | undefined,
    signature: request.signature,
    signingSecret: request.signingSecretArn,
    signingSecretOverlapSeconds: request.signingSecretOverlapSeconds,
    target: target.ingestTarget,
    corsOrigins: request.cors?.allowOrigins,
    piiFields: request.piiFields,
    ...(request.deduplication ? { deduplication: request.deduplication } : {}),
    ...(queryParameters?.length ? { queryParameters } : {}),
    ...(request.bodyFormats ? { bodyFormats: request.bodyFormats } : {}),
    ...(request.clientCertificate ? { clientCertificate: request.clientCertificate.clients ? { clients: request.clientCertificate.clients } : {} } : {}),
  });
  if (request.piiFields?.length) ingest.grantFieldEncryption(name);
  return { method, path, auth: request.auth, scopes: request.scopes, apiMethod, target: target.description, ...(schema ? { schema } : {}) };
}

/**
 * Warns about body PII paths that no route of the integration defines in its schema (a typo such
 * as `contact.emial` would encrypt nothing, and the value would reach the target in clear).
 */
export function warnAboutUndefinedPiiPaths(scope: Construct, integrationName: string, piiFields: readonly string[], routes: readonly BoundRoute[]): void {
  const schemas = routes.map((r) => r.schema).filter((s) => s !== undefined);
  if (schemas.length === 0) return;
  const missing = piiFields.filter((p) => schemas.every((schema) => undefinedPiiPaths(schema, [p]).length > 0));
  if (missing.length === 0) return;
  Annotations.of(scope).addWarningV2(
    'cdk-secure-integrations:undefinedPiiPath',
    `${integrationName} piiFields ${JSON.stringify(missing)}: no route's bodySchema defines ${missing.length === 1 ? 'this path' : 'these paths'}, so a value there would not be expected ` +
      '(and, if sent, not declared). Check the spelling against the schema\'s properties, or add the property to the schema.',
  );
}
