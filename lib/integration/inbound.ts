import { Annotations, Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeIamMethod, acknowledgeMutualTlsMethod, acknowledgeSignedWebhookMethod, acknowledgePartnerHeldSigningSecret } from '../compliance/acknowledgements';
import type { IamAccess } from '../gateway/api-resource-policy';
import { IamAuth, type IamPrincipals, MutualTlsAuth } from '../identity/auth';
import type { Auth } from '../identity/auth';
import { IntegrationConfigError } from '../core/errors';
import { HttpMethod } from '../gateway/api-route';
import type { RouteCors } from '../gateway/cors';
import type { JsonSchemaDocument } from '../gateway/json-schema-model';
import type { SignatureScheme } from '../gateway/signature-scheme';
import type { IntegrationPlatform } from '../platform/integration-platform';
import type { StackWorkers } from '../platform/stack-workers';
import { credentialAgeThresholds, DEFAULT_OVERLAP, validateOverlap } from '../secrets/credential-age';
import { guardCredential } from '../secrets/credential-guard';
import { SECRET_NAME_ROOT } from '../secrets/rotation-config';
import type { RotationWindow } from '../secrets/rotation-window';
import { BoundRoute, bindRoute, warnAboutUndefinedPiiPaths } from './route-binding';
import { Target } from './target';
import { Deduplication } from './deduplication';
import { BodyFormat } from '../ingest/ingest-config';
import { BODY_PLACEHOLDER, ID_PLACEHOLDER } from '../gateway/signature-scheme';
import { grantKeyUseVia, KeyService } from '../core/key-use';

export type { BoundRoute } from './route-binding';

/** The credential name of a webhook's signing secret, in the inventory and the credential sweep. */
export const WEBHOOK_SIGNING_SECRET = 'webhook-signing-secret';

/** The credential name of an `Inbound.api` integration's app-client secret. */
export const OAUTH2_CLIENT_SECRET = 'oauth2-client-secret';

/** One route of an OAuth 2.0-protected API integration. */
export interface ApiRoute {
  /** The HTTP method. */
  readonly method: HttpMethod;
  /** The path, for example `/orders` or `/orders/{orderId}`. */
  readonly path: string;
  /**
   * JSON Schema (draft-04, -06 or -07) of the request body. API Gateway checks the draft-04 form
   * of it at the edge and the ingest function checks all of it (formats included) before the target
   * runs. Required for POST, PUT and PATCH; not allowed for GET and DELETE.
   * @default - no body
   */
  readonly bodySchema?: JsonSchemaDocument;
  /**
   * A local `$ref` naming the body's schema inside a bundled `bodySchema` document, for example
   * `#/definitions/push$event`.
   * @default - the whole document
   */
  readonly bodySchemaRoot?: string;
  /**
   * The OAuth 2.0 scopes a caller's access token must carry (any one of them), without the
   * resource-server prefix, for example `['orders.write']`. At least one for an OAuth 2.0 route;
   * none for an `Auth.iam` route.
   * @default - none (required for OAuth 2.0 routes)
   */
  readonly scopes?: string[];
  /**
   * How callers of this route authenticate.
   * @default - the platform's `defaultRouteAuth` (OAuth 2.0 client credentials unless set)
   */
  readonly auth?: Auth;
  /**
   * Where accepted requests go. GET and DELETE routes need `Target.lambda(fn)`: its result is the response.
   * @default Target.defaultQueue() - the integration's own encrypted queue with a dead-letter queue
   */
  readonly target?: Target;
  /**
   * Throttling of this route alone (requests per second and burst), on top of the stage default.
   * @default - the platform's stage throttling
   */
  readonly throttling?: apigateway.ThrottleSettings;
  /**
   * Cross-origin access, for routes a browser calls: a preflight (OPTIONS) method without an
   * authorizer, and the allowed origin echoed on responses.
   * @default - no CORS
   */
  readonly cors?: RouteCors;
  /**
   * The query-string parameters forwarded to the target in the record's `queryStringParameters`;
   * every other one is dropped. They travel unencrypted: never list one that carries personal data.
   * @default - none
   */
  readonly queryParameters?: string[];
}

/**
 * How an `Inbound.api` integration's app-client secret rotates. The secret is a managed credential
 * named `oauth2-client-secret` (`integration.credentials['oauth2-client-secret']`): the partner
 * reads it from Secrets Manager (`grantRead`), the first rotation adopts the secret Cognito
 * generated, and each rotation keeps the previous secret valid for the overlap.
 */
export interface ClientSecretOptions {
  /**
   * How often the client secret rotates (4 hours to 90 days, at most the classification's limit).
   * @default Duration.days(30)
   */
  readonly rotateEvery?: Duration;
  /**
   * A maintenance window for rotations instead of a plain period.
   * @default - every `rotateEvery`, at any time of day
   */
  readonly rotationWindow?: RotationWindow;
  /**
   * How long the previous client secret keeps working after a rotation, for callers that cache it
   * (0 to 7 days, shorter than the rotation interval).
   * @default - 24 hours, or half the shortest rotation interval when that is shorter
   */
  readonly overlap?: Duration;
}

/** Options of {@link Inbound.api}. */
export interface ApiInboundOptions {
  /**
   * Deduplication of requests that carry an `Idempotency-Key` header: a retry with the same key (and
   * the same client) within the window gets the first answer and is not delivered again.
   * @default Deduplication.onDeliveryId() - the Idempotency-Key header, remembered 3 days
   */
  readonly deduplication?: Deduplication;
  /** The routes, at least one. */
  readonly routes: ApiRoute[];
  /**
   * How the integration's app-client secret rotates; it always does.
   * @default - every 30 days, 24-hour overlap
   */
  readonly clientSecret?: ClientSecretOptions;
}

/** Options of {@link Inbound.webhook}. */
export interface WebhookInboundOptions {
  /**
   * Deduplication of the sender's retries and replays: on its delivery id where the signature covers
   * it (Stripe, Standard Webhooks), otherwise on the SHA-256 of the body (GitHub, Shopify, Slack).
   * @default Deduplication.onDeliveryId() - remembered 3 days
   */
  readonly deduplication?: Deduplication;
  /**
   * The query-string parameters forwarded to the target in the record's `queryStringParameters`;
   * every other one is dropped. They travel unencrypted: never list one that carries personal data.
   * @default - none
   */
  readonly queryParameters?: string[];
  /** The path the partner posts to, for example `/webhooks/github`. */
  readonly path: string;
  /** JSON Schema of the event body (see {@link ApiRoute.bodySchema}). */
  readonly bodySchema: JsonSchemaDocument;
  /**
   * A local `$ref` naming the body's schema inside a bundled `bodySchema` document.
   * @default - the whole document
   */
  readonly bodySchemaRoot?: string;
  /** How the partner signs the raw body, for example `SignatureScheme.githubHmacSha256()`. */
  readonly signature: SignatureScheme;
  /**
   * Where verified events go.
   * @default Target.defaultQueue()
   */
  readonly target?: Target;
  /**
   * Throttling of the webhook route alone.
   * @default - the platform's stage throttling
   */
  readonly throttling?: apigateway.ThrottleSettings;
  /**
   * How long the previous signing secret still verifies after a new one was put in Secrets
   * Manager (counted from the new version's creation), so deliveries the partner signed before it
   * switched still pass. After that only the current secret verifies: a secret replaced because it
   * leaked stops working. 0 to 7 days.
   * @default Duration.hours(24)
   */
  readonly signingSecretOverlap?: Duration;
  /**
   * The roles that may put the partner's signing secret into Secrets Manager (`PutSecretValue`);
   * the secret's resource policy denies every other principal (the platform's break-glass roles
   * excepted). Whoever can put the signing secret can forge deliveries. Give each role with its
   * full ARN, path included (`Role.fromRoleArn`; an IAM Identity Center role's path is
   * `/aws-reserved/sso.amazonaws.com/...`): the policy compares `aws:PrincipalArn` with it.
   * @default - any principal whose IAM policies allow secretsmanager:PutSecretValue on the secret (a synth warning says so)
   */
  readonly signingSecretWriters?: iam.IRole[];
}

/**
 * What the integration gives its inbound side to bind to.
 * @jsii ignore TypeScript only: the context of the library's own bind step.
 */
export interface InboundBindContext {
  /** The integration construct: children go under it. */
  readonly scope: Construct;
  /** The integration's name. */
  readonly integrationName: string;
  /** The platform. */
  readonly platform: IntegrationPlatform;
  /** The ingest and rotation functions of the stack that holds the integration. */
  readonly workers: Pick<StackWorkers, 'ingest' | 'rotationFunction'>;
  /** Body fields the ingest function encrypts before delivery. */
  readonly piiFields?: string[];
  /** The longest a credential of the integration may live (its classification's limit). */
  readonly credentialMaxAge: Duration;
}

/** What an inbound side made. */
export interface InboundConfig {
  /** The routes bound to the API. */
  readonly routes: BoundRoute[];
  /** The integration's OAuth 2.0 app client, where callers authenticate with one. */
  readonly client?: cognito.UserPoolClient;
  /** How the app client's secret rotates (a managed credential the integration creates). */
  readonly clientSecret?: ClientSecretOptions;
  /** The signing secret of a signed webhook. */
  readonly signingSecret?: secretsmanager.ISecret;
  /** The integration's `Auth.iam` routes and the principals the API's resource policy admits on them. */
  readonly iamAccess?: IamAccess;
}

/**
 * How partners reach an integration. Choose one with a static factory: `Inbound.api({ routes })`
 * for OAuth 2.0 client-credentials callers, `Inbound.webhook({ ... })` for signed webhooks.
 */
export abstract class Inbound {
  /**
   * Routes on the platform's REST API, each authorized by the OAuth 2.0 client-credentials grant
   * (Cognito user-pool authorizer with explicit scopes) and validated against its body schema.
   * The integration gets one app client limited to the scopes of its routes.
   */
  public static api(options: ApiInboundOptions): Inbound {
    return new ApiInbound(options);
  }

  /**
   * A signed webhook: a POST route without an authorizer whose raw body the ingest function verifies
   * with the scheme (constant-time compare) before anything else, then validates against the schema.
   * The signing secret is a Secrets Manager secret on the platform key; put the partner's secret in
   * it (or give the generated one to the partner). During a change, the previous value stays valid.
   */
  public static webhook(options: WebhookInboundOptions): Inbound {
    return new WebhookInbound(options);
  }

  /**
   * Adds what the inbound side needs to the platform.
   * @jsii ignore TypeScript only: the library calls it; its context holds internal building blocks.
   */
  public abstract bind(context: InboundBindContext): InboundConfig;
}

class ApiInbound extends Inbound {
  constructor(private readonly options: ApiInboundOptions) {
    super();
  }

  public bind(context: InboundBindContext): InboundConfig {
    const { scope, integrationName: name, platform } = context;
    const routes = this.options.routes;
    if (!Array.isArray(routes) || routes.length === 0) {
      throw new IntegrationConfigError(name, 'inbound.routes', routes, 'Give at least one route: { method, path, bodySchema, scopes, target }.');
    }
    const clientScopes = new Set<string>();
    const deduplication = (this.options.deduplication ?? Deduplication.onDeliveryId())._bind(name, 'inbound.deduplication', { kind: 'api' });
    const iamRoutes: Array<{ route: BoundRoute; principals: IamPrincipals }> = [];
    const bound = routes.map((route, i) => {
      const prop = `inbound.routes[${i}]`;
      const auth = route.auth ?? platform.defaultRouteAuth;
      const common = {
        scope,
        integrationName: name,
        platform,
        prop,
        method: route.method,
        path: route.path,
        bodySchema: route.bodySchema,
        bodySchemaRoot: route.bodySchemaRoot,
        target: route.target ?? Target.defaultQueue(),
        ingest: context.workers.ingest,
        throttling: route.throttling,
        cors: route.cors,
        piiFields: context.piiFields,
        deduplication,
        queryParameters: route.queryParameters,
      };
      // Scopes belong to OAuth 2.0 routes only: on another mode they would authorize nothing.
      const refuseScopes = (mode: string, authorizedBy: string) => {
        if (route.scopes !== undefined && route.scopes.length > 0) {
          throw new IntegrationConfigError(name, `${prop}.scopes`, route.scopes, `An ${mode} route is authorized by ${authorizedBy}, not by OAuth 2.0 scopes: remove scopes, or use Auth.oauth2ClientCredentials().`);
        }
      };
      if (auth instanceof IamAuth) {
        refuseScopes('Auth.iam', 'SigV4 and the API\'s resource policy');
        const principals = auth.principals(name, `${prop}.auth`);
        const iamRoute = bindRoute({ ...common, auth: 'iam', scopes: [], methodOptions: { authorizationType: apigateway.AuthorizationType.IAM } });
        acknowledgeIamMethod(iamRoute.apiMethod);
        iamRoutes.push({ route: iamRoute, principals });
        return iamRoute;
      }
      if (auth instanceof MutualTlsAuth) {
        refuseScopes('Auth.mutualTls', 'the client certificate');
        const clients = platform._frontDoor.admitMutualTlsRoute(auth, name, prop);
        const mtlsRoute = bindRoute({ ...common, auth: 'mtls', scopes: [], clientCertificate: { clients }, methodOptions: { authorizationType: apigateway.AuthorizationType.NONE } });
        acknowledgeMutualTlsMethod(mtlsRoute.apiMethod);
        return { ...mtlsRoute, clientCertificates: platform._frontDoor.inventoryClients(clients) };
      }
      const oauth2 = platform.oauth2;
      if (!Array.isArray(route.scopes) || route.scopes.length === 0) {
        throw new IntegrationConfigError(
          name,
          `${prop}.scopes`,
          route.scopes,
          `Every route needs at least one OAuth 2.0 scope that callers' tokens must carry, for example ['${name.toLowerCase()}.write'].`,
        );
      }
      route.scopes.forEach((s, j) => oauth2.declareScope({ name: s, owner: name, description: `${route.method} ${route.path} of integration ${name}` }, `${prop}.scopes[${j}]`));
      route.scopes.forEach((s) => clientScopes.add(s));
      const fullScopes = route.scopes.map((s) => oauth2.fullScope(s));
      return bindRoute({
        ...common,
        auth: 'oauth2',
        scopes: fullScopes,
        methodOptions: {
          authorizationType: apigateway.AuthorizationType.COGNITO,
          authorizer: platform.authorizer,
          authorizationScopes: fullScopes,
        },
      });
    });
    warnAboutUndefinedPiiPaths(scope, name, context.piiFields ?? [], bound);
    const iamAccess = iamRoutes.length > 0 ? platform.api.resourcePolicy.addIamRoutes(name, iamRoutes) : undefined;
    if (clientScopes.size === 0) return { routes: bound, iamAccess };
    const client = platform.oauth2.addClient(scope, 'Client', [...clientScopes], name);
    return { routes: bound, client, clientSecret: this.options.clientSecret ?? {}, iamAccess };
  }
}

class WebhookInbound extends Inbound {
  constructor(private readonly options: WebhookInboundOptions) {
    super();
  }

  public bind(context: InboundBindContext): InboundConfig {
    const { scope, integrationName: name, platform } = context;
    const signature = this.options.signature?.bind();
    if (!signature) {
      throw new IntegrationConfigError(name, 'inbound.signature', undefined, 'A webhook needs a signature scheme, for example SignatureScheme.githubHmacSha256().');
    }
    const overlap = validateOverlap(name, 'inbound.signingSecretOverlap', this.options.signingSecretOverlap ?? DEFAULT_OVERLAP);
    const secretName = `${SECRET_NAME_ROOT}${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}/signing-secret`;
    const secret = new secretsmanager.Secret(scope, 'SigningSecret', {
      secretName,
      description: `Signing secret of webhook integration ${name} (${signature.description}); set it to the partner's secret`,
      encryptionKey: platform.encryptionKey,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgePartnerHeldSigningSecret(secret);
    // Operators put the partner's value; nobody but the rotation role and a deployment moves its
    // stages (which could revive a replaced value) or changes its tags and policy.
    const rotation = context.workers.rotationFunction;
    const writers = this.options.signingSecretWriters ?? [];
    guardCredential(secret, {
      rotationRole: rotation.role,
      breakGlassRoles: platform.credentialBreakGlassRoles,
      deploymentRoleArns: platform.credentialDeploymentRoleArns,
      allowValueWrites: true,
      valueWriters: writers,
    });
    // They put the value through Secrets Manager, which encrypts it with the platform key on their behalf.
    platform._admitSecretWriters(writers);
    if (writers.length === 0) {
      Annotations.of(scope).addWarningV2(
        'cdk-secure-integrations:signingSecretWriters',
        `Any principal allowed secretsmanager:PutSecretValue on the signing secret of ${name} can set it, and then forge deliveries that pass the signature check. ` +
          'Name the roles that put the partner\'s secret in Inbound.webhook({ signingSecretWriters }): the secret\'s policy then denies everyone else.',
      );
    }
    // The credential sweep watches its age: a ticket a week before the classification's limit, a page at it.
    rotation.addCredential(secret, secretName, {
      integration: name,
      credential: WEBHOOK_SIGNING_SECRET,
      overlapSeconds: overlap.toSeconds(),
      ...credentialAgeThresholds({ maxAge: context.credentialMaxAge }),
    });
    // The ingest function reads the current and previous versions; Secrets Manager decrypts with the platform key.
    const ingest = context.workers.ingest;
    ingest.handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
    grantKeyUseVia(ingest.handler.role, platform.encryptionKey, KeyService.SECRETS_MANAGER, ['kms:Decrypt']);
    const route = bindRoute({
      scope,
      integrationName: name,
      platform,
      prop: 'inbound',
      method: HttpMethod.POST,
      path: this.options.path,
      bodySchema: this.options.bodySchema,
      bodySchemaRoot: this.options.bodySchemaRoot,
      target: this.options.target ?? Target.defaultQueue(),
      ingest,
      throttling: this.options.throttling,
      piiFields: context.piiFields,
      deduplication: (this.options.deduplication ?? Deduplication.onDeliveryId())._bind(name, 'inbound.deduplication', {
        kind: 'webhook',
        deliveryId: signature.deliveryId,
        signedIdHeader: signature.signedPayload.includes(ID_PLACEHOLDER) ? signature.idHeader : undefined,
        idInSignedBody: signature.signedPayload.includes(BODY_PLACEHOLDER),
      }),
      queryParameters: this.options.queryParameters,
      // Slack sends slash commands and interactive payloads form-encoded, and Events API callbacks as JSON.
      bodyFormats: signature.scheme === SLACK_SCHEME ? [BodyFormat.JSON, BodyFormat.FORM] : undefined,
      auth: `signature:${signature.scheme}`,
      scopes: [],
      signature,
      signingSecretArn: secret.secretArn,
      signingSecretOverlapSeconds: overlap.toSeconds(),
      methodOptions: {
        authorizationType: apigateway.AuthorizationType.NONE,
        requestParameters: { [`method.request.header.${signature.signatureHeader}`]: true },
      },
    });
    acknowledgeSignedWebhookMethod(route.apiMethod);
    warnAboutUndefinedPiiPaths(scope, name, context.piiFields ?? [], [route]);
    return { routes: [route], signingSecret: secret };
  }
}

/** The scheme name of `SignatureScheme.slack()`, whose routes also accept form-encoded bodies. */
const SLACK_SCHEME = 'slack-v0';
