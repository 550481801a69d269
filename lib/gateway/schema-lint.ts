// What a route's schema says that the library would otherwise act on silently: formats the ingest
// function's validator does not know (ajv ignores them, so the value is not checked), and PII
// paths the schema does not define (a typo such as `contact.emial` encrypts nothing). Both are
// synth-time warnings: the schema and the paths are still valid.
import { parseFieldPath } from '../../lambda/shared/field-encryption/field-path';

/** The formats ajv-formats (the ingest's validator) checks; any other is ignored at run time. */
export const KNOWN_FORMATS: ReadonlySet<string> = new Set([
  'date', 'time', 'date-time', 'iso-time', 'iso-date-time', 'duration', 'uri', 'uri-reference', 'uri-template', 'url', 'email',
  'hostname', 'ipv4', 'ipv6', 'regex', 'uuid', 'json-pointer', 'json-pointer-uri-fragment', 'relative-json-pointer', 'byte',
  'int32', 'int64', 'float', 'double', 'password', 'binary',
]);

type Schema = Record<string, unknown>;
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema a local `$ref` (`#/definitions/x`, `#/$defs/x`) names, from the document's root. */
function resolve(schema: Schema, root: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let at: unknown = root;
  for (const part of ref.slice(2).split('/')) at = isSchema(at) ? at[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return isSchema(at) ? at : schema;
}

/** Every subschema of a schema, with its JSON pointer. */
function* subschemas(schema: unknown, pointer = ''): Generator<[string, Schema]> {
  if (!isSchema(schema)) return;
  yield [pointer || '/', schema];
  for (const key of ['properties', 'patternProperties', 'definitions', '$defs']) {
    const map = schema[key];
    if (isSchema(map)) for (const [name, sub] of Object.entries(map)) yield* subschemas(sub, `${pointer}/${key}/${name}`);
  }
  for (const key of ['items', 'additionalProperties', 'additionalItems', 'not', 'if', 'then', 'else', 'contains', 'propertyNames']) {
    const sub = schema[key];
    if (Array.isArray(sub)) for (const [i, s] of sub.entries()) yield* subschemas(s, `${pointer}/${key}/${i}`);
    else yield* subschemas(sub, `${pointer}/${key}`);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = schema[key];
    if (Array.isArray(list)) for (const [i, s] of list.entries()) yield* subschemas(s, `${pointer}/${key}/${i}`);
  }
}

/** The formats of a schema the ingest's validator does not know, with where they are. */
export function unknownFormats(schema: unknown): Array<{ pointer: string; format: string }> {
  const found: Array<{ pointer: string; format: string }> = [];
  for (const [pointer, s] of subschemas(schema)) {
    if (typeof s.format === 'string' && !KNOWN_FORMATS.has(s.format)) found.push({ pointer, format: s.format });
  }
  return found;
}

/** The schemas a value at `schema` may match: itself, its `$ref`, and every branch of allOf/anyOf/oneOf. */
function alternatives(schema: Schema, root: Schema, depth = 0): Schema[] {
  const s = resolve(schema, root);
  if (depth > 16) return [s];
  const branches = ['allOf', 'anyOf', 'oneOf'].flatMap((k) => (Array.isArray(s[k]) ? (s[k] as unknown[]).filter(isSchema) : []));
  return [s, ...branches.flatMap((b) => alternatives(b, root, depth + 1))];
}

/** Whether a body path (`contact.email`, `lines[*].card`, `billing.*`) names something the schema defines. */
export function schemaDefines(schema: unknown, path: string): boolean {
  if (!isSchema(schema)) return false;
  const parsed = parseFieldPath(path);
  let at: Schema[] = [schema];
  for (const segment of parsed.segments) {
    const next: Schema[] = [];
    for (const s of at.flatMap((x) => alternatives(x, schema))) {
      if (segment.kind === 'each') {
        if (isSchema(s.items)) next.push(s.items);
        else if (Array.isArray(s.items)) next.push(...s.items.filter(isSchema));
      } else if (isSchema(s.properties) && isSchema((s.properties as Schema)[segment.name])) {
        next.push((s.properties as Schema)[segment.name] as Schema);
      }
    }
    if (next.length === 0) return false;
    at = next;
  }
  return true;
}

/** The body PII paths a route's schema does not define. `query:` entries are not the body's. */
export function undefinedPiiPaths(schema: unknown, piiFields: readonly string[]): string[] {
  return piiFields.filter((p) => !p.startsWith('query:')).filter((p) => !schemaDefines(schema, p));
}
