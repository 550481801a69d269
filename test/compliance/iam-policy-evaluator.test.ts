import {
  ConditionBlock,
  conditionHolds,
  evaluate,
  identityPolicyOfRole,
  lambdaResourcePolicy,
  PolicyStatement,
  RequestContext,
  resolveIntrinsics,
  secretResourcePolicies,
  TemplateJson,
} from '../support/iam-policy-evaluator';

// Each case names the rule of the IAM User Guide it encodes.

const ROLE = 'arn:aws:iam::111111111111:role/app';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:app/key-AbCdEf';
const allow = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...extra });
const request = (extra: Partial<Parameters<typeof evaluate>[0]> = {}) => ({ principal: { arn: ROLE }, action: 'secretsmanager:GetSecretValue', resource: SECRET, ...extra });
const holds = (condition: ConditionBlock, context: RequestContext = {}) => conditionHolds(condition, context);

describe('evaluation order', () => {
  test("an explicit Deny in the resource policy overrides an identity policy's Allow", () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    // GIVEN an identity Allow and a resource Deny for every principal
    const policies = { identity: [allow()], resource: [{ Effect: 'Deny' as const, Principal: '*' as const, Action: '*', Resource: '*' }] };
    // WHEN / THEN
    expect(evaluate(request(), policies)).toBe('ExplicitDeny');
  });

  test('without any applicable Allow a request is implicitly denied', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    expect(evaluate(request(), { identity: [allow({ Action: 'secretsmanager:DescribeSecret' })] })).toBe('ImplicitDeny');
  });

  test("in one account, a resource policy's Allow for the principal suffices without an identity Allow", () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: ROLE } })] })).toBe('Allow');
  });

  test("across accounts, the resource policy's Allow alone is not enough: the identity policy must allow too", () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    // GIVEN a principal of another account named by the resource policy
    const other = { principal: { arn: 'arn:aws:iam::222222222222:role/partner' } };
    const resource = [allow({ Principal: { AWS: '222222222222' } })];
    // WHEN / THEN
    expect(evaluate(request(other), { resource })).toBe('ImplicitDeny');
    expect(evaluate(request(other), { resource, identity: [allow()] })).toBe('Allow');
  });
});

describe('Action, Resource and Principal', () => {
  test('actions match case-insensitively, with * and ? wildcards', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    expect(evaluate(request({ action: 'SecretsManager:GetSecretValue' }), { identity: [allow({ Action: 'secretsmanager:get*' })] })).toBe('Allow');
    expect(evaluate(request(), { identity: [allow({ Action: 'secretsmanager:GetSecretValu?' })] })).toBe('Allow');
    expect(evaluate(request(), { identity: [allow({ Action: 'secretsmanager:Put*' })] })).toBe('ImplicitDeny');
  });

  test('NotAction applies the statement to every action but those listed', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    const identity = [{ Effect: 'Allow' as const, NotAction: 'secretsmanager:Put*', Resource: '*' }];
    expect(evaluate(request(), { identity })).toBe('Allow');
    expect(evaluate(request({ action: 'secretsmanager:PutSecretValue' }), { identity })).toBe('ImplicitDeny');
  });

  test('resource ARNs match per component with wildcards, and NotResource excludes', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    expect(evaluate(request(), { identity: [allow({ Resource: 'arn:aws:secretsmanager:*:111111111111:secret:app/*' })] })).toBe('Allow');
    expect(evaluate(request(), { identity: [allow({ Resource: 'arn:aws:secretsmanager:*:222222222222:secret:app/*' })] })).toBe('ImplicitDeny');
    expect(evaluate(request(), { identity: [allow({ Resource: undefined, NotResource: 'arn:aws:secretsmanager:*:*:secret:app/*' })] })).toBe('ImplicitDeny');
  });

  test('a * that ends a Resource component may run past the colons', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    expect(evaluate(request(), { identity: [allow({ Resource: 'arn:aws:secretsmanager:*' })] })).toBe('Allow');
  });

  test('"*" and {"AWS": "*"} name every principal; an account id names the account, which delegates to its identity policies', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    expect(evaluate(request(), { resource: [allow({ Principal: '*' })] })).toBe('Allow');
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: '*' } })] })).toBe('Allow');
    // An account principal delegates to the account: its own identity policies must allow too, also
    // within the account (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts).
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: 'arn:aws:iam::111111111111:root' } })] })).toBe('ImplicitDeny');
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: '111111111111' } })] })).toBe('ImplicitDeny');
    expect(evaluate(request(), { identity: [{ Effect: 'Allow', Action: '*', Resource: '*' }], resource: [allow({ Principal: { AWS: 'arn:aws:iam::111111111111:root' } })] })).toBe('Allow');
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: 'arn:aws:iam::111111111111:role/other' } })] })).toBe('ImplicitDeny');
  });

  test('a service principal matches {"Service": ...} only', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    const service = { principal: { service: 'secretsmanager.amazonaws.com' } };
    expect(evaluate(request(service), { resource: [allow({ Principal: { Service: 'secretsmanager.amazonaws.com' } })] })).toBe('Allow');
    expect(evaluate(request(service), { resource: [allow({ Principal: { Service: 'events.amazonaws.com' } })] })).toBe('ImplicitDeny');
    expect(evaluate(request(service), { resource: [allow({ Principal: { AWS: ROLE } })] })).toBe('ImplicitDeny');
  });

  test('NotPrincipal in a Deny spares the principals it names', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    const deny: PolicyStatement = { Effect: 'Deny', NotPrincipal: { AWS: ROLE }, Action: '*', Resource: '*' };
    expect(evaluate(request(), { identity: [allow()], resource: [deny] })).toBe('Allow');
    expect(evaluate(request({ principal: { arn: 'arn:aws:iam::111111111111:role/other' } }), { identity: [allow()], resource: [deny] })).toBe('ExplicitDeny');
  });
});

describe('condition operators', () => {
  test('several values of one key OR together', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': ['a', 'b'] } }, { 'aws:PrincipalTag/team': 'b' })).toBe(true);
  });

  test('a negated operator with several values holds only if the key matches none of them (NOR)', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
    //   "If a single negated matching condition operator includes multiple values for a context key, those values are evaluated using a logical NOR"
    const condition = { StringNotEquals: { 'aws:PrincipalTag/team': ['a', 'b'] } };
    expect(holds(condition, { 'aws:PrincipalTag/team': 'b' })).toBe(false);
    expect(holds(condition, { 'aws:PrincipalTag/team': 'c' })).toBe(true);
  });

  test('several keys of one operator, and several operators, AND together', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
    const condition = { StringEquals: { 'aws:SourceAccount': '111111111111', 'aws:PrincipalTag/team': 'a' }, Bool: { 'aws:SecureTransport': 'true' } };
    const context = { 'aws:SourceAccount': '111111111111', 'aws:PrincipalTag/team': 'a', 'aws:SecureTransport': true };
    expect(holds(condition, context)).toBe(true);
    expect(holds(condition, { ...context, 'aws:PrincipalTag/team': 'b' })).toBe(false);
    expect(holds(condition, { ...context, 'aws:SecureTransport': false })).toBe(false);
  });

  test('condition key names are case-insensitive; string values are case-sensitive unless IgnoreCase', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
    expect(holds({ StringEquals: { 'AWS:SourceAccount': '111111111111' } }, { 'aws:sourceaccount': '111111111111' })).toBe(true);
    expect(holds({ StringEquals: { 'aws:PrincipalTag/team': 'Ops' } }, { 'aws:PrincipalTag/team': 'ops' })).toBe(false);
    expect(holds({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Ops' } }, { 'aws:PrincipalTag/team': 'ops' })).toBe(true);
  });

  test('StringLike and StringNotLike take * and ? wildcards', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    expect(holds({ StringLike: { 'aws:userid': 'AROA*:app-?' } }, { 'aws:userid': 'AROAXYZ:app-1' })).toBe(true);
    expect(holds({ StringNotLike: { 'aws:userid': 'AROA*' } }, { 'aws:userid': 'AROAXYZ:app-1' })).toBe(false);
  });

  test('ArnLike and ArnEquals match each ARN component separately, with wildcards; ArnNotEquals negates', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    const context = { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:integrations/p/x-AbCdEf' };
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:integrations/p/*' } }, context)).toBe(true);
    expect(holds({ ArnEquals: { 'aws:SourceArn': 'arn:aws:secretsmanager:*:111111111111:secret:integrations/p/*' } }, context)).toBe(true);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:integrations/p/*' } }, context)).toBe(false);
    expect(holds({ ArnNotEquals: { 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:integrations/p/*' } }, context)).toBe(false);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:*' } }, context)).toBe(false);
  });

  test('Bool compares true/false, Numeric operators compare numbers', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    expect(holds({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, { 'aws:MultiFactorAuthPresent': true })).toBe(true);
    expect(holds({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': 60 })).toBe(true);
    expect(holds({ NumericGreaterThanEquals: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': 60 })).toBe(false);
    expect(holds({ NumericNotEquals: { 'aws:MultiFactorAuthAge': ['60', '61'] } }, { 'aws:MultiFactorAuthAge': 60 })).toBe(false);
  });

  test('an operator on a key absent from the request is false', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    //   "If the key that you specify in a policy condition is not present in the request context, the values do not match and the condition is false"
    expect(holds({ StringEquals: { 'aws:SourceAccount': '111111111111' } })).toBe(false);
    expect(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:*:*:*:*' } })).toBe(false);
  });

  test('a negated operator on a key absent from the request is true', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    //   "If the policy condition requires that the key is not matched ... and the right key is not present, the condition is true"
    expect(holds({ StringNotEquals: { 'aws:SourceAccount': '111111111111' } })).toBe(true);
    expect(holds({ ArnNotEquals: { 'aws:PrincipalArn': ROLE } })).toBe(true);
  });

  test('...IfExists holds when the key is absent and tests it when present', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
    expect(holds({ StringEqualsIfExists: { 'aws:SourceAccount': '111111111111' } })).toBe(true);
    expect(holds({ StringEqualsIfExists: { 'aws:SourceAccount': '111111111111' } }, { 'aws:SourceAccount': '222222222222' })).toBe(false);
  });

  test('Null tests presence: "true" holds when the key is absent, "false" when present', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
    expect(holds({ Null: { 'aws:SourceArn': 'true' } })).toBe(true);
    expect(holds({ Null: { 'aws:SourceArn': 'false' } })).toBe(false);
    expect(holds({ Null: { 'aws:SourceArn': 'false' } }, { 'aws:SourceArn': SECRET })).toBe(true);
  });

  test('an operator this evaluator does not model throws instead of guessing', () => {
    expect(() => holds({ DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-12-02T00:00:00Z' })).toThrow(/not supported/);
  });

  test('IpAddress and NotIpAddress match IPv4 and IPv6 networks and single addresses; an address of the other family never matches', () => {
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '10.1.2.3' })).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '11.1.2.3' })).toBe(false);
    expect(holds({ IpAddress: { 'aws:SourceIp': ['192.0.2.1', '2001:db8::/32'] } }, { 'aws:SourceIp': '2001:db8:ffff::1' })).toBe(true);
    expect(holds({ IpAddress: { 'aws:SourceIp': '192.0.2.1' } }, { 'aws:SourceIp': '192.0.2.2' })).toBe(false);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '2001:db8::1' })).toBe(true);
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '10.9.9.9' })).toBe(false);
    // A negated operator holds when the key is absent.
    expect(holds({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, {})).toBe(true);
  });
});

describe('set qualifiers for multivalued keys', () => {
  test('ForAllValues holds when the key is absent from the request', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    //   "It also returns true if there are no context keys in the request"
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } })).toBe(true);
    expect(holds({ 'ForAllValues:StringNotEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } })).toBe(true);
  });

  test('ForAllValues holds when every request value satisfies the operator', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['a', 'b'] })).toBe(true);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }, { 'aws:TagKeys': ['a', 'c'] })).toBe(false);
  });

  test('ForAllValues with a negated operator holds only if no request value matches any policy value', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    const condition = { 'ForAllValues:StringNotEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } };
    expect(holds(condition, { 'aws:CalledVia': ['athena.amazonaws.com'] })).toBe(true);
    expect(holds(condition, { 'aws:CalledVia': ['cloudformation.amazonaws.com'] })).toBe(false);
    expect(holds(condition, { 'aws:CalledVia': ['athena.amazonaws.com', 'cloudformation.amazonaws.com'] })).toBe(false);
  });

  test('ForAnyValue is false when the key is absent, true when one request value satisfies the operator', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    //   (ForAnyValue needs at least one request value that matches: with none in the request it is false)
    const condition = { 'ForAnyValue:StringEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } };
    expect(holds(condition)).toBe(false);
    expect(holds(condition, { 'aws:CalledVia': ['cloudformation.amazonaws.com', 'athena.amazonaws.com'] })).toBe(true);
  });

  test('a plain operator on a multivalued request value throws: the policy needs a set qualifier', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    expect(() => holds({ StringEquals: { 'aws:TagKeys': 'a' } }, { 'aws:TagKeys': ['a', 'b'] })).toThrow(/set qualifier|ForAllValues/);
  });
});

describe('resolving a synthesized template', () => {
  const template: TemplateJson = {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ Ref: 'Policy' }] } },
      Policy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'secretsmanager:PutSecretValue', Resource: { Ref: 'Secret' } }] } },
      },
      Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'integrations/p/a/key' } },
      SecretPolicy: {
        Type: 'AWS::SecretsManager::ResourcePolicy',
        Properties: { SecretId: { Ref: 'Secret' }, ResourcePolicy: { Statement: { Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Resource: '*' } } },
      },
      Fn: { Type: 'AWS::Lambda::Function' },
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

  test('Fn::Join, Fn::GetAtt Arn and pseudo parameters resolve to deterministic fake values', () => {
    const value = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':x:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: 'AWS::URLSuffix' }]] };
    expect(resolveIntrinsics(value, template)).toBe('arn:aws:x:us-east-1:123456789012:amazonaws.com');
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Role', 'Arn'] }, template)).toBe('arn:aws:iam::123456789012:role/Role');
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Fn', 'Arn'] }, template)).toBe('arn:aws:lambda:us-east-1:123456789012:function:Fn');
  });

  test('a Ref to a secret is its ARN, from its Name with a fixed random suffix', () => {
    expect(resolveIntrinsics({ Ref: 'Secret' }, template)).toBe('arn:aws:secretsmanager:us-east-1:123456789012:secret:integrations/p/a/key-AbCdEf');
  });

  test('an intrinsic the resolver does not know throws', () => {
    expect(() => resolveIntrinsics({ 'Fn::If': ['C', 'a', 'b'] }, template)).toThrow(/not supported/);
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, template)).toThrow(/no resource/);
  });

  test("a role's identity policy gathers the managed policies attached to it, resolved", () => {
    expect(identityPolicyOfRole(template, 'Role')).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:PutSecretValue', Resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:integrations/p/a/key-AbCdEf' },
    ]);
  });

  test("a secret's resource policy is found by the secret's logical id", () => {
    expect(secretResourcePolicies(template).get('Secret')).toEqual([{ Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Resource: '*' }]);
  });

  test('a Lambda permission renders as Lambda renders it: SourceAccount as StringEquals, SourceArn as ArnLike', () => {
    expect(lambdaResourcePolicy(template, 'Fn')).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'secretsmanager.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: 'arn:aws:lambda:us-east-1:123456789012:function:Fn',
        Condition: {
          StringEquals: { 'AWS:SourceAccount': '123456789012' },
          ArnLike: { 'AWS:SourceArn': 'arn:aws:secretsmanager:us-east-1:123456789012:secret:integrations/p/*' },
        },
      },
    ]);
  });
});
