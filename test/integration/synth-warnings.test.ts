// Synth-time warnings for what the inventory's --check or the ingest would act on silently: an
// integration no SLO or heartbeat alarm watches, a PII path no route's schema defines, a format
// the ingest's validator does not know.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, Outbound, Rotation, SecureIntegration, Target } from '../../lib';
import { KNOWN_FORMATS, schemaDefines, undefinedPiiPaths, unknownFormats } from '../../lib/gateway/schema-lint';

const contactSchema = {
  type: 'object',
  required: ['contact'],
  properties: {
    contact: { type: 'object', properties: { email: { type: 'string', format: 'email' }, phone: { type: 'string', format: 'phone-number' } } },
    lines: { type: 'array', items: { $ref: '#/definitions/line' } },
  },
  definitions: { line: { type: 'object', properties: { card: { type: 'string' } } } },
};

function stack() {
  const s = new Stack(new App(), 'Warnings', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(s, 'Platform');
  return s;
}

test('a PII path no route\'s schema defines is a warning naming it; defined ones are not', () => {
  const s = stack();
  new SecureIntegration(s, 'Crm', {
    owner: 'crm@example.com',
    dataClassification: DataClassification.CONFIDENTIAL,
    piiFields: ['contact.emial', 'contact.phone', 'lines[*].card'],
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/crm', bodySchema: contactSchema, scopes: ['crm.write'] }] }),
  });
  const warnings = Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('piiFields'));
  expect(warnings).toHaveLength(1);
  expect(JSON.stringify(warnings[0].entry.data)).toContain('[\\"contact.emial\\"]');
});

test('an unknown format is a warning naming it and where it is', () => {
  const s = stack();
  new SecureIntegration(s, 'Crm', {
    owner: 'crm@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/crm', bodySchema: contactSchema, scopes: ['crm.write'] }] }),
  });
  Annotations.fromStack(s).hasWarning('*', Match.stringLikeRegexp('"phone-number" at /properties/contact/properties/phone.*not checked at all'));
});

test('an integration without an SLO or heartbeat alarm is a warning; a schedule (heartbeat by default) is not', () => {
  const s = stack();
  const job = new IntegrationFunction(s, 'Job', { code: lambda.Code.fromInline('exports.handler = async () => {}') });
  // Only a credential: its age alarms ticket and page, but nothing watches whether the integration works.
  new SecureIntegration(s, 'KeysOnly', {
    owner: 'erp@example.com',
    dataClassification: DataClassification.INTERNAL,
    credentials: [{ name: 'partner-api-key', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(30) }],
  });
  new SecureIntegration(s, 'Hourly', { owner: 'erp@example.com', dataClassification: DataClassification.INTERNAL, outbound: Outbound.schedule({ handler: job.function, every: Duration.hours(1) }) });
  const warnings = Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('no SLO or heartbeat alarm'));
  expect(warnings.map((w) => w.id)).toEqual(['/Warnings/KeysOnly']);
});

describe('schema lint', () => {
  test.each([
    ['contact.email', true],
    ['contact.emial', false],
    ['lines[*].card', true],
    ['lines[*].cvv', false],
    ['contact.*', true],
  ])('%s defined: %p', (path, defined) => {
    expect(schemaDefines(contactSchema, path)).toBe(defined);
  });
  test('paths through anyOf branches and query: entries', () => {
    const schema = { anyOf: [{ properties: { a: { type: 'string' } } }, { properties: { b: { type: 'string' } } }] };
    expect(undefinedPiiPaths(schema, ['a', 'b', 'c', 'query:email'])).toEqual(['c']);
  });
  test('the formats it knows are exactly those the ingest\'s validator (ajv-formats) checks', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- ajv-formats keeps its format table in a submodule
    const { fullFormats } = require('ajv-formats/dist/formats') as { fullFormats: Record<string, unknown> };
    expect([...KNOWN_FORMATS].sort()).toEqual(Object.keys(fullFormats).sort());
  });

  test('known formats pass', () => {
    expect(unknownFormats({ properties: { at: { format: 'date-time' }, id: { format: 'uuid' }, x: { format: 'ssn' } } })).toEqual([{ pointer: '/properties/x', format: 'ssn' }]);
  });
});

test('a Lambda target of encrypted PII fields without grantDecrypt is a warning; with it, none', () => {
  const s = stack();
  const without = new IntegrationFunction(s, 'Without', { code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  const withGrant = new IntegrationFunction(s, 'WithGrant', { code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  new SecureIntegration(s, 'Crm', {
    owner: 'crm@example.com',
    dataClassification: DataClassification.CONFIDENTIAL,
    piiFields: ['contact.email'],
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/crm', bodySchema: contactSchema, scopes: ['crm.write'], target: Target.lambda(without.function) }] }),
  });
  const granted = new SecureIntegration(s, 'Erp', {
    owner: 'erp@example.com',
    dataClassification: DataClassification.CONFIDENTIAL,
    piiFields: ['contact.email'],
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/erp', bodySchema: contactSchema, scopes: ['erp.write'], target: Target.lambda(withGrant.function) }] }),
  });
  granted.grantDecrypt(withGrant.function);
  const warnings = Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('was given no grantDecrypt'));
  expect(warnings.map((w) => w.id)).toEqual(['/Warnings/Crm']);
});
