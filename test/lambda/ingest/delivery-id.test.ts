import { deliveryIdAt, MAX_DELIVERY_ID_LENGTH, resolvePointer } from '../../../lambda/shared/delivery-id';

import { DigestEncoding, SignatureScheme, SignatureSchemeConfig } from '../../../lib/gateway/signature-scheme';

/** The id where a scheme says its sender puts it, as the route's deduplication config carries it to the ingest. */
const deliveryIdOf = (config: Pick<SignatureSchemeConfig, 'deliveryId'>, headers: Record<string, string | undefined> | null, body: unknown) =>
  config.deliveryId === undefined ? undefined : deliveryIdAt(config.deliveryId, headers, body);

/** The config as the ingest function receives it: through JSON, so only plain data survives. */
const configOf = (scheme: SignatureScheme) => JSON.parse(JSON.stringify(scheme.bind())) as SignatureSchemeConfig;

describe('deliveryIdOf, for each built-in scheme', () => {
  test('GitHub: the X-GitHub-Delivery header, whatever its case', () => {
    const config = configOf(SignatureScheme.githubHmacSha256());
    expect(deliveryIdOf(config, { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, { zen: 'Keep it logically awesome.' })).toBe(
      '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    );
    expect(deliveryIdOf(config, { 'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, undefined)).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
  });

  test("Stripe: the event's id in the body, not a header", () => {
    const config = configOf(SignatureScheme.stripe());
    expect(deliveryIdOf(config, { 'Stripe-Signature': 't=1,v1=0' }, { id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', object: 'event' })).toBe('evt_1NG8Du2eZvKYlo2CUI79vXWy');
    expect(deliveryIdOf(config, { id: 'evt_from_a_header' }, { object: 'event' })).toBeUndefined();
  });

  test('Standard Webhooks: the webhook-id header', () => {
    const config = configOf(SignatureScheme.standardWebhooks());
    expect(deliveryIdOf(config, { 'Webhook-Id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' }, { type: 'contact.created' })).toBe('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W');
  });

  test('Slack: none, even for an Events API body with an event_id', () => {
    const config = configOf(SignatureScheme.slack());
    expect(deliveryIdOf(config, { 'X-Slack-Request-Timestamp': '1531420618' }, { type: 'event_callback', event_id: 'Ev0PV52K21' })).toBeUndefined();
  });

  test('hmacSha256 with deliveryIdHeader (Shopify), and without it', () => {
    const shopify = configOf(SignatureScheme.hmacSha256({ header: 'X-Shopify-Hmac-Sha256', encoding: DigestEncoding.BASE64, deliveryIdHeader: 'X-Shopify-Webhook-Id' }));
    expect(deliveryIdOf(shopify, { 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' }, { id: 820982911946154500 })).toBe('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
    const plain = configOf(SignatureScheme.hmacSha256({ header: 'X-Shopify-Hmac-Sha256', encoding: DigestEncoding.BASE64 }));
    expect(deliveryIdOf(plain, { 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' }, {})).toBeUndefined();
  });
});

describe('deliveryIdOf, header values', () => {
  const config = { deliveryId: { header: 'X-Delivery' } };

  test('trims surrounding whitespace (not part of an HTTP field value)', () => {
    expect(deliveryIdOf(config, { 'X-Delivery': '  abc-1 ' }, undefined)).toBe('abc-1');
  });

  test('ignores an absent, undefined or blank header, and no headers at all', () => {
    expect(deliveryIdOf(config, {}, undefined)).toBeUndefined();
    expect(deliveryIdOf(config, { 'X-Delivery': undefined }, undefined)).toBeUndefined();
    expect(deliveryIdOf(config, { 'X-Delivery': ' \t ' }, undefined)).toBeUndefined();
    expect(deliveryIdOf(config, null, undefined)).toBeUndefined();
  });

  test(`takes ${MAX_DELIVERY_ID_LENGTH} characters and ignores one more`, () => {
    const longest = 'a'.repeat(MAX_DELIVERY_ID_LENGTH);
    expect(deliveryIdOf(config, { 'X-Delivery': longest }, undefined)).toBe(longest);
    expect(deliveryIdOf(config, { 'X-Delivery': `${longest}a` }, undefined)).toBeUndefined();
  });

  test('ignores the header sent twice (in two cases) with different values, and takes it when they agree', () => {
    expect(deliveryIdOf(config, { 'X-Delivery': 'one', 'x-delivery': 'two' }, undefined)).toBeUndefined();
    expect(deliveryIdOf(config, { 'X-Delivery': 'one', 'x-delivery': ' one' }, undefined)).toBe('one');
  });

  test("takes the id header from among the request's other headers", () => {
    const headers = { 'Content-Type': 'application/json', 'User-Agent': 'GitHub-Hookshot/044aadd', 'X-Delivery': 'abc-1', 'X-GitHub-Event': 'push' };
    expect(deliveryIdOf(config, headers, undefined)).toBe('abc-1');
  });

  test('a blank copy of the header beside one with a value is no second id: the value is taken', () => {
    expect(deliveryIdOf(config, { 'X-Delivery': 'abc-1', 'x-delivery': '' }, undefined)).toBe('abc-1');
    expect(deliveryIdOf(config, { 'x-delivery': '  ', 'X-Delivery': 'abc-1' }, undefined)).toBe('abc-1');
  });
});

describe('deliveryIdOf, body pointers (RFC 6901)', () => {
  const at = (bodyPointer: string, body: unknown) => deliveryIdAt({ bodyPointer }, {}, body);

  test('follows nested objects and array indexes, of more than one digit too', () => {
    const body = { event: { id: 'ev-1' }, items: [{ id: 'item-0' }, { id: 'item-1' }] };
    expect(at('/event/id', body)).toBe('ev-1');
    expect(at('/items/1/id', body)).toBe('item-1');
    expect(at('/items/0/id', body)).toBe('item-0');
    const eleven = Array.from({ length: 11 }, (_, i) => `item-${i}`);
    expect(at('/items/10', { items: eleven })).toBe('item-10');
  });

  test('unescapes ~1 to "/" and ~0 to "~", in that order', () => {
    const body = { 'a/b': 'slash', 'm~n': 'tilde', '~1': 'literal' };
    expect(at('/a~1b', body)).toBe('slash');
    expect(at('/m~0n', body)).toBe('tilde');
    expect(at('/~01', body)).toBe('literal');
  });

  test('takes only strings, not numbers, booleans, objects or null', () => {
    for (const id of [820982911946154500, true, { id: 'x' }, ['x'], null]) {
      expect(at('/id', { id })).toBeUndefined();
    }
  });

  test('ignores a blank or over-long string, but takes a body value as it is, spaces included', () => {
    expect(at('/id', { id: '' })).toBeUndefined();
    expect(at('/id', { id: '   ' })).toBeUndefined();
    expect(at('/id', { id: 'x'.repeat(MAX_DELIVERY_ID_LENGTH + 1) })).toBeUndefined();
    expect(at('/id', { id: ' evt_1' })).toBe(' evt_1');
  });

  test('finds nothing for a missing key, a bad array index, or a step into a scalar', () => {
    const body = { items: ['a', 'b'], name: 'n' };
    expect(at('/missing', body)).toBeUndefined();
    expect(at('/items/2', body)).toBeUndefined();
    expect(at('/items/-', body)).toBeUndefined();
    expect(at('/items/01', body)).toBeUndefined();
    expect(at('/items/+1', body)).toBeUndefined();
    expect(at('/name/0', body)).toBeUndefined();
  });

  test("follows only the body's own keys, never Object.prototype", () => {
    expect(at('/constructor', {})).toBeUndefined();
    expect(at('/__proto__', JSON.parse('{"__proto__":"own"}'))).toBe('own');
    expect(at('/toString', {})).toBeUndefined();
    expect(resolvePointer({}, '/constructor')).toBeUndefined();
    expect(resolvePointer({ id: 'evt_1' }, '/hasOwnProperty')).toBeUndefined();
  });

  test("an array's members are its elements only: /length names nothing", () => {
    expect(resolvePointer({ items: ['a', 'b'] }, '/items/length')).toBeUndefined();
    expect(resolvePointer({ items: ['a', 'b'] }, '/items/1')).toBe('b');
  });

  test('a step into null finds nothing (and never throws)', () => {
    expect(at('/data/id', { data: null })).toBeUndefined();
    expect(resolvePointer(null, '/id')).toBeUndefined();
  });

  test('a location naming neither a header nor a body pointer finds no id (and never throws)', () => {
    expect(deliveryIdAt({}, { 'X-Delivery': 'abc-1' }, { id: 'evt_1' })).toBeUndefined();
  });

  test('finds nothing with no body, a non-JSON body, or a malformed pointer', () => {
    expect(at('/id', undefined)).toBeUndefined();
    expect(at('/id', 'id=evt_1')).toBeUndefined();
    expect(at('id', { id: 'evt_1' })).toBeUndefined();
    // Without its leading '/', 'xid' is no pointer, though its tail names a key.
    expect(at('xid', { id: 'evt_1' })).toBeUndefined();
    expect(at('/i~2d', { 'i~2d': 'evt_1' })).toBeUndefined();
    expect(at('/id~', { 'id~': 'evt_1' })).toBeUndefined();
  });

  test('the empty pointer is the whole document, and "/" the key ""', () => {
    expect(resolvePointer('evt_1', '')).toBe('evt_1');
    expect(at('', 'evt_1')).toBe('evt_1');
    expect(at('/', { '': 'empty-key' })).toBe('empty-key');
  });
});
