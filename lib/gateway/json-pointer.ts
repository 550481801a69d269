/**
 * JSON Pointer (RFC 6901) helpers for the `$ref` values of a JSON Schema document.
 * @see https://www.rfc-editor.org/rfc/rfc6901
 */

/** A JSON value that is an object (not an array, not null). */
export function isJsonObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Renders pointer segments as a JSON Pointer: `['properties', 'a/b']` -> `/properties/a~1b`; `[]` -> `` (the whole document). */
export function formatPointer(segments: readonly string[]): string {
  return segments.map((segment) => `/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Parses the fragment of a `$ref` that is a JSON Pointer (`/definitions/a~1b`, percent-encoded as in a URI)
 * into its segments. The empty fragment is the whole document.
 */
export function parsePointerFragment(fragment: string): string[] {
  if (fragment === '') return [];
  return fragment
    .slice(1)
    .split('/')
    .map((segment) => safeDecode(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at `segments` inside `document`, or `undefined` when the pointer leads nowhere. */
export function resolvePointer(document: unknown, segments: readonly string[]): unknown {
  let node: unknown = document;
  for (const segment of segments) {
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(segment)) {
      node = node[Number(segment)];
    } else if (isJsonObject(node) && Object.prototype.hasOwnProperty.call(node, segment)) {
      node = node[segment];
    } else {
      return undefined;
    }
  }
  return node;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
