import { Duration } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../core/errors';

/** Cross-origin access for a route that browsers call. */
export interface RouteCors {
  /**
   * The origins allowed to call the route, each `https://host[:port]` (or `http://localhost[:port]`
   * for development). Explicit origins only: `*` is rejected.
   */
  readonly allowOrigins: string[];
  /**
   * Request headers the browser may send.
   * @default ['Content-Type', 'Authorization']
   */
  readonly allowHeaders?: string[];
  /**
   * How long a browser may cache the preflight answer.
   * @default Duration.minutes(10)
   */
  readonly maxAge?: Duration;
}

/** An origin: scheme, host and optional port, nothing else (RFC 6454 section 6.2, serialized). */
const ORIGIN = /^https:\/\/([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(:\d{1,5})?$/;
const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/;

/**
 * Checks a route's CORS origins.
 * @throws IntegrationConfigError for an empty list, `*`, or an entry that is not a serialized origin.
 */
export function validateCors(owner: string, prop: string, cors: RouteCors): RouteCors {
  if (!Array.isArray(cors.allowOrigins) || cors.allowOrigins.length === 0) {
    throw new IntegrationConfigError(owner, `${prop}.allowOrigins`, cors.allowOrigins, 'List the origins that may call the route, for example ["https://portal.example.com"].');
  }
  cors.allowOrigins.forEach((origin, i) => {
    if (origin === '*') {
      throw new IntegrationConfigError(owner, `${prop}.allowOrigins[${i}]`, origin, 'Name each origin explicitly: a wildcard lets any site call the route from a browser.');
    }
    if (!ORIGIN.test(origin) && !LOCAL_ORIGIN.test(origin)) {
      throw new IntegrationConfigError(
        owner,
        `${prop}.allowOrigins[${i}]`,
        origin,
        'An origin is "https://" + a lowercase host name + an optional ":port", with no path or trailing slash ' +
          '(http is allowed for localhost only), for example "https://portal.example.com".',
      );
    }
  });
  return cors;
}
