import { Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { CredentialBinding, DataClassification, HttpMethod, Inbound, IntegrationPlatform, Rotation, SecureIntegration, SignatureScheme } from '../../lib';
import { integrationProps, newStack, objectSchema, onlyResource, testFunction } from '../helpers';
import { synthesizePlatform, SynthesizedPlatform } from '../support/config-layers';

// How the rotation function learns how to rotate each secret: the binding the platform writes into
// its config layer, keyed by the secret's name, with deploy-time values as environment references.

const DAY = 24 * 3600;

/** The name of the template's one secret whose name ends with `suffix`. */
function secretNamed(synthesized: SynthesizedPlatform, suffix: string): string {
  const names = Object.values(synthesized.template.findResources('AWS::SecretsManager::Secret'))
    .map((s) => s.Properties.Name as string)
    .filter((n) => n.endsWith(suffix));
  if (names.length !== 1) throw new Error(`expected one secret named *${suffix}, found ${names.length}`);
  return names[0];
}

describe('rotation bindings of a platform with every kind of credential', () => {
  let synthesized: SynthesizedPlatform;
  let binding: (suffix: string) => CredentialBinding;
  let rotationFunction: string;

  beforeAll(() => {
    // GIVEN two Inbound.api integrations (their own app clients), an integration holding a generated
    // token, a partner's Cognito client, a custom-hook credential, and a RESTRICTED signed webhook
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    new SecureIntegration(stack, 'Crm', integrationProps(stack, {}, 'crm.write'));
    new SecureIntegration(stack, 'Orders', {
      owner: 'orders@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, scopes: ['orders.write'] }] }),
    });
    const partnerPool = new cognito.UserPool(stack, 'PartnerPool');
    const partnerClient = partnerPool.addClient('PartnerClient', { generateSecret: true });
    const reportingClient = partnerPool.addClient('ReportingClient', { generateSecret: true });
    new SecureIntegration(stack, 'Erp', {
      owner: 'erp@example.com',
      dataClassification: DataClassification.INTERNAL,
      credentials: [
        { name: 'api-key', rotation: Rotation.generatedToken() },
        { name: 'quarterly-key', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(90) },
        { name: 'partner-client', rotation: Rotation.cognitoClientSecret({ client: { client: partnerClient, userPool: partnerPool } }) },
        {
          name: 'reporting-client',
          rotation: Rotation.cognitoClientSecret({ client: { client: reportingClient, userPool: partnerPool }, tokenEndpoint: 'https://auth.partner.example.com/oauth2/token' }),
        },
        { name: 'hook-key', rotation: Rotation.custom(testFunction(stack, 'Hook')) },
      ],
    });
    new SecureIntegration(stack, 'Payments', {
      owner: 'payments@example.com',
      dataClassification: DataClassification.RESTRICTED,
      piiFields: [],
      inbound: Inbound.webhook({ path: '/webhooks/stripe', bodySchema: objectSchema, signature: SignatureScheme.stripe() }),
    });
    // WHEN
    synthesized = synthesizePlatform(stack);
    const config = synthesized.rotationConfig();
    binding = (suffix) => config.credentials[secretNamed(synthesized, suffix)];
    rotationFunction = synthesized.functionWithLayer('rotation');
  });

  test("every credential and signing secret is bound under its secret's name, naming its integration and credential", () => {
    const names = Object.values(synthesized.template.findResources('AWS::SecretsManager::Secret')).map((s) => s.Properties.Name as string);
    const credentials = synthesized.rotationConfig().credentials;
    expect(Object.keys(credentials).sort()).toEqual([...names].sort());
    expect(Object.values(credentials).map((b) => `${b.integration}/${b.credential}`).sort()).toEqual([
      'Crm/oauth2-client-secret',
      'Erp/api-key',
      'Erp/hook-key',
      'Erp/partner-client',
      'Erp/quarterly-key',
      'Erp/reporting-client',
      'Orders/oauth2-client-secret',
      'Payments/webhook-signing-secret',
    ]);
  });

  test('a generated token is bound with its length and charset (48 alphanumeric characters by default)', () => {
    expect(binding('/Erp/api-key').rotation).toEqual({ strategy: 'generated-token', length: 48, charset: 'alphanumeric' });
  });

  test("an integration's own app client is bound by name, with its user pool and the platform's token endpoint as environment references", () => {
    // THEN
    const rotation = binding('/Crm/oauth2-client-secret').rotation as { strategy: string; userPoolId: { env: string }; client: unknown; tokenEndpoint: { env: string } };
    expect(rotation).toEqual({ strategy: 'cognito-client-secret', userPoolId: { env: expect.any(String) }, client: { name: 'Crm' }, tokenEndpoint: { env: expect.any(String) } });
    // (the platform's pool: the one with the token endpoint's domain)
    const pool = onlyResource(synthesized.template, 'AWS::Cognito::UserPoolDomain').resource.Properties.UserPoolId;
    expect(synthesized.resolve(rotationFunction, rotation.userPoolId)).toEqual(pool);
    const domain = onlyResource(synthesized.template, 'AWS::Cognito::UserPoolDomain').id;
    expect(synthesized.resolve(rotationFunction, rotation.tokenEndpoint)).toEqual({
      'Fn::Join': ['', ['https://', { Ref: domain }, '.auth.eu-west-1.amazoncognito.com/oauth2/token']],
    });
    // AND the client has that name in Cognito
    synthesized.template.hasResourceProperties('AWS::Cognito::UserPoolClient', { ClientName: 'Crm', UserPoolId: pool });
  });

  test('deploy-time values take one environment variable each, whichever bindings share them', () => {
    const crm = binding('/Crm/oauth2-client-secret').rotation as { userPoolId: unknown; tokenEndpoint: unknown };
    const orders = binding('/Orders/oauth2-client-secret').rotation as { userPoolId: unknown; tokenEndpoint: unknown };
    expect(orders.userPoolId).toEqual(crm.userPoolId);
    expect(orders.tokenEndpoint).toEqual(crm.tokenEndpoint);
  });

  test('a client given to Rotation.cognitoClientSecret({ client }) is bound by id, and without a tokenEndpoint its binding has none', () => {
    const rotation = binding('/Erp/partner-client').rotation as { client: { id: { env: string } }; userPoolId: { env: string } };
    expect(rotation).toEqual({ strategy: 'cognito-client-secret', userPoolId: { env: expect.any(String) }, client: { id: { env: expect.any(String) } } });
    const partnerClient = Object.keys(synthesized.template.findResources('AWS::Cognito::UserPoolClient')).find((id) => id.startsWith('PartnerPoolPartnerClient'))!;
    expect(synthesized.resolve(rotationFunction, rotation.client.id)).toEqual({ Ref: partnerClient });
    const partnerPool = Object.keys(synthesized.template.findResources('AWS::Cognito::UserPool')).find((id) => id.startsWith('PartnerPool'))!;
    expect(synthesized.resolve(rotationFunction, rotation.userPoolId)).toEqual({ Ref: partnerPool });
  });

  test('a literal https token endpoint is bound as it is', () => {
    expect(binding('/Erp/reporting-client').rotation).toEqual(expect.objectContaining({ tokenEndpoint: 'https://auth.partner.example.com/oauth2/token' }));
  });

  test("a custom hook is bound by an environment reference that resolves to the hook function's ARN", () => {
    const rotation = binding('/Erp/hook-key').rotation as { strategy: string; hookFunction: { env: string } };
    expect(rotation).toEqual({ strategy: 'custom', hookFunction: { env: expect.stringMatching(/^ROTATION_REF_\d+$/) } });
    const hook = Object.keys(synthesized.template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('Hook'))!;
    expect(synthesized.resolve(rotationFunction, rotation.hookFunction)).toEqual({ 'Fn::GetAtt': [hook, 'Arn'] });
  });

  test.each([
    ['/Erp/api-key', 'INTERNAL, every 30 days', 31, 91],
    ['/Erp/quarterly-key', 'INTERNAL, every 90 days', 91, 92],
    ['/Crm/oauth2-client-secret', 'CONFIDENTIAL, every 30 days', 31, 61],
    ['/signing-secret', 'RESTRICTED, partner-held', 23, 30],
  ])('%s (%s) is due after %d days and overdue after %d', (suffix, _what, ticketDays, pageDays) => {
    expect(binding(suffix)).toEqual(expect.objectContaining({ ticketAfterSeconds: ticketDays * DAY, pageAfterSeconds: pageDays * DAY }));
  });

  test('a partner-held signing secret is bound without a rotation: the function only watches its age', () => {
    expect(binding('/signing-secret')).toEqual({
      integration: 'Payments',
      credential: 'webhook-signing-secret',
      overlapSeconds: DAY,
      ticketAfterSeconds: 23 * DAY,
      pageAfterSeconds: 30 * DAY,
      position: expect.any(Number), // of its ARN suffix in ROTATION_SECRET_SUFFIXES
    });
  });
});

describe('a platform whose only integration is a signed webhook', () => {
  test('still gets the rotation function, for the hourly sweep, with a binding for the signing secret and no rotation schedule', () => {
    // GIVEN
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    new SecureIntegration(stack, 'Hooks', {
      owner: 'hooks@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.webhook({ path: '/hooks', bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256() }),
    });
    // WHEN
    const synthesized = synthesizePlatform(stack);
    // THEN
    const rotationFunction = synthesized.functionWithLayer('rotation');
    synthesized.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)', Targets: [{ Arn: { 'Fn::GetAtt': [rotationFunction, 'Arn'] } }] });
    synthesized.template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    const secret = onlyResource(synthesized.template, 'AWS::SecretsManager::Secret');
    const bindings = synthesized.rotationConfig().credentials;
    expect(bindings).toEqual({ [secret.resource.Properties.Name as string]: expect.objectContaining({ integration: 'Hooks', credential: 'webhook-signing-secret' }) });
    expect(Object.values(bindings)[0]).not.toHaveProperty('rotation');
    // AND the function's role may only describe it and list its versions (by the prefix every library secret shares)
    const policy = Object.values(synthesized.template.findResources('AWS::IAM::ManagedPolicy')).find((p) => String(p.Properties.Description).includes("rotate the platform's credentials"))!;
    const onSigningSecrets = (policy.Properties.PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>).filter((s) => JSON.stringify(s.Resource).endsWith(':secret:integrations/*"]]}'));
    expect(onSigningSecrets).toEqual([expect.objectContaining({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'] })]);
    expect(String(secret.resource.Properties.Name)).toMatch(/^integrations\//);
  });
});
