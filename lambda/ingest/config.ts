import { readFileSync } from 'node:fs';
import type { IngestConfig, IngestRouteConfig } from '../../lib/ingest/ingest-config';
import { resolveValue } from '../shared/config-value';

/** The config file path: the config layer's file, or INGEST_CONFIG_FILE (tests). */
const CONFIG_PATH = '/opt/ingest/config.json';

/** A route with every deploy-time reference resolved from the environment. */
export type ResolvedRoute = IngestRouteConfig & { readonly targetAddress: string; readonly signingSecretId?: string };

export { resolveValue };

/** The route table, keyed `METHOD /resource/path` (API Gateway's `httpMethod` and `resource`). */
export function loadRoutes(path = process.env.INGEST_CONFIG_FILE ?? CONFIG_PATH, env: NodeJS.ProcessEnv = process.env): Map<string, ResolvedRoute> {
  const config = JSON.parse(readFileSync(path, 'utf8')) as IngestConfig;
  if (config.version !== 1) throw new Error(`ingest config version ${String(config.version)} is not supported by this function`);
  const routes = new Map<string, ResolvedRoute>();
  for (const route of config.routes) {
    routes.set(routeKey(route.method, route.resourcePath), {
      ...route,
      targetAddress: resolveValue(route.target.address, env),
      signingSecretId: route.signingSecret === undefined ? undefined : resolveValue(route.signingSecret, env),
    });
  }
  return routes;
}

export function routeKey(method: string, resourcePath: string): string {
  return `${method.toUpperCase()} ${resourcePath}`;
}
