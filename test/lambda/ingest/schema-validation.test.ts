// The ingest's full JSON Schema validation (API Gateway's model check ignores `format`, for one): the
// draft a schema declares, formats, at most 20 violations, and violation paths that show no key the
// schema does not declare (such keys come from the sender and may be personal data).
import { validateBody } from '../../../lambda/ingest/schema-validation';
import { uniqueName } from '../../support/aws-env';

/** Each test validates on a route of its own: validators are cached per route. */
const validate = (schema: Record<string, unknown>, body: unknown) => validateBody(`POST /${uniqueName('route')}`, schema, body);

describe('validating a body against its route schema', () => {
  test('a body that meets the schema has no violations', () => {
    expect(validate({ type: 'object', required: ['id'], properties: { id: { type: 'string' } } }, { id: 'o-1' })).toEqual([]);
  });

  test('formats are enforced (email, date-time), which API Gateway does not', () => {
    const schema = { type: 'object', properties: { email: { type: 'string', format: 'email' }, at: { type: 'string', format: 'date-time' } } };
    expect(validate(schema, { email: 'jane@example.com', at: '2026-12-01T10:00:00Z' })).toEqual([]);
    expect(validate(schema, { email: 'jane', at: 'yesterday' }).map((v) => v.path).sort()).toEqual(['/at', '/email']);
  });

  test('a draft-04 schema is read as draft-04: a boolean exclusiveMinimum excludes the minimum', () => {
    const schema = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', properties: { quantity: { type: 'integer', minimum: 1, exclusiveMinimum: true } } };
    expect(validate(schema, { quantity: 2 })).toEqual([]);
    expect(validate(schema, { quantity: 1 })).toEqual([{ path: '/quantity', message: 'must be > 1' }]);
  });

  test('a draft-07 schema (or one that names no draft) is read as draft-07: a numeric exclusiveMinimum', () => {
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { quantity: { type: 'integer', exclusiveMinimum: 1 } } };
    expect(validate(schema, { quantity: 1 })).toEqual([{ path: '/quantity', message: 'must be > 1' }]);
    expect(validate({ type: 'integer', exclusiveMinimum: 1 }, 2)).toEqual([]);
  });

  test("every violation is reported, up to 20, each with its path and ajv's message", () => {
    const properties = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${i}`, { type: 'string' }]));
    const body = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${i}`, i]));
    const violations = validate({ type: 'object', properties }, body);
    expect(violations).toHaveLength(20);
    expect(violations[0]).toEqual({ path: '/f0', message: 'must be string' });
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, i]));
    expect(validate({ type: 'object', properties }, twenty)).toHaveLength(20);
  });

  test("a route's validator is compiled once: later bodies on the route are checked too, even by a schema with an $id", () => {
    const route = `POST /${uniqueName('route')}`;
    const schema = () => ({ $id: `https://example.com/${uniqueName('order')}.json`, type: 'object', required: ['id'], properties: { id: { type: 'string' } } });
    const first = schema();
    expect(validateBody(route, first, { id: 'o-1' })).toEqual([]);
    // The route's schema as read again for a later request: an equal schema, with the same $id.
    expect(validateBody(route, structuredClone(first), {})).toEqual([{ path: '/', message: "must have required property 'id'" }]);
    expect(validateBody(route, structuredClone(first), { id: 'o-2' })).toEqual([]);
  });

  test('two routes may share a schema with the same $id (one model on two routes), in draft-07 and draft-04', () => {
    const order = () => ({ $id: 'https://example.com/shared-order.json', type: 'object', required: ['id'], properties: { id: { $ref: '#/definitions/id' } }, definitions: { id: { type: 'string' } } });
    expect(validate(order(), { id: 1 })).toEqual([{ path: '/id', message: 'must be string' }]);
    expect(validate(order(), {})).toEqual([{ path: '/', message: "must have required property 'id'" }]);
    const legacy = () => ({ $schema: 'http://json-schema.org/draft-04/schema#', id: 'https://example.com/shared-legacy.json', type: 'object', required: ['id'] });
    expect(validate(legacy(), {})).toEqual([{ path: '/', message: "must have required property 'id'" }]);
    expect(validate(legacy(), { id: 'o-1' })).toEqual([]);
  });

  test('a violation of the whole body has the path /', () => {
    expect(validate({ type: 'object' }, [1])).toEqual([{ path: '/', message: 'must be object' }]);
  });

  test('a required property reads only own keys: {} does not have toString', () => {
    expect(validate({ type: 'object', required: ['toString'] }, {})).toEqual([{ path: '/', message: "must have required property 'toString'" }]);
  });
});

describe('violation paths name no personal data', () => {
  test('a key the schema does not declare is * ; declared keys, at any depth, and array indexes stay', () => {
    const schema = {
      type: 'object',
      properties: {
        contacts: { type: 'array', items: { type: 'object', properties: { email: { type: 'string' } } } },
        scores: { type: 'object', additionalProperties: { type: 'integer' } },
      },
    };
    const violations = validate(schema, { contacts: [{ email: 1 }, { email: 2 }, { email: 'ok' }, {}, {}, {}, {}, {}, {}, {}, {}, { email: 3 }], scores: { 'jane.doe@example.com': 'high' } });
    expect(violations.map((v) => v.path).sort()).toEqual(['/contacts/0/email', '/contacts/1/email', '/contacts/11/email', '/scores/*']);
  });

  test('property names declared inside anyOf, allOf and items arrays count as declared', () => {
    const schema = {
      anyOf: [{ type: 'object', properties: { card: { type: 'object', properties: { last4: { type: 'string' } } } } }],
      allOf: [{ properties: { tags: { type: 'array', items: [{ type: 'object', properties: { label: { type: 'string' } } }] } } }],
    };
    const paths = validate(schema, { card: { last4: 1234 }, tags: [{ label: 5 }] }).map((v) => v.path);
    expect(paths).toContain('/card/last4');
    expect(paths).toContain('/tags/0/label');
  });

  test('a declared key holding / or ~ is matched unescaped, and shown as the pointer escapes it', () => {
    const schema = { type: 'object', properties: { 'a/b': { type: 'string' }, 'c~d': { type: 'string' } } };
    expect(validate(schema, { 'a/b': 1, 'c~d': 2 }).map((v) => v.path).sort()).toEqual(['/a~1b', '/c~0d']);
  });

  test('a key named "properties" in a body, or a schema whose properties is not an object, declares nothing', () => {
    const schema = { type: 'object', properties: { meta: { type: 'object', additionalProperties: { type: 'string' } } }, examples: [{ properties: ['secret'] }, { properties: 'pin' }] };
    expect(validate(schema, { meta: { secret: 1, properties: 2, '0': 3 } }).map((v) => v.path)).toEqual(['/meta/*', '/meta/*', '/meta/*']);
  });

  test('only property names are declared: keywords such as type or format, used as keys of a map, are hidden', () => {
    const schema = { type: 'object', properties: { labels: { type: 'object', additionalProperties: { type: 'string', format: 'email' } } } };
    expect(validate(schema, { labels: { type: 1, format: 'not-an-email' } }).map((v) => v.path)).toEqual(['/labels/*', '/labels/*']);
  });

  test('a schema whose examples hold "properties": null still validates (only a properties object declares names)', () => {
    const schema = { type: 'object', properties: { id: { type: 'string' } }, examples: [{ properties: null }], default: { properties: null } };
    expect(validate(schema, { id: 1 })).toEqual([{ path: '/id', message: 'must be string' }]);
  });

  test("an object's key of digits (a phone number, say) is a key, hidden unless declared; only an array's index shows as digits", () => {
    const schema = { type: 'object', properties: { '42': { type: 'string' }, byPhone: { type: 'object', additionalProperties: { type: 'string' } } } };
    expect(validate(schema, { '42': 1, byPhone: { '447700900123': 1, '12a': 2 } }).map((v) => v.path).sort()).toEqual(['/42', '/byPhone/*', '/byPhone/*']);
    expect(validate({ type: 'array', items: { type: 'string' } }, ['a', 'b', 3]).map((v) => v.path)).toEqual(['/2']);
  });
});
