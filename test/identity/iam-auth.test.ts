// Auth.iam routes: SigV4 (AuthorizationType AWS_IAM) and a resource policy that denies every
// principal but the named ones. Judged with the IAM policy evaluator as API Gateway evaluates IAM
// authorization with a resource policy: within the account, an allow in either the caller's policy
// or the resource policy; across accounts, in both; an explicit deny always wins.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Auth, DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, Rotation, SecureIntegration, unacknowledgedFindings } from '../../lib';
import { objectSchema } from '../helpers';
import { evaluate, type PolicyStatement } from '../support/iam-policy-evaluator';

const ACCOUNT = '111111111111';
const PARTNER_ACCOUNT = '222222222222';
const ARN_PREFIX = `arn:aws:execute-api:eu-west-1:${ACCOUNT}:a1b2c3d4e5/`;

function build() {
  const stack = new Stack(new App(), 'Iam', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  const partnerRole = iam.Role.fromRoleArn(stack, 'PartnerRole', `arn:aws:iam::${PARTNER_ACCOUNT}:role/orders-sender`, { mutable: false });
  const erp = new SecureIntegration(stack, 'Erp', {
    owner: 'erp-team@example.com',
    dataClassification: DataClassification.INTERNAL,
    credentials: [{ name: 'erp-api-key', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(30) }],
    inbound: Inbound.api({
      routes: [
        { method: HttpMethod.POST, path: '/erp/orders', bodySchema: objectSchema, auth: Auth.iam({ roles: [partnerRole] }) },
        { method: HttpMethod.POST, path: '/erp/stock', bodySchema: objectSchema, auth: Auth.iam({ accounts: [PARTNER_ACCOUNT] }) },
      ],
    }),
  });
  const crm = new SecureIntegration(stack, 'Crm', {
    owner: 'crm-team@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/crm/contacts', bodySchema: objectSchema, scopes: ['contacts.write'] }] }),
  });
  // The ERP team's own function, which calls the IAM routes, and one that hands the API key out.
  const internal = new IntegrationFunction(stack, 'Internal', { code: lambda.Code.fromInline('exports.handler=async()=>({})') });
  erp.grantInvoke(internal.function);
  const reader = new IntegrationFunction(stack, 'Reader', { code: lambda.Code.fromInline('exports.handler=async()=>({})') });
  erp.grantReadCredentials(reader.function);
  return { stack, erp, crm, template: Template.fromStack(stack) };
}

const { stack, crm, template } = build();
const api = Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0];
/** The resource policy as stored, with the role ARNs resolved the way the evaluator names them. */
const resourcePolicy: PolicyStatement[] = (api.Properties.Policy.Statement as Array<PolicyStatement & { Resource: string | string[] }>).map((s) => {
  const expand = (r: string) => r.replace(/^execute-api:\//, ARN_PREFIX);
  const resolved = JSON.parse(JSON.stringify(s).replace(/\{"Fn::GetAtt":\["(InternalRole[A-Za-z0-9]+)","Arn"\]\}/g, `"arn:aws:iam::${ACCOUNT}:role/$1"`)) as PolicyStatement & { Resource: string | string[] };
  return { ...resolved, Resource: Array.isArray(resolved.Resource) ? resolved.Resource.map(expand) : expand(resolved.Resource) };
});
const internalRoleArn = `arn:aws:iam::${ACCOUNT}:role/${Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('InternalRole'))}`;

/** A signed call by `principalArn`, whose own identity policy allows the invoke (or not). */
function call(principalArn: string, method: string, path: string, identityAllows = true) {
  const resource = `${ARN_PREFIX}v1/${method}${path}`;
  const identity: PolicyStatement[] = identityAllows ? [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: resource }] : [];
  return evaluate({ principal: { arn: principalArn }, action: 'execute-api:Invoke', resource }, { identity, resource: resourcePolicy, resourceAccount: ACCOUNT });
}

describe('Auth.iam routes', () => {
  test('are SigV4 methods without a Cognito authorizer or scopes; an integration without OAuth 2.0 routes gets no app client', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod === 'POST');
    const erpMethods = methods.filter((m) => JSON.stringify(m.Properties.OperationName).startsWith('"Erp-'));
    expect(erpMethods.map((m) => m.Properties.AuthorizationType)).toEqual(['AWS_IAM', 'AWS_IAM']);
    for (const m of erpMethods) expect(m.Properties.AuthorizationScopes).toBeUndefined();
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient'));
    expect(clients.map((c) => c.Properties.ClientName)).toEqual(['Crm']);
    expect(crm.client).toBeDefined();
  });

  test('admit the named role, the named account\'s principals and a role granted with grantInvoke, on their own routes only', () => {
    expect(call(`arn:aws:iam::${PARTNER_ACCOUNT}:role/orders-sender`, 'POST', '/erp/orders')).toBe('Allow');
    expect(call(`arn:aws:iam::${PARTNER_ACCOUNT}:role/anyone`, 'POST', '/erp/stock')).toBe('Allow');
    expect(call(internalRoleArn, 'POST', '/erp/orders')).toBe('Allow');
    expect(call(internalRoleArn, 'POST', '/erp/stock')).toBe('Allow');
    // The account named for /erp/stock is not named for /erp/orders.
    expect(call(`arn:aws:iam::${PARTNER_ACCOUNT}:role/anyone`, 'POST', '/erp/orders')).toBe('ExplicitDeny');
  });

  test('deny every other principal, of this account or another, even one whose own policy allows the call', () => {
    expect(call('arn:aws:iam::333333333333:role/attacker', 'POST', '/erp/orders')).toBe('ExplicitDeny');
    expect(call(`arn:aws:iam::${ACCOUNT}:role/some-other-team`, 'POST', '/erp/orders')).toBe('ExplicitDeny');
    expect(call(`arn:aws:iam::${ACCOUNT}:role/some-other-team`, 'POST', '/erp/stock')).toBe('ExplicitDeny');
  });

  test('a named principal of another account still needs its own policy (cross-account IAM)', () => {
    expect(call(`arn:aws:iam::${PARTNER_ACCOUNT}:role/orders-sender`, 'POST', '/erp/orders', false)).toBe('ImplicitDeny');
  });

  test('leave OAuth 2.0 routes to their authorizer', () => {
    const anonymous = evaluate(
      { principal: { service: 'anonymous.execute-api.amazonaws.com' }, action: 'execute-api:Invoke', resource: `${ARN_PREFIX}v1/POST/crm/contacts` },
      { resource: resourcePolicy, resourceAccount: ACCOUNT },
    );
    expect(anonymous).toBe('Allow');
  });

  test('grantInvoke admits the role in the resource policy alone: no policy of its own is needed, and none is written (which a role in another stack could not take without a circle)', () => {
    expect(call(internalRoleArn, 'POST', '/erp/orders', false)).toBe('Allow');
    expect(JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'))).not.toContain('execute-api:Invoke');
  });

  test('a named account delegates to its own IAM policies, also the API\'s own account: its principals need a policy allowing the call', () => {
    const s2 = new Stack(new App(), 'Own', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    new IntegrationPlatform(s2, 'Platform');
    new SecureIntegration(s2, 'Ledger', {
      owner: 'ledger@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/ledger', bodySchema: objectSchema, auth: Auth.iam({ accounts: [ACCOUNT], principalArns: [`arn:aws:iam::${PARTNER_ACCOUNT}:root`] }) }] }),
    });
    const policy: PolicyStatement[] = (Object.values(Template.fromStack(s2).findResources('AWS::ApiGateway::RestApi'))[0].Properties.Policy.Statement as Array<PolicyStatement & { Resource: string | string[] }>).map((st) => ({
      ...st,
      Resource: (Array.isArray(st.Resource) ? st.Resource : [st.Resource]).map((r) => r.replace(/^execute-api:\//, ARN_PREFIX)),
    }));
    const ledger = (principalArn: string, identityAllows: boolean) => {
      const resource = `${ARN_PREFIX}v1/POST/ledger`;
      return evaluate(
        { principal: { arn: principalArn }, action: 'execute-api:Invoke', resource },
        { identity: identityAllows ? [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: resource }] : [], resource: policy, resourceAccount: ACCOUNT },
      );
    };
    expect(ledger(`arn:aws:iam::${ACCOUNT}:role/any-function`, false)).toBe('ImplicitDeny');
    expect(ledger(`arn:aws:iam::${ACCOUNT}:role/any-function`, true)).toBe('Allow');
    // An account's :root ARN names the account, not only its root user.
    expect(ledger(`arn:aws:iam::${PARTNER_ACCOUNT}:role/ledger-writer`, true)).toBe('Allow');
    expect(ledger(`arn:aws:iam::${PARTNER_ACCOUNT}:role/ledger-writer`, false)).toBe('ImplicitDeny');
    expect(ledger('arn:aws:iam::333333333333:role/ledger-writer', true)).toBe('ExplicitDeny');
  });

  test('grantInvoke to an imported role of another account names it and writes no policy for it; a role of an unrelated stack is a synth error naming the fix', () => {
    const app = new App();
    const s2 = new Stack(app, 'Api', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    new IntegrationPlatform(s2, 'Platform');
    const ledger = new SecureIntegration(s2, 'Ledger', {
      owner: 'ledger@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/ledger', bodySchema: objectSchema, auth: Auth.iam({ accounts: [PARTNER_ACCOUNT] }) }] }),
    });
    ledger.grantInvoke(iam.Role.fromRoleArn(s2, 'Partner', 'arn:aws:iam::333333333333:role/partner-caller'));
    const other = new Stack(app, 'Callers', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const caller = new IntegrationFunction(other, 'Caller', { platform: IntegrationPlatform.of(s2), code: lambda.Code.fromInline('exports.handler=async()=>({})') });
    expect(() => ledger.grantInvoke(caller.function)).toThrow(/invalid `grantInvoke` 'Callers\/Caller\/Role'.*fixed roleName/);
    expect(() => app.synth()).not.toThrow();
    const t = Template.fromStack(s2);
    expect(JSON.stringify(t.toJSON())).toContain('arn:aws:iam::333333333333:role/partner-caller');
    expect(JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'))).not.toContain('partner-caller');
  });

  test('grantReadCredentials reads the integration\'s secrets by full ARN, decrypting only through Secrets Manager and only for them', () => {
    const policy = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith('ReaderRolePolicy')).map(([, p]) => p).find((p) => JSON.stringify(p).includes('kms:EncryptionContext:SecretARN'))!;
    const statements = policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> }>;
    const decrypt = statements.find((s) => s.Action === 'kms:Decrypt')!;
    expect(decrypt.Condition!.StringEquals['kms:ViaService']).toBeDefined();
    expect(JSON.stringify(decrypt.Condition!.StringEquals['kms:EncryptionContext:SecretARN'])).toContain('ErperpapikeySecret');
    const read = statements.find((s) => Array.isArray(s.Action) && s.Action.includes('secretsmanager:GetSecretValue'))!;
    expect(JSON.stringify(read.Resource)).toContain('ErperpapikeySecret');
    expect(JSON.stringify(read.Resource)).not.toContain('*');
  });

  test('the five packs report nothing', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

describe('bad input is a synth error naming the prop, the value and the fix', () => {
  const integration = (auth: Auth, scopes?: string[]) => {
    const s = new Stack(new App(), 'Bad', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    new IntegrationPlatform(s, 'Platform');
    return new SecureIntegration(s, 'Erp', {
      owner: 'erp-team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/erp', bodySchema: objectSchema, auth, scopes }] }),
    });
  };

  test('an IAM mode with no principals', () => {
    expect(() => integration(Auth.iam({}))).toThrow(/invalid `inbound.routes\[0\].auth` 'Auth.iam\(\{\}\)'.*at least one/);
  });

  test('a malformed account, principal ARN or organization id; a wildcard account or a session ARN', () => {
    expect(() => integration(Auth.iam({ accounts: ['12345'] }))).toThrow(/inbound.routes\[0\].auth.accounts\[0\]` '12345'.*12 digits/);
    expect(() => integration(Auth.iam({ principalArns: ['orders-sender'] }))).toThrow(/principalArns\[0\]/);
    // Any account could create a role of that name and be admitted.
    expect(() => integration(Auth.iam({ principalArns: ['arn:aws:iam::*:role/partner-*'] }))).toThrow(/principalArns\[0\]` 'arn:aws:iam::\*:role\/partner-\*'.*wildcards only in the name/);
    expect(() => integration(Auth.iam({ principalArns: ['arn:aws:sts::222222222222:assumed-role/partner/session'] }))).toThrow(/assumed-role ARN never matches/);
    expect(() => integration(Auth.iam({ principalArns: ['arn:aws:iam::222222222222:role/partner-*'] }))).not.toThrow();
    expect(() => integration(Auth.iam({ organizationIds: ['org-1'] }))).toThrow(/organizationIds\[0\]/);
  });

  test('scopes on an IAM route', () => {
    expect(() => integration(Auth.iam({ accounts: [PARTNER_ACCOUNT] }), ['erp.write'])).toThrow(/inbound.routes\[0\].scopes.*not by OAuth 2.0 scopes/);
  });

  test('grantInvoke on an integration without IAM routes, grantReadCredentials on one without credentials', () => {
    const webhookless = integration(Auth.oauth2ClientCredentials(), ['erp.write']);
    const role = new iam.Role(webhookless, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => webhookless.grantInvoke(role)).toThrow(/invalid `grantInvoke`.*Only Auth.iam routes/);
    const iamOnly = integration(Auth.iam({ accounts: [PARTNER_ACCOUNT] }));
    expect(() => iamOnly.grantReadCredentials(new iam.Role(iamOnly, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }))).toThrow(/holds no credential/);
  });

  test('a platform whose routes default to IAM', () => {
    const s = new Stack(new App(), 'Default', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    new IntegrationPlatform(s, 'Platform', { defaultRouteAuth: Auth.iam({ accounts: [PARTNER_ACCOUNT] }) });
    new SecureIntegration(s, 'Erp', { owner: 'erp-team@example.com', dataClassification: DataClassification.INTERNAL, inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/erp', bodySchema: objectSchema }] }) });
    const t = Template.fromStack(s);
    expect(Object.values(t.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.HttpMethod === 'POST').map((m) => m.Properties.AuthorizationType)).toEqual(['AWS_IAM']);
    t.resourceCountIs('AWS::Cognito::UserPool', 0);
  });
});
