// The secrets-and-data rules of IntegrationSecurityChecks, each on a compliant and a non-compliant template.
import { rotationIntervalDays } from '../../../lib/compliance/rules/secrets-and-data/secret-rotated-within-90-days';
import { findings, newStack, resource } from './judge';

describe('SD1 SecretCustomerManagedKey', () => {
  test('a secret without KmsKeyId, or on aws/secretsmanager, is a finding', () => {
    const stack = newStack();
    resource(stack, 'Good', 'AWS::SecretsManager::Secret', { KmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/1' });
    resource(stack, 'Default', 'AWS::SecretsManager::Secret', {});
    resource(stack, 'Managed', 'AWS::SecretsManager::Secret', { KmsKeyId: 'alias/aws/secretsmanager' });
    expect(findings(stack, 'SD1').sort()).toEqual(['Default', 'Managed']);
  });
});

describe('SD2 SecretRotatedWithin90Days', () => {
  const rotate = (stack: ReturnType<typeof newStack>, id: string, secret: string, rules: Record<string, unknown>) =>
    resource(stack, id, 'AWS::SecretsManager::RotationSchedule', { SecretId: { Ref: secret }, RotationLambdaARN: 'arn:aws:lambda:eu-west-1:111111111111:function:rotate', RotationRules: rules });

  test('a secret rotated every 30 days is compliant; every 120 days, or never, is a finding', () => {
    const stack = newStack();
    resource(stack, 'Monthly', 'AWS::SecretsManager::Secret', {});
    rotate(stack, 'MonthlyRotation', 'Monthly', { ScheduleExpression: 'rate(30 days)' });
    resource(stack, 'Slow', 'AWS::SecretsManager::Secret', {});
    rotate(stack, 'SlowRotation', 'Slow', { AutomaticallyAfterDays: 120 });
    resource(stack, 'Never', 'AWS::SecretsManager::Secret', {});
    expect(findings(stack, 'SD2').sort()).toEqual(['Never', 'Slow']);
  });

  test('a schedule without a rotation function does not rotate', () => {
    const stack = newStack();
    resource(stack, 'Secret', 'AWS::SecretsManager::Secret', {});
    resource(stack, 'Schedule', 'AWS::SecretsManager::RotationSchedule', { SecretId: { Ref: 'Secret' }, RotationRules: { AutomaticallyAfterDays: 30 } });
    expect(findings(stack, 'SD2')).toEqual(['Secret']);
  });

  test.each([
    [{ AutomaticallyAfterDays: 90 }, 90],
    [{ ScheduleExpression: 'rate(12 hours)' }, 0.5],
    [{ ScheduleExpression: 'cron(0 3 1 * ? *)' }, 31],
    [{ ScheduleExpression: 'cron(0 3 1 1 ? *)' }, undefined],
    [{ ScheduleExpression: 'rate(2 weeks)' }, undefined],
  ])('rotation interval of %j is %p days', (rules, days) => {
    expect(rotationIntervalDays(rules)).toBe(days);
  });
});

describe('SD3 NoCredentialEnvironmentVariables', () => {
  const fn = (stack: ReturnType<typeof newStack>, id: string, variables: Record<string, unknown>) =>
    resource(stack, id, 'AWS::Lambda::Function', { Role: 'arn:aws:iam::111111111111:role/r', Code: { ZipFile: 'x' }, Environment: { Variables: variables } });
  test('a literal value under a credential name is a finding; ARNs, references and other names are not', () => {
    const stack = newStack();
    fn(stack, 'Literal', { STRIPE_API_KEY: 'sk_live_123' });
    fn(stack, 'Password', { DB_PASSWORD: 'hunter2' });
    fn(stack, 'Arn', { STRIPE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:s', WEBHOOK_SECRET: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:w' });
    fn(stack, 'Ref', { AUTH_TOKEN: { Ref: 'SomeParameter' } });
    fn(stack, 'Other', { TABLE_NAME: 'orders', LOG_LEVEL: 'INFO' });
    expect(findings(stack, 'SD3').sort()).toEqual(['Literal', 'Password']);
  });
});

describe('SD4 QueueCustomerManagedKey', () => {
  test('a queue on SQS-managed SSE or aws/sqs is a finding', () => {
    const stack = newStack();
    resource(stack, 'Good', 'AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } });
    resource(stack, 'SqsManaged', 'AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    resource(stack, 'AwsManaged', 'AWS::SQS::Queue', { KmsMasterKeyId: 'alias/aws/sqs' });
    expect(findings(stack, 'SD4').sort()).toEqual(['AwsManaged', 'SqsManaged']);
  });
});

describe('SD5 TableCustomerManagedKey', () => {
  const keys = { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' };
  test('a table on the AWS owned or AWS managed key is a finding', () => {
    const stack = newStack();
    resource(stack, 'Good', 'AWS::DynamoDB::Table', { ...keys, SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/1' } });
    resource(stack, 'Owned', 'AWS::DynamoDB::Table', keys);
    resource(stack, 'Managed', 'AWS::DynamoDB::Table', { ...keys, SSESpecification: { SSEEnabled: true, SSEType: 'KMS' } });
    expect(findings(stack, 'SD5').sort()).toEqual(['Managed', 'Owned']);
  });
});
