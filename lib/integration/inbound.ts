import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import { HttpMethod, METHODS_WITH_BODY, validateHttpMethod, validateRoutePath } from '../gateway/api-route';
import { createRequestModel, JsonSchemaDocument, validateBodySchema } from '../gateway/json-schema-model';
import type { IntegrationPlatform } from '../platform/integration-platform';
import type { Target } from './target';

/** One route of an OAuth 2.0-protected API integration. */
export interface ApiRoute {
  /** The HTTP method. */
  readonly method: HttpMethod;
  /** The path, for example `/orders` or `/orders/{orderId}`. */
  readonly path: string;
  /**
   * JSON Schema of the request body, validated by API Gateway before the target is invoked.
   * Required for POST, PUT and PATCH; not allowed for GET and DELETE.
   * @default - no body
   */
  readonly bodySchema?: JsonSchemaDocument;
  /**
   * The OAuth 2.0 scopes a caller's access token must carry (any one of them), without the
   * resource-server prefix, for example `['orders.write']`. At least one.
   */
  readonly scopes: string[];
  /** Where accepted requests go. */
  readonly target: Target;
  /**
   * What the route does, for the API's documentation and the inventory.
   * @default - none
   */
  readonly description?: string;
}

/** Options of {@link Inbound.api}. */
export interface ApiInboundOptions {
  /** The routes, at least one. */
  readonly routes: ApiRoute[];
}

/** A route as bound to the platform's API. */
export interface BoundRoute {
  /** The HTTP method. */
  readonly method: HttpMethod;
  /** The path. */
  readonly path: string;
  /** The full scopes (`<resource-server>/<scope>`) a token must carry one of. */
  readonly scopes: string[];
  /** The API Gateway method. */
  readonly apiMethod: apigateway.Method;
  /** The target's description. */
  readonly target: string;
}

/** What the integration gives its inbound side to bind to. */
export interface InboundBindContext {
  /** The integration construct: children go under it. */
  readonly scope: Construct;
  /** The integration's name. */
  readonly integrationName: string;
  /** The platform. */
  readonly platform: IntegrationPlatform;
}

/** What an inbound side made. */
export interface InboundConfig {
  /** The routes bound to the API. */
  readonly routes: BoundRoute[];
  /** The integration's OAuth 2.0 app client, where the inbound side authenticates callers with one. */
  readonly client?: cognito.UserPoolClient;
}

/**
 * How partners reach an integration. Choose one with a static factory, for example
 * `Inbound.api({ routes: [...] })`.
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

  /** Adds what the inbound side needs to the platform. */
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
    const oauth2 = platform.oauth2;
    const clientScopes = new Set<string>();
    const bound = routes.map((route, i) => {
      const prop = `inbound.routes[${i}]`;
      const method = validateHttpMethod(name, `${prop}.method`, route.method);
      const path = validateRoutePath(name, `${prop}.path`, route.path);
      if (!Array.isArray(route.scopes) || route.scopes.length === 0) {
        throw new IntegrationConfigError(
          name,
          `${prop}.scopes`,
          route.scopes,
          `Every route needs at least one OAuth 2.0 scope that callers' tokens must carry, for example ['${name.toLowerCase()}.write'].`,
        );
      }
      route.scopes.forEach((s, j) =>
        oauth2.declareScope({ name: s, owner: name, description: `${method} ${path} of integration ${name}` }, `${prop}.scopes[${j}]`),
      );
      route.scopes.forEach((s) => clientScopes.add(s));

      const hasBody = METHODS_WITH_BODY.has(method);
      if (hasBody && route.bodySchema === undefined) {
        throw new IntegrationConfigError(name, `${prop}.bodySchema`, undefined, `${method} carries a body: give a JSON Schema so that API Gateway rejects a malformed body before the target runs.`);
      }
      if (!hasBody && route.bodySchema !== undefined) {
        throw new IntegrationConfigError(name, `${prop}.bodySchema`, '(a schema)', `${method} requests carry no body: remove bodySchema, or use POST, PUT or PATCH.`);
      }
      platform._claimRoute(method, path, name, prop);

      const routeScope = new Construct(scope, `Route${i}`);
      const requestModels = hasBody
        ? { 'application/json': createRequestModel(routeScope, 'Model', platform.api.restApi, validateBodySchema(name, `${prop}.bodySchema`, route.bodySchema), `Body of ${method} ${path} (${name})`) }
        : undefined;
      const target = route.target.bind();
      const resource = platform.api.restApi.root.resourceForPath(path);
      const fullScopes = route.scopes.map((s) => oauth2.fullScope(s));
      const apiMethod = resource.addMethod(method, target.integration, {
        authorizationType: apigateway.AuthorizationType.COGNITO,
        authorizer: platform.authorizer,
        authorizationScopes: fullScopes,
        requestValidator: platform.api.requestValidator,
        requestModels,
        operationName: `${name}-${method}-${path}`.replace(/[^A-Za-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/-$/, ''),
      });
      return { method, path, scopes: fullScopes, apiMethod, target: target.description };
    });

    const client = oauth2.addClient(scope, 'Client', [...clientScopes]);
    return { routes: bound, client };
  }
}
