import { Draft04Converter } from './draft04-converter';
import { JsonSchemaDocument } from './json-schema-model';
import { API_GATEWAY_MODEL_SIZE_LIMIT_BYTES, checkModelSize, schemaSizeBytes } from './model-size';

/** Where a schema comes from, for error messages: the construct and the prop (dotted path) holding it. */
export interface SchemaConversionContext {
  readonly owner: string;
  readonly prop: string;
}

/** Options of {@link convertSchemaForApiGateway}. */
export interface SchemaConversionOptions {
  /**
   * A local `$ref` (`#/definitions/<name>`, `#/$defs/<name>` or any `#/<pointer>`) to the subschema that
   * becomes the model, for a document that bundles many schemas (for example `@octokit/webhooks-schemas`:
   * `#/definitions/push$event`). References elsewhere in the document still resolve.
   * @default - the whole document is the model
   */
  readonly rootRef?: string;
  /**
   * Inline every `$ref` instead of keeping local `#/definitions/<name>` references. Only for a case where
   * local references are not wanted: inlining repeats each definition wherever it is used (GitHub's
   * `pull_request` event grows from 40 KB to 1.4 MB), and a recursive reference is expanded
   * `recursiveRefDepth` times and then replaced by the permissive schema `{}`.
   * @default false
   */
  readonly inlineRefs?: boolean;
  /**
   * With `inlineRefs`, how many times a reference may be expanded inside its own expansion before it is
   * replaced by `{}` (any value passes below that depth).
   * @default 2
   */
  readonly recursiveRefDepth?: number;
  /**
   * The largest model accepted, in bytes of compact JSON.
   * @default API_GATEWAY_MODEL_SIZE_LIMIT_BYTES (400,000 bytes, API Gateway's "Model size per API" quota)
   */
  readonly maxSizeBytes?: number;
}

/** What {@link convertSchemaForApiGateway} produced. */
export interface SchemaConversionResult {
  /** The draft-04 model schema, with `$schema` set to draft-04. */
  readonly schema: JsonSchemaDocument;
  /** Its size as compact JSON text, in UTF-8 bytes. */
  readonly sizeBytes: number;
  /**
   * JSON pointers (into the input document) of keywords dropped because no draft of JSON Schema defines
   * them (vendor extensions such as GitHub's `tsAdditionalProperties`, OpenAPI's `example`). Validators
   * ignore such keywords and API Gateway refuses them, so dropping them changes nothing that validates;
   * callers may still warn about them.
   */
  readonly droppedKeywords: readonly string[];
  /** With `inlineRefs`: JSON pointers of `$ref`s cut at `recursiveRefDepth` and replaced by `{}`. */
  readonly truncatedRefs: readonly string[];
}

/**
 * Converts a JSON Schema draft-04, draft-06 or draft-07 document into an API Gateway model schema (draft-04).
 *
 * References. Every `$ref` to the same document (`#/definitions/...`, `#/$defs/...`, any `#/<JSON pointer>`,
 * a `#name` anchor declared with `$id`/`id`, or the document's own `$id` followed by a fragment) becomes a
 * local `#/definitions/<name>` reference to a converted copy of its target; only definitions reachable from
 * the model are kept, and recursive references stay references (a reference to the model root is `#`).
 * The AWS model pages do not say whether a model may refer into its own `definitions`; they show only the
 * cross-model form `https://apigateway.amazonaws.com/restapis/<api>/models/<model>`. AWS's own importer
 * wrote models with a root `definitions` block and `#/definitions/<name>` references
 * (amazon-archives/aws-apigateway-importer, SchemaTransformer.java; its issue #43 shows such a model stored
 * by API Gateway), which is the evidence we rely on; it has not been tried against a live API here. The
 * fallback, `inlineRefs`, repeats every definition where it is used and cuts recursion with `{}`: GitHub's
 * `pull_request` event then grows from 40 KB to 1.4 MB, over the quota. A `$ref` beside other validation
 * keywords becomes `allOf: [ref, others]`: draft-07 ignores such siblings but ajv (v7+) applies them, and the
 * model should be no laxer than ajv.
 *
 * Converted: boolean schemas (`true` -> `{}`, `false` -> `{ not: {} }`); `const: x` -> `enum: [x]`; numeric
 * `exclusiveMinimum` / `exclusiveMaximum` -> `minimum` / `maximum` with `exclusiveMinimum: true` (the
 * stricter bound wins when both forms are given); `if` / `then` / `else` -> `anyOf: [{ allOf: [if, then] },
 * { allOf: [{ not: if }, else] }]`; `contains: S` -> `anyOf: [{ not: { type: "array" } }, { not: { items:
 * { not: S } } }]`; `propertyNames` of only a `pattern` -> `patternProperties` with `additionalProperties:
 * false`; `dependencies` and `required` with empty arrays dropped and duplicate `enum` values merged
 * (draft-04 forbids both); an empty `enum` -> `{ not: {} }`. These are exact: the same instances validate.
 *
 * Dropped: annotations (`examples`, `$comment`, `readOnly`, `writeOnly`, `contentMediaType`,
 * `contentEncoding`, `deprecated`), `$id` / `id`, nested `$schema`, and unknown keywords (listed in
 * `droppedKeywords`). `then` / `else` without `if` have no effect in draft-07 and are dropped too. Unknown
 * keywords do not fail: no draft gives them a meaning, so validators ignore them and dropping them changes
 * nothing that validates, while API Gateway refuses a model that contains one ("Unsupported keyword(s)",
 * see schema-keywords.ts). GitHub's schemas carry 71 `tsAdditionalProperties`, for example.
 *
 * Size. The model's compact JSON must fit `maxSizeBytes` (default 400,000 bytes). API Gateway's quota is
 * 400 KB of models per REST API, so models sharing an API must also fit it together; that sum is the
 * caller's to check ({@link schemaSizeBytes}).
 *
 * @param schema the parsed JSON Schema document
 * @param context the construct and prop named in error messages; errors point into the document with a
 *   JSON pointer, for example `webhook.bodySchema#/properties/items/unevaluatedItems`
 * @returns the model schema, its size in bytes, and what was dropped
 * @throws IntegrationConfigError for what draft-04 cannot express (2019-09+ keywords such as
 *   `unevaluatedProperties`, `dependentRequired`, `$dynamicRef`; `propertyNames` beyond a pattern), a
 *   `$ref` to another document or to nothing, a `$schema` other than draft-04/06/07, a schema that is
 *   neither an object nor a boolean, and a model over `maxSizeBytes`
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings-models.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
 */
export function convertSchemaForApiGateway(schema: unknown, context: SchemaConversionContext, options: SchemaConversionOptions = {}): SchemaConversionResult {
  const state = new Draft04Converter(schema, context, options);
  const result = state.run();
  const sizeBytes = schemaSizeBytes(result);
  checkModelSize(context.owner, context.prop, sizeBytes, options.maxSizeBytes ?? API_GATEWAY_MODEL_SIZE_LIMIT_BYTES);
  return { schema: result, sizeBytes, droppedKeywords: state.dropped, truncatedRefs: state.truncated };
}

/**
 * {@link convertSchemaForApiGateway}, returning the draft-04 model schema only.
 * @throws IntegrationConfigError as {@link convertSchemaForApiGateway} does
 */
export function toApiGatewaySchema(schema: unknown, context: SchemaConversionContext, options: SchemaConversionOptions = {}): JsonSchemaDocument {
  return convertSchemaForApiGateway(schema, context, options).schema;
}
