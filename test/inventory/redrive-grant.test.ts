// IntegrationQueue.grantRedrive: what an operator needs to run `cdk-secure-integrations redrive`
// on an integration's queue, and nothing wider.
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, Target } from '../../lib';
import { newStack, objectSchema, testFunction } from '../helpers';

function operatorWithRedrive(withTable: boolean) {
  // GIVEN an integration with its own queue and an operator role
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform');
  const crm = new SecureIntegration(stack, 'Crm', {
    owner: 'crm@example.com',
    dataClassification: DataClassification.INTERNAL,
    piiFields: [],
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'] }] }),
  });
  const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
  // WHEN
  const grant = crm.queue!.grantRedrive(operator, withTable ? { inventoryTable: platform.inventory.table } : {});
  const template = Template.fromStack(stack);
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  const policy = () => {
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id(operator) }] } });
    return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
  };
  return { stack, crm, platform, grant, template, id, policy };
}

describe('grantRedrive', () => {
  test('the move task actions, receive, delete and attributes on the dead-letter queue only', () => {
    const { crm, grant, id, policy } = operatorWithRedrive(false);
    expect(grant.success).toBe(true);
    expect(policy()).toContainEqual({
      Effect: 'Allow',
      Action: [
        'sqs:StartMessageMoveTask',
        'sqs:ListMessageMoveTasks',
        'sqs:CancelMessageMoveTask',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
      ],
      Resource: { 'Fn::GetAtt': [id(crm.queue!.deadLetterQueue), 'Arn'] },
    });
  });

  test('send (and read the redrive policy) on the queue only', () => {
    const { crm, id, policy } = operatorWithRedrive(false);
    expect(policy()).toContainEqual({ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: { 'Fn::GetAtt': [id(crm.queue!.queue), 'Arn'] } });
  });

  test('the platform key for decrypt and data keys, through SQS only', () => {
    const { platform, id, policy } = operatorWithRedrive(false);
    expect(policy()).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: { 'Fn::GetAtt': [id(platform.encryptionKey), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
    });
  });

  test('without a table: no DynamoDB access', () => {
    const { policy } = operatorWithRedrive(false);
    expect(JSON.stringify(policy())).not.toContain('dynamodb:');
  });

  test('with the inventory table: read it, write redrive history items only (REDRIVE# keys), the key through DynamoDB', () => {
    const { platform, id, policy } = operatorWithRedrive(true);
    const table = { 'Fn::GetAtt': [id(platform.inventory.table as never), 'Arn'] };
    expect(policy()).toContainEqual({ Effect: 'Allow', Action: ['dynamodb:Scan', 'dynamodb:GetItem'], Resource: table });
    expect(policy()).toContainEqual({ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: table, Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REDRIVE#*'] } } });
    expect(policy()).toContainEqual(
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Condition: { StringEquals: { 'kms:ViaService': expect.anything() } } }),
    );
  });
});

describe('SecureIntegration.grantRedrive', () => {
  test('grants the queue permissions and the register with the platform\'s own table', () => {
    const stack = newStack();
    const platform = new IntegrationPlatform(stack, 'Platform');
    const crm = new SecureIntegration(stack, 'Crm', {
      owner: 'crm@example.com',
      dataClassification: DataClassification.INTERNAL,
      piiFields: [],
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'] }] }),
    });
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    expect(crm.grantRedrive(operator).success).toBe(true);
    const statements = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(statements).toContain('sqs:StartMessageMoveTask');
    expect(statements).toContain(stack.getLogicalId(platform.inventory.table.node.defaultChild as never));
  });

  test('an integration without a queue of its own is a synth error naming the fix', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    const fn = testFunction(stack);
    const crm = new SecureIntegration(stack, 'Crm', {
      owner: 'crm@example.com',
      dataClassification: DataClassification.INTERNAL,
      piiFields: [],
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'], target: Target.lambda(fn) }] }),
    });
    expect(() => crm.grantRedrive(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }))).toThrow(/Target.defaultQueue/);
  });
});
