// The headers of a direct call. Pure.
import { XRAY_TRACE_HEADER } from './trace-context';

/** Headers of the connection itself, which node:https sets (a `Host` of the config's would also change the TLS server name). */
export const CONNECTION_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer']);

/** Headers a static header of the config never sets: the connection's, and those the sender sets per record. */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  ...CONNECTION_HEADERS,
  'traceparent',
  'tracestate',
  XRAY_TRACE_HEADER.toLowerCase(),
  'idempotency-key',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

/**
 * The headers of a direct call: `content-type: application/json` (the config's headers may name
 * another JSON type), the config's static headers, then the sender's own (trace, idempotency,
 * signature), which nothing overrides: a static header in {@link RESERVED_HEADERS} is dropped.
 * Names are matched case-insensitively.
 */
export function requestHeaders(staticHeaders: Readonly<Record<string, string>> | undefined, own: Readonly<Record<string, string>>): Record<string, string> {
  const headers = new Map<string, [string, string]>();
  const set = (name: string, value: string) => headers.set(name.toLowerCase(), [name, value]);
  set('content-type', 'application/json');
  for (const [name, value] of Object.entries(staticHeaders ?? {})) if (!RESERVED_HEADERS.has(name.toLowerCase())) set(name, value);
  for (const [name, value] of Object.entries(own)) set(name, value);
  return Object.fromEntries(headers.values());
}

