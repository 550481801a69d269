import { Match, Template } from 'aws-cdk-lib/assertions';
import { DataClassification, Inbound, IntegrationPlatform, SecureIntegration, SignatureScheme, unacknowledgedFindings } from '../../lib';
import { INTEGRATION_SECRET_NAME_ROOT } from '../../lib/inventory/event-patterns';
import { integrationProps, newStack, objectSchema, onlyResource } from '../helpers';

describe('the integration register', () => {
  const stack = newStack();
  new IntegrationPlatform(stack, 'Platform');
  new SecureIntegration(stack, 'Crm', integrationProps(stack, {}, 'contacts.write'));
  new SecureIntegration(stack, 'Orders', integrationProps(stack, {}, 'orders.write'));
  const template = Template.fromStack(stack);

  test('is an on-demand table on the platform key with PITR, deletion protection and GSIs by owner and classification, retained', () => {
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] }, SSEEnabled: true, SSEType: 'KMS' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({ IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }, { AttributeName: 'name', KeyType: 'RANGE' }] }),
          Match.objectLike({ IndexName: 'byClassification', KeySchema: [{ AttributeName: 'dataClassification', KeyType: 'HASH' }, { AttributeName: 'name', KeyType: 'RANGE' }] }),
        ],
      }),
      DeletionPolicy: 'Retain',
    });
  });

  test('one writer function serves a custom resource per integration, carrying the record', () => {
    const records = Object.values(template.findResources('Custom::IntegrationInventoryRecord'));
    expect(records).toHaveLength(2);
    const tokens = new Set(records.map((r) => JSON.stringify(r.Properties.ServiceToken)));
    expect(tokens.size).toBe(1);
    expect(JSON.stringify(records[0].Properties.Record)).toContain('\\"owner\\":\\"team@example.com\\"');
  });

  test('rotation and alarm events reach the writer, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.secretsmanager'], detail: Match.objectLike({ eventName: ['RotationSucceeded', 'RotationFailed'] }) }),
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 }, DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.cloudwatch'], detail: { alarmName: [{ prefix: 'TestStack-integrations-' }] } }),
    });
  });

  test('the writer may read and write the table only, and use the key only through DynamoDB', () => {
    // The register's table (the platform's deduplication table is the other one, with a TTL).
    const table = Object.entries(template.findResources('AWS::DynamoDB::Table')).find(([, t]) => !t.Properties.TimeToLiveSpecification)![0];
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'], Resource: { 'Fn::GetAtt': [table, 'Arn'] } }),
        ]),
      },
    });
  });

  test('passes the five packs (the test helper\'s stand-in handlers aside)', () => {
    expect(unacknowledgedFindings(stack).filter((f) => !f.path.startsWith('TestStack/Fn'))).toEqual([]);
  });
});

describe('the register\'s Secrets Manager rules', () => {
  // GIVEN a platform with an API integration (a rotated client secret) and a webhook (a partner-held signing secret)
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform');
  new SecureIntegration(stack, 'Orders', integrationProps(stack, {}, 'orders.write'));
  new SecureIntegration(stack, 'Hooks', {
    owner: 'hooks@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.webhook({ path: '/hooks', bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256() }),
  });
  const template = Template.fromStack(stack);
  const secretArnPrefix = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:secretsmanager:eu-west-1:111111111111:secret:${name}`]] });
  const secretNames = Object.values(template.findResources('AWS::SecretsManager::Secret')).map((r) => r.Properties.Name as string);

  test('rotation outcomes are matched for the platform\'s rotated credentials only, by ARN prefix', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ eventName: ['RotationSucceeded', 'RotationFailed'], additionalEventData: { SecretId: [{ prefix: secretArnPrefix(`${platform.secretNamePrefix}/`) }] } }),
      }),
    });
  });

  test('successful PutSecretValue and UpdateSecret calls of the integrations\' secrets reach the writer, with retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.secretsmanager'],
        'detail-type': ['AWS API Call via CloudTrail'],
        'detail': {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['PutSecretValue', 'UpdateSecret'],
          errorCode: [{ exists: false }],
          responseElements: { arn: [{ prefix: secretArnPrefix(INTEGRATION_SECRET_NAME_ROOT) }] },
        },
      },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  test('every secret the platform creates is under the value-change prefix: the signing secret and the rotated credentials', () => {
    expect(secretNames.filter((n) => n.endsWith('/signing-secret'))).toHaveLength(1);
    expect(secretNames.filter((n) => n.startsWith(`${platform.secretNamePrefix}/`))).not.toHaveLength(0);
    for (const name of secretNames) expect(name.startsWith(INTEGRATION_SECRET_NAME_ROOT)).toBe(true);
  });
});
