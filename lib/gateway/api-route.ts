import { IntegrationConfigError } from '../core/errors';

/** HTTP methods a route can serve. */
export enum HttpMethod {
  GET = 'GET',
  POST = 'POST',
  PUT = 'PUT',
  PATCH = 'PATCH',
  DELETE = 'DELETE',
}

/** Methods whose requests carry a body, which must then be described by a schema. */
export const METHODS_WITH_BODY: ReadonlySet<HttpMethod> = new Set([HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH]);

/**
 * A route path: `/` followed by segments of letters, digits and `._-`, or `{param}` path
 * parameters; no trailing slash and no greedy `{proxy+}` (every route is explicit).
 */
const PATH_PATTERN = /^(\/([A-Za-z0-9._-]+|\{[A-Za-z_][A-Za-z0-9_]*\}))+$/;

/**
 * Checks a route path.
 * @throws IntegrationConfigError naming the prop, the path and the expected form.
 */
export function validateRoutePath(owner: string, prop: string, path: unknown): string {
  if (typeof path !== 'string' || !PATH_PATTERN.test(path)) {
    throw new IntegrationConfigError(
      owner,
      prop,
      path,
      'A route path starts with "/" and has segments of letters, digits and "._-" or a {parameter}, with no trailing ' +
        'slash and no greedy {proxy+}; for example "/orders" or "/orders/{orderId}".',
    );
  }
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) {
    throw new IntegrationConfigError(owner, prop, path, `The path parameter {${repeated}} appears twice; each parameter needs its own name, for example {orderId} and {lineId}.`);
  }
  return path;
}

/**
 * Checks an HTTP method given at run time.
 * @throws IntegrationConfigError when it is not one of {@link HttpMethod}.
 */
export function validateHttpMethod(owner: string, prop: string, method: unknown): HttpMethod {
  const allowed = Object.values(HttpMethod) as string[];
  if (typeof method !== 'string' || !allowed.includes(method)) {
    throw new IntegrationConfigError(owner, prop, method, `Use one of HttpMethod.${allowed.join(', HttpMethod.')}.`);
  }
  return method as HttpMethod;
}

/**
 * The route's key for conflict checks: path parameters are positional in API Gateway, so
 * `/orders/{id}` and `/orders/{orderId}` are the same route.
 */
export function routeKey(method: string, path: string): string {
  return `${method} ${path.replace(/\{[^}]+\}/g, '{}')}`;
}

/**
 * The path-parameter name at each variable position, keyed by the normalized parent path, for
 * the check that siblings agree (API Gateway allows one variable child per resource).
 */
export function pathParameterPositions(path: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let parent = '';
  for (const segment of path.split('/').slice(1)) {
    const match = /^\{(.+)\}$/.exec(segment);
    if (match) out.push([`${parent}/{}`, match[1]]);
    parent += match ? '/{}' : `/${segment}`;
  }
  return out;
}
