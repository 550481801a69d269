// A type-only import: erased when esbuild bundles a handler, so no construct code reaches the Lambda.
import type { DeliveryIdLocation } from '../../lib/gateway/signature-scheme';

/**
 * The longest delivery id taken, in characters. Senders' ids are short (a GUID, `evt_` and 24
 * characters, `msg_` and a KSUID); a longer value is not an id to key deduplication on.
 */
export const MAX_DELIVERY_ID_LENGTH = 256;

/**
 * The sender's unique id of a delivery, from where its scheme says it is (`SignatureSchemeConfig.deliveryId`,
 * carried into the route's deduplication config): a request header, or a JSON pointer into the body.
 *
 * Pure, and never throws. Answers undefined, so that the caller treats the request as having no id,
 * when the header is absent, blank, or sent twice (in two cases) with different values; the pointer
 * finds nothing or something other than a string (a number is not taken: JSON.parse rounds
 * integers past 2^53, so two deliveries could share one, and the second be dropped as a
 * duplicate); or the value is blank or longer than {@link MAX_DELIVERY_ID_LENGTH}. A header value is
 * trimmed (RFC 9110 section 5.5); a body value is taken as it is.
 *
 * @param location where the id is
 * @param headers the request headers; names are matched case-insensitively
 * @param parsedBody the parsed body, or undefined when there is none
 */
export function deliveryIdAt(location: DeliveryIdLocation, headers: Record<string, string | undefined> | null | undefined, parsedBody: unknown): string | undefined {
  if (location.header !== undefined) return usable(headerValue(headers, location.header));
  if (location.bodyPointer !== undefined) {
    const value = resolvePointer(parsedBody, location.bodyPointer);
    return typeof value === 'string' ? usable(value) : undefined;
  }
  return undefined;
}

function usable(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '' || value.length > MAX_DELIVERY_ID_LENGTH) return undefined;
  return value;
}

function headerValue(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const values = new Set<string>();
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === wanted && typeof value === 'string' && value.trim() !== '') values.add(value.trim());
  }
  // Two different ids for one request: neither can be trusted to name the delivery.
  return values.size === 1 ? [...values][0] : undefined;
}

/** RFC 6901 array index: `0` or digits without a leading zero (`-`, past the end, names nothing). */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/**
 * Evaluates an RFC 6901 JSON pointer: `''` is the whole document; otherwise `/`-separated reference
 * tokens, with `~1` for `/` and `~0` for `~` (section 4: `~1` first). Only an object's own
 * properties are followed, so `/constructor` finds nothing in `{}`.
 * @returns the value, or undefined when the pointer is malformed or names nothing
 * @see https://www.rfc-editor.org/rfc/rfc6901
 */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  if (!pointer.startsWith('/')) return undefined;
  let current: unknown = document;
  for (const escaped of pointer.slice(1).split('/')) {
    // '~' is only ever followed by '0' or '1' (section 3).
    if (/~(?![01])/.test(escaped)) return undefined;
    const token = escaped.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      if (!ARRAY_INDEX.test(token)) return undefined;
      const index = Number(token);
      if (index >= current.length) return undefined;
      current = current[index];
    } else if (typeof current === 'object' && current !== null) {
      if (!Object.prototype.hasOwnProperty.call(current, token)) return undefined;
      current = (current as Record<string, unknown>)[token];
    } else {
      return undefined;
    }
  }
  return current;
}
