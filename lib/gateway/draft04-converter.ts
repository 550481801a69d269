import { IntegrationConfigError } from '../core/errors';
import { formatPointer, isJsonObject, parsePointerFragment, resolvePointer } from './json-pointer';
import { API_GATEWAY_SCHEMA_DRAFT, JsonSchemaDocument } from './json-schema-model';
import type { SchemaConversionContext, SchemaConversionOptions } from './schema-conversion';
import { ANNOTATION_KEYWORDS, DRAFT04_VALUE_KEYWORDS, DROPPED_ANNOTATIONS, INEXPRESSIBLE_KEYWORDS, isSupportedDraft } from './schema-keywords';

type Schema = Record<string, unknown>;

interface RefTarget {
  readonly segments: readonly string[];
  readonly key: string;
  readonly schema: unknown;
}

/**
 * The walk behind `convertSchemaForApiGateway` (see its docstring for the rules): one instance converts one
 * document. Only what is reachable from the model root is converted and checked.
 */
export class Draft04Converter {
  public readonly dropped: string[] = [];
  public readonly truncated: string[] = [];
  private readonly rootId?: string;
  private readonly anchors = new Map<string, string[]>();
  private readonly definitions = new Map<string, { name: string; schema?: Schema }>();
  private readonly names = new Set<string>();
  private readonly expanding: string[] = [];
  private modelRootKey = '';

  constructor(
    private readonly document: unknown,
    private readonly context: SchemaConversionContext,
    private readonly options: SchemaConversionOptions,
  ) {
    if (isJsonObject(document)) {
      const id = document.$id ?? document.id;
      if (typeof id === 'string' && !id.startsWith('#')) this.rootId = id.replace(/#$/, '');
    }
    this.collectAnchors(document, []);
  }

  public run(): JsonSchemaDocument {
    let target: RefTarget = { segments: [], key: '', schema: this.document };
    if (this.options.rootRef !== undefined) target = this.resolveRef(this.options.rootRef, undefined);
    this.checkDraft(this.document, []);
    // A model whose root is a bare reference gets the referenced schema as its root.
    const seen = new Set<string>();
    while (isBareRef(target.schema)) {
      const at = [...target.segments, '$ref'];
      if (seen.has(target.key)) throw this.error(at, target.schema.$ref, 'The $ref chain leads back to itself: point it at a schema.');
      seen.add(target.key);
      this.checkDraft(target.schema, target.segments);
      target = this.resolveRef(target.schema.$ref, at);
    }
    this.modelRootKey = target.key;
    this.expanding.push(target.key);
    const body = this.convert(target.schema, target.segments);
    const model: Schema = { $schema: API_GATEWAY_SCHEMA_DRAFT, ...body };
    if (this.definitions.size > 0) {
      model.definitions = Object.fromEntries([...this.definitions.values()].map((d) => [d.name, d.schema]));
    }
    return model;
  }

  /** Converts the schema at `path` (segments of the JSON pointer into the input document). */
  private convert(node: unknown, path: readonly string[]): Schema {
    if (node === true) return {};
    if (node === false) return { not: {} };
    if (!isJsonObject(node)) {
      throw this.error(path, node, 'A schema is a JSON object or a boolean, for example { "type": "string" }.');
    }
    this.checkDraft(node, path);
    if ('$ref' in node) return this.convertRef(node, path);
    return this.convertKeywords(node, path);
  }

  private convertKeywords(node: { readonly [key: string]: unknown }, path: readonly string[]): Schema {
    const out: Schema = {};
    const extra: Schema[] = [];
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, key];
      if (Object.prototype.hasOwnProperty.call(INEXPRESSIBLE_KEYWORDS, key)) throw this.error(at, value, INEXPRESSIBLE_KEYWORDS[key]);
      switch (key) {
        case 'properties':
        case 'patternProperties':
          out[key] = this.convertMap(value, at);
          break;
        case 'additionalProperties':
        case 'additionalItems':
          out[key] = typeof value === 'boolean' ? value : this.convert(value, at);
          break;
        case 'not':
          out.not = this.convert(value, at);
          break;
        case 'items':
          out.items = Array.isArray(value) ? value.map((item, i) => this.convert(item, [...at, String(i)])) : this.convert(value, at);
          break;
        case 'allOf':
        case 'anyOf':
        case 'oneOf':
          if (!Array.isArray(value)) throw this.error(at, value, `${key} is an array of schemas.`);
          out[key] = value.map((item, i) => this.convert(item, [...at, String(i)]));
          break;
        case 'dependencies':
          this.convertDependencies(value, at, out);
          break;
        case 'required':
          if (!(Array.isArray(value) && value.length === 0)) out.required = value;
          break;
        case 'enum':
          this.convertEnum(value, at, out, extra);
          break;
        case 'const':
          if ('enum' in node) extra.push({ enum: [value] });
          else out.enum = [value];
          break;
        case 'if':
          this.convertConditional(node, path, extra);
          break;
        case 'contains':
          extra.push({ anyOf: [{ not: { type: 'array' } }, { not: { items: { not: this.convert(value, at) } } }] });
          break;
        case 'propertyNames':
          this.convertPropertyNames(value, at, extra);
          break;
        case 'minimum':
        case 'maximum':
        case 'exclusiveMinimum':
        case 'exclusiveMaximum':
        case 'then':
        case 'else':
        case 'definitions':
        case '$defs':
        case '$schema':
          break; // bounds are set below; then/else go with if; definitions are converted when referenced
        default:
          if (DRAFT04_VALUE_KEYWORDS.has(key)) out[key] = value;
          else if (!DROPPED_ANNOTATIONS.has(key)) this.dropped.push(`${this.context.prop}#${formatPointer(at)}`);
      }
    }
    convertBound(node, out, 'minimum', 'exclusiveMinimum', (exclusive, inclusive) => exclusive >= inclusive);
    convertBound(node, out, 'maximum', 'exclusiveMaximum', (exclusive, inclusive) => exclusive <= inclusive);
    if (extra.length > 0) out.allOf = [...((out.allOf as Schema[] | undefined) ?? []), ...extra];
    return out;
  }

  private convertRef(node: { readonly [key: string]: unknown }, path: readonly string[]): Schema {
    const target = this.resolveRef(node.$ref, [...path, '$ref']);
    const reference = this.options.inlineRefs ? this.inline(target, path) : this.localRef(target);
    const siblings = Object.fromEntries(Object.entries(node).filter(([key]) => key !== '$ref'));
    const others = this.convertKeywords(siblings, path);
    const constrains = Object.keys(others).some((k) => !ANNOTATION_KEYWORDS.has(k));
    return constrains ? { allOf: [reference, others] } : reference;
  }

  private localRef(target: RefTarget): Schema {
    if (target.key === this.modelRootKey) return { $ref: '#' };
    let definition = this.definitions.get(target.key);
    if (!definition) {
      definition = { name: this.definitionName(target.segments) };
      this.definitions.set(target.key, definition); // before converting, so a recursive reference finds it
      definition.schema = this.convert(target.schema, target.segments);
    }
    return { $ref: `#/definitions/${definition.name}` };
  }

  private inline(target: RefTarget, path: readonly string[]): Schema {
    const depth = this.expanding.filter((key) => key === target.key).length;
    if (depth >= (this.options.recursiveRefDepth ?? 2)) {
      this.truncated.push(`${this.context.prop}#${formatPointer([...path, '$ref'])}`);
      return {};
    }
    this.expanding.push(target.key);
    try {
      return this.convert(target.schema, target.segments);
    } finally {
      this.expanding.pop();
    }
  }

  /** Resolves a `$ref` within the document; `at` is where it was found (undefined for the rootRef option). */
  private resolveRef(ref: unknown, at: readonly string[] | undefined): RefTarget {
    const fail = (fix: string) =>
      at === undefined ? new IntegrationConfigError(this.context.owner, `${this.context.prop} (rootRef)`, ref, fix) : this.error(at, ref, fix);
    if (typeof ref !== 'string') throw fail('A $ref is a string, for example "#/definitions/address".');
    const hash = ref.indexOf('#');
    const base = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? '' : ref.slice(hash + 1);
    if (base !== '' && base !== this.rootId) {
      throw fail(
        'API Gateway cannot fetch other documents: copy the referenced schema under "definitions" of this document and point to it with "#/definitions/<name>".',
      );
    }
    const segments = fragment === '' || fragment.startsWith('/') ? parsePointerFragment(fragment) : this.anchors.get(fragment);
    const schema = segments === undefined ? undefined : resolvePointer(this.document, segments);
    if (segments === undefined || schema === undefined) {
      throw fail('It points to nothing in this document: point it at an existing subschema, for example "#/definitions/<name>".');
    }
    return { segments, key: formatPointer(segments), schema };
  }

  private checkDraft(node: { readonly [key: string]: unknown } | unknown, path: readonly string[]): void {
    if (!isJsonObject(node) || node.$schema === undefined) return;
    if (typeof node.$schema !== 'string' || !isSupportedDraft(node.$schema)) {
      throw this.error(
        [...path, '$schema'],
        node.$schema,
        'API Gateway models are JSON Schema draft-04, and this conversion reads draft-04, draft-06 and draft-07: ' +
          'declare "$schema": "http://json-schema.org/draft-07/schema#" and express the schema without 2019-09 / 2020-12 keywords.',
      );
    }
  }

  private convertMap(value: unknown, at: readonly string[]): Schema {
    if (!isJsonObject(value)) throw this.error(at, value, `${at[at.length - 1]} maps names to schemas, for example { "id": { "type": "string" } }.`);
    return Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, this.convert(sub, [...at, name])]));
  }

  private convertDependencies(value: unknown, at: readonly string[], out: Schema): void {
    if (!isJsonObject(value)) throw this.error(at, value, 'dependencies maps a property to the properties it requires or to a schema.');
    const converted: Schema = {};
    for (const [name, dependency] of Object.entries(value)) {
      if (Array.isArray(dependency)) {
        if (dependency.length > 0) converted[name] = dependency; // draft-04 requires at least one name
      } else {
        converted[name] = this.convert(dependency, [...at, name]);
      }
    }
    if (Object.keys(converted).length > 0) out.dependencies = converted;
  }

  private convertEnum(value: unknown, at: readonly string[], out: Schema, extra: Schema[]): void {
    if (!Array.isArray(value)) throw this.error(at, value, 'enum is an array of the allowed values.');
    const seen = new Set<string>();
    const unique = value.filter((item) => {
      const key = canonicalJson(item);
      return seen.has(key) ? false : (seen.add(key), true);
    });
    if (unique.length === 0) extra.push({ not: {} }); // nothing is allowed
    else out.enum = unique;
  }

  private convertConditional(node: { readonly [key: string]: unknown }, path: readonly string[], extra: Schema[]): void {
    const hasThen = 'then' in node;
    const hasElse = 'else' in node;
    if (!hasThen && !hasElse) return; // `if` alone constrains nothing
    const condition = this.convert(node.if, [...path, 'if']);
    const whenTrue = hasThen ? { allOf: [condition, this.convert(node.then, [...path, 'then'])] } : condition;
    const whenFalse = hasElse ? { allOf: [{ not: condition }, this.convert(node.else, [...path, 'else'])] } : { not: condition };
    extra.push({ anyOf: [whenTrue, whenFalse] });
  }

  private convertPropertyNames(value: unknown, at: readonly string[], extra: Schema[]): void {
    if (value === true) return;
    if (value === false) {
      extra.push({ maxProperties: 0 });
      return;
    }
    if (isJsonObject(value)) {
      const rules = Object.keys(value).filter((k) => !ANNOTATION_KEYWORDS.has(k) && !(k === 'type' && value.type === 'string'));
      if (rules.length === 0) return;
      if (rules.length === 1 && rules[0] === 'pattern' && typeof value.pattern === 'string') {
        extra.push({ patternProperties: { [value.pattern]: {} }, additionalProperties: false });
        return;
      }
    }
    throw this.error(
      at,
      value,
      'Draft-04 can check property names only against a pattern: reduce propertyNames to { "pattern": "..." }, ' +
        'or list the allowed names under properties with additionalProperties: false.',
    );
  }

  private definitionName(segments: readonly string[]): string {
    const inDefinitions = segments.length === 2 && (segments[0] === 'definitions' || segments[0] === '$defs');
    const base = (inDefinitions ? segments[1] : segments.join('_') || 'root').replace(/[^A-Za-z0-9_.-]/g, '_');
    let name = base;
    for (let n = 2; this.names.has(name); n++) name = `${base}_${n}`;
    this.names.add(name);
    return name;
  }

  /** Records `#name` anchors (`$id` / `id` of the form `#name`), walking every object but literal values. */
  private collectAnchors(node: unknown, path: string[]): void {
    if (Array.isArray(node)) {
      node.forEach((item, i) => this.collectAnchors(item, [...path, String(i)]));
    } else if (isJsonObject(node)) {
      for (const key of ['$id', 'id']) {
        const id = node[key];
        if (typeof id === 'string' && /^#[^/]/.test(id)) this.anchors.set(id.slice(1), path);
      }
      for (const [key, value] of Object.entries(node)) {
        if (!['enum', 'const', 'default', 'examples'].includes(key)) this.collectAnchors(value, [...path, key]);
      }
    }
  }

  private error(path: readonly string[], value: unknown, fix: string): IntegrationConfigError {
    return new IntegrationConfigError(this.context.owner, `${this.context.prop}#${formatPointer(path)}`, value, fix);
  }
}

/** A schema that is only a `$ref` (beside annotations and definitions): it adds no constraint of its own. */
function isBareRef(schema: unknown): schema is { readonly $ref: string } {
  if (!isJsonObject(schema) || typeof schema.$ref !== 'string') return false;
  return Object.keys(schema).every((k) => k === '$ref' || k === 'definitions' || k === '$defs' || k === '$schema' || ANNOTATION_KEYWORDS.has(k));
}

/**
 * Writes `minimum` (or `maximum`) in draft-04 form from draft-04 (`exclusiveMinimum: true` beside `minimum`)
 * or draft-06+ (numeric `exclusiveMinimum`) input; when both bounds are given the stricter one is kept.
 */
function convertBound(
  node: { readonly [key: string]: unknown },
  out: Schema,
  bound: 'minimum' | 'maximum',
  exclusiveKey: 'exclusiveMinimum' | 'exclusiveMaximum',
  exclusiveIsStricter: (exclusive: number, inclusive: number) => boolean,
): void {
  const inclusive = node[bound];
  const exclusive = node[exclusiveKey];
  if (typeof exclusive === 'number') {
    if (typeof inclusive === 'number' && !exclusiveIsStricter(exclusive, inclusive)) {
      out[bound] = inclusive;
    } else {
      out[bound] = exclusive;
      out[exclusiveKey] = true;
    }
    return;
  }
  if (inclusive !== undefined) {
    out[bound] = inclusive;
    if (exclusive === true) out[exclusiveKey] = true;
  }
}

/** JSON text with object keys sorted, so equal values compare equal (draft-04 `enum` items must be unique). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
