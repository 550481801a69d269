// PII field path syntax (what the construct checks at synth) and the walk that finds values.
import { FieldPathError, parseFieldPath, parseFieldPaths } from '../../../lambda/shared/field-encryption';
import { findOccurrences, locationMatches } from '../../../lambda/shared/field-encryption/field-path';

describe('parseFieldPath', () => {
  test.each([
    ['contact.email', [{ kind: 'field', name: 'contact' }, { kind: 'field', name: 'email' }], false],
    ['commits[*].author.email', [{ kind: 'field', name: 'commits' }, { kind: 'each' }, { kind: 'field', name: 'author' }, { kind: 'field', name: 'email' }], false],
    ['data.object.billing_details.*', [{ kind: 'field', name: 'data' }, { kind: 'field', name: 'object' }, { kind: 'field', name: 'billing_details' }], true],
    ['matrix[*][*]', [{ kind: 'field', name: 'matrix' }, { kind: 'each' }, { kind: 'each' }], false],
    ['worker.ssn', [{ kind: 'field', name: 'worker' }, { kind: 'field', name: 'ssn' }], false],
    ['x-forwarded.$ref.@id.0', [{ kind: 'field', name: 'x-forwarded' }, { kind: 'field', name: '$ref' }, { kind: 'field', name: '@id' }, { kind: 'field', name: '0' }], false],
  ])('accepts %s', (path, segments, allFields) => {
    expect(parseFieldPath(path)).toStrictEqual({ path, segments, allFields });
  });

  test.each([
    ['', /must be a non-empty string/],
    ['.email', /a path starts with a field name, not "\."/],
    ['contact.', /a field name is missing at character 9/],
    ['contact..email', /unexpected "\." at character 9/],
    ['commits[0].author', /only \[\*\] .* array indices and quoted names are not supported/],
    ['data["first name"]', /only \[\*\]/],
    ['employees.*.ssn', /\.\* is only allowed at the end of a path/],
    ['*', /\* is only allowed as a trailing \.\*/],
    ['contact.*email', /\.\* is only allowed at the end/],
    ['[*].email', /a path starts with a field name, not "\["/],
    ['commits[*', /only \[\*\]/],
    ['contact email', /unexpected " " at character 8/],
    ['contact.e-mail/2', /unexpected "\/"/],
  ])('rejects %j with the position and the fix', (path, message) => {
    expect(() => parseFieldPath(path)).toThrow(FieldPathError);
    expect(() => parseFieldPath(path)).toThrow(message);
  });

  test('a path longer than 256 characters is refused', () => {
    expect(() => parseFieldPath(`a.${'b'.repeat(255)}`)).toThrow(/257 characters, at most 256 are allowed/);
  });

  test('the message shows the path and the syntax with examples', () => {
    expect(() => parseFieldPath('a[1]')).toThrow(/invalid PII field path "a\[1\]": .* for example contact.email, commits\[\*\].author.email or data.object.billing_details.\*/);
  });

  test('a value that is not a string is refused (plain JavaScript callers)', () => {
    expect(() => parseFieldPath(42 as unknown as string)).toThrow(/must be a non-empty string/);
  });
});

describe('parseFieldPaths', () => {
  test('accepts siblings and paths that cannot meet', () => {
    expect(parseFieldPaths(['contact.email', 'contact.phone', 'a.*', 'a[*].b']).map((p) => p.path)).toEqual(['contact.email', 'contact.phone', 'a.*', 'a[*].b']);
  });

  test.each([
    [['contact.email', 'contact.email'], /"contact.email" is listed twice/],
    [['contact', 'contact.email'], /"contact" and "contact.email" overlap: "contact" already encrypts everything "contact.email" names/],
    [['buyer.contact.email', 'buyer.contact.*'], /"buyer.contact.\*" and "buyer.contact.email" overlap/],
    [['commits[*]', 'commits[*].author.email'], /"commits\[\*\]" and "commits\[\*\].author.email" overlap/],
    [['a.*', 'a.b.*'], /overlap/],
  ])('rejects %j', (paths, message) => {
    expect(() => parseFieldPaths(paths)).toThrow(message);
  });
});

describe('findOccurrences and locations', () => {
  const record = {
    contact: { email: 'a@example.com', phone: undefined },
    commits: [{ author: { email: 'x' } }, { author: {} }, 'not an object', { author: { email: null } }],
    details: { name: 'n', 'first name': 'f', __proto__x: 1 },
    nested: [[{ v: 1 }], [{ v: 2 }, { v: 3 }]],
  };

  test('every index of an array is written [*]; missing and undefined values are skipped; null is a value', () => {
    expect(findOccurrences(record, parseFieldPath('commits[*].author.email')).map((o) => [o.location, o.key])).toEqual([
      ['commits[*].author.email', 'email'],
      ['commits[*].author.email', 'email'],
    ]);
    expect(findOccurrences(record, parseFieldPath('contact.phone'))).toEqual([]);
    expect(findOccurrences(record, parseFieldPath('nested[*][*].v')).map((o) => o.location)).toEqual(Array(3).fill('nested[*][*].v'));
  });

  test('a trailing .* names each field; a key outside the path syntax is written as a JSON string in brackets', () => {
    const found = findOccurrences(record, parseFieldPath('details.*'));
    expect(found.map((o) => o.location)).toEqual(['details.name', 'details["first name"]', 'details.__proto__x']);
    const details = parseFieldPath('details.*');
    expect(found.every((o) => locationMatches(details, o.location))).toBe(true);
    expect(locationMatches(details, 'details.name.first')).toBe(false);
    expect(locationMatches(details, 'details[*]')).toBe(false);
    expect(locationMatches(details, 'other.name')).toBe(false);
    expect(locationMatches(parseFieldPath('contact.email'), 'contact.email')).toBe(true);
  });

  test('a JSON key "__proto__" is data: it is found and never reaches the prototype', () => {
    const parsed = JSON.parse('{"user":{"__proto__":{"polluted":true},"name":"x"}}');
    const found = findOccurrences(parsed, parseFieldPath('user.*'));
    expect(found.map((o) => o.location)).toEqual(['user.__proto__', 'user.name']);
    expect(findOccurrences(parsed, parseFieldPath('user.__proto__.polluted'))).toHaveLength(1);
    expect(findOccurrences({ user: {} }, parseFieldPath('user.__proto__'))).toEqual([]);
  });
});
