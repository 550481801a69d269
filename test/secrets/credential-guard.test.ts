import { App, CliCredentialsStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataClassification, Inbound, IntegrationPlatform, IntegrationPlatformProps, Rotation, SecureIntegration, SignatureScheme } from '../../lib';
import { integrationProps, newStack, objectSchema } from '../helpers';
import {
  AuthorizationRequest,
  evaluate,
  FakeEnvironment,
  identityPolicyOfRole,
  lambdaResourcePolicy,
  PolicyStatement,
  RequestContext,
  resolveIntrinsics,
  secretResourcePolicies,
  TemplateJson,
} from '../support/iam-policy-evaluator';

// The guard's logic, not its text: each test evaluates a request AWS would make against the
// synthesized policies (identity policy + the secret's resource policy, or the function's resource
// policy) with the documented IAM evaluation logic, and asserts the decision.

// newStack() synthesizes in this account and region; the intrinsics resolve in the same.
const ENV: FakeEnvironment = { partition: 'aws', region: 'eu-west-1', account: '111111111111', urlSuffix: 'amazonaws.com' };
const BREAK_GLASS_ROLE = 'arn:aws:iam::111111111111:role/credential-break-glass';
const CLOUDFORMATION = 'cloudformation.amazonaws.com';

/** What changes a credential (value, stages, tags, policy, rotation, replicas, its existence), written out so that a change of the guard's list shows here. */
const CHANGES = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:TagResource',
  'secretsmanager:UntagResource',
  'secretsmanager:PutResourcePolicy',
  'secretsmanager:DeleteResourcePolicy',
  'secretsmanager:UpdateSecret',
  'secretsmanager:RotateSecret',
  'secretsmanager:CancelRotateSecret',
  'secretsmanager:ReplicateSecretToRegions',
  'secretsmanager:RemoveRegionsFromReplication',
  'secretsmanager:StopReplicationToReplica',
  // Deleted, its name could be taken by a secret of someone else's (the rotation also checks the ARN).
  'secretsmanager:DeleteSecret',
  'secretsmanager:RestoreSecret',
];
const ADMIN: PolicyStatement[] = [{ Effect: 'Allow', Action: '*', Resource: '*' }];
const SECRETS_MANAGER_ADMIN: PolicyStatement[] = [{ Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' }];

interface Credential {
  readonly arn: string;
  readonly policy: PolicyStatement[];
}

/**
 * A platform with an Inbound.api integration (its app client's secret is the managed credential
 * oauth2-client-secret), an integration with a generated-token credential, and a signed webhook
 * (its signing secret is partner-held); the credentials and the rotation function, read from the template.
 */
function synthesize(platformProps: (stack: Stack) => IntegrationPlatformProps = () => ({})) {
  const stack = newStack();
  new IntegrationPlatform(stack, 'Platform', platformProps(stack));
  new SecureIntegration(stack, 'Crm', integrationProps(stack, {}, 'crm.write'));
  new SecureIntegration(stack, 'Erp', {
    owner: 'erp@example.com',
    dataClassification: DataClassification.INTERNAL,
    credentials: [{ name: 'partner-api-key', rotation: Rotation.generatedToken() }],
  });
  new SecureIntegration(stack, 'Hooks', {
    owner: 'hooks@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.webhook({ path: '/hooks', bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256() }),
  });
  const template = Template.fromStack(stack).toJSON() as TemplateJson;
  const policies = secretResourcePolicies(template, ENV);
  const credential = (nameSuffix: string): Credential => {
    const ids = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret' && String(r.Properties?.Name).endsWith(nameSuffix))
      .map(([id]) => id);
    if (ids.length !== 1) throw new Error(`expected one secret named *${nameSuffix}, found ${ids.length}`);
    return { arn: resolveIntrinsics({ Ref: ids[0] }, template, ENV) as string, policy: policies.get(ids[0]) ?? [] };
  };
  // The rotation function is the one the rotation schedules invoke; its role is the function's Role.
  const functionId = (Object.values(template.Resources).find((r) => r.Type === 'AWS::SecretsManager::RotationSchedule')?.Properties?.RotationLambdaARN as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const roleId = (template.Resources[functionId].Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return {
    apiClientSecret: credential('/Crm/oauth2-client-secret'),
    partnerApiKey: credential('/Erp/partner-api-key'),
    signingSecret: credential('/signing-secret'),
    rotation: {
      roleArn: resolveIntrinsics({ 'Fn::GetAtt': [roleId, 'Arn'] }, template, ENV) as string,
      identity: identityPolicyOfRole(template, roleId, ENV),
      functionArn: resolveIntrinsics({ 'Fn::GetAtt': [functionId, 'Arn'] }, template, ENV) as string,
      functionPolicy: lambdaResourcePolicy(template, functionId, ENV),
    },
  };
}

/** The decision for `principal` calling `action` on a credential, with its identity policy and the credential's resource policy. */
function decide(principalArn: string, identity: PolicyStatement[], action: string, credential: Credential, context: RequestContext = {}) {
  const request: AuthorizationRequest = { principal: { arn: principalArn }, action, resource: credential.arn, context };
  return evaluate(request, { identity, resource: credential.policy });
}

const platform = synthesize();
const rotated = [
  ['the Inbound.api client secret', platform.apiClientSecret],
  ['the generated partner API key', platform.partnerApiKey],
] as const;
const everyChangeOfEveryRotated = rotated.flatMap(([name, credential]) => CHANGES.map((action) => [action, name, credential] as const));

describe('a tenant role allowed secretsmanager:* on every secret of the account', () => {
  const tenant = 'arn:aws:iam::111111111111:role/crm-team';

  test.each(everyChangeOfEveryRotated)('is denied %s on %s by the resource policy', (action, _name, credential) => {
    // GIVEN the tenant's identity policy allows everything in Secrets Manager
    // WHEN it calls a credential-changing action directly
    // THEN the secret's resource policy denies it explicitly
    expect(decide(tenant, SECRETS_MANAGER_ADMIN, action, credential)).toBe('ExplicitDeny');
  });

  test.each(rotated.flatMap(([name, credential]) => ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'].map((action) => [action, name, credential] as const)))(
    'may still %s %s: reading stays governed by IAM',
    (action, _name, credential) => {
      expect(decide(tenant, SECRETS_MANAGER_ADMIN, action, credential)).toBe('Allow');
    },
  );
});

describe("the rotation function's role, with its identity policy from the template", () => {
  const { roleArn, identity } = platform.rotation;

  test.each(rotated.flatMap(([name, credential]) => ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'].map((action) => [action, name, credential] as const)))(
    'may %s on %s',
    (action, _name, credential) => {
      expect(decide(roleArn, identity, action, credential)).toBe('Allow');
    },
  );

  test.each(['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'])("may not %s on another platform's secret, which it was never granted", (action) => {
    // GIVEN a secret of another platform's stack, with no resource policy
    const other: Credential = { arn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:integrations/OtherStack-Platform-0A1B2C3D/Erp/partner-api-key-AbCdEf', policy: [] };
    // WHEN / THEN
    expect(decide(roleArn, identity, action, other)).toBe('ImplicitDeny');
  });

  test.each(['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:GetSecretValue'])(
    'may not %s on the partner-held signing secret, whose age it only watches',
    (action) => {
      expect(decide(roleArn, identity, action, platform.signingSecret)).toBe('ImplicitDeny');
    },
  );

  test.each(['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteSecret', 'secretsmanager:RotateSecret'])('may not %s on its own credentials: its identity policy grants no such change', (action) => {
    expect(decide(roleArn, identity, action, platform.partnerApiKey)).toBe('ImplicitDeny');
  });

  test('may tag its own credentials (it records when AWSCURRENT moved), which nobody else may', () => {
    expect(decide(roleArn, identity, 'secretsmanager:TagResource', platform.partnerApiKey)).toBe('Allow');
  });
});

describe('a deployment: CloudFormation calling on a deployer role with an admin identity policy', () => {
  const deployer = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';

  test.each(everyChangeOfEveryRotated)('may %s on %s (a deployment is the break-glass path)', (action, _name, credential) => {
    // GIVEN a request CloudFormation makes through a forward access session
    const context = { 'aws:CalledVia': [CLOUDFORMATION] };
    // WHEN / THEN
    expect(decide(deployer, ADMIN, action, credential, context)).toBe('Allow');
  });

  test.each(rotated)('is denied PutSecretValue on %s when the deployer calls directly, without CloudFormation', (_name, credential) => {
    expect(decide(deployer, ADMIN, 'secretsmanager:PutSecretValue', credential)).toBe('ExplicitDeny');
  });

  test.each(rotated)('is denied PutSecretValue on %s when the call comes through another service (Athena)', (_name, credential) => {
    expect(decide(deployer, ADMIN, 'secretsmanager:PutSecretValue', credential, { 'aws:CalledVia': ['athena.amazonaws.com'] })).toBe('ExplicitDeny');
  });
});

describe("another principal's own CloudFormation stack", () => {
  // A tenant allowed cloudformation:CreateStack deploys, in its own stack, an AWS::SecretsManager::ResourcePolicy
  // (or a RotationSchedule) naming a guarded secret: CloudFormation calls as the tenant, with aws:CalledVia.
  const tenant = 'arn:aws:iam::111111111111:role/crm-team';
  test.each(everyChangeOfEveryRotated)('is denied %s on %s: only the deployment role passes through CloudFormation', (action, _name, credential) => {
    expect(decide(tenant, ADMIN, action, credential, { 'aws:CalledVia': [CLOUDFORMATION] })).toBe('ExplicitDeny');
  });

  test('is denied replacing the signing secret\'s resource policy too', () => {
    expect(decide(tenant, ADMIN, 'secretsmanager:PutResourcePolicy', platform.signingSecret, { 'aws:CalledVia': [CLOUDFORMATION] })).toBe('ExplicitDeny');
  });
});

describe('credentialDeploymentRoleArns, for a synthesizer without a CloudFormation execution role', () => {
  const PIPELINE_ROLE = 'arn:aws:iam::111111111111:role/delivery-pipeline';
  const named = synthesize(() => ({ credentialDeploymentRoleArns: [PIPELINE_ROLE] }));

  test('the named role may change a credential through CloudFormation, and not directly', () => {
    expect(decide(PIPELINE_ROLE, ADMIN, 'secretsmanager:PutResourcePolicy', named.partnerApiKey, { 'aws:CalledVia': [CLOUDFORMATION] })).toBe('Allow');
    expect(decide(PIPELINE_ROLE, ADMIN, 'secretsmanager:PutResourcePolicy', named.partnerApiKey)).toBe('ExplicitDeny');
  });

  test("then CDK's bootstrap execution role is no longer exempt", () => {
    const bootstrap = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';
    expect(decide(bootstrap, ADMIN, 'secretsmanager:PutResourcePolicy', named.partnerApiKey, { 'aws:CalledVia': [CLOUDFORMATION] })).toBe('ExplicitDeny');
  });
});

describe('credentialBreakGlassRoles', () => {
  const withBreakGlass = synthesize((stack) => ({ credentialBreakGlassRoles: [iam.Role.fromRoleArn(stack, 'BreakGlass', BREAK_GLASS_ROLE)] }));
  const credentials = [
    ['the Inbound.api client secret', withBreakGlass.apiClientSecret],
    ['the generated partner API key', withBreakGlass.partnerApiKey],
    ['the partner-held signing secret', withBreakGlass.signingSecret],
  ] as const;

  test.each(credentials.flatMap(([name, credential]) => CHANGES.map((action) => [action, name, credential] as const)))(
    'a break-glass role with an admin identity policy may %s on %s',
    (action, _name, credential) => {
      expect(decide(BREAK_GLASS_ROLE, ADMIN, action, credential)).toBe('Allow');
    },
  );

  test.each(rotated)('without the prop, the same role is denied UpdateSecretVersionStage on %s', (_name, credential) => {
    expect(decide(BREAK_GLASS_ROLE, ADMIN, 'secretsmanager:UpdateSecretVersionStage', credential)).toBe('ExplicitDeny');
  });

  test('without the prop, the same role is denied UpdateSecretVersionStage on the signing secret', () => {
    expect(decide(BREAK_GLASS_ROLE, ADMIN, 'secretsmanager:UpdateSecretVersionStage', platform.signingSecret)).toBe('ExplicitDeny');
  });
});

describe('the partner-held signing secret', () => {
  const operator = 'arn:aws:iam::111111111111:role/hooks-operator';
  const operatorPolicy = (): PolicyStatement[] => [
    {
      Effect: 'Allow',
      Action: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:TagResource', 'secretsmanager:PutResourcePolicy'],
      Resource: platform.signingSecret.arn,
    },
  ];

  test("an operator allowed PutSecretValue may put the partner's new value", () => {
    expect(decide(operator, operatorPolicy(), 'secretsmanager:PutSecretValue', platform.signingSecret)).toBe('Allow');
  });

  test.each(['secretsmanager:UpdateSecretVersionStage', 'secretsmanager:TagResource', 'secretsmanager:PutResourcePolicy'])(
    'the same operator, allowed %s by IAM, is denied it by the resource policy',
    (action) => {
      expect(decide(operator, operatorPolicy(), action, platform.signingSecret)).toBe('ExplicitDeny');
    },
  );
});

describe("the rotation function's resource policy (InvokeBySecretsManager)", () => {
  const { functionArn, functionPolicy } = platform.rotation;
  const invoke = (context: RequestContext, service = 'secretsmanager.amazonaws.com') =>
    evaluate({ principal: { service }, action: 'lambda:InvokeFunction', resource: functionArn, context }, { resource: functionPolicy });

  test.each(rotated)('Secrets Manager may invoke it to rotate %s', (_name, credential) => {
    expect(invoke({ 'aws:SourceAccount': '111111111111', 'aws:SourceArn': credential.arn })).toBe('Allow');
  });

  test("Secrets Manager may not invoke it for a secret outside the platform's name prefix", () => {
    expect(invoke({ 'aws:SourceAccount': '111111111111', 'aws:SourceArn': 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:other/thing-AbCdEf' })).toBe('ImplicitDeny');
  });

  test("Secrets Manager may not invoke it for another account's secret under the same name", () => {
    const foreign = platform.partnerApiKey.arn.replace(':111111111111:', ':222222222222:');
    expect(invoke({ 'aws:SourceAccount': '222222222222', 'aws:SourceArn': foreign })).toBe('ImplicitDeny');
  });

  test('Secrets Manager may not invoke it for a request without a source ARN', () => {
    expect(invoke({ 'aws:SourceAccount': '111111111111' })).toBe('ImplicitDeny');
  });

  test('another service may not invoke it with a credential as its source', () => {
    expect(invoke({ 'aws:SourceAccount': '111111111111', 'aws:SourceArn': platform.partnerApiKey.arn }, 'events.amazonaws.com')).toBe('ImplicitDeny');
  });
});

describe('a synthesizer without a CloudFormation execution role', () => {
  test('warns that any CloudFormation operation may change credentials, and names the prop that fixes it', () => {
    const app = new App();
    const stack = new Stack(app, 'CliCredentials', { env: { account: '111111111111', region: 'eu-west-1' }, synthesizer: new CliCredentialsStackSynthesizer() });
    new SecureIntegration(stack, 'Erp', { owner: 'erp@example.com', dataClassification: DataClassification.INTERNAL, credentials: [{ name: 'partner-api-key', rotation: Rotation.generatedToken() }] });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('any CloudFormation operation may change the platform\'s credentials.*credentialDeploymentRoleArns'));
  });
});

describe('signingSecretWriters', () => {
  const WRITER = 'arn:aws:iam::111111111111:role/webhook-secret-operators';
  function withWriters(writers: boolean) {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    const hooks = new SecureIntegration(stack, 'Hooks', {
      owner: 'hooks@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.webhook({
        path: '/hooks',
        bodySchema: objectSchema,
        signature: SignatureScheme.githubHmacSha256(),
        ...(writers ? { signingSecretWriters: [iam.Role.fromRoleArn(stack, 'Writer', WRITER)] } : {}),
      }),
    });
    const template = Template.fromStack(stack).toJSON() as TemplateJson;
    const id = Object.keys(template.Resources).find((k) => template.Resources[k].Type === 'AWS::SecretsManager::Secret')!;
    return { stack, hooks, signing: { arn: resolveIntrinsics({ Ref: id }, template, ENV) as string, policy: secretResourcePolicies(template, ENV).get(id) ?? [] } };
  }

  test('the named writer may put the partner\'s secret; any other principal, whatever its IAM policies, may not', () => {
    const { signing } = withWriters(true);
    expect(decide(WRITER, ADMIN, 'secretsmanager:PutSecretValue', signing)).toBe('Allow');
    expect(decide('arn:aws:iam::111111111111:role/crm-team', ADMIN, 'secretsmanager:PutSecretValue', signing)).toBe('ExplicitDeny');
    // AND the writer still may not move stages (which could revive a replaced secret)
    expect(decide(WRITER, ADMIN, 'secretsmanager:UpdateSecretVersionStage', signing)).toBe('ExplicitDeny');
  });

  test('without writers, synth warns that anyone allowed PutSecretValue can forge deliveries', () => {
    const { stack } = withWriters(false);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('can set it, and then forge deliveries.*signingSecretWriters'));
    const named = withWriters(true);
    Annotations.fromStack(named.stack).hasNoWarning('*', Match.stringLikeRegexp('signingSecretWriters'));
  });
});
