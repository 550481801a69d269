import { Match, Template } from 'aws-cdk-lib/assertions';
import { IntegrationPlatform, SecureIntegration, unacknowledgedFindings } from '../../lib';
import { integrationProps, newStack, onlyResource } from '../helpers';

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
    const table = onlyResource(template, 'AWS::DynamoDB::Table').id;
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
