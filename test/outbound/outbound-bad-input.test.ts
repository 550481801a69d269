// Bad input to Outbound.api is a synth error naming the prop, the value and the fix.
import { Duration } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DataClassification, HttpMethod, IntegrationPlatform, Outbound, OutboundAuth, OutboundPiiMode, SecureIntegration, type ApiOutboundOptions, checkEndpoint } from '../../lib';
import { newStack } from '../helpers';

function build(options: (stack: ReturnType<typeof newStack>) => Partial<ApiOutboundOptions>, extra: { piiFields?: string[]; dataClassification?: DataClassification } = {}): () => void {
  return () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    new SecureIntegration(stack, 'Partner', {
      owner: 'team@example.com',
      dataClassification: extra.dataClassification ?? DataClassification.INTERNAL,
      piiFields: extra.piiFields ?? [],
      outbound: Outbound.api({ endpoint: 'https://api.partner.example/v1/things', auth: OutboundAuth.hmacSha256(), ...options(stack) } as ApiOutboundOptions),
    });
  };
}

const apiKey = (stack: ReturnType<typeof newStack>) => OutboundAuth.apiKey({ header: 'x-api-key', value: secretsmanager.Secret.fromSecretNameV2(stack, 'Key', 'partner/key') });

describe('the endpoint', () => {
  test.each([
    ['http://api.partner.example/v1', /HTTPS only/],
    ['ftp://api.partner.example/v1', /HTTPS only/],
    ['api.partner.example/v1', /absolute URL/],
    ['https://user:pass@api.partner.example/v1', /Credentials never go in the URL/],
    ['https://api.partner.example/v1#frag', /fragment/],
    ['https://10.1.2.3/hook', /private, loopback, link-local/],
    ['https://192.168.0.10/hook', /private/],
    ['https://172.20.0.1/hook', /private/],
    ['https://127.0.0.1:8443/hook', /private/],
    ['https://169.254.10.10/hook', /private/],
    ['https://100.64.0.1/hook', /private/],
    ['https://[::1]/hook', /private/],
    ['https://[fe80::1]/hook', /private/],
    ['https://[fd12:3456::1]/hook', /private/],
    ['https://[::ffff:10.0.0.1]/hook', /private/],
    ['https://localhost/hook', /private/],
    ['https://erp.corp.internal/hook', /private/],
    ['https://printer.local/hook', /private/],
    ['https://169.254.169.254/latest/meta-data', /instance metadata service/],
    ['https://localhost./hook', /private/],
    ['https://erp.corp.internal./hook', /private/],
    ['https://[::ffff:169.254.169.254]/', /instance metadata service/],
  ])('%s is refused', (endpoint, message) => {
    expect(build(() => ({ endpoint }))).toThrow(message);
    expect(build(() => ({ endpoint }))).toThrow(/Partner: invalid `outbound\.endpoint`/);
  });

  test('a private address is admitted with allowPrivateEndpoint, the metadata service never', () => {
    expect(build(() => ({ endpoint: 'https://10.1.2.3/hook', allowPrivateEndpoint: true }))).not.toThrow();
    expect(build(() => ({ endpoint: 'https://169.254.169.254/', allowPrivateEndpoint: true }))).toThrow(/metadata/);
    expect(build(() => ({ endpoint: 'https://[fd00:ec2::254]/', allowPrivateEndpoint: true }))).toThrow(/metadata/);
    expect(build(() => ({ endpoint: 'https://[::ffff:169.254.169.254]/', allowPrivateEndpoint: true }))).toThrow(/metadata/);
  });

  test('public addresses and names pass, and the host is what the inventory records', () => {
    expect(checkEndpoint('X', 'endpoint', 'https://8.8.8.8/hook', false).host).toBe('8.8.8.8');
    expect(checkEndpoint('X', 'endpoint', 'https://api.partner.example:8443/v1?x=1', false)).toEqual({ url: 'https://api.partner.example:8443/v1?x=1', host: 'api.partner.example:8443' });
  });

  test('a longer endpoint than an API destination takes is refused', () => {
    expect(build(() => ({ endpoint: `https://api.partner.example/${'a'.repeat(2100)}` }))).toThrow(/2047 characters/);
  });
});

describe('limits of each mode', () => {
  test('rateLimitPerSecond is 1 to 300, for an API destination only', () => {
    expect(build((s) => ({ auth: apiKey(s), rateLimitPerSecond: 0 }))).toThrow(/outbound\.rateLimitPerSecond.*1 to 300/);
    expect(build((s) => ({ auth: apiKey(s), rateLimitPerSecond: 301 }))).toThrow(/1 to 300/);
    expect(build((s) => ({ auth: apiKey(s), rateLimitPerSecond: 2.5 }))).toThrow(/whole number/);
    expect(build(() => ({ rateLimitPerSecond: 5 }))).toThrow(/maxConcurrency/);
  });

  test('a timeout is for signed calls, 1 second to 5 minutes, and a batch must fit 15 minutes', () => {
    expect(build((s) => ({ auth: apiKey(s), timeout: Duration.seconds(10) }))).toThrow(/waits at most 5 seconds/);
    expect(build(() => ({ timeout: Duration.millis(500) }))).toThrow(/1 second to 5 minutes/);
    expect(build(() => ({ timeout: Duration.minutes(6) }))).toThrow(/1 second to 5 minutes/);
    expect(build(() => ({ timeout: Duration.minutes(5) }))).toThrow(/15 minutes/);
  });

  test('maxConcurrency 2 to 50 and maxAttempts 1 to 1000, for signed calls only', () => {
    expect(build(() => ({ maxConcurrency: 1 }))).toThrow(/outbound\.maxConcurrency/);
    expect(build(() => ({ maxConcurrency: 51 }))).toThrow(/2 .* to 50/);
    expect(build(() => ({ maxAttempts: 0 }))).toThrow(/outbound\.maxAttempts/);
    expect(build((s) => ({ auth: apiKey(s), maxAttempts: 3 }))).toThrow(/185 times over 24 hours/);
  });

  test('tries whose backoff outlasts the queue\'s retention are refused: such records would vanish unseen', () => {
    expect(build(() => ({ maxAttempts: 200 }))).toThrow(/outbound\.maxAttempts.*keeps a record 4 days: give at most \d+/);
    expect(build(() => ({ maxAttempts: 60 }))).not.toThrow();
  });

  test('an API destination cannot reach a private endpoint', () => {
    expect(build((s) => ({ auth: apiKey(s), endpoint: 'https://10.0.0.5/hook', allowPrivateEndpoint: true }))).toThrow(/outbound\.allowPrivateEndpoint.*public network/);
  });

  test('a method without a body is refused', () => {
    expect(build(() => ({ method: HttpMethod.GET }))).toThrow(/POST, PUT or PATCH/);
  });
});

describe('auth kinds without their credential or with bad parts', () => {
  test('no auth at all', () => {
    expect(build(() => ({ auth: undefined as unknown as OutboundAuth }))).toThrow(/outbound\.auth.*Choose how the call authenticates/);
  });

  test('OAuth 2.0: an http token endpoint, an empty client id, a scope with a space', () => {
    const oauth = (s: ReturnType<typeof newStack>, over: Record<string, unknown>) =>
      OutboundAuth.oauth2ClientCredentials({ tokenEndpoint: 'https://auth.partner.example/token', clientId: 'id', clientSecret: secretsmanager.Secret.fromSecretNameV2(s, 'S', 'x'), ...over });
    expect(build((s) => ({ auth: oauth(s, { tokenEndpoint: 'http://auth.partner.example/token' }) }))).toThrow(/outbound\.auth\.tokenEndpoint.*HTTPS only/);
    expect(build((s) => ({ auth: oauth(s, { clientId: '' }) }))).toThrow(/outbound\.auth\.clientId/);
    expect(build((s) => ({ auth: oauth(s, { scopes: ['a b'] }) }))).toThrow(/outbound\.auth\.scopes\[0\]/);
  });

  test('an API key header that is not a token, Basic with a colon in the user name, a reserved signature header', () => {
    expect(build((s) => ({ auth: OutboundAuth.apiKey({ header: 'x api key', value: secretsmanager.Secret.fromSecretNameV2(s, 'K', 'k') }) }))).toThrow(/outbound\.auth\.header/);
    expect(build((s) => ({ auth: OutboundAuth.basic({ username: 'a:b', password: secretsmanager.Secret.fromSecretNameV2(s, 'P', 'p') }) }))).toThrow(/colon/);
    expect(build(() => ({ auth: OutboundAuth.hmacSha256({ header: 'Authorization' }) }))).toThrow(/outbound\.auth\.header/);
  });
});

describe('headers, contract and PII', () => {
  test('reserved headers, values that look like JSON paths or are not printable ASCII', () => {
    expect(build(() => ({ headers: { Authorization: 'Bearer x' } }))).toThrow(/outbound\.headers\.Authorization.*sets this header itself/);
    expect(build(() => ({ headers: { traceparent: '00-x' } }))).toThrow(/sets this header itself/);
    expect(build(() => ({ headers: { 'X-Signature-256': 'x' } }))).toThrow(/sets this header itself/);
    expect(build(() => ({ headers: { 'X-Tenant': '$.detail.tenant' } }))).toThrow(/JSON path/);
    expect(build(() => ({ headers: { 'X-Tenant': 'caf\u00e9' } }))).toThrow(/printable ASCII/);
    for (const name of ['Host', 'Connection', 'Transfer-Encoding', 'Cookie', 'Proxy-Authorization', 'webhook-id']) {
      expect(build(() => ({ headers: { [name]: 'x' } }))).toThrow(/sets this header itself/);
    }
  });

  test('a static header that looks like a credential is refused: it would sit in the template in clear', () => {
    for (const name of ['X-Api-Key', 'x-auth-token', 'X-Client-Secret', 'X-Password']) {
      expect(build(() => ({ headers: { [name]: 'abc' } }))).toThrow(/looks like it carries a credential.*OutboundAuth\.apiKey/);
    }
    expect(build(() => ({ headers: { 'X-Tenant': 'acme', 'X-Api-Version': '2024-06-01' } }))).not.toThrow();
  });

  test('a signature header HTTP or the library sets is refused at synth, not at the sender\'s cold start', () => {
    for (const header of ['Host', 'Connection', 'Transfer-Encoding', 'X-Amzn-Trace-Id', 'webhook-signature']) {
      expect(build(() => ({ auth: OutboundAuth.hmacSha256({ header }) }))).toThrow(/outbound\.auth\.header/);
    }
  });

  test('an invalid payload schema', () => {
    expect(build(() => ({ payloadSchema: { type: 'object', properties: { a: { type: 'strnig' } } } }))).toThrow(/outbound\.payloadSchema.*not a valid JSON Schema/);
    expect(build(() => ({ payloadSchema: [] as unknown as Record<string, unknown> }))).toThrow(/JSON Schema object/);
  });

  test('pii without piiFields, and CONFIDENTIAL piiFields without a decision', () => {
    expect(build(() => ({ pii: OutboundPiiMode.DECRYPT }))).toThrow(/declares no piiFields/);
    expect(build(() => ({}), { dataClassification: DataClassification.CONFIDENTIAL, piiFields: ['customer.email'] })).toThrow(/outbound\.pii.*OutboundPiiMode\.CLEAR or DECRYPT/);
    expect(build(() => ({ pii: OutboundPiiMode.ENCRYPT }), { dataClassification: DataClassification.CONFIDENTIAL, piiFields: ['customer.email'] })).not.toThrow();
  });

  test('DECRYPT needs an inbound side, whose ingest encrypts the fields; CLEAR says they go as produced', () => {
    expect(build(() => ({ pii: OutboundPiiMode.DECRYPT }), { dataClassification: DataClassification.CONFIDENTIAL, piiFields: ['customer.email'] })).toThrow(/outbound\.pii.*only its inbound side does.*CLEAR/);
    expect(build(() => ({ pii: OutboundPiiMode.CLEAR }), { dataClassification: DataClassification.CONFIDENTIAL, piiFields: ['customer.email'] })).not.toThrow();
  });

  test('a signing secret rotated past the classification limit', () => {
    expect(build(() => ({ auth: OutboundAuth.standardWebhooks({ rotateEvery: Duration.days(45) }) }), { dataClassification: DataClassification.RESTRICTED, piiFields: [] })).toThrow(/rotateEvery/);
  });
});
