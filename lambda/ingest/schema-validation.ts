import type { default as Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { default as AjvDraft04 } from 'ajv-draft-04';

/** ajv and its plugins, loaded with the first schema a route validates (see json-schema-validators.ts). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validators = () => require('./json-schema-validators') as typeof import('./json-schema-validators');

const DRAFT_04 = /draft-04/;

// One validator per draft, created on first use and kept for the container's life.
let draft07: Ajv | undefined;
let draft04: AjvDraft04 | undefined;
const compiled = new Map<string, { validate: ValidateFunction; declared: ReadonlySet<string> }>();

/** Every property name a schema declares (`properties` keys, at any depth): the only keys a violation's path may show. */
function declaredNames(schema: unknown, names = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) declaredNames(s, names);
  else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)) for (const name of Object.keys(value)) names.add(name);
      declaredNames(value, names);
    }
  }
  return names;
}

/**
 * A violation's JSON Pointer with every key the schema does not declare shown as `*`: such keys come
 * from the sender's body (an `additionalProperties` map keyed by e-mail address or phone number, say)
 * and may be personal data. Array indexes stay; an object's key of digits is a key, not an index.
 */
function redactedPath(instancePath: string, declared: ReadonlySet<string>, body: unknown): string {
  if (instancePath === '') return '/';
  const unescape = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');
  let current = body;
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => {
      const key = unescape(segment);
      const shown = Array.isArray(current) ? /^\d+$/.test(segment) : declared.has(key);
      current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
      return `/${shown ? segment : '*'}`;
    })
    .join('');
}

// ownProperties: a body's keys are its own; without it `required: ["constructor"]` passes for `{}`
// through Object.prototype (https://ajv.js.org/options.html#ownproperties). addUsedSchema: false, or the
// shared validator would keep each compiled schema by its $id and refuse a second route whose schema
// has the same $id ("schema with key or id ... already exists").
const OPTIONS = { allErrors: true, strict: false, ownProperties: true, addUsedSchema: false } as const;

function ajvFor(schema: Record<string, unknown>): Ajv | AjvDraft04 {
  const { Ajv, AjvDraft04, addFormats } = validators();
  if (typeof schema.$schema === 'string' && DRAFT_04.test(schema.$schema)) {
    draft04 ??= addFormats(new AjvDraft04(OPTIONS));
    return draft04;
  }
  draft07 ??= addFormats(new Ajv(OPTIONS));
  return draft07;
}

/** One schema violation, without the offending value or any undeclared key (either may be personal data). */
export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

/**
 * Validates a body against the route's full JSON Schema (draft-04, -06 or -07, with formats),
 * which API Gateway's model check covers only in part (it ignores `format`, for one).
 * Validators are compiled once per route and cached.
 */
export function validateBody(routeKey: string, schema: Record<string, unknown>, body: unknown): SchemaViolation[] {
  let entry = compiled.get(routeKey);
  if (!entry) {
    entry = { validate: ajvFor(schema).compile(schema), declared: declaredNames(schema) };
    compiled.set(routeKey, entry);
  }
  const { validate, declared } = entry;
  if (validate(body)) return [];
  return (validate.errors ?? []).slice(0, 20).map((e: ErrorObject) => ({ path: redactedPath(e.instancePath, declared, body), message: e.message ?? e.keyword }));
}
