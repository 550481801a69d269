import { readFileSync } from 'fs';
import webhookExamples from '@octokit/webhooks-examples';
import Ajv from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { IntegrationConfigError } from '../../lib/core/errors';
import { API_GATEWAY_MODEL_SIZE_LIMIT_BYTES, checkModelSize, schemaSizeBytes } from '../../lib/gateway/model-size';
import { convertSchemaForApiGateway, SchemaConversionOptions, toApiGatewaySchema } from '../../lib/gateway/schema-conversion';

const DRAFT04 = 'http://json-schema.org/draft-04/schema#';
const DRAFT07 = 'http://json-schema.org/draft-07/schema#';
const context = { owner: 'Crm', prop: 'webhook.schema' };

function convert(schema: unknown, options?: SchemaConversionOptions) {
  return toApiGatewaySchema(schema, context, options);
}

/** Compiles a converted model as API Gateway reads it: draft-04, meta-validated, unknown keywords refused. */
function compileDraft04(schema: object) {
  return new AjvDraft04({ strictSchema: true, strictTypes: false, strictTuples: false, validateFormats: false }).compile(schema);
}

/** Compiles a source schema with ajv's default draft-07; `validateSchema: false` admits what ajv's meta-schema refuses. */
function compileDraft07(schema: object, validateSchema = true) {
  return new Ajv({ strict: false, validateFormats: false, validateSchema }).compile(schema);
}

/** THEN the converted model accepts exactly the instances ajv (draft-07) accepts against the source. */
function expectSameVerdicts(source: object, instances: unknown[], options?: SchemaConversionOptions, validateSource = true) {
  const model = convert(source, options);
  const asModel = compileDraft04(model);
  const asSource = compileDraft07(source, validateSource);
  for (const instance of instances) expect({ instance, valid: asModel(instance) }).toEqual({ instance, valid: asSource(instance) });
  return model;
}

describe('output', () => {
  test('is a draft-04 document whatever draft came in; nested $schema is dropped', () => {
    const model = convert({ $schema: DRAFT07, type: 'object', properties: { a: { $schema: DRAFT07, type: 'string' } } });
    expect(model).toEqual({ $schema: DRAFT04, type: 'object', properties: { a: { type: 'string' } } });
  });

  test('keeps a draft-04 schema as it is, boolean exclusiveMinimum included', () => {
    const source = { $schema: DRAFT04, type: 'object', required: ['n'], properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true, description: 'd' } } };
    expect(convert(source)).toEqual(source);
  });
});

describe('conversion rules', () => {
  test('boolean schemas: true -> {}, false -> { not: {} }; booleans stay where draft-04 allows them', () => {
    const source = { type: 'object', properties: { any: true, none: false, list: { items: [true, false], additionalItems: false } }, additionalProperties: false };
    const model = expectSameVerdicts(source, [{}, { any: 1 }, { none: 1 }, { list: [1] }, { list: [1, 2] }, { list: [1, 2, 3] }, { other: 1 }]);
    expect(model.properties).toEqual({ any: {}, none: { not: {} }, list: { items: [{}, { not: {} }], additionalItems: false } });
    expect(convert(true)).toEqual({ $schema: DRAFT04 });
    expect(convert(false)).toEqual({ $schema: DRAFT04, not: {} });
  });

  test('const -> single-value enum; const beside enum -> both kept', () => {
    expect(expectSameVerdicts({ const: 'push' }, ['push', 'pull', 1])).toEqual({ $schema: DRAFT04, enum: ['push'] });
    const both = expectSameVerdicts({ enum: ['a', 'b'], const: 'b' }, ['a', 'b', 'c']);
    expect(both).toEqual({ $schema: DRAFT04, enum: ['a', 'b'], allOf: [{ enum: ['b'] }] });
  });

  test.each([
    [{ exclusiveMinimum: 5 }, { minimum: 5, exclusiveMinimum: true }],
    [{ exclusiveMaximum: 5 }, { maximum: 5, exclusiveMaximum: true }],
    [{ minimum: 3, exclusiveMinimum: 5 }, { minimum: 5, exclusiveMinimum: true }],
    [{ minimum: 7, exclusiveMinimum: 5 }, { minimum: 7 }],
    [{ maximum: 3, exclusiveMaximum: 5 }, { maximum: 3 }],
    [{ maximum: 5, exclusiveMaximum: 5 }, { maximum: 5, exclusiveMaximum: true }],
  ])('numeric bound %j -> %j (the stricter bound wins)', (bounds, expected) => {
    const model = expectSameVerdicts({ type: 'number', ...bounds }, [2, 3, 4, 5, 6, 7, 8]);
    expect(model).toEqual({ $schema: DRAFT04, type: 'number', ...expected });
  });

  test('annotations and $id are dropped', () => {
    const source = {
      $id: 'https://example.com/order.json',
      $comment: 'internal',
      type: 'object',
      examples: [{ id: 'x' }],
      properties: { id: { type: 'string', readOnly: true, writeOnly: false, contentMediaType: 'text/plain', contentEncoding: 'base64', deprecated: true } },
    };
    expect(convert(source)).toEqual({ $schema: DRAFT04, type: 'object', properties: { id: { type: 'string' } } });
  });

  test('unknown keywords are dropped and listed', () => {
    const result = convertSchemaForApiGateway({ type: 'object', tsAdditionalProperties: false, properties: { a: { type: 'string', example: 'x', 'x-order': 1 } } }, context);
    expect(result.schema).toEqual({ $schema: DRAFT04, type: 'object', properties: { a: { type: 'string' } } });
    expect(result.droppedKeywords).toEqual(['webhook.schema#/tsAdditionalProperties', 'webhook.schema#/properties/a/example', 'webhook.schema#/properties/a/x-order']);
  });

  test('what draft-04 forbids but draft-07 allows: empty required, empty dependency lists, repeated or empty enum', () => {
    const source = { type: 'object', required: [], dependencies: { a: [], b: ['c'], d: false }, properties: { e: { enum: [1, 1, { x: 1, y: 2 }, { y: 2, x: 1 }] } } };
    const instances = [{}, { b: 1 }, { b: 1, c: 1 }, { d: 1 }, { a: 1 }, { e: 1 }, { e: { x: 1, y: 2 } }, { e: 2 }];
    const model = expectSameVerdicts(source, instances, undefined, false); // ajv's draft-07 meta-schema refuses the repeated enum value
    expect(model).toEqual({ $schema: DRAFT04, type: 'object', dependencies: { b: ['c'], d: { not: {} } }, properties: { e: { enum: [1, { x: 1, y: 2 }] } } });
    const noValue = convert({ enum: [] }); // draft-07: nothing is valid; ajv refuses to compile it at all
    expect(noValue).toEqual({ $schema: DRAFT04, allOf: [{ not: {} }] });
    expect([1, 'a', null, {}].some((instance) => compileDraft04(noValue)(instance))).toBe(false);
  });

  test('if/then/else -> anyOf of (if and then) or (not if and else)', () => {
    const source = {
      type: 'object',
      if: { properties: { kind: { const: 'card' } } },
      then: { required: ['last4'] },
      else: { required: ['iban'] },
    };
    const model = expectSameVerdicts(source, [{ kind: 'card', last4: '1234' }, { kind: 'card', iban: 'DE' }, { kind: 'sepa', iban: 'DE' }, { kind: 'sepa' }, {}]);
    expect(model.allOf).toEqual([
      {
        anyOf: [
          { allOf: [{ properties: { kind: { enum: ['card'] } } }, { required: ['last4'] }] },
          { allOf: [{ not: { properties: { kind: { enum: ['card'] } } } }, { required: ['iban'] }] },
        ],
      },
    ]);
  });

  test('if with only then, or only else; if alone and then/else alone constrain nothing', () => {
    const onlyThen = { if: { minimum: 10 }, then: { multipleOf: 5 } };
    const onlyElse = { if: { minimum: 10 }, else: { multipleOf: 2 } };
    for (const source of [onlyThen, onlyElse]) expectSameVerdicts(source, [3, 4, 10, 12, 15]);
    expect(convert({ type: 'number', if: { minimum: 10 } })).toEqual({ $schema: DRAFT04, type: 'number' });
    expect(convert({ type: 'number', then: { minimum: 10 }, else: { maximum: 1 } })).toEqual({ $schema: DRAFT04, type: 'number' });
  });

  test('contains -> "not every item fails", ignoring non-arrays as contains does', () => {
    const model = expectSameVerdicts({ contains: { type: 'string' } }, [[], [1], [1, 'a'], ['a'], 'not an array', {}]);
    expect(model.allOf).toEqual([{ anyOf: [{ not: { type: 'array' } }, { not: { items: { not: { type: 'string' } } } }] }]);
  });

  test('propertyNames: a pattern -> patternProperties with additionalProperties false; false -> no properties; true -> nothing', () => {
    const model = expectSameVerdicts({ type: 'object', propertyNames: { type: 'string', pattern: '^[a-z]+$' } }, [{}, { ab: 1 }, { Ab: 1 }, { a1: 1 }, 'x']);
    expect(model.allOf).toEqual([{ patternProperties: { '^[a-z]+$': {} }, additionalProperties: false }]);
    expect(expectSameVerdicts({ propertyNames: false }, [{}, { a: 1 }, []])).toEqual({ $schema: DRAFT04, allOf: [{ maxProperties: 0 }] });
    expect(convert({ propertyNames: true })).toEqual({ $schema: DRAFT04 });
  });
});

describe('references', () => {
  const address = { type: 'object', required: ['city'], properties: { city: { type: 'string' } } };

  test('#/definitions refs stay local refs; only reachable definitions are kept', () => {
    const source = { $schema: DRAFT07, type: 'object', properties: { home: { $ref: '#/definitions/address' } }, definitions: { address, unused: { type: 'string' } } };
    const model = expectSameVerdicts(source, [{ home: { city: 'Oslo' } }, { home: {} }, {}]);
    expect(model).toEqual({ $schema: DRAFT04, type: 'object', properties: { home: { $ref: '#/definitions/address' } }, definitions: { address } });
  });

  test('#/$defs refs, JSON-pointer refs into the document and #name anchors become #/definitions refs', () => {
    const source = {
      type: 'object',
      properties: {
        home: { $ref: '#/$defs/address' },
        work: { $ref: '#/properties/home' },
        tag: { $ref: '#label' },
        tags: { type: 'array', items: { $ref: '#/properties/tag' } },
      },
      $defs: { address, label: { $id: '#label', type: 'string', maxLength: 3 } },
    };
    const model = expectSameVerdicts(source, [{ home: { city: 'a' }, work: { city: 'b' }, tag: 'abc', tags: ['x'] }, { work: {} }, { tag: 'abcd' }, { tags: [1] }]);
    expect(model.properties).toEqual({
      home: { $ref: '#/definitions/address' },
      work: { $ref: '#/definitions/properties_home' },
      tag: { $ref: '#/definitions/label' },
      tags: { type: 'array', items: { $ref: '#/definitions/properties_tag' } },
    });
    expect(model.definitions).toEqual({
      address,
      properties_home: { $ref: '#/definitions/address' },
      label: { type: 'string', maxLength: 3 },
      properties_tag: { $ref: '#/definitions/label' },
    });
  });

  test("a ref through the document's own $id is local", () => {
    const source = { $id: 'https://example.com/order.json', properties: { a: { $ref: 'https://example.com/order.json#/definitions/address' } }, definitions: { address } };
    expect(convert(source).properties).toEqual({ a: { $ref: '#/definitions/address' } });
  });

  test('recursive refs stay refs, and a ref to the model root becomes #', () => {
    const source = { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } }, required: ['name'] };
    const deep = { name: 'a', children: [{ name: 'b', children: [{ name: 'c', children: [{ children: [] }] }] }] };
    const model = expectSameVerdicts(source, [deep, { name: 'a', children: [{ name: 'b' }] }]);
    expect(model.properties).toEqual({ name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } });
    const linked = { $ref: '#/definitions/node', definitions: { node: { type: 'object', properties: { next: { $ref: '#/definitions/node' }, v: { type: 'integer' } } } } };
    expect(expectSameVerdicts(linked, [{ next: { next: { v: 1 } } }, { next: { next: { v: 'x' } } }])).toEqual({
      $schema: DRAFT04,
      type: 'object',
      properties: { next: { $ref: '#' }, v: { type: 'integer' } },
    });
  });

  test('a $ref with validating siblings -> allOf (as ajv applies them); with annotations only -> the ref', () => {
    const source = { properties: { a: { $ref: '#/definitions/address', required: ['zip'] }, b: { $ref: '#/definitions/address', description: 'b' } }, definitions: { address } };
    const model = expectSameVerdicts(source, [{ a: { city: 'x', zip: '1' } }, { a: { city: 'x' } }, { b: { city: 'x' } }]);
    expect(model.properties).toEqual({ a: { allOf: [{ $ref: '#/definitions/address' }, { required: ['zip'] }] }, b: { $ref: '#/definitions/address' } });
  });

  test('definition names keep to [A-Za-z0-9_.-] and do not collide', () => {
    const source = { anyOf: [{ $ref: '#/definitions/push$event' }, { $ref: '#/definitions/push_event' }], definitions: { push$event: { type: 'object' }, push_event: { type: 'array' } } };
    expect(convert(source)).toEqual({
      $schema: DRAFT04,
      anyOf: [{ $ref: '#/definitions/push_event' }, { $ref: '#/definitions/push_event_2' }],
      definitions: { push_event: { type: 'object' }, push_event_2: { type: 'array' } },
    });
  });

  test('JSON pointers are unescaped (~1, ~0, percent-encoding) to resolve and escaped in error messages', () => {
    const source = { properties: { a: { $ref: '#/definitions/a~1b~0c' }, b: { $ref: '#/definitions/with%20space' } }, definitions: { 'a/b~c': address, 'with space': { type: 'string' } } };
    expect(convert(source).definitions).toEqual({ a_b_c: address, with_space: { type: 'string' } });
    expect(() => convert({ properties: { 'a/b~c': { unevaluatedItems: false } } })).toThrow(/invalid `webhook\.schema#\/properties\/a~1b~0c\/unevaluatedItems` false/);
  });

  test('rootRef makes one definition of a bundle the model', () => {
    const bundle = { $schema: DRAFT07, oneOf: [{ $ref: '#/definitions/a' }], definitions: { a: { type: 'object', properties: { home: { $ref: '#/definitions/address' } } }, address } };
    expect(convert(bundle, { rootRef: '#/definitions/a' })).toEqual({
      $schema: DRAFT04,
      type: 'object',
      properties: { home: { $ref: '#/definitions/address' } },
      definitions: { address },
    });
  });

  test('inlineRefs inlines every ref and cuts recursion at recursiveRefDepth with {}', () => {
    const source = { type: 'object', properties: { home: { $ref: '#/definitions/address' }, next: { $ref: '#' } }, definitions: { address } };
    const result = convertSchemaForApiGateway(source, context, { inlineRefs: true, recursiveRefDepth: 2 });
    expect(result.schema).toEqual({
      $schema: DRAFT04,
      type: 'object',
      properties: { home: address, next: { type: 'object', properties: { home: address, next: {} } } },
    });
    expect(result.truncatedRefs).toEqual(['webhook.schema#/properties/next/$ref']);
  });
});

describe('rejections', () => {
  test.each([
    ['unevaluatedProperties', false, /set additionalProperties: false there, or drop the rule/],
    ['unevaluatedItems', false, /items \/ additionalItems/],
    ['dependentRequired', { a: ['b'] }, /write it as dependencies: \{ "<property>": \["<required property>", \.\.\.\] \}/],
    ['dependentSchemas', { a: { required: ['b'] } }, /write it as dependencies: \{ "<property>": \{ <schema> \} \}/],
    ['prefixItems', [{ type: 'string' }], /items: \[ <schema>, \.\.\. \] with additionalItems/],
    ['$dynamicRef', '#node', /use a plain \$ref: "#\/definitions\/<name>"/],
  ])('%s fails, naming the keyword by JSON pointer, its value and the fix', (keyword, value, fix) => {
    const source = { type: 'object', properties: { items: { [keyword]: value } } };
    const pointer = `webhook.schema#/properties/items/${keyword}`.replace(/[$[\]{}()*+?.\\^|/]/g, '\\$&');
    const shown = JSON.stringify(value).replace(/[$[\]{}()*+?.\\^|/]/g, '\\$&').replace(/^"(.*)"$/, "'$1'");
    expect(() => convert(source)).toThrow(new RegExp(`^Crm: invalid \`${pointer}\` ${shown}\\. ${keyword.replace('$', '\\$')} is a keyword of JSON Schema 2019-09 or later`));
    expect(() => convert(source)).toThrow(fix);
    expect(() => convert(source)).toThrow(IntegrationConfigError);
  });

  test('propertyNames beyond a pattern fails with the way to express it', () => {
    expect(() => convert({ propertyNames: { maxLength: 3 } })).toThrow(
      /invalid `webhook\.schema#\/propertyNames` \{"maxLength":3\}\. Draft-04 can check property names only against a pattern: reduce propertyNames to \{ "pattern": "\.\.\." \}/,
    );
  });

  test.each(['https://example.com/address.json', 'address.json#/definitions/a', 'https://example.com/schemas.json#/definitions/a'])('a $ref to another document (%s) fails', (ref) => {
    expect(() => convert({ properties: { a: { $ref: ref } } })).toThrow(
      new RegExp(`invalid \`webhook\\.schema#/properties/a/\\$ref\` '${ref.replace(/[.$/]/g, '\\$&')}'\\. API Gateway cannot fetch other documents: copy the referenced schema under "definitions"`),
    );
  });

  test('a $ref to nothing fails', () => {
    expect(() => convert({ properties: { a: { $ref: '#/definitions/missing' } } })).toThrow(
      /invalid `webhook\.schema#\/properties\/a\/\$ref` '#\/definitions\/missing'\. It points to nothing in this document/,
    );
    expect(() => convert({ definitions: {} }, { rootRef: '#/definitions/nope' })).toThrow(/invalid `webhook\.schema \(rootRef\)` '#\/definitions\/nope'\. It points to nothing/);
  });

  test('a root $ref chain that leads back to itself fails', () => {
    expect(() => convert({ $ref: '#/definitions/a', definitions: { a: { $ref: '#/definitions/a' } } })).toThrow(/\$ref chain leads back to itself/);
  });

  test.each(['https://json-schema.org/draft/2019-09/schema', 'https://json-schema.org/draft/2020-12/schema', 'http://json-schema.org/draft-03/schema#'])(
    '$schema %s fails, at the root or in a definition',
    (uri) => {
      const fix = /this conversion reads draft-04, draft-06 and draft-07: declare "\$schema": "http:\/\/json-schema\.org\/draft-07\/schema#"/;
      expect(() => convert({ $schema: uri, type: 'object' })).toThrow(new RegExp(`invalid \`webhook\\.schema#/\\$schema\` '${uri.replace(/[.$/]/g, '\\$&')}'`));
      expect(() => convert({ $schema: uri })).toThrow(fix);
      expect(() => convert({ properties: { a: { $ref: '#/definitions/b' } }, definitions: { b: { $schema: uri } } })).toThrow(/webhook\.schema#\/definitions\/b\/\$schema/);
    },
  );

  test('a schema that is neither an object nor a boolean fails', () => {
    expect(() => convert({ properties: { a: 'string' } })).toThrow(/invalid `webhook\.schema#\/properties\/a` 'string'\. A schema is a JSON object or a boolean/);
  });
});

describe('model size', () => {
  test("the limit is API Gateway's 400 KB per API, read as 400,000 bytes", () => {
    expect(API_GATEWAY_MODEL_SIZE_LIMIT_BYTES).toBe(400_000);
    expect(schemaSizeBytes({ a: 'é' })).toBe(10); // {"a":"é"}: é is 2 bytes in UTF-8
    expect(() => checkModelSize('Crm', 'webhook.schema', 400_000)).not.toThrow();
  });

  test('a model over the limit fails with its measured size and the limit', () => {
    const big = { type: 'object', properties: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`field_${i}`, { type: 'string', description: 'x'.repeat(80) }])) };
    const size = schemaSizeBytes(convert(big, { maxSizeBytes: Infinity }));
    expect(size).toBeGreaterThan(400_000);
    expect(() => convert(big)).toThrow(
      new RegExp(`^Crm: invalid \`webhook\\.schema\` '${size} bytes as a draft-04 model'\\. A model may be at most 400000 bytes: API Gateway allows 400 KB \\(taken as 400,000 bytes\\) of models per REST API .*Simplify the schema`),
    );
    expect(() => convert({ type: 'object', description: 'x'.repeat(100) }, { maxSizeBytes: 100 })).toThrow(/'\d+ bytes as a draft-04 model'\. A model may be at most 100 bytes/);
  });
});

describe("GitHub's published webhook schemas (@octokit/webhooks-schemas, draft-07)", () => {
  // One document bundles every event under "definitions"; an event is push$event, or a oneOf of its actions.
  const bundle = JSON.parse(readFileSync(require.resolve('@octokit/webhooks-schemas'), 'utf8')) as { $schema: string; definitions: object };
  const events: Array<[string, string]> = [
    ['push', 'push$event'],
    ['pull_request', 'pull_request_event'],
    ['issues', 'issues_event'],
  ];

  test.each(events)('the %s event converts into a legal draft-04 model under the size limit', (event, definition) => {
    const result = convertSchemaForApiGateway(bundle, { owner: 'GitHub', prop: `webhooks.${event}` }, { rootRef: `#/definitions/${definition}` });
    expect(bundle.$schema).toBe(DRAFT07);
    expect(result.schema.$schema).toBe(DRAFT04);
    expect(result.sizeBytes).toBe(schemaSizeBytes(result.schema));
    expect(result.sizeBytes).toBeLessThan(API_GATEWAY_MODEL_SIZE_LIMIT_BYTES);
    expect(result.sizeBytes).toBeLessThan(60_000); // measured: push 17,299, pull_request 39,784, issues 33,148 bytes
    expect(JSON.stringify(result.schema)).not.toMatch(/"\$ref":"(?!#\/definitions\/|#")/); // only local refs remain
    expect(result.droppedKeywords.every((pointer) => pointer.endsWith('/tsAdditionalProperties'))).toBe(true);
    expect(() => compileDraft04(result.schema)).not.toThrow(); // meta-validated as draft-04, no unknown keyword
  });

  test.each(events)('the example %s payloads get the same verdict from the model (ajv-draft-04) as from the source (ajv, draft-07)', (event, definition) => {
    const model = compileDraft04(convert(bundle, { rootRef: `#/definitions/${definition}` }));
    const source = compileDraft07({ $schema: bundle.$schema, definitions: bundle.definitions, $ref: `#/definitions/${definition}` });
    const payloads = webhookExamples.find((d) => d.name === event)!.examples as Array<Record<string, unknown>>;
    for (const [i, payload] of payloads.entries()) expect({ i, valid: model(payload) }).toEqual({ i, valid: source(payload) });
    // Some examples predate the schema (push example 0 lacks repository.is_template), but most are valid.
    expect(payloads.filter((payload) => model(payload)).length).toBeGreaterThanOrEqual(payloads.length * 0.8);
    const withoutRepository = payloads.map(({ repository: _repository, ...rest }) => rest);
    expect(withoutRepository.some((payload) => model(payload) || source(payload))).toBe(false);
  });
});
