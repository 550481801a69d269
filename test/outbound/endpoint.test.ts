// checkEndpoint on its own: the synth-time checks of a partner endpoint, at their edges.
import { Token } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../../lib/core/errors';
import { checkEndpoint, MAX_ENDPOINT_LENGTH } from '../../lib/outbound/endpoint';

const check = (endpoint: unknown, allowPrivate = false) => () => checkEndpoint('Partner', 'outbound.endpoint', endpoint, allowPrivate);
const PRIVATE = /The host is a private, loopback, link-local or reserved address \(or a private name\)/;
const METADATA = /That is the instance metadata service, never a partner/;

describe('an endpoint that cannot be checked', () => {
  test.each([
    ['a number', 42],
    ['undefined', undefined],
    ['a URL object', new URL('https://api.partner.example/')],
    ['an unresolved token', Token.asString({ Ref: 'PartnerUrl' })],
    ['a URL with a token in it', `https://${Token.asString({ Ref: 'PartnerHost' })}/v1`],
  ])('%s is refused: the host must be fixed at synth', (_what, endpoint) => {
    expect(check(endpoint)).toThrow(IntegrationConfigError);
    expect(check(endpoint)).toThrow(/^Partner: invalid `outbound\.endpoint` .*\. Give the partner endpoint as a literal https:\/\/ URL: its host is fixed at synth and recorded in the inventory\.$/);
  });
});

describe('credentials in the URL', () => {
  test.each(['https://user@api.partner.example/v1', 'https://:secret@api.partner.example/v1', 'https://user:secret@api.partner.example/v1'])('%s is refused', (endpoint) => {
    expect(check(endpoint)).toThrow(/Credentials never go in the URL: remove the user info and choose an OutboundAuth\./);
  });
});

describe('the length an API destination takes', () => {
  const base = 'https://api.partner.example/';
  const ofLength = (length: number) => `${base}${'a'.repeat(length - base.length)}`;

  test(`exactly ${MAX_ENDPOINT_LENGTH} characters pass`, () => {
    expect(checkEndpoint('Partner', 'outbound.endpoint', ofLength(MAX_ENDPOINT_LENGTH), false)).toEqual({ url: ofLength(MAX_ENDPOINT_LENGTH), host: 'api.partner.example' });
  });

  test('one character more is refused, and the message shows the start of the URL, not all of it', () => {
    const endpoint = ofLength(MAX_ENDPOINT_LENGTH + 1);
    let message = '';
    try {
      checkEndpoint('Partner', 'outbound.endpoint', endpoint, false);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(`Partner: invalid \`outbound.endpoint\` '${endpoint.slice(0, 60)}...'. Give at most 2047 characters (EventBridge's limit for an API destination's endpoint).`);
    expect(message).not.toContain(endpoint);
  });
});

describe('private names are whole labels at the end of the host', () => {
  test.each(['https://localhost.partner.example/', 'https://local.partner.example/', 'https://internal.partner.example/v1', 'https://home.arpa.partner.example/', 'https://mylocalhost/', 'https://api.notinternal/'])(
    '%s is a public name',
    (endpoint) => {
      expect(check(endpoint)).not.toThrow();
    },
  );

  test.each(['https://LOCALHOST/', 'https://printer.LOCAL./', 'https://router.home.arpa/', 'https://erp.Corp.Internal/'])('%s is a private name', (endpoint) => {
    expect(check(endpoint)).toThrow(PRIVATE);
    expect(check(endpoint, true)).not.toThrow();
  });
});

describe('IPv4-mapped IPv6 addresses are their IPv4 address', () => {
  test.each(['https://[::ffff:a9fe:a9fe]/', 'https://[::FFFF:169.254.169.254]/', 'https://[0:0:0:0:0:ffff:a9fe:a9fe]/'])('%s is the metadata service', (endpoint) => {
    expect(check(endpoint, true)).toThrow(METADATA);
  });

  test.each(['https://[::ffff:10.0.0.1]/', 'https://[::ffff:c0a8:1]/', 'https://[::ffff:127.0.0.1]/'])('%s is private', (endpoint) => {
    expect(check(endpoint)).toThrow(PRIVATE);
    expect(check(endpoint, true)).not.toThrow();
  });

  test('a public IPv4 address mapped is public', () => {
    expect(checkEndpoint('Partner', 'outbound.endpoint', 'https://[::ffff:8.8.8.8]/', false)).toEqual({ url: 'https://[::ffff:808:808]/', host: '[::ffff:808:808]' });
  });

  test('an IPv6 address that merely holds the metadata address\'s groups, not as a mapped address, is not the metadata service', () => {
    expect(check('https://[2600::ffff:a9fe:a9fe]/')).not.toThrow();
    expect(check('https://[::ffff:a9fe:a9fe:1]/', true)).not.toThrow();
  });
});

describe('the metadata service', () => {
  test.each(['https://169.254.169.254/', 'https://169.254.169.254./latest', 'https://[FD00:EC2::254]/', 'https://[fd00:ec2:0:0:0:0:0:254]/'])('%s is refused even with allowPrivateEndpoint', (endpoint) => {
    expect(check(endpoint, true)).toThrow(METADATA);
  });

  test('its neighbours are merely private', () => {
    expect(check('https://169.254.169.253/', true)).not.toThrow();
    expect(check('https://[fd00:ec2::253]/', true)).not.toThrow();
  });
});
