/**
 * How each JSON Schema keyword fares when a draft-04/06/07 schema becomes an API Gateway model (draft-04).
 *
 * API Gateway refuses a model with a keyword it does not know ("Invalid model schema specified.
 * Unsupported keyword(s): [...]", reported for `$id` in aws/aws-cdk#14585, `dependentRequired` in
 * clouddrove/terraform-aws-api-gateway#30, `example` in amazon-archives/aws-apigateway-importer#213), so a
 * converted model holds draft-04 keywords only.
 * @see https://datatracker.ietf.org/doc/html/draft-fge-json-schema-validation-00 (draft-04 validation keywords)
 */

/** Draft-04 keywords whose value holds no subschema: copied as they are. */
export const DRAFT04_VALUE_KEYWORDS: ReadonlySet<string> = new Set([
  'title',
  'description',
  'default',
  'multipleOf',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'type',
  'format',
]);

/**
 * Keywords dropped without changing what validates: annotations of draft-06/07 (`examples`, `$comment`,
 * `readOnly`, `writeOnly`, `contentMediaType`, `contentEncoding`, 2019-09's `deprecated`) and the
 * identifiers `$id` / `id` (used here to resolve references, which the converted model no longer needs).
 */
export const DROPPED_ANNOTATIONS: ReadonlySet<string> = new Set([
  '$comment',
  'examples',
  'readOnly',
  'writeOnly',
  'contentMediaType',
  'contentEncoding',
  'deprecated',
  '$id',
  'id',
]);

/** Annotations that may sit beside a `$ref` without making it a constraint of its own. */
export const ANNOTATION_KEYWORDS: ReadonlySet<string> = new Set(['title', 'description', 'default', ...DROPPED_ANNOTATIONS]);

const LATER_DRAFT = 'is a keyword of JSON Schema 2019-09 or later, which API Gateway (draft-04) cannot check';

/**
 * Validation keywords with no draft-04 form, each with the fix the error message gives. Dropping one
 * would silently weaken validation, so the conversion fails instead.
 */
export const INEXPRESSIBLE_KEYWORDS: Readonly<Record<string, string>> = {
  unevaluatedProperties: `unevaluatedProperties ${LATER_DRAFT}: list the allowed properties in each branch and set additionalProperties: false there, or drop the rule.`,
  unevaluatedItems: `unevaluatedItems ${LATER_DRAFT}: describe the items of each branch with items / additionalItems, or drop the rule.`,
  dependentRequired: `dependentRequired ${LATER_DRAFT}: write it as dependencies: { "<property>": ["<required property>", ...] }, which draft-04 has.`,
  dependentSchemas: `dependentSchemas ${LATER_DRAFT}: write it as dependencies: { "<property>": { <schema> } }, which draft-04 has.`,
  prefixItems: `prefixItems ${LATER_DRAFT}: write the tuple as items: [ <schema>, ... ] with additionalItems, which draft-04 has.`,
  minContains: `minContains ${LATER_DRAFT}: drop the count, or check it in the function behind the route.`,
  maxContains: `maxContains ${LATER_DRAFT}: drop the count, or check it in the function behind the route.`,
  $anchor: `$anchor ${LATER_DRAFT}: point to the subschema with a JSON pointer instead, for example $ref: "#/definitions/<name>".`,
  $recursiveRef: `$recursiveRef ${LATER_DRAFT}: use a plain $ref: "#/definitions/<name>".`,
  $recursiveAnchor: `$recursiveAnchor ${LATER_DRAFT}: use a plain $ref: "#/definitions/<name>".`,
  $dynamicRef: `$dynamicRef ${LATER_DRAFT}: use a plain $ref: "#/definitions/<name>".`,
  $dynamicAnchor: `$dynamicAnchor ${LATER_DRAFT}: use a plain $ref: "#/definitions/<name>".`,
  $vocabulary: `$vocabulary ${LATER_DRAFT}: write the schema in draft-07 (http://json-schema.org/draft-07/schema#).`,
};

/** The `$schema` drafts this converter reads, without scheme and trailing `#`. */
const SUPPORTED_DRAFTS = ['json-schema.org/draft-04/schema', 'json-schema.org/draft-06/schema', 'json-schema.org/draft-07/schema'];

/** Whether a `$schema` URI names draft-04, draft-06 or draft-07 (http or https, with or without the trailing `#`). */
export function isSupportedDraft(uri: string): boolean {
  return SUPPORTED_DRAFTS.includes(uri.replace(/^https?:\/\//, '').replace(/#$/, ''));
}
