// How the IAM policy evaluator (test/support/iam-policy-evaluator.ts) reads a synthesized template:
// the intrinsics it resolves, to the names and ARNs CloudFormation gives each resource type (faked
// deterministically), and the policies it gathers for a role, a topic or queue, a key, a secret and
// a function. A wrong ARN or a policy left out would make the evaluator judge another policy than
// the one deployed.
import {
  FakeEnvironment,
  fakeArnOf,
  identityPolicyOfRole,
  keyPolicy,
  lambdaResourcePolicy,
  resolveIntrinsics,
  secretResourcePolicies,
  statementsOf,
  TemplateJson,
  topicOrQueuePolicies,
} from '../support/iam-policy-evaluator';

const allowPut = (resource: unknown) => ({ Statement: [{ Effect: 'Allow', Action: 'secretsmanager:PutSecretValue', Resource: resource }] });
const EU: FakeEnvironment = { partition: 'aws-cn', region: 'cn-north-1', account: '210987654321', urlSuffix: 'amazonaws.com.cn' };

const template: TemplateJson = {
  Resources: {
    Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ Ref: 'Policy' }] } },
    Policy: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: allowPut({ Ref: 'Secret' }) } },
    Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'integrations/p/a/key' } },
    Unnamed: { Type: 'AWS::SecretsManager::Secret' },
    SecretPolicy: {
      Type: 'AWS::SecretsManager::ResourcePolicy',
      Properties: { SecretId: { Ref: 'Secret' }, ResourcePolicy: { Statement: { Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Resource: '*' } } },
    },
    Fn: { Type: 'AWS::Lambda::Function' },
    Queue: { Type: 'AWS::SQS::Queue' },
    Topic: { Type: 'AWS::SNS::Topic' },
    Logs: { Type: 'AWS::Logs::LogGroup' },
    Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'integrations-p-errors' } },
    AnonymousAlarm: { Type: 'AWS::CloudWatch::Alarm' },
    Composite: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmName: 'integrations-p-burn' } },
    Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' }] } } },
    Pool: { Type: 'AWS::Cognito::UserPool' },
    Table: { Type: 'AWS::DynamoDB::Table' },
    Permission: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] },
        Principal: 'secretsmanager.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:integrations/p/*' },
      },
    },
  },
};

describe('intrinsics', () => {
  test('Fn::Join, Fn::GetAtt Arn and pseudo parameters resolve to deterministic fake values', () => {
    const value = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':x:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: 'AWS::URLSuffix' }]] };
    expect(resolveIntrinsics(value, template)).toBe('arn:aws:x:us-east-1:123456789012:amazonaws.com');
    expect(resolveIntrinsics(value, template, EU)).toBe('arn:aws-cn:x:cn-north-1:210987654321:amazonaws.com.cn');
    expect(resolveIntrinsics({ 'Fn::Join': ['/', ['a', 'b', 'c']] }, template)).toBe('a/b/c');
  });

  test("Fn::GetAtt gives each resource type's ARN, in its list and its dotted form", () => {
    // Rule: the ARN formats of https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
    const arn = (id: string) => resolveIntrinsics({ 'Fn::GetAtt': [id, 'Arn'] }, template, EU);
    expect(arn('Role')).toBe('arn:aws-cn:iam::210987654321:role/Role');
    expect(arn('Policy')).toBe('arn:aws-cn:iam::210987654321:policy/Policy');
    expect(arn('Fn')).toBe('arn:aws-cn:lambda:cn-north-1:210987654321:function:Fn');
    expect(arn('Secret')).toBe('arn:aws-cn:secretsmanager:cn-north-1:210987654321:secret:integrations/p/a/key-AbCdEf');
    expect(arn('Unnamed')).toBe('arn:aws-cn:secretsmanager:cn-north-1:210987654321:secret:Unnamed-AbCdEf');
    expect(arn('Queue')).toBe('arn:aws-cn:sqs:cn-north-1:210987654321:Queue');
    expect(arn('Topic')).toBe('arn:aws-cn:sns:cn-north-1:210987654321:Topic');
    expect(arn('Logs')).toBe('arn:aws-cn:logs:cn-north-1:210987654321:log-group:Logs:*');
    expect(arn('Alarm')).toBe('arn:aws-cn:cloudwatch:cn-north-1:210987654321:alarm:integrations-p-errors');
    expect(arn('AnonymousAlarm')).toBe('arn:aws-cn:cloudwatch:cn-north-1:210987654321:alarm:AnonymousAlarm');
    expect(arn('Composite')).toBe('arn:aws-cn:cloudwatch:cn-north-1:210987654321:alarm:integrations-p-burn');
    expect(arn('Key')).toBe('arn:aws-cn:kms:cn-north-1:210987654321:key/Key');
    expect(arn('Pool')).toBe('arn:aws-cn:cognito-idp:cn-north-1:210987654321:userpool/Pool');
    expect(arn('Table')).toBe('arn:aws-cn:dynamodb:cn-north-1:210987654321:table/Table');
    expect(resolveIntrinsics({ 'Fn::GetAtt': 'Queue.Arn' }, template)).toBe('arn:aws:sqs:us-east-1:123456789012:Queue');
    expect(fakeArnOf(template, 'Topic')).toBe('arn:aws:sns:us-east-1:123456789012:Topic');
    expect(fakeArnOf(template, 'Topic', EU)).toBe('arn:aws-cn:sns:cn-north-1:210987654321:Topic');
  });

  test('Ref is an ARN for secrets, managed policies and topics, a URL for queues, the logical id otherwise', () => {
    // Rule: the "Return values" (Ref) of each type in the CloudFormation resource reference
    const ref = (id: string) => resolveIntrinsics({ Ref: id }, template, EU);
    expect(ref('Secret')).toBe('arn:aws-cn:secretsmanager:cn-north-1:210987654321:secret:integrations/p/a/key-AbCdEf');
    expect(ref('Policy')).toBe('arn:aws-cn:iam::210987654321:policy/Policy');
    expect(ref('Topic')).toBe('arn:aws-cn:sns:cn-north-1:210987654321:Topic');
    expect(ref('Queue')).toBe('https://sqs.cn-north-1.amazonaws.com.cn/210987654321/Queue');
    expect(ref('Role')).toBe('Role');
    expect(ref('Fn')).toBe('Fn');
  });

  test('Fn::Sub resolves pseudo parameters, resources, attributes and its own variables, and keeps ${!Literal} literal', () => {
    const sub = (arg: unknown) => resolveIntrinsics({ 'Fn::Sub': arg }, template);
    expect(sub('${AWS::Region}/${Queue}/${Fn.Arn}')).toBe('us-east-1/https://sqs.us-east-1.amazonaws.com/123456789012/Queue/arn:aws:lambda:us-east-1:123456789012:function:Fn');
    expect(sub(['${Name}-${AWS::AccountId}', { Name: { Ref: 'Role' } }])).toBe('Role-123456789012');
    expect(sub('keep ${!aws:username} as written')).toBe('keep ${aws:username} as written');
    expect(sub(['no variables', {}])).toBe('no variables');
    expect(() => sub('${Fn.Name}')).toThrow(/Fn::GetAtt Fn.Name: only Arn is supported/);
  });

  test('Fn::Select and Fn::Split pick a part of a resolved text', () => {
    expect(resolveIntrinsics({ 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: 'Queue' }] }] }, template)).toBe('');
    expect(resolveIntrinsics({ 'Fn::Select': [3, { 'Fn::Split': ['/', { Ref: 'Queue' }] }] }, template)).toBe('123456789012');
    expect(resolveIntrinsics({ 'Fn::Select': ['0', ['a', 'b']] }, template)).toBe('a');
    expect(resolveIntrinsics({ 'Fn::Split': [':', { 'Fn::GetAtt': ['Topic', 'Arn'] }] }, template)).toEqual(['arn', 'aws', 'sns', 'us-east-1', '123456789012', 'Topic']);
  });

  test('lists, objects and plain values resolve member by member', () => {
    expect(resolveIntrinsics([{ Ref: 'Role' }, 'x', 3, null, true], template)).toEqual(['Role', 'x', 3, null, true]);
    expect(resolveIntrinsics({ Resource: { Ref: 'Topic' }, Effect: 'Allow' }, template)).toEqual({ Resource: 'arn:aws:sns:us-east-1:123456789012:Topic', Effect: 'Allow' });
    expect(resolveIntrinsics({ Ref: 'Role', Extra: 1 }, template)).toEqual({ Ref: 'Role', Extra: 1 });
    expect(resolveIntrinsics({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }, template)).toEqual({ StringEquals: { 'aws:SourceAccount': '123456789012' } });
  });

  test('an intrinsic the resolver does not know, an attribute other than Arn, a missing resource or a non-text part throws', () => {
    expect(() => resolveIntrinsics({ 'Fn::If': ['C', 'a', 'b'] }, template)).toThrow(/intrinsic Fn::If is not supported by this resolver/);
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, template)).toThrow(/intrinsic Fn::ImportValue is not supported/);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Queue', 'QueueName'] }, template)).toThrow(/Fn::GetAtt Queue.QueueName: only Arn is supported/);
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, template)).toThrow(/no resource or pseudo parameter Missing in the template/);
    expect(() => resolveIntrinsics({ 'Fn::Join': ['', ['a', ['b']]] }, template)).toThrow(/expected a string, got \["b"\]/);
    expect(() => resolveIntrinsics({ 'Fn::Split': [',', 7] }, template)).toThrow(/expected a string, got 7/);
  });
});

describe('policies of a template', () => {
  test('a policy document gives its statements, one or a list, resolved', () => {
    expect(statementsOf(allowPut({ Ref: 'Secret' }), template)).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:PutSecretValue', Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:integrations/p/a/key-AbCdEf' },
    ]);
    expect(statementsOf({ Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }, template)).toEqual([{ Effect: 'Deny', Action: '*', Resource: '*' }]);
    expect(statementsOf({}, template)).toEqual([]);
  });

  test("a role's identity policy: its inline policies, the managed policies attached to it or naming it, and the policies naming it", () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
    const statement = (action: string) => ({ Effect: 'Allow', Action: action, Resource: '*' });
    const roles: TemplateJson = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'inline', PolicyDocument: { Statement: [statement('a:Inline')] } }], ManagedPolicyArns: [{ Ref: 'Attached' }] } },
        Other: { Type: 'AWS::IAM::Role' },
        Attached: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [statement('a:Attached')] } } },
        Naming: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [statement('a:Naming')] } } },
        Policy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Other' }, { Ref: 'Role' }], PolicyDocument: { Statement: statement('a:Policy') } } },
        OthersOnly: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Other' }], PolicyDocument: { Statement: [statement('a:Others')] } } },
        Unattached: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [statement('a:Unattached')] } } },
        Named: { Type: 'AWS::SNS::TopicPolicy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [statement('a:NotAnIamPolicy')] } } },
      },
    };
    expect(identityPolicyOfRole(roles, 'Role').map((s) => s.Action)).toEqual(['a:Inline', 'a:Attached', 'a:Naming', 'a:Policy']);
    expect(identityPolicyOfRole(roles, 'Other').map((s) => s.Action)).toEqual(['a:Policy', 'a:Others']);
  });

  test("a role's identity policy with a managed policy from outside the template throws: its statements are unknown", () => {
    const outside: TemplateJson = { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] } } } };
    expect(() => identityPolicyOfRole(outside, 'Role')).toThrow(/Role: managed policy "arn:aws:iam::aws:policy\/ReadOnlyAccess" is not in the template/);
    const notAPolicy: TemplateJson = { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ Ref: 'Topic' }] } }, Topic: { Type: 'AWS::SNS::Topic' } } };
    expect(() => identityPolicyOfRole(notAPolicy, 'Role')).toThrow(/managed policy \{"Ref":"Topic"\} is not in the template/);
    const missing: TemplateJson = { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ Ref: 'Gone' }] } } } };
    expect(() => identityPolicyOfRole(missing, 'Role')).toThrow(/Role: managed policy \{"Ref":"Gone"\} is not in the template/);
    expect(() => identityPolicyOfRole(template, 'Fn')).toThrow(/Fn is a AWS::Lambda::Function, not an AWS::IAM::Role/);
  });

  test('topic and queue policies, by the logical id of each topic or queue they name', () => {
    const statement = (sid: string) => ({ Sid: sid, Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: '*', Resource: '*' });
    const policies: TemplateJson = {
      Resources: {
        A: { Type: 'AWS::SNS::Topic' },
        B: { Type: 'AWS::SNS::Topic' },
        Q: { Type: 'AWS::SQS::Queue' },
        Both: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: 'A' }, { Ref: 'B' }], PolicyDocument: { Statement: [statement('Both')] } } },
        OnlyA: { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: [{ Ref: 'A' }], PolicyDocument: { Statement: [statement('OnlyA')] } } },
        QueuePolicy: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'Q' }], PolicyDocument: { Statement: [statement('Queue')] } } },
      },
    };
    const topics = topicOrQueuePolicies(policies, 'AWS::SNS::TopicPolicy');
    expect([...topics.keys()]).toEqual(['A', 'B']);
    expect(topics.get('A')!.map((s) => s.Sid)).toEqual(['Both', 'OnlyA']);
    expect(topics.get('B')!.map((s) => s.Sid)).toEqual(['Both']);
    const queues = topicOrQueuePolicies(policies, 'AWS::SQS::QueuePolicy');
    expect([...queues.keys()]).toEqual(['Q']);
    expect(queues.get('Q')!.map((s) => s.Sid)).toEqual(['Queue']);
  });

  test('a topic or queue policy naming its target otherwise than by Ref throws', () => {
    const byArn = (type: 'AWS::SNS::TopicPolicy' | 'AWS::SQS::QueuePolicy', property: string): TemplateJson => ({
      Resources: { P: { Type: type, Properties: { [property]: ['arn:aws:sns:us-east-1:123456789012:x'], PolicyDocument: { Statement: [] } } } },
    });
    expect(() => topicOrQueuePolicies(byArn('AWS::SNS::TopicPolicy', 'Topics'), 'AWS::SNS::TopicPolicy')).toThrow(/AWS::SNS::TopicPolicy names its topic by Ref here/);
    expect(() => topicOrQueuePolicies(byArn('AWS::SQS::QueuePolicy', 'Queues'), 'AWS::SQS::QueuePolicy')).toThrow(/AWS::SQS::QueuePolicy names its queue by Ref here/);
  });

  test("a key's key policy, resolved; another resource throws", () => {
    expect(keyPolicy(template, 'Key', EU)).toEqual([{ Effect: 'Allow', Principal: { AWS: 'arn:aws-cn:iam::210987654321:root' }, Action: 'kms:*', Resource: '*' }]);
    expect(() => keyPolicy(template, 'Secret')).toThrow(/Secret is a AWS::SecretsManager::Secret, not an AWS::KMS::Key/);
  });

  test("a secret's resource policies, by the secret's logical id, merged", () => {
    const secrets: TemplateJson = {
      Resources: {
        ...template.Resources,
        Second: { Type: 'AWS::SecretsManager::ResourcePolicy', Properties: { SecretId: { Ref: 'Secret' }, ResourcePolicy: { Statement: [{ Sid: 'Second', Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }] } } },
        ForUnnamed: { Type: 'AWS::SecretsManager::ResourcePolicy', Properties: { SecretId: { Ref: 'Unnamed' }, ResourcePolicy: { Statement: [] } } },
      },
    };
    const policies = secretResourcePolicies(secrets);
    expect(policies.get('Secret')).toEqual([
      { Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Resource: '*' },
      { Sid: 'Second', Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' },
    ]);
    expect(policies.get('Unnamed')).toEqual([]);
  });

  test('a secret resource policy naming its secret otherwise than by Ref throws', () => {
    const byArn: TemplateJson = { Resources: { P: { Type: 'AWS::SecretsManager::ResourcePolicy', Properties: { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x', ResourcePolicy: {} } } } };
    expect(() => secretResourcePolicies(byArn)).toThrow(/a secret resource policy names its secret by Ref here/);
  });
});

describe("a function's resource policy, as Lambda renders its permissions", () => {
  // Rule: https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
  const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:Fn';
  const withPermissions = (...permissions: Array<Record<string, unknown>>): TemplateJson => ({
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function' },
      Other: { Type: 'AWS::Lambda::Function' },
      ...Object.fromEntries(permissions.map((p, i) => [`P${i}`, { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Fn' }, ...p } }])),
    },
  });

  test('SourceAccount renders as StringEquals AWS:SourceAccount, SourceArn as ArnLike AWS:SourceArn', () => {
    expect(lambdaResourcePolicy(template, 'Fn')).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'secretsmanager.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: FUNCTION,
        Condition: {
          StringEquals: { 'AWS:SourceAccount': '123456789012' },
          ArnLike: { 'AWS:SourceArn': 'arn:aws:secretsmanager:us-east-1:123456789012:secret:integrations/p/*' },
        },
      },
    ]);
  });

  test('a principal that is not a service is an AWS principal; "*" stays "*"; no source means no Condition', () => {
    const policy = lambdaResourcePolicy(withPermissions({ Principal: '210987654321' }, { Principal: '*' }, { Principal: 'arn:aws:iam::210987654321:role/caller' }), 'Fn');
    expect(policy).toEqual([
      { Effect: 'Allow', Principal: { AWS: '210987654321' }, Action: 'lambda:InvokeFunction', Resource: FUNCTION },
      { Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction', Resource: FUNCTION },
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:role/caller' }, Action: 'lambda:InvokeFunction', Resource: FUNCTION },
    ]);
  });

  test('PrincipalOrgID renders as StringEquals aws:PrincipalOrgID, beside SourceAccount', () => {
    const [alone] = lambdaResourcePolicy(withPermissions({ Principal: '*', PrincipalOrgID: 'o-abc123' }), 'Fn');
    expect(alone.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } });
    const [both] = lambdaResourcePolicy(withPermissions({ Principal: 'events.amazonaws.com', SourceAccount: '123456789012', PrincipalOrgID: 'o-abc123' }), 'Fn');
    expect(both.Condition).toEqual({ StringEquals: { 'AWS:SourceAccount': '123456789012', 'aws:PrincipalOrgID': 'o-abc123' } });
  });

  test("only the function's own permissions, named by ARN or by logical id", () => {
    const permissions = withPermissions({ Principal: 'sns.amazonaws.com' }, { Principal: 'events.amazonaws.com', FunctionName: { Ref: 'Other' } }, { Principal: 's3.amazonaws.com', FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] } });
    expect(lambdaResourcePolicy(permissions, 'Fn').map((s) => s.Principal)).toEqual([{ Service: 'sns.amazonaws.com' }, { Service: 's3.amazonaws.com' }]);
    expect(lambdaResourcePolicy(permissions, 'Other').map((s) => s.Resource)).toEqual(['arn:aws:lambda:us-east-1:123456789012:function:Other']);
  });

  test('a permission this reader does not render throws: an event source token or a function URL auth type', () => {
    expect(() => lambdaResourcePolicy(withPermissions({ Principal: '*', EventSourceToken: 'token' }), 'Fn')).toThrow(/Lambda permission property EventSourceToken is not supported/);
    expect(() => lambdaResourcePolicy(withPermissions({ Principal: '*', FunctionUrlAuthType: 'NONE' }), 'Fn')).toThrow(/Lambda permission property FunctionUrlAuthType is not supported/);
  });
});
