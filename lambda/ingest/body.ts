// Reading a request body: its media type, parsing (JSON, or form data where the route accepts it),
// and the structural checks every body passes before the schema sees it.
import type { BodyFormat } from '../../lib/ingest/ingest-config';

/**
 * The deepest nesting of arrays and objects a body may have. Bodies of the integrations in
 * CATALOG.md nest under 10 levels; recursive steps after parsing (schema validation, PII field
 * encryption) would overflow the stack on bodies thousands of levels deep.
 */
export const MAX_BODY_DEPTH = 64;

/**
 * Object keys refused anywhere in a body: a consumer that deep-merges a record into an object
 * (lodash `merge`, `Object.assign` in a loop) would change the prototype of every object through
 * them (prototype pollution, CWE-1321).
 * @see https://cwe.mitre.org/data/definitions/1321.html
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a body was refused; `status` is the answer (415 or 400). */
export interface BodyProblem {
  readonly status: 400 | 415;
  readonly message: string;
}

/** A parsed body, or why it was refused. */
export type ParsedBody = { readonly ok: true; readonly value: unknown } | ({ readonly ok: false } & BodyProblem);

/** `application/json` and the structured `+json` suffix (RFC 6838 section 4.2.8), e.g. `application/merge-patch+json`. */
const JSON_MEDIA_TYPE = /^application\/(?:json|[a-z0-9!#$&^_.-]+\+json)$/;
const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** The media type and charset of a Content-Type value, lower-cased; `undefined` when the header is absent. */
export function contentTypeOf(headers: Record<string, string | undefined> | null | undefined): { readonly mediaType: string; readonly charset?: string } | undefined {
  const entry = Object.entries(headers ?? {}).find(([name, value]) => name.toLowerCase() === 'content-type' && value !== undefined);
  if (!entry) return undefined;
  const [type, ...params] = entry[1]!.split(';');
  const charset = params
    .map((p) => p.trim().split('='))
    .find(([name]) => name?.trim().toLowerCase() === 'charset')?.[1]
    ?.trim()
    .replace(/^"|"$/g, '')
    .toLowerCase();
  return { mediaType: type.trim().toLowerCase(), charset };
}

/**
 * Parses a body in one of the route's formats. A request without Content-Type is JSON: API Gateway
 * validates it against the route's `application/json` model too. Any other media type is a 415:
 * API Gateway validates only bodies whose Content-Type has a model ("If no matching content type is
 * found, request validation is not performed"), so such a body would otherwise pass the edge unchecked.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 */
export function parseBody(raw: Buffer, contentType: ReturnType<typeof contentTypeOf>, formats: readonly BodyFormat[] = ['json' as BodyFormat]): ParsedBody {
  const accepts = (format: string) => (formats as readonly string[]).includes(format);
  const mediaType = contentType?.mediaType ?? 'application/json';
  const expected = [accepts('json') ? 'application/json' : undefined, accepts('form') ? FORM_MEDIA_TYPE : undefined].filter(Boolean).join(' or ');
  if (contentType?.charset !== undefined && contentType.charset !== 'utf-8' && contentType.charset !== 'utf8') {
    return { ok: false, status: 415, message: `charset ${contentType.charset} is not supported: send ${expected} in UTF-8` };
  }
  if (accepts('json') && JSON_MEDIA_TYPE.test(mediaType)) {
    try {
      return { ok: true, value: JSON.parse(raw.toString('utf8')) };
    } catch {
      return { ok: false, status: 400, message: 'body is not valid JSON' };
    }
  }
  if (accepts('form') && mediaType === FORM_MEDIA_TYPE) return { ok: true, value: parseForm(raw.toString('utf8')) };
  return { ok: false, status: 415, message: `unsupported media type ${mediaType}: send ${expected}` };
}

/**
 * Form data as an object of strings (a repeated name keeps its last value). A `payload` field
 * holding JSON, as Slack's interactive requests send it, is parsed.
 * @see https://api.slack.com/interactivity/handling#payloads
 */
function parseForm(text: string): Record<string, unknown> {
  const form: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    Object.defineProperty(form, name, { value, enumerable: true, writable: true, configurable: true });
  }
  if (typeof form.payload === 'string') {
    try {
      form.payload = JSON.parse(form.payload);
    } catch {
      // Not JSON: kept as the string it is, for the schema to judge.
    }
  }
  return form;
}

/**
 * Checks a parsed body's structure iteratively (no recursion to overflow): nesting at most
 * {@link MAX_BODY_DEPTH} levels, and no {@link PROTOTYPE_KEYS} anywhere.
 * @returns the problem, or `undefined` when the body passes
 */
export function structuralProblem(value: unknown): BodyProblem | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > MAX_BODY_DEPTH) return { status: 400, message: `body nests deeper than ${MAX_BODY_DEPTH} levels` };
    if (!Array.isArray(v)) {
      for (const key of Object.keys(v)) {
        if (PROTOTYPE_KEYS.has(key)) return { status: 400, message: `body holds the key ${JSON.stringify(key)}, which is refused anywhere in a body (prototype pollution)` };
      }
    }
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return undefined;
}
