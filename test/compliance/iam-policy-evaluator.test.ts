// The IAM policy evaluator (test/support/iam-policy-evaluator.ts) decides what many tests claim about
// the library's policies, so each rule it encodes is checked here against the AWS documentation that
// states it (cited in each test). Conditions: iam-policy-conditions.test.ts; reading a synthesized
// template: iam-policy-template.test.ts.
import { evaluate, PolicyStatement } from '../support/iam-policy-evaluator';

const ROLE = 'arn:aws:iam::111111111111:role/app';
const OTHER_ROLE = 'arn:aws:iam::111111111111:role/other';
const ACCOUNT_ROOT = 'arn:aws:iam::111111111111:root';
const PARTNER = 'arn:aws:iam::222222222222:role/partner';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:app/key-AbCdEf';
const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const allow = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...extra });
const deny = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ ...allow(extra), Effect: 'Deny' });
const request = (extra: Partial<Parameters<typeof evaluate>[0]> = {}) => ({ principal: { arn: ROLE }, action: 'secretsmanager:GetSecretValue', resource: SECRET, ...extra });
/** The decision for ROLE's GetSecretValue on SECRET when only the identity policy has `statement`. */
const identityOnly = (statement: PolicyStatement, extra: Partial<Parameters<typeof evaluate>[0]> = {}) => evaluate(request(extra), { identity: [statement] });

describe('evaluation order', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
  //   "An explicit deny overrides an explicit allow." "By default, all requests are implicitly denied"

  test("an explicit Deny in the resource policy overrides an identity policy's Allow", () => {
    // GIVEN an identity Allow and a resource Deny for every principal
    const policies = { identity: [allow()], resource: [deny({ Principal: '*', Action: '*' })] };
    // WHEN / THEN
    expect(evaluate(request(), policies)).toBe('ExplicitDeny');
  });

  test("an explicit Deny in the identity policy overrides a resource policy's Allow for the principal", () => {
    expect(evaluate(request(), { identity: [deny()], resource: [allow({ Principal: { AWS: ROLE } })] })).toBe('ExplicitDeny');
  });

  test('a Deny whose condition does not hold denies nothing', () => {
    const guarded = deny({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(evaluate(request({ context: { 'aws:SecureTransport': true } }), { identity: [allow(), guarded] })).toBe('Allow');
    expect(evaluate(request({ context: { 'aws:SecureTransport': false } }), { identity: [allow(), guarded] })).toBe('ExplicitDeny');
  });

  test('without any applicable Allow a request is implicitly denied, with no policy at all too', () => {
    expect(evaluate(request(), { identity: [allow({ Action: 'secretsmanager:DescribeSecret' })] })).toBe('ImplicitDeny');
    expect(evaluate(request(), {})).toBe('ImplicitDeny');
  });
});

describe('identity and resource policies', () => {
  test('in one account, an Allow of either policy is enough', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
    //   "If either the identity-based policy or the resource-based policy within the same account allows the request and the other doesn't, the request is still allowed."
    expect(evaluate(request(), { identity: [allow()], resource: [] })).toBe('Allow');
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: ROLE } })] })).toBe('Allow');
  });

  test('across accounts, both the identity policy and the resource policy must allow', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    // GIVEN a principal of another account, named by the resource policy by its account or its ARN
    const partner = request({ principal: { arn: PARTNER } });
    for (const named of ['222222222222', PARTNER]) {
      const resource = [allow({ Principal: { AWS: named } })];
      // WHEN / THEN
      expect(evaluate(partner, { resource })).toBe('ImplicitDeny');
      expect(evaluate(partner, { identity: [allow()] })).toBe('ImplicitDeny');
      expect(evaluate(partner, { resource, identity: [allow()] })).toBe('Allow');
    }
  });

  test("the resource's account comes from its ARN unless given, as for an S3 bucket whose ARN has none", () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
    const bucket = { action: 's3:GetObject', resource: 'arn:aws:s3:::reports/2026.csv' };
    const resource = [allow({ Principal: { AWS: ROLE }, Action: 's3:GetObject' })];
    // An ARN without an account: the principal's own account is assumed.
    expect(evaluate(request(bucket), { resource })).toBe('Allow');
    // The bucket belongs to another account: the identity policy must allow too.
    expect(evaluate(request(bucket), { resource, resourceAccount: '222222222222' })).toBe('ImplicitDeny');
    expect(evaluate(request(bucket), { resource, resourceAccount: '111111111111' })).toBe('Allow');
    // A resource ARN of the principal's account is cross-account when the resource is said to be elsewhere.
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: ROLE } })], resourceAccount: '222222222222' })).toBe('ImplicitDeny');
  });

  test('a resource policy naming an account delegates to its identity policies, within the account too', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
    //   (an account principal "delegates" the permissions to the account: its identity policies must allow too)
    for (const account of [ACCOUNT_ROOT, '111111111111']) {
      const resource = [allow({ Principal: { AWS: account } })];
      expect(evaluate(request(), { resource })).toBe('ImplicitDeny');
      expect(evaluate(request(), { resource, identity: [allow()] })).toBe('Allow');
    }
    // Naming the account and the role itself: the role is named directly.
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: [ACCOUNT_ROOT, ROLE] } })] })).toBe('Allow');
  });

  test("the account's root user is named directly by its own :root ARN", () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
    expect(evaluate(request({ principal: { arn: ACCOUNT_ROOT } }), { resource: [allow({ Principal: { AWS: ACCOUNT_ROOT } })] })).toBe('Allow');
  });

  test('a service principal has no account: a resource policy naming it is enough', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services
    const service = request({ principal: { service: 'events.amazonaws.com' } });
    expect(evaluate(service, { resource: [allow({ Principal: { Service: 'events.amazonaws.com' } })] })).toBe('Allow');
    expect(evaluate(service, { resource: [allow({ Principal: { Service: 'events.amazonaws.com' } })], resourceAccount: '222222222222' })).toBe('Allow');
  });
});

describe('KMS keys: the key policy must allow the account for IAM policies to apply', () => {
  // Rule: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
  //   "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key. Without permission
  //    from the key policy, IAM policies that allow permissions have no effect. (You can use an IAM policy to deny a permission
  //    to a KMS key without permission from a key policy.)"
  const decrypt = (extra: Partial<Parameters<typeof evaluate>[0]> = {}) => request({ action: 'kms:Decrypt', resource: KEY, ...extra });
  const iamAllows: PolicyStatement = { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY };
  const enableIam: PolicyStatement = { Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT }, Action: 'kms:*', Resource: '*' };
  const forLogs: PolicyStatement = { Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:*', Resource: '*' };

  test('without a key policy statement for the account, an IAM Allow has no effect', () => {
    expect(evaluate(decrypt(), { identity: [iamAllows], resource: [forLogs] })).toBe('ImplicitDeny');
    expect(evaluate(decrypt(), { identity: [iamAllows], resource: [] })).toBe('ImplicitDeny');
  });

  test("with the default key policy's account statement, IAM policies decide", () => {
    // Rule: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
    expect(evaluate(decrypt(), { identity: [iamAllows], resource: [forLogs, enableIam] })).toBe('Allow');
    expect(evaluate(decrypt(), { identity: [], resource: [enableIam] })).toBe('ImplicitDeny');
  });

  test('an account statement for other actions does not enable IAM policies for this one', () => {
    const describeOnly = { ...enableIam, Action: 'kms:DescribeKey' };
    expect(evaluate(decrypt(), { identity: [iamAllows], resource: [describeOnly] })).toBe('ImplicitDeny');
  });

  test('a key policy naming the principal allows it without an IAM policy', () => {
    expect(evaluate(decrypt(), { resource: [{ ...enableIam, Principal: { AWS: ROLE } }] })).toBe('Allow');
  });

  test('an IAM Deny applies without permission from the key policy', () => {
    expect(evaluate(decrypt(), { identity: [{ ...iamAllows, Effect: 'Deny' }], resource: [{ ...enableIam, Principal: { AWS: ROLE } }] })).toBe('ExplicitDeny');
  });

  test('across accounts, the key policy must allow the other account and its IAM policy must allow too', () => {
    // Rule: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
    const partner = decrypt({ principal: { arn: PARTNER } });
    const external = { ...enableIam, Principal: { AWS: 'arn:aws:iam::222222222222:root' } };
    expect(evaluate(partner, { identity: [iamAllows], resource: [external] })).toBe('Allow');
    expect(evaluate(partner, { identity: [iamAllows], resource: [enableIam] })).toBe('ImplicitDeny');
  });

  test("without the key policy, the decision is the identity policies' alone (as with the default key policy)", () => {
    expect(evaluate(decrypt(), { identity: [iamAllows] })).toBe('Allow');
  });

  test('other resources do not need their resource policy to name the account', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
    expect(evaluate(request(), { identity: [allow()], resource: [allow({ Principal: { Service: 'events.amazonaws.com' } })] })).toBe('Allow');
  });
});

describe('Action and NotAction', () => {
  test('actions match case-insensitively, with * and ? wildcards', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    //   "Action element values are case insensitive" and may use wildcards (* or ?)
    expect(identityOnly(allow({ Action: 'secretsmanager:get*' }), { action: 'SecretsManager:GetSecretValue' })).toBe('Allow');
    expect(identityOnly(allow({ Action: 'SECRETSMANAGER:GETSECRETVALUE' }))).toBe('Allow');
    expect(identityOnly(allow({ Action: 'secretsmanager:GetSecretValu?' }))).toBe('Allow');
    expect(identityOnly(allow({ Action: 'secretsmanager:GetSecretValue?' }))).toBe('ImplicitDeny');
    expect(identityOnly(allow({ Action: 'secretsmanager:Put*' }))).toBe('ImplicitDeny');
    expect(identityOnly(allow({ Action: 'secretsmanager:*' }))).toBe('Allow');
  });

  test('an action matches as a whole: a pattern names no longer or shorter action', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    expect(identityOnly(allow({ Action: 'secretsmanager:GetSecret' }))).toBe('ImplicitDeny');
    expect(identityOnly(allow({ Action: 'secretsmanager:GetSecretValue' }), { action: 'secretsmanager:GetSecretValueX' })).toBe('ImplicitDeny');
    expect(identityOnly(allow({ Action: 'GetSecretValue' }))).toBe('ImplicitDeny');
  });

  test('a list of actions applies the statement to any of them', () => {
    expect(identityOnly(allow({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] }))).toBe('Allow');
    expect(identityOnly(allow({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecrets'] }))).toBe('ImplicitDeny');
  });

  test('NotAction applies the statement to every action but those listed', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    const statement: PolicyStatement = { Effect: 'Allow', NotAction: ['secretsmanager:Put*', 'secretsmanager:Delete*'], Resource: '*' };
    expect(identityOnly(statement)).toBe('Allow');
    expect(identityOnly(statement, { action: 'secretsmanager:PutSecretValue' })).toBe('ImplicitDeny');
    expect(identityOnly(statement, { action: 'secretsmanager:DeleteSecret' })).toBe('ImplicitDeny');
  });

  test('a statement needs exactly one of Action and NotAction, and one of Resource and NotResource', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
    expect(() => identityOnly({ Effect: 'Allow', Resource: '*' })).toThrow(/exactly one of Action\/NotAction and one of Resource\/NotResource/);
    expect(() => identityOnly({ Sid: 'Both', Effect: 'Allow', Action: '*', NotAction: 's3:*', Resource: '*' })).toThrow(/statement Both needs exactly one/);
    expect(() => identityOnly({ Effect: 'Allow', Action: '*' })).toThrow(/exactly one of/);
    expect(() => identityOnly({ Effect: 'Allow', Action: '*', Resource: '*', NotResource: '*' })).toThrow(/exactly one of/);
  });
});

describe('Resource and NotResource', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
  //   "You can use wildcard characters (* and ?) within the individual segments of an ARN ... If the * wildcard is the last
  //    character of a resource ARN segment, it can expand to match beyond the colon boundaries."

  test('resource ARNs match with * and ? wildcards within a segment, case-sensitively', () => {
    expect(identityOnly(allow({ Resource: 'arn:aws:secretsmanager:*:111111111111:secret:app/*' }))).toBe('Allow');
    expect(identityOnly(allow({ Resource: 'arn:aws:secretsmanager:eu-west-?:111111111111:secret:app/key-??????' }))).toBe('Allow');
    expect(identityOnly(allow({ Resource: SECRET }))).toBe('Allow');
    expect(identityOnly(allow({ Resource: 'arn:aws:secretsmanager:*:222222222222:secret:app/*' }))).toBe('ImplicitDeny');
    expect(identityOnly(allow({ Resource: 'arn:aws:secretsmanager:*:111111111111:secret:App/*' }))).toBe('ImplicitDeny');
    expect(identityOnly(allow({ Resource: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:app/key' }))).toBe('ImplicitDeny');
  });

  test('a * ending a segment runs past colons; * and ? inside a segment do not', () => {
    const stream = 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/app:log-stream:2026/12/03';
    const can = (pattern: string) => identityOnly(allow({ Action: 'logs:PutLogEvents', Resource: pattern }), { action: 'logs:PutLogEvents', resource: stream });
    expect(can('arn:aws:logs:*')).toBe('Allow');
    expect(can('arn:aws:logs:eu-*')).toBe('Allow');
    expect(can('arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/app:*')).toBe('Allow');
    expect(can('arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/app*')).toBe('Allow');
    // Inside a segment, the wildcards stop at a colon.
    expect(can('arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/*-stream:2026/12/03')).toBe('ImplicitDeny');
    expect(can('arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/app?log-stream:2026/12/03')).toBe('ImplicitDeny');
    expect(can('arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/app:log-stream:2026/12/*3')).toBe('Allow');
    // The segments before the wildcard still have to match.
    expect(can('arn:aws:sqs:*')).toBe('ImplicitDeny');
    expect(can('arn:aws:logs:us-*')).toBe('ImplicitDeny');
  });

  test('wildcards inside a segment that ends with * match within it', () => {
    expect(identityOnly(allow({ Resource: 'arn:aws:secretsmanager:*:111111111111:secret:app/k?y-*' }))).toBe('Allow');
    expect(identityOnly(allow({ Resource: 'arn:aws:secretsmanager:*:111111111111:secret:*/key-*' }))).toBe('Allow');
    expect(identityOnly(allow({ Resource: 'arn:aws:secretsmanager:*:111111111111:secret:app/k?-*' }))).toBe('ImplicitDeny');
  });

  test('an action on no resource, as ListSecrets, is allowed by a "*" resource only', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    //   "Some AWS services do not allow you to specify actions for individual resources ... you use the wildcard character (*) in the Resource element."
    const list = { action: 'secretsmanager:ListSecrets', resource: '*' };
    expect(identityOnly(allow({ Action: 'secretsmanager:ListSecrets' }), list)).toBe('Allow');
    expect(identityOnly(allow({ Action: 'secretsmanager:ListSecrets', Resource: 'arn:aws:secretsmanager:*' }), list)).toBe('ImplicitDeny');
    expect(evaluate(request(list), { resource: [allow({ Principal: { AWS: ROLE }, Action: 'secretsmanager:ListSecrets' })] })).toBe('Allow');
  });

  test("regular-expression characters in a resource are literal: '.' is a dot", () => {
    const bucket = (pattern: string) => identityOnly(allow({ Action: 's3:GetObject', Resource: pattern }), { action: 's3:GetObject', resource: 'arn:aws:s3:::reports.example/a+b(1).csv' });
    expect(bucket('arn:aws:s3:::reports.example/a+b(1).csv')).toBe('Allow');
    expect(bucket('arn:aws:s3:::reports.example/*')).toBe('Allow');
    expect(identityOnly(allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports.example/*' }), { action: 's3:GetObject', resource: 'arn:aws:s3:::reportsXexample/x' })).toBe('ImplicitDeny');
  });

  test('"*" names every resource; a Resource that is neither "*" nor an ARN throws, as IAM refuses the policy', () => {
    expect(identityOnly(allow({ Resource: '*' }))).toBe('Allow');
    expect(() => identityOnly(allow({ Resource: 'secretsmanager:*' }))).toThrow(/resource secretsmanager:\* is neither "\*" nor an ARN/);
  });

  test('a policy variable in a resource throws: this evaluator does not substitute them', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    expect(() => identityOnly(allow({ Resource: 'arn:aws:secretsmanager:*:111111111111:secret:${aws:username}/*' }))).toThrow(/policy variables are not supported/);
  });

  test('NotResource applies the statement to every resource but those listed', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
    const notApp = (pattern: string) => identityOnly({ Effect: 'Allow', Action: '*', NotResource: [pattern, 'arn:aws:s3:::*'] });
    expect(notApp('arn:aws:secretsmanager:*:*:secret:app/*')).toBe('ImplicitDeny');
    expect(notApp('arn:aws:secretsmanager:*:*:secret:billing/*')).toBe('Allow');
  });

  test('a list of resources applies the statement to any of them', () => {
    expect(identityOnly(allow({ Resource: ['arn:aws:secretsmanager:*:*:secret:billing/*', 'arn:aws:secretsmanager:*:*:secret:app/*'] }))).toBe('Allow');
  });
});

describe('Principal', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html

  test('"*" and {"AWS": "*"} name every principal', () => {
    expect(evaluate(request(), { resource: [allow({ Principal: '*' })] })).toBe('Allow');
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: '*' } })] })).toBe('Allow');
  });

  test('a role ARN names that role only; an account names its principals only', () => {
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: OTHER_ROLE } })] })).toBe('ImplicitDeny');
    expect(evaluate(request(), { resource: [allow({ Principal: { AWS: [OTHER_ROLE, ROLE] } })] })).toBe('Allow');
    expect(evaluate(request(), { identity: [allow()], resource: [allow({ Principal: { AWS: 'arn:aws:iam::333333333333:root' } })] })).toBe('Allow');
    expect(evaluate(request(), { resource: [deny({ Principal: { AWS: '333333333333' } })], identity: [allow()] })).toBe('Allow');
    expect(evaluate(request(), { resource: [deny({ Principal: { AWS: '111111111111' } })], identity: [allow()] })).toBe('ExplicitDeny');
  });

  test('only an account id or the exact :root ARN of an account names the account', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
    const lookAlikes = [
      'x111111111111',
      '1111111111112',
      '11111111111',
      '111111111111x',
      'arn:aws:iam::111111111111:root/x',
      'xarn:aws:iam::111111111111:root',
      'arn:aws:iam::11111111111:root',
      'arn:aws:iam::1111111111111:root',
      'arn:aws:iam::11111111111x:root',
      'arn:aws:sts::111111111111:root',
      'arn::iam::111111111111:root',
      'arn:aws:x:iam::111111111111:root',
    ];
    for (const value of lookAlikes) expect({ value, decision: evaluate(request(), { identity: [allow()], resource: [deny({ Principal: { AWS: value } })] }) }).toEqual({ value, decision: 'Allow' });
    for (const value of ['arn:aws-cn:iam::111111111111:root', 'arn:aws-us-gov:iam::111111111111:root']) expect(evaluate(request(), { identity: [allow()], resource: [deny({ Principal: { AWS: value } })] })).toBe('ExplicitDeny');
  });

  test('a service principal matches {"Service": ...} naming it, and no AWS principal', () => {
    const service = request({ principal: { service: 'secretsmanager.amazonaws.com' } });
    expect(evaluate(service, { resource: [allow({ Principal: { Service: ['events.amazonaws.com', 'secretsmanager.amazonaws.com'] } })] })).toBe('Allow');
    expect(evaluate(service, { resource: [allow({ Principal: { Service: 'events.amazonaws.com' } })] })).toBe('ImplicitDeny');
    expect(evaluate(service, { resource: [allow({ Principal: { AWS: ROLE } })] })).toBe('ImplicitDeny');
    expect(evaluate(service, { resource: [allow({ Principal: { AWS: '111111111111' } })] })).toBe('ImplicitDeny');
    expect(evaluate(request(), { resource: [allow({ Principal: { Service: ROLE } })] })).toBe('ImplicitDeny');
  });

  test('an identity policy takes no Principal, a resource policy needs one', () => {
    // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    //   "You cannot use the Principal element in an identity-based policy"
    expect(() => evaluate(request(), { identity: [allow({ Sid: 'Wrong', Principal: '*' })] })).toThrow(/statement Wrong: an identity policy statement takes no Principal/);
    expect(() => evaluate(request(), { resource: [allow()] })).toThrow(/a resource policy statement needs Principal/);
    expect(() => evaluate(request(), { identity: [allow({ NotPrincipal: { AWS: ROLE } })] })).toThrow(/takes no Principal/);
  });
});

describe('NotPrincipal', () => {
  // Rule: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
  //   "When you use NotPrincipal, you must also specify the account ARN of the not-denied principal. Otherwise, the policy
  //    might deny access to the entire account containing the principal." (Example: NotPrincipal [Bob, the account's :root]
  //    denies "all principals except the user named Bob".)
  const exceptFor = (...names: string[]): PolicyStatement => deny({ NotPrincipal: { AWS: names }, Action: '*' });

  test('a Deny with NotPrincipal spares a role named with its account', () => {
    expect(evaluate(request(), { identity: [allow()], resource: [exceptFor(ROLE, ACCOUNT_ROOT)] })).toBe('Allow');
    expect(evaluate(request(), { identity: [allow()], resource: [exceptFor(ROLE, '111111111111')] })).toBe('Allow');
  });

  test('the other principals of that account are still denied', () => {
    expect(evaluate(request({ principal: { arn: OTHER_ROLE } }), { identity: [allow()], resource: [exceptFor(ROLE, ACCOUNT_ROOT)] })).toBe('ExplicitDeny');
  });

  test("naming the account alone spares its root user, not the account's roles", () => {
    expect(evaluate(request(), { identity: [allow()], resource: [exceptFor(ACCOUNT_ROOT)] })).toBe('ExplicitDeny');
    expect(evaluate(request({ principal: { arn: ACCOUNT_ROOT } }), { identity: [allow()], resource: [exceptFor(ACCOUNT_ROOT)] })).toBe('Allow');
    expect(evaluate(request({ principal: { arn: ACCOUNT_ROOT } }), { identity: [allow()], resource: [exceptFor('111111111111')] })).toBe('Allow');
  });

  test('naming a role without its account throws: AWS might deny the whole account', () => {
    expect(() => evaluate(request(), { identity: [allow()], resource: [exceptFor(ROLE)] })).toThrow(/NotPrincipal names arn:aws:iam::111111111111:role\/app but not its account/);
    // A role of another account named with that account is still denied, whatever the account statement.
    expect(evaluate(request(), { identity: [allow()], resource: [exceptFor(PARTNER, 'arn:aws:iam::222222222222:root')] })).toBe('ExplicitDeny');
  });

  test('NotPrincipal with Allow throws: AWS does not support it', () => {
    //   "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not supported."
    expect(() => evaluate(request(), { resource: [allow({ Sid: 'Everyone', NotPrincipal: { AWS: [OTHER_ROLE, ACCOUNT_ROOT] } })] })).toThrow(/statement Everyone: NotPrincipal with Allow is not supported/);
  });

  test('NotPrincipal "*" or {"AWS": "*"} spares everyone; a service is spared when named', () => {
    expect(evaluate(request(), { identity: [allow()], resource: [deny({ NotPrincipal: '*' })] })).toBe('Allow');
    expect(evaluate(request(), { identity: [allow()], resource: [deny({ NotPrincipal: { AWS: '*' } })] })).toBe('Allow');
    const service = request({ principal: { service: 'events.amazonaws.com' } });
    const policies = (named: string) => ({ resource: [allow({ Principal: '*' }), deny({ NotPrincipal: { Service: named } })] });
    expect(evaluate(service, policies('events.amazonaws.com'))).toBe('Allow');
    expect(evaluate(service, policies('sns.amazonaws.com'))).toBe('ExplicitDeny');
  });

  test("a principal ARN without an account is never spared: no account of NotPrincipal is its account", () => {
    const accountless = request({ principal: { arn: 'arn:aws:iam:::role/app' } });
    expect(() => evaluate(accountless, { identity: [allow()], resource: [exceptFor('arn:aws:iam:::role/app')] })).toThrow(/but not its account/);
    expect(evaluate(accountless, { identity: [allow()], resource: [exceptFor(ACCOUNT_ROOT)] })).toBe('ExplicitDeny');
  });
});
