import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataClassification, Inbound, IntegrationPlatform, ManagedPolicyRole, SecureIntegration, SignatureScheme } from '../../lib';
import { integrationProps, newStack, objectSchema, onlyResource, platformWithOneIntegration } from '../helpers';
import { evaluate, fakeArnOf, identityPolicyOfRole, keyPolicy, type TemplateJson } from '../support/iam-policy-evaluator';

describe('platform key', () => {
  test('rotation is on and the key is retained', () => {
    // GIVEN / WHEN
    const { template } = platformWithOneIntegration();
    // THEN
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('CloudWatch Logs may use the key only for log groups of this account and region', () => {
    const { template } = platformWithOneIntegration();
    const { resource } = onlyResource(template, 'AWS::KMS::Key');
    const statements = (resource.Properties.KeyPolicy as { Statement: Array<Record<string, unknown>> }).Statement;
    const logs = statements.find((s) => s.Sid === 'AllowCloudWatchLogsOfThisAccount');
    expect(logs).toEqual(
      expect.objectContaining({
        Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
        Condition: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111111111111:log-group:*']] },
          },
        },
      }),
    );
  });

  test('no statement admits every principal of the account through Secrets Manager: a role needs a grant of its own, the library\'s roles and the named writers have one', () => {
    const stack = new Stack(new App(), 'Key', { env: { account: '123456789012', region: 'us-east-1' } });
    new IntegrationPlatform(stack, 'Platform');
    const writer = iam.Role.fromRoleArn(stack, 'Writer', 'arn:aws:iam::123456789012:role/webhook-secret-operators');
    new SecureIntegration(stack, 'Hooks', {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.webhook({ path: '/hooks', bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256(), signingSecretWriters: [writer] }),
    });
    // A role of the account allowed to read every secret, with no KMS permission of its own.
    const reader = new ManagedPolicyRole(stack, 'SecretsReader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    reader.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    const json = Template.fromStack(stack).toJSON() as TemplateJson;
    const keyId = Object.keys(json.Resources).find((id) => json.Resources[id].Type === 'AWS::KMS::Key')!;
    const key = fakeArnOf(json, keyId);
    const viaSecretsManager = { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:CallerAccount': '123456789012' };
    const decrypt = (principalArn: string, identity: ReturnType<typeof identityPolicyOfRole>) =>
      evaluate({ principal: { arn: principalArn }, action: 'kms:Decrypt', resource: key, context: viaSecretsManager }, { identity, resource: keyPolicy(json, keyId) });
    const roleId = (prefix: string) => Object.keys(json.Resources).find((id) => id.startsWith(prefix) && json.Resources[id].Type === 'AWS::IAM::Role')!;
    expect(decrypt(fakeArnOf(json, roleId('SecretsReader')), identityPolicyOfRole(json, roleId('SecretsReader')))).toBe('ImplicitDeny');
    expect(decrypt(fakeArnOf(json, roleId('PlatformIngest')), identityPolicyOfRole(json, roleId('PlatformIngest')))).toBe('Allow');
    expect(decrypt(fakeArnOf(json, roleId('PlatformRotation')), identityPolicyOfRole(json, roleId('PlatformRotation')))).toBe('Allow');
    // The writer is named in the key policy (by aws:PrincipalArn), through Secrets Manager only.
    expect(decrypt('arn:aws:iam::123456789012:role/webhook-secret-operators', [])).toBe('Allow');
    expect(evaluate({ principal: { arn: 'arn:aws:iam::123456789012:role/webhook-secret-operators' }, action: 'kms:Decrypt', resource: key, context: { 'kms:CallerAccount': '123456789012' } }, { resource: keyPolicy(json, keyId) })).toBe('ImplicitDeny');
  });

  test('the alarm topic is encrypted with the key and denies requests without TLS', () => {
    const stack = newStack();
    const platform = new IntegrationPlatform(stack, 'Platform');
    new SecureIntegration(stack, 'Things', integrationProps(stack));
    expect(platform.alarmTopic).toBeDefined();
    const template = Template.fromStack(stack);
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});
