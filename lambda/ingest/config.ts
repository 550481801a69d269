import { readFileSync } from 'node:fs';
import type { ConfigValue, IngestConfig, IngestRouteConfig } from '../../lib/ingest/ingest-config';

/** The config file path: the config layer's file, or INGEST_CONFIG_FILE (tests). */
const CONFIG_PATH = '/opt/ingest/config.json';

/** A route with every deploy-time reference resolved from the environment. */
export type ResolvedRoute = IngestRouteConfig & { readonly targetAddress: string; readonly signingSecretId?: string };

/** Resolves a config value: a literal, or the environment variable it references. */
export function resolveValue(value: ConfigValue, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof value === 'string') return value;
  const resolved = env[value.env];
  if (!resolved) throw new Error(`ingest config references environment variable ${value.env}, which is not set`);
  return resolved;
}

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
