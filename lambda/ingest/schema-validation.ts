import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const DRAFT_04 = /draft-04/;

// One validator per draft, created on first use and kept for the container's life.
let draft07: Ajv | undefined;
let draft04: AjvDraft04 | undefined;
const compiled = new Map<string, ValidateFunction>();

// ownProperties: a body's keys are its own; without it `required: ["constructor"]` passes for `{}`
// through Object.prototype (https://ajv.js.org/options.html#ownproperties).
const OPTIONS = { allErrors: true, strict: false, ownProperties: true } as const;

function ajvFor(schema: Record<string, unknown>): Ajv | AjvDraft04 {
  if (typeof schema.$schema === 'string' && DRAFT_04.test(schema.$schema)) {
    draft04 ??= addFormats(new AjvDraft04(OPTIONS));
    return draft04;
  }
  draft07 ??= addFormats(new Ajv(OPTIONS));
  return draft07;
}

/** One schema violation, without the offending value (it may be personal data). */
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
  let validate = compiled.get(routeKey);
  if (!validate) {
    validate = ajvFor(schema).compile(schema);
    compiled.set(routeKey, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).slice(0, 20).map((e: ErrorObject) => ({ path: e.instancePath || '/', message: e.message ?? e.keyword }));
}
