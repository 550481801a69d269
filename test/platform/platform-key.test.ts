import { Match } from 'aws-cdk-lib/assertions';
import { Template } from 'aws-cdk-lib/assertions';
import { IntegrationPlatform, SecureIntegration } from '../../lib';
import { integrationProps, newStack, onlyResource, platformWithOneIntegration } from '../helpers';

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

  test('Secrets Manager may use the key for callers of this account only', () => {
    const { template } = platformWithOneIntegration();
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowSecretsManagerForThisAccount',
            Condition: { StringEquals: { 'kms:CallerAccount': '111111111111', 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
          }),
        ]),
      },
    });
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
