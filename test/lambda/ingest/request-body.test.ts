// Reading a request body before the schema sees it: the Content-Type the ingest accepts (and the
// 415 for any other, which API Gateway's validation would let through unchecked), JSON and form
// parsing, and the structural checks (nesting depth, prototype-polluting keys).
import { contentTypeOf, MAX_BODY_DEPTH, parseBody, PROTOTYPE_KEYS, structuralProblem } from '../../../lambda/ingest/body';
import type { BodyFormat } from '../../../lib/ingest/ingest-config';

const JSON_ONLY = ['json'] as BodyFormat[];
const JSON_OR_FORM = ['json', 'form'] as BodyFormat[];
const parse = (body: string, contentType: string | undefined, formats?: BodyFormat[]) =>
  parseBody(Buffer.from(body, 'utf8'), contentTypeOf(contentType === undefined ? {} : { 'Content-Type': contentType }), formats);

describe('the Content-Type of a request', () => {
  test('is the media type and charset, lower-cased, whatever the header name\'s case', () => {
    expect(contentTypeOf({ 'CONTENT-TYPE': 'Application/JSON; Charset=UTF-8' })).toEqual({ mediaType: 'application/json', charset: 'utf-8' });
    expect(contentTypeOf({ 'content-type': 'application/json' })).toEqual({ mediaType: 'application/json', charset: undefined });
  });

  test('reads the charset among other parameters, quoted or with spaces', () => {
    expect(contentTypeOf({ 'Content-Type': 'application/json ; profile="x" ;  charset = "ISO-8859-1" ' })).toEqual({ mediaType: 'application/json', charset: 'iso-8859-1' });
    expect(contentTypeOf({ 'Content-Type': 'text/plain;format=flowed' })).toEqual({ mediaType: 'text/plain', charset: undefined });
  });

  test('a charset parameter without a value is no charset, and is not an error', () => {
    expect(contentTypeOf({ 'Content-Type': 'application/json; charset' })).toEqual({ mediaType: 'application/json', charset: undefined });
  });

  test('only quotes around the whole charset are removed: one inside it stays, so the charset is not read as UTF-8', () => {
    expect(contentTypeOf({ 'Content-Type': 'application/json; charset="utf-"8"' })?.charset).toBe('utf-"8');
    expect(parse('{}', 'application/json; charset=utf"-8')).toEqual({ ok: false, status: 415, message: 'charset utf"-8 is not supported: send application/json in UTF-8' });
  });

  test('is absent without the header, and an undefined header value is no header', () => {
    expect(contentTypeOf(undefined)).toBeUndefined();
    expect(contentTypeOf(null)).toBeUndefined();
    expect(contentTypeOf({ Accept: 'application/json' })).toBeUndefined();
    expect(contentTypeOf({ 'content-type': undefined, 'Content-Type': 'text/plain' })).toEqual({ mediaType: 'text/plain', charset: undefined });
  });
});

describe('parsing a body', () => {
  test('a request without Content-Type is JSON, as API Gateway validates it', () => {
    expect(parse('{"id":"o-1"}', undefined)).toEqual({ ok: true, value: { id: 'o-1' } });
  });

  test.each(['application/json', 'application/merge-patch+json', 'application/vnd.api+json', 'application/ld+json', 'application/cloudevents+json'])('%s is JSON', (type) => {
    expect(parse('[1]', type)).toEqual({ ok: true, value: [1] });
  });

  test.each(['application/jsonp', 'text/application/json', 'application/json-seq', 'application/+json', 'application/vnd api+json', 'application/json+xml', 'xapplication/json'])(
    '%s is a 415 naming what to send',
    (type) => {
      expect(parse('{}', type)).toEqual({ ok: false, status: 415, message: `unsupported media type ${type}: send application/json` });
    },
  );

  test('a route that takes forms names both media types in its 415', () => {
    expect(parse('a=1', 'text/plain', JSON_OR_FORM)).toEqual({ ok: false, status: 415, message: 'unsupported media type text/plain: send application/json or application/x-www-form-urlencoded' });
  });

  test('a JSON-only route answers 415 to a form, and a form route parses it', () => {
    expect(parse('a=1', 'application/x-www-form-urlencoded', JSON_ONLY)).toMatchObject({ ok: false, status: 415 });
    expect(parse('a=1&b=x+y', 'application/x-www-form-urlencoded', JSON_OR_FORM)).toEqual({ ok: true, value: { a: '1', b: 'x y' } });
  });

  test('a charset other than UTF-8 is a 415 (JSON is UTF-8, RFC 8259 section 8.1); utf8 is UTF-8 too', () => {
    expect(parse('{}', 'application/json; charset=iso-8859-1')).toEqual({ ok: false, status: 415, message: 'charset iso-8859-1 is not supported: send application/json in UTF-8' });
    expect(parse('{}', 'application/x-www-form-urlencoded; charset=utf-16', JSON_OR_FORM)).toEqual({
      ok: false,
      status: 415,
      message: 'charset utf-16 is not supported: send application/json or application/x-www-form-urlencoded in UTF-8',
    });
    expect(parse('{}', 'application/json; charset=utf8')).toEqual({ ok: true, value: {} });
    expect(parse('{}', 'application/json; charset=UTF-8')).toEqual({ ok: true, value: {} });
  });

  test('a body that is not JSON is a 400', () => {
    expect(parse('{"id":', 'application/json')).toEqual({ ok: false, status: 400, message: 'body is not valid JSON' });
  });

  test('a form keeps the last value of a repeated name, and every name as an own, enumerable key', () => {
    const parsed = parse('tag=a&tag=b&text=hi', 'application/x-www-form-urlencoded', JSON_OR_FORM) as { ok: true; value: Record<string, unknown> };
    expect(parsed.value).toEqual({ tag: 'b', text: 'hi' });
    expect(JSON.parse(JSON.stringify(parsed.value))).toEqual({ tag: 'b', text: 'hi' });
  });

  test('a form is plain data like a parsed JSON body: every field can be rewritten and removed by later steps', () => {
    const parsed = parse('email=jane%40example.com&text=hi', 'application/x-www-form-urlencoded', JSON_OR_FORM) as { ok: true; value: Record<string, unknown> };
    expect(Object.getOwnPropertyDescriptors(parsed.value)).toEqual(Object.getOwnPropertyDescriptors(JSON.parse('{"email":"jane@example.com","text":"hi"}')));
    expect(delete parsed.value.email).toBe(true);
    expect(parsed.value).toEqual({ text: 'hi' });
  });

  test('a form field named __proto__ becomes an own key (that the structural check refuses), never the prototype', () => {
    const parsed = parse('__proto__=x&text=hi', 'application/x-www-form-urlencoded', JSON_OR_FORM) as { ok: true; value: Record<string, unknown> };
    expect(Object.getPrototypeOf(parsed.value)).toBe(Object.prototype);
    expect(Object.keys(parsed.value)).toEqual(['__proto__', 'text']);
    expect(structuralProblem(parsed.value)).toMatchObject({ status: 400 });
  });

  test("Slack's payload field holding JSON is parsed; one that is not JSON is kept as the text it is", () => {
    const slack = `payload=${encodeURIComponent('{"type":"block_actions"}')}`;
    expect(parse(slack, 'application/x-www-form-urlencoded', JSON_OR_FORM)).toEqual({ ok: true, value: { payload: { type: 'block_actions' } } });
    expect(parse('payload=not+json', 'application/x-www-form-urlencoded', JSON_OR_FORM)).toEqual({ ok: true, value: { payload: 'not json' } });
  });
});

describe('the structure of a body', () => {
  const nested = (depth: number, inner = '1') => `${'['.repeat(depth - 1)}{"a":${inner}}${']'.repeat(depth - 1)}`;

  test(`nesting of ${MAX_BODY_DEPTH} levels passes and one more is refused, in arrays as in objects`, () => {
    expect(structuralProblem(JSON.parse(nested(MAX_BODY_DEPTH)))).toBeUndefined();
    expect(structuralProblem(JSON.parse(nested(MAX_BODY_DEPTH + 1)))).toEqual({ status: 400, message: `body nests deeper than ${MAX_BODY_DEPTH} levels` });
    expect(structuralProblem(JSON.parse(`${'['.repeat(MAX_BODY_DEPTH + 1)}${']'.repeat(MAX_BODY_DEPTH + 1)}`))).toMatchObject({ status: 400 });
  });

  test('scalars and null pass', () => {
    for (const value of [null, 0, 'text', true, undefined]) expect(structuralProblem(value)).toBeUndefined();
  });

  test.each([...PROTOTYPE_KEYS])('the key %s is refused at any depth, named in the answer', (key) => {
    const body = JSON.parse(`{"items":[{"ok":1},{"x":{"${key}":{"isAdmin":true}}}]}`);
    expect(structuralProblem(body)).toEqual({ status: 400, message: `body holds the key "${key}", which is refused anywhere in a body (prototype pollution)` });
  });

  test('the refused keys are exactly __proto__, constructor and prototype', () => {
    expect([...PROTOTYPE_KEYS].sort()).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(structuralProblem({ Constructor: 1, proto: 2, __proto: 3 })).toBeUndefined();
  });

  test('every sibling is checked, not only the first or the last', () => {
    expect(structuralProblem({ a: { b: 1 }, c: { constructor: 1 }, d: 2 })).toMatchObject({ status: 400 });
    expect(structuralProblem([{ prototype: 1 }, 1, 2])).toMatchObject({ status: 400 });
  });
});
