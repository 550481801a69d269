import { readFileSync } from 'node:fs';
import { OUTBOUND_CONFIG_PATH, type OutboundConfigFile } from '../../lib/outbound/outbound-config';
import { resolveValue } from '../shared/config-value';
import { splitPiiFields } from '../shared/query-pii';
import { CONNECTION_HEADERS } from './headers';

/** An HTTP header name (RFC 9110 section 5.1: a token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** An HTTP header value: visible characters, spaces and tabs; no CR, LF or NUL (RFC 9110 section 5.5). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The sender's config with every deploy-time reference resolved from the environment. */
export type ResolvedOutboundConfig = Omit<OutboundConfigFile, 'deadLetterQueueUrl' | 'eventBusName' | 'signing' | 'pii' | 'clientCertificate'> & {
  readonly clientCertificate?: { readonly secretArn: string };
  readonly deadLetterQueueUrl: string;
  readonly eventBusName?: string;
  readonly signing?: { readonly kind: 'hmac-sha256' | 'standard-webhooks'; readonly secretArn: string; readonly header: string };
  readonly pii?: { readonly mode: 'decrypt' | 'encrypt'; readonly paths: string[] };
};

/** The header of an `hmac-sha256` signature when the config names none (`OutboundAuth.hmacSha256()`'s default). */
export const DEFAULT_HMAC_HEADER = 'X-Signature-256';

/**
 * The sender's config file (the config layer's, or OUTBOUND_CONFIG_FILE for tests), checked and
 * with its environment references resolved. Throws at the cold start when the file and the
 * function disagree, so a broken deployment fails before it touches a record.
 */
export function loadOutboundConfig(path = process.env.OUTBOUND_CONFIG_FILE ?? OUTBOUND_CONFIG_PATH, env: NodeJS.ProcessEnv = process.env): ResolvedOutboundConfig {
  const file = JSON.parse(readFileSync(path, 'utf8')) as OutboundConfigFile;
  if (file.version !== 1) throw new Error(`outbound config version ${String(file.version)} is not supported by this function`);
  const fail = (message: string): never => {
    throw new Error(`outbound config of ${JSON.stringify(file.integration)}: ${message}`);
  };
  if (typeof file.integration !== 'string' || file.integration.length === 0) fail('no integration name');
  if (file.mode !== 'direct' && file.mode !== 'api-destination') fail(`unknown mode ${JSON.stringify(file.mode)}`);
  if (!Number.isInteger(file.maxAttempts) || file.maxAttempts < 1) fail(`maxAttempts must be a positive integer, got ${String(file.maxAttempts)}`);
  if (file.mode === 'direct') {
    let url: URL | undefined;
    try {
      url = new URL(file.endpoint);
    } catch {
      fail(`endpoint ${JSON.stringify(file.endpoint)} is not a URL`);
    }
    if (url!.protocol !== 'https:') fail(`endpoint ${JSON.stringify(file.endpoint)} is not https://`);
    if (!['POST', 'PUT', 'PATCH'].includes(file.method)) fail(`method ${JSON.stringify(file.method)} is not POST, PUT or PATCH`);
    if (!Number.isFinite(file.timeoutMs) || file.timeoutMs <= 0) fail(`timeoutMs must be a positive number, got ${String(file.timeoutMs)}`);
  }
  // The construct checks the static headers at synth (and refuses those the sender sets); the
  // sender drops any it sets itself (headers.ts), and only refuses what node:https could not send.
  for (const [name, value] of Object.entries(file.headers ?? {})) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || !HEADER_VALUE.test(value)) fail(`header ${JSON.stringify(name)} is not a valid HTTP header`);
  }
  if (file.signing?.header !== undefined && (!HEADER_NAME.test(file.signing.header) || CONNECTION_HEADERS.has(file.signing.header.toLowerCase()))) {
    fail(`signing header ${JSON.stringify(file.signing.header)} is not a header the sender can set`);
  }
  const eventBusName = file.eventBusName === undefined ? undefined : resolveValue(file.eventBusName, env);
  if (file.mode === 'api-destination' && (!eventBusName || !file.eventSource)) fail('api-destination mode needs eventBusName and eventSource');
  const signing = file.signing && {
    kind: file.signing.kind,
    secretArn: resolveValue(file.signing.secretArn, env),
    header: file.signing.header ?? DEFAULT_HMAC_HEADER,
  };
  if (signing && signing.kind !== 'hmac-sha256' && signing.kind !== 'standard-webhooks') fail(`unknown signing kind ${JSON.stringify(signing.kind)}`);
  if (file.pii && file.pii.mode !== 'decrypt' && file.pii.mode !== 'encrypt') fail(`unknown PII mode ${JSON.stringify(file.pii.mode)}`);
  return {
    ...file,
    deadLetterQueueUrl: resolveValue(file.deadLetterQueueUrl, env),
    eventBusName,
    signing,
    clientCertificate: file.clientCertificate && { secretArn: resolveValue(file.clientCertificate.secretArn, env) },
    // `query:` entries of an integration's piiFields name query-string parameters of inbound requests, not payload paths.
    pii: file.pii && file.pii.paths.length > 0 ? { mode: file.pii.mode, paths: splitPiiFields(file.pii.paths).bodyPaths } : undefined,
  };
}
