import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ClientSecretOptions, CredentialProps, DataClassification, HttpMethod, Inbound, IntegrationPlatform, Rotation, RotationWindow, SecureIntegration } from '../../lib';
import { newStack, objectSchema, onlyResource } from '../helpers';
import { synthesizePlatform } from '../support/config-layers';

// Every Inbound.api integration's app-client secret is a managed credential, oauth2-client-secret:
// rotated, listed in the inventory, held to its classification's limits.

function apiIntegration(options: { classification?: DataClassification; clientSecret?: ClientSecretOptions; credentials?: CredentialProps[] } = {}) {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform');
  const integration = new SecureIntegration(stack, 'Crm', {
    owner: 'crm@example.com',
    dataClassification: options.classification ?? DataClassification.CONFIDENTIAL,
    piiFields: ['email'],
    inbound: Inbound.api({
      routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'] }],
      clientSecret: options.clientSecret,
    }),
    credentials: options.credentials,
  });
  return { stack, platform, integration };
}

describe("an Inbound.api integration's client secret", () => {
  test('is the managed credential oauth2-client-secret, rotated every 30 days by default', () => {
    // GIVEN / WHEN a CONFIDENTIAL integration without clientSecret options
    const { stack, platform, integration } = apiIntegration();
    const template = Template.fromStack(stack);
    // THEN
    const credential = integration.credentials['oauth2-client-secret'];
    expect(credential).toBeDefined();
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret');
    expect(secret.resource.Properties.Name).toBe(`${platform.secretNamePrefix}/Crm/oauth2-client-secret`);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { SecretId: { Ref: secret.id }, RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: '4h' } });
  });

  test("waits for the user pool domain before its first rotation, which runs when the schedule is created", () => {
    // GIVEN / WHEN
    const { stack } = apiIntegration();
    const template = Template.fromStack(stack);
    // THEN the schedule depends on the domain that serves the token endpoint
    const domain = onlyResource(template, 'AWS::Cognito::UserPoolDomain');
    expect(onlyResource(template, 'AWS::SecretsManager::RotationSchedule').resource.DependsOn).toEqual(expect.arrayContaining([domain.id]));
  });

  test("starts as the user pool's and client's ids without a secret, so that the first rotation adopts the one Cognito generated", () => {
    const { stack } = apiIntegration();
    const template = Template.fromStack(stack);
    const pool = onlyResource(template, 'AWS::Cognito::UserPool').id;
    const client = onlyResource(template, 'AWS::Cognito::UserPoolClient').id;
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret').resource.Properties;
    expect(secret.SecretString).toEqual({ 'Fn::Join': ['', ['{"userPoolId":"', { Ref: pool }, '","clientId":"', { Ref: client }, '"}']] });
    expect(JSON.stringify(secret.SecretString)).not.toContain('clientSecret');
    expect(secret.GenerateSecretString).toBeUndefined();
  });

  test('is bound to the app client by its name, the integration name, with the platform token endpoint', () => {
    // GIVEN
    const { stack, platform } = apiIntegration();
    // WHEN
    const synthesized = synthesizePlatform(stack);
    // THEN
    synthesized.template.hasResourceProperties('AWS::Cognito::UserPoolClient', { ClientName: 'Crm', GenerateSecret: true });
    const binding = synthesized.rotationConfig().credentials[`${platform.secretNamePrefix}/Crm/oauth2-client-secret`];
    expect(binding).toEqual(
      expect.objectContaining({
        integration: 'Crm',
        credential: 'oauth2-client-secret',
        rotation: expect.objectContaining({ strategy: 'cognito-client-secret', client: { name: 'Crm' }, tokenEndpoint: { env: expect.any(String) } }),
      }),
    );
  });

  test('is listed in the inventory with its schedule', () => {
    const { integration } = apiIntegration();
    expect(integration.inventorySource().credentials).toEqual([
      expect.objectContaining({ name: 'oauth2-client-secret', rotationSchedule: 'rate(30 days)', maxRotationIntervalDays: 30, rotationPeriodDays: 30 }),
    ]);
  });

  test('rotates on the period, window and overlap given in Inbound.api({ clientSecret })', () => {
    // GIVEN
    const { stack, platform } = apiIntegration({
      clientSecret: { rotationWindow: RotationWindow.cron('cron(0 3 ? * MON *)', Duration.hours(2)), overlap: Duration.hours(6) },
    });
    // WHEN
    const synthesized = synthesizePlatform(stack);
    // THEN
    synthesized.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'cron(0 3 ? * MON *)', Duration: '2h' } });
    expect(synthesized.rotationConfig().credentials[`${platform.secretNamePrefix}/Crm/oauth2-client-secret`].overlapSeconds).toBe(6 * 3600);
  });

  test.each([
    [DataClassification.RESTRICTED, 30],
    [DataClassification.CONFIDENTIAL, 60],
  ])('of a %s integration may rotate every %d days but no less often', (classification, days) => {
    expect(() => apiIntegration({ classification, clientSecret: { rotateEvery: Duration.days(days) } })).not.toThrow();
    expect(() => apiIntegration({ classification, clientSecret: { rotateEvery: Duration.days(days + 1) } })).toThrow(
      new RegExp(`invalid \`[^\`]+\` '${days + 1} days between rotations'.*${classification} credentials rotate at least every ${days} days`),
    );
  });

  test('of a RESTRICTED integration rotating every 60 days is a synth error', () => {
    expect(() => apiIntegration({ classification: DataClassification.RESTRICTED, clientSecret: { rotateEvery: Duration.days(60) } })).toThrow(
      /RESTRICTED credentials rotate at least every 30 days/,
    );
  });

  test('with an overlap over 7 days is a synth error naming inbound.clientSecret.overlap', () => {
    expect(() => apiIntegration({ clientSecret: { overlap: Duration.days(8) } })).toThrow(/invalid `inbound\.clientSecret\.overlap` '8 days'.*to 7 days/);
  });

  test('cannot be rotated by a second Rotation.cognitoClientSecret() credential', () => {
    expect(() => apiIntegration({ credentials: [{ name: 'client-secret', rotation: Rotation.cognitoClientSecret() }] })).toThrow(
      /invalid `credentials\[0\]\.rotation` 'Rotation\.cognitoClientSecret\(\)'.*Credential Crm\/oauth2-client-secret already rotates the secret of app client TestStack\/Crm\/Client.*Inbound\.api\(\{ clientSecret \}\)/,
    );
  });

  test('cannot be shadowed by a credential named oauth2-client-secret', () => {
    expect(() => apiIntegration({ credentials: [{ name: 'oauth2-client-secret', rotation: Rotation.generatedToken() }] })).toThrow(
      /invalid `credentials\[0\]\.name` 'oauth2-client-secret'.*managed credential oauth2-client-secret: configure it with Inbound\.api\(\{ clientSecret \}\)/,
    );
  });
});

describe('Rotation.cognitoClientSecret({ client })', () => {
  function partnerClient(rotations: (client: { client: cognito.UserPoolClient; userPool: cognito.UserPool }) => Array<[string, CredentialProps[]]>) {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    const userPool = new cognito.UserPool(stack, 'PartnerPool');
    const client = userPool.addClient('PartnerClient', { generateSecret: true });
    for (const [name, credentials] of rotations({ client, userPool })) {
      new SecureIntegration(stack, name, { owner: 'erp@example.com', dataClassification: DataClassification.INTERNAL, credentials });
    }
    return stack;
  }

  test("starts as the pool's and client's ids without a client secret, so that its first rotation adopts the client's current one", () => {
    // GIVEN / WHEN
    const stack = partnerClient((client) => [['Erp', [{ name: 'partner-client', rotation: Rotation.cognitoClientSecret({ client }) }]]]);
    // THEN
    const template = Template.fromStack(stack);
    const pool = Object.keys(template.findResources('AWS::Cognito::UserPool')).find((id) => id.startsWith('PartnerPool'))!;
    const client = onlyResource(template, 'AWS::Cognito::UserPoolClient').id;
    const secret = onlyResource(template, 'AWS::SecretsManager::Secret').resource.Properties;
    expect(secret.SecretString).toEqual({ 'Fn::Join': ['', ['{"userPoolId":"', { Ref: pool }, '","clientId":"', { Ref: client }, '"}']] });
  });

  test('rotating one client from two credentials is a synth error, even across integrations', () => {
    expect(() =>
      partnerClient((client) => [
        ['Erp', [{ name: 'partner-client', rotation: Rotation.cognitoClientSecret({ client }) }]],
        ['Billing', [{ name: 'partner-client', rotation: Rotation.cognitoClientSecret({ client }) }]],
      ]),
    ).toThrow(/Billing: invalid `credentials\[0\]\.rotation`.*Credential Erp\/partner-client already rotates the secret of app client TestStack\/PartnerPool\/PartnerClient/);
  });

  test.each([['http://auth.partner.example.com/oauth2/token'], ['auth.partner.example.com/oauth2/token'], ['https://']])('with tokenEndpoint %s is a synth error', (tokenEndpoint) => {
    expect(() => partnerClient((client) => [['Erp', [{ name: 'partner-client', rotation: Rotation.cognitoClientSecret({ client, tokenEndpoint }) }]]])).toThrow(
      /invalid `credentials\[0\]\.rotation\.tokenEndpoint`.*give its https:\/\/ URL/,
    );
  });

  test('with an https tokenEndpoint is accepted', () => {
    expect(() =>
      partnerClient((client) => [['Erp', [{ name: 'partner-client', rotation: Rotation.cognitoClientSecret({ client, tokenEndpoint: 'https://auth.partner.example.com/oauth2/token' }) }]]]),
    ).not.toThrow();
  });
});
