// IntegrationQueue.grantRedrive: what an operator needs to run `cdk-secure-integrations redrive`
// on an integration's queue, and nothing wider. The register writes are checked by what the
// operator's identity policy DOES (test/support/iam-policy-evaluator.ts), for the PutItem requests
// the CLI makes and those an operator could make with other tools.
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, IntegrationQueue, SecureIntegration, Target } from '../../lib';
import { REDRIVE_HISTORY_ATTRIBUTES, recordKey, redriveHistoryKey } from '../../lib/inventory/table-design';
import { newStack, objectSchema, testFunction } from '../helpers';
import { type Decision, evaluate, fakeArnOf, identityPolicyOfRole, resolveIntrinsics, type TemplateJson } from '../support/iam-policy-evaluator';

function integration(stack: Stack, name: string) {
  return new SecureIntegration(stack, name, {
    owner: 'crm@example.com',
    dataClassification: DataClassification.INTERNAL,
    piiFields: [],
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/${name.toLowerCase()}`, bodySchema: objectSchema, scopes: [`${name.toLowerCase()}.write`] }] }),
  });
}

function operatorWithRedrive(withTable: boolean) {
  // GIVEN an integration with its own queue and an operator role
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform');
  const crm = integration(stack, 'Crm');
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

/** The integration ids the template registers (its inventory records' custom resources), by integration name. */
function registeredIds(template: TemplateJson): Map<string, string> {
  const ids = new Map<string, string>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'Custom::IntegrationInventoryRecord') continue;
    const record = JSON.parse(resolveIntrinsics(resource.Properties!.Record, template) as string) as { name: string; integrationId: string };
    ids.set(record.name, record.integrationId);
  }
  return ids;
}

/** A stack with two integrations sharing the platform's register, the operator granted the redrive of Crm only (SecureIntegration.grantRedrive). */
function registerWrites(stack: Stack) {
  const platform = new IntegrationPlatform(stack, 'Platform');
  const crm = integration(stack, 'Crm');
  integration(stack, 'Billing');
  const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
  crm.grantRedrive(operator);
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const operatorId = stack.getLogicalId(operator.node.defaultChild as iam.CfnRole);
  const identity = identityPolicyOfRole(template, operatorId);
  const principal = { arn: fakeArnOf(template, operatorId) };
  const table = fakeArnOf(template, stack.getLogicalId(platform.inventory.table.node.defaultChild as dynamodb.CfnTable));
  const ids = registeredIds(template);
  /** The decision on a PutItem of an item with partition key `pk` and these top-level attributes. */
  const put = (pk: string, attributes: readonly string[]): Decision =>
    evaluate({ principal, action: 'dynamodb:PutItem', resource: table, context: { 'dynamodb:LeadingKeys': [pk], 'dynamodb:Attributes': [...attributes] } }, { identity });
  const read = (action: string): Decision => evaluate({ principal, action, resource: table }, { identity });
  return { put, read, crmId: ids.get('Crm')!, billingId: ids.get('Billing')! };
}

const RECORD_ATTRIBUTES = ['pk', 'sk', 'schemaVersion', 'integrationId', 'name', 'owner', 'dataClassification', 'targets', 'deadLetterQueues', 'status', 'version'];

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

  test("with the inventory table: read it, put this integration's history item with the history's attributes only, the key through DynamoDB", () => {
    const { platform, crm, id, policy } = operatorWithRedrive(true);
    const table = { 'Fn::GetAtt': [id(platform.inventory.table as never), 'Arn'] };
    const crmId = `111111111111:eu-west-1:TestStack:${crm.integrationName}`;
    expect(policy()).toContainEqual({ Effect: 'Allow', Action: ['dynamodb:Scan', 'dynamodb:GetItem'], Resource: table });
    expect(policy()).toContainEqual({
      Effect: 'Allow',
      Action: 'dynamodb:PutItem',
      Resource: table,
      Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [`REDRIVE#${crmId}`], 'dynamodb:Attributes': ['pk', 'sk', 'integrationId', 'entries', 'version', 'updatedAt'] } },
    });
    expect(policy()).toContainEqual(
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Condition: { StringEquals: { 'kms:ViaService': expect.anything() } } }),
    );
  });
});

describe('grantRedrive: what the operator may write in the register (evaluated)', () => {
  const { put, read, crmId, billingId } = registerWrites(newStack());

  test("the CLI's history write of its own integration is allowed, and so are the reads it makes", () => {
    expect(put(redriveHistoryKey(crmId).pk, REDRIVE_HISTORY_ATTRIBUTES)).toBe('Allow');
    expect(read('dynamodb:Scan')).toBe('Allow');
    expect(read('dynamodb:GetItem')).toBe('Allow');
  });

  test("another integration's history is refused", () => {
    expect(put(redriveHistoryKey(billingId).pk, REDRIVE_HISTORY_ATTRIBUTES)).toBe('ImplicitDeny');
  });

  test('a record, at a record key or planted in a history partition, is refused', () => {
    expect(put(recordKey(crmId).pk, RECORD_ATTRIBUTES)).toBe('ImplicitDeny');
    expect(put(recordKey(crmId).pk, REDRIVE_HISTORY_ATTRIBUTES)).toBe('ImplicitDeny');
    expect(put('REDRIVE#ghost', RECORD_ATTRIBUTES)).toBe('ImplicitDeny');
    expect(put('REDRIVE#ghost', REDRIVE_HISTORY_ATTRIBUTES)).toBe('ImplicitDeny');
  });

  test("the operator's own history partition takes no record attribute (nothing for the owner and classification indexes)", () => {
    expect(put(redriveHistoryKey(crmId).pk, RECORD_ATTRIBUTES)).toBe('ImplicitDeny');
    for (const attribute of ['owner', 'name', 'dataClassification', 'queueArn']) {
      expect(put(redriveHistoryKey(crmId).pk, [...REDRIVE_HISTORY_ATTRIBUTES, attribute])).toBe('ImplicitDeny');
    }
  });

  test('no other write action', () => {
    for (const action of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert']) expect(read(action)).toBe('ImplicitDeny');
  });

  test('in a stack without an account or region, the history key is the one the record is registered under (one Fn::Join)', () => {
    const agnostic = registerWrites(new Stack(new App(), 'Agnostic'));
    expect(agnostic.crmId).toBe('123456789012:us-east-1:Agnostic:Crm');
    expect(agnostic.put(redriveHistoryKey(agnostic.crmId).pk, REDRIVE_HISTORY_ATTRIBUTES)).toBe('Allow');
    expect(agnostic.put(redriveHistoryKey(agnostic.billingId).pk, REDRIVE_HISTORY_ATTRIBUTES)).toBe('ImplicitDeny');
  });
});

describe('grantRedrive: the inventory table key', () => {
  function grantWith(table: (stack: Stack) => dynamodb.ITable) {
    const stack = newStack();
    const platform = new IntegrationPlatform(stack, 'Platform');
    const crm = integration(stack, 'Crm');
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    crm.queue!.grantRedrive(operator, { inventoryTable: table(stack) });
    return { stack, platform, statements: JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy')) };
  }

  test('an imported table without a known key: a synth warning naming the fix (no key is guessed)', () => {
    const { stack, statements } = grantWith((s) => dynamodb.Table.fromTableName(s, 'Shared', 'shared-inventory'));
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/Crm/Queue',
      Match.stringLikeRegexp('inventory table TestStack/Shared has no known encryptionKey.*Table.fromTableAttributes\\(scope, id, \\{ tableArn, encryptionKey \\}\\)'),
    );
    expect(statements).not.toContain('dynamodb.');
  });

  test('an imported table with its key: the key through DynamoDB, no warning', () => {
    const { stack, statements } = grantWith((s) =>
      dynamodb.Table.fromTableAttributes(s, 'Shared', { tableName: 'shared-inventory', encryptionKey: kms.Key.fromKeyArn(s, 'SharedKey', 'arn:aws:kms:eu-west-1:111111111111:key/shared') }),
    );
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('no known encryptionKey'));
    expect(statements).toContain('arn:aws:kms:eu-west-1:111111111111:key/shared');
    expect(statements).toContain('dynamodb.');
  });

  test("the platform's own table (on the platform key): no warning", () => {
    const { stack } = grantWith((s) => (s.node.findChild('Platform') as IntegrationPlatform).inventory.table);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('no known encryptionKey'));
  });
});

describe('grantRedrive outside a SecureIntegration', () => {
  test('with a table and no integrationId: a synth error naming the fix; with one, that history item', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const queue = new IntegrationQueue(stack, 'Queue', { encryptionKey: key });
    const table = dynamodb.Table.fromTableAttributes(stack, 'Shared', { tableName: 'shared-inventory', encryptionKey: key });
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => queue.grantRedrive(operator, { inventoryTable: table })).toThrow(/give the integrationId/);
    queue.grantRedrive(operator, { inventoryTable: table, integrationId: '111111111111:eu-west-1:Other:Orders' });
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'))).toContain('"dynamodb:LeadingKeys":["REDRIVE#111111111111:eu-west-1:Other:Orders"]');
  });
});

describe('SecureIntegration.grantRedrive', () => {
  test('grants the queue permissions and the register with the platform\'s own table', () => {
    const stack = newStack();
    const platform = new IntegrationPlatform(stack, 'Platform');
    const crm = integration(stack, 'Crm');
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
