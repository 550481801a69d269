// PII field paths: the syntax users write in `piiFields`, checked at synth and at run time, and the
// walk that finds the values a path names in a record.
//
//   path  = name *( "." name / "[*]" ) [ ".*" ]
//   name  = 1*( ALPHA / DIGIT / "_" / "-" / "$" / "@" )
//
// `[*]` is every element of an array; a trailing `.*` is every field of an object (each encrypted on
// its own). `.*` is accepted only at the end: in the middle it would fan a path out over keys the
// sender chooses. Array indices (`[0]`) and quoted names (`["a.b"]`) are not part of the syntax.

/** One step of a path: a named field of an object, or every element of an array. */
export type FieldPathSegment = { readonly kind: 'field'; readonly name: string } | { readonly kind: 'each' };

/** A parsed PII field path. */
export interface FieldPath {
  /** The path as written; the syntax has one spelling per path, so this is also its canonical form. */
  readonly path: string;
  /** The steps before any trailing `.*`. */
  readonly segments: readonly FieldPathSegment[];
  /** True when the path ends in `.*`: every field of the object the segments lead to. */
  readonly allFields: boolean;
}

/** A PII field path is not in the supported syntax, or a list of paths repeats or overlaps. */
export class FieldPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldPathError';
  }
}

/** Paths longer than this are refused: a path travels in every ciphertext header and KMS encryption context. */
export const MAX_FIELD_PATH_LENGTH = 256;

const NAME_CHAR = /[A-Za-z0-9_$@-]/;
const NAME = /^[A-Za-z0-9_$@-]+$/;
const SYNTAX =
  'A PII field path is field names (letters, digits, _ - $ @) separated by dots, with [*] after a name for every element of an array ' +
  'and an optional trailing .* for every field of an object, for example contact.email, commits[*].author.email or data.object.billing_details.*';

/**
 * Parses and validates one PII field path.
 *
 * @throws FieldPathError naming the path, the position and the fix
 */
export function parseFieldPath(path: string): FieldPath {
  if (typeof path !== 'string' || path.length === 0) throw new FieldPathError(`invalid PII field path ${JSON.stringify(path)}: it must be a non-empty string. ${SYNTAX}`);
  if (path.length > MAX_FIELD_PATH_LENGTH) {
    throw new FieldPathError(`invalid PII field path ${JSON.stringify(path)}: ${path.length} characters, at most ${MAX_FIELD_PATH_LENGTH} are allowed`);
  }
  const fail = (what: string, at: number) => new FieldPathError(`invalid PII field path ${JSON.stringify(path)}: ${what} at character ${at + 1}. ${SYNTAX}`);
  const segments: FieldPathSegment[] = [];
  let i = 0;
  const readName = () => {
    const start = i;
    while (i < path.length && NAME_CHAR.test(path[i])) i++;
    if (i === start) {
      if (i === path.length) throw fail('a field name is missing', i);
      if (path[i] === '*') throw fail('* is only allowed as a trailing .* (every field of an object); use [*] for the elements of an array', i);
      throw fail(i === 0 ? `a path starts with a field name, not ${JSON.stringify(path[i])}` : `unexpected ${JSON.stringify(path[i])}`, i);
    }
    segments.push({ kind: 'field', name: path.slice(start, i) });
  };
  readName();
  let allFields = false;
  while (i < path.length) {
    if (path.startsWith('[*]', i)) {
      segments.push({ kind: 'each' });
      i += 3;
    } else if (path[i] === '[') {
      throw fail('only [*] (every element of an array) may appear in brackets; array indices and quoted names are not supported', i);
    } else if (path[i] === '.' && path[i + 1] === '*') {
      if (i + 2 !== path.length) throw fail('.* is only allowed at the end of a path (every field of that object); use [*] for the elements of an array', i);
      allFields = true;
      i += 2;
    } else if (path[i] === '.') {
      i++;
      readName();
    } else {
      throw fail(`unexpected ${JSON.stringify(path[i])}`, i);
    }
  }
  return { path, segments, allFields };
}

type Selector = FieldPathSegment | { readonly kind: 'any-field' };

function selectors(p: FieldPath): Selector[] {
  return p.allFields ? [...p.segments, { kind: 'any-field' }] : [...p.segments];
}

/** True when every value `inner` names is inside (or is) a value `outer` names. */
function covers(outer: FieldPath, inner: FieldPath): boolean {
  const a = selectors(outer);
  const b = selectors(inner);
  if (a.length > b.length) return false;
  return a.every((s, i) => {
    const t = b[i];
    if (s.kind === 'each') return t.kind === 'each';
    if (s.kind === 'any-field') return t.kind === 'field' || t.kind === 'any-field';
    return t.kind === 'field' && t.name === s.name;
  });
}

/**
 * Parses a list of PII field paths, as `piiFields` holds them: each valid, none repeated, and none
 * inside another (`a` and `a.b`, or `a.*` and `a.b`), since a value must be encrypted exactly once.
 *
 * @throws FieldPathError naming the paths and the fix
 */
export function parseFieldPaths(paths: readonly string[]): FieldPath[] {
  const parsed = paths.map(parseFieldPath);
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      const [p, q] = [parsed[i], parsed[j]];
      if (p.path === q.path) throw new FieldPathError(`PII field path ${JSON.stringify(p.path)} is listed twice: list each path once`);
      const [outer, inner] = covers(p, q) ? [p, q] : covers(q, p) ? [q, p] : [];
      if (outer && inner) {
        throw new FieldPathError(
          `PII field paths ${JSON.stringify(outer.path)} and ${JSON.stringify(inner.path)} overlap: ${JSON.stringify(outer.path)} already encrypts ` +
            `everything ${JSON.stringify(inner.path)} names; list only one of them`,
        );
      }
    }
  }
  return parsed;
}

/** Where a value sits in a record: the object or array holding it, and its key there. */
export interface FieldOccurrence {
  readonly parent: Record<string, unknown> | unknown[];
  readonly key: string | number;
  /** The value's location, in the form {@link appendField} and {@link appendEach} build. */
  readonly location: string;
}

/** A plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A location one field further: `.name` for a name the path syntax allows, `["…"]` (a JSON string)
 * for any other key, which only a trailing `.*` can reach.
 */
export function appendField(location: string, name: string): string {
  if (!NAME.test(name)) return `${location}[${JSON.stringify(name)}]`;
  return location === '' ? name : `${location}.${name}`;
}

/** A location one array level further: every index is written `[*]`, so a location names a field, not a position. */
export function appendEach(location: string): string {
  return `${location}[*]`;
}

/** Reads an own property only: a key such as `__proto__` in JSON data is data, never the prototype. */
export function ownValue(node: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
}

/** Writes an own data property, so a key such as `__proto__` is replaced and never reaches the setter. */
export function setOwn(parent: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(parent, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Every present value a path names in `root`. Missing fields, `undefined` and values of the wrong shape are skipped. */
export function findOccurrences(root: unknown, fieldPath: FieldPath): FieldOccurrence[] {
  let nodes: Array<{ value: unknown; location: string }> = [{ value: root, location: '' }];
  const out: FieldOccurrence[] = [];
  const last = fieldPath.segments.length - 1;
  fieldPath.segments.forEach((segment, index) => {
    const next: Array<{ value: unknown; location: string }> = [];
    for (const node of nodes) {
      if (segment.kind === 'field') {
        if (!isJsonObject(node.value)) continue;
        const value = ownValue(node.value, segment.name);
        if (value === undefined) continue;
        const location = appendField(node.location, segment.name);
        next.push({ value, location });
        if (index === last && !fieldPath.allFields) out.push({ parent: node.value, key: segment.name, location });
      } else {
        if (!Array.isArray(node.value)) continue;
        const location = appendEach(node.location);
        node.value.forEach((value, i) => {
          if (value === undefined) return;
          next.push({ value, location });
          if (index === last && !fieldPath.allFields) out.push({ parent: node.value as unknown[], key: i, location });
        });
      }
    }
    nodes = next;
  });
  if (fieldPath.allFields) {
    for (const node of nodes) {
      if (!isJsonObject(node.value)) continue;
      for (const [key, value] of Object.entries(node.value)) {
        if (value !== undefined) out.push({ parent: node.value, key, location: appendField(node.location, key) });
      }
    }
  }
  return out;
}

/** True when `location` (as {@link findOccurrences} writes it) is one of the values `fieldPath` names. */
export function locationMatches(fieldPath: FieldPath, location: string): boolean {
  if (!fieldPath.allFields) return location === fieldPath.path;
  const prefix = fieldPath.path.slice(0, -2);
  if (location.startsWith(`${prefix}.`)) return NAME.test(location.slice(prefix.length + 1));
  if (!location.startsWith(`${prefix}[`) || !location.endsWith(']')) return false;
  try {
    const key: unknown = JSON.parse(location.slice(prefix.length + 1, -1));
    return typeof key === 'string' && appendField(prefix, key) === location;
  } catch {
    return false;
  }
}
