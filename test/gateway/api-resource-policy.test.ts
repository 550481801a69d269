// IP allowlists that fail closed: besides the WAF rule (which matches an integration's paths with a
// regular expression), API Gateway's resource policy denies the integration's execute-api resources
// to callers outside the allowlist. Judged with the IAM policy evaluator as API Gateway evaluates a
// resource policy for Cognito-authorized and unauthenticated routes: an explicit allow is needed,
// and an explicit deny wins.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, type IntegrationPlatformProps, SecureIntegration, SignatureScheme } from '../../lib';
import { API_RESOURCE_POLICY_MAX_CHARACTERS, routeResources } from '../../lib/gateway/api-resource-policy';
import { objectSchema } from '../helpers';
import { evaluate, type PolicyStatement } from '../support/iam-policy-evaluator';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const API = 'a1b2c3d4e5';
const ARN_PREFIX = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API}/`;

function platformWith(integrations: Array<{ name: string; path: string; allowlist?: string[]; webhook?: boolean }>, props: IntegrationPlatformProps = {}) {
  const stack = new Stack(new App(), 'Policy', { env: { account: ACCOUNT, region: REGION } });
  new IntegrationPlatform(stack, 'Platform', props);
  for (const i of integrations) {
    new SecureIntegration(stack, i.name, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      ...(i.allowlist ? { waf: { ipAllowlist: i.allowlist } } : {}),
      inbound: i.webhook
        ? Inbound.webhook({ path: i.path, bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256(), signingSecretWriters: [] })
        : Inbound.api({ routes: [{ method: HttpMethod.POST, path: i.path, bodySchema: objectSchema, scopes: [`${i.name.toLowerCase()}.write`] }] }),
    });
  }
  return stack;
}

/** The API's resource policy as API Gateway stores it: `execute-api:/` expanded to the API's ARN. */
function storedPolicy(template: Template): PolicyStatement[] {
  const api = Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0];
  const expand = (r: string) => r.replace(/^execute-api:\//, ARN_PREFIX);
  return (api.Properties.Policy?.Statement ?? []).map((s: PolicyStatement & { Resource: string | string[] }) => ({
    ...s,
    Resource: Array.isArray(s.Resource) ? s.Resource.map(expand) : expand(s.Resource),
  }));
}

/** What API Gateway decides for an anonymous or token-bearing caller at `sourceIp` on `METHOD path`. */
function decide(policy: PolicyStatement[], method: string, path: string, sourceIp: string) {
  return evaluate(
    { principal: { service: 'anonymous.execute-api.amazonaws.com' }, action: 'execute-api:Invoke', resource: `${ARN_PREFIX}v1/${method}${path}`, context: { 'aws:SourceIp': sourceIp } },
    { resource: policy, resourceAccount: ACCOUNT },
  );
}

describe('an integration\'s allowlist in the API\'s resource policy', () => {
  const stack = platformWith([
    { name: 'Orders', path: '/orders', allowlist: ['203.0.113.0/24', '2001:db8:1::/48'] },
    { name: 'Invoices', path: '/billing/{invoiceId}', allowlist: ['2001:db8:1::/48', '203.0.113.0/24'] },
    { name: 'Hooks', path: '/hooks/github', webhook: true, allowlist: ['192.0.2.10/32'] },
    { name: 'Open', path: '/open' },
  ]);
  const template = Template.fromStack(stack);
  const policy = storedPolicy(template);

  test('denies the integration\'s routes to callers outside it, in every spelling API Gateway routes to the method', () => {
    expect(decide(policy, 'POST', '/orders', '203.0.113.9')).toBe('Allow');
    expect(decide(policy, 'POST', '/orders', '2001:db8:1::7')).toBe('Allow');
    expect(decide(policy, 'POST', '/orders', '198.51.100.1')).toBe('ExplicitDeny');
    expect(decide(policy, 'POST', '/orders/', '198.51.100.1')).toBe('ExplicitDeny');
    expect(decide(policy, 'POST', '/billing/inv-42', '198.51.100.1')).toBe('ExplicitDeny');
    expect(decide(policy, 'POST', '/billing/inv-42', '203.0.113.200')).toBe('Allow');
    expect(decide(policy, 'POST', '/hooks/github', '192.0.2.10')).toBe('Allow');
    expect(decide(policy, 'POST', '/hooks/github', '192.0.2.11')).toBe('ExplicitDeny');
    expect(decide(policy, 'POST', '/hooks/github', '203.0.113.9')).toBe('ExplicitDeny');
  });

  test('leaves integrations without an allowlist open to every address (their authorizer decides)', () => {
    expect(decide(policy, 'POST', '/open', '198.51.100.1')).toBe('Allow');
  });

  test('integrations with the same networks share one statement', () => {
    const denies = policy.filter((s) => s.Effect === 'Deny');
    expect(denies).toHaveLength(2);
    expect(denies.find((s) => JSON.stringify(s.Resource).includes('orders'))!.Resource).toEqual(expect.arrayContaining([`${ARN_PREFIX}v1/POST/orders`, `${ARN_PREFIX}v1/POST/billing/*`]));
  });

  test('a new allowlist is deployed: the resource policy is part of the deployment\'s identity', () => {
    const deploymentId = (t: Template) => Object.keys(t.findResources('AWS::ApiGateway::Deployment'))[0];
    const without = Template.fromStack(platformWith([{ name: 'Orders', path: '/orders' }]));
    const withList = Template.fromStack(platformWith([{ name: 'Orders', path: '/orders', allowlist: ['203.0.113.0/24'] }]));
    const otherList = Template.fromStack(platformWith([{ name: 'Orders', path: '/orders', allowlist: ['198.51.100.0/24'] }]));
    expect(new Set([deploymentId(without), deploymentId(withList), deploymentId(otherList)]).size).toBe(3);
    // Without an allowlist there is no resource policy at all.
    expect(Object.values(without.findResources('AWS::ApiGateway::RestApi'))[0].Properties.Policy).toBeUndefined();
  });
});

test('the platform\'s allowlist denies the whole stage to callers outside it', () => {
  const policy = storedPolicy(Template.fromStack(platformWith([{ name: 'Orders', path: '/orders' }], { waf: { ipAllowlist: ['203.0.113.0/24'] } })));
  expect(decide(policy, 'POST', '/orders', '203.0.113.1')).toBe('Allow');
  expect(decide(policy, 'POST', '/orders', '198.51.100.1')).toBe('ExplicitDeny');
  expect(decide(policy, 'GET', '/anything/else', '198.51.100.1')).toBe('ExplicitDeny');
});

test('route resources: parameters become wildcards, and the trailing-slash spelling is covered', () => {
  expect(routeResources('v1', { method: 'POST', path: '/a/{id}/b' })).toEqual(['execute-api:/v1/POST/a/*/b', 'execute-api:/v1/POST/a/*/b/']);
  expect(routeResources('v1', { method: 'GET', path: '/' })).toEqual(['execute-api:/v1/GET/']);
});

test('more allowlisted routes than API Gateway\'s 8,192 characters of resource policy hold is a synth error naming the quota and the fix', () => {
  const many = Array.from({ length: 40 }, (_, i) => ({ name: `Partner${i}`, path: `/partners/partner-with-a-long-name-${i}`, allowlist: [`198.51.100.${i}/32`] }));
  expect(() => Template.fromStack(platformWith(many, { stackBudget: { maxResources: 480, maxTemplateBytes: 950_000 } }))).toThrow(
    new RegExp(`characters of API resource policy.*at most ${API_RESOURCE_POLICY_MAX_CHARACTERS}.*same allowlist`),
  );
});

test('an allowlist network with host bits set is a synth error naming the network', () => {
  expect(() => platformWith([{ name: 'Orders', path: '/orders', allowlist: ['203.0.113.5/24'] }])).toThrow(/host bits set; the network is 203\.0\.113\.0\/24/);
});

test('an account whose quota was raised says so: apiResourcePolicyCharacters admits the longer policy; a value below the default is a synth error', () => {
  const many = Array.from({ length: 40 }, (_, i) => ({ name: `Partner${i}`, path: `/partners/partner-with-a-long-name-${i}`, allowlist: [`198.51.100.${i}/32`] }));
  expect(() => Template.fromStack(platformWith(many, { apiResourcePolicyCharacters: 20_480 }))).not.toThrow();
  expect(() => platformWith([{ name: 'Orders', path: '/orders' }], { apiResourcePolicyCharacters: 4_096 })).toThrow(/invalid `apiResourcePolicyCharacters` 4096.*L-8B81B02C/);
});

test('an allowlist whose parameterized path would also cover another integration\'s route is a synth error naming both (a resource policy\'s * spans path segments)', () => {
  const stack = platformWith([
    { name: 'Invoices', path: '/billing/{invoiceId}', allowlist: ['203.0.113.0/24'] },
    { name: 'Lines', path: '/billing/{invoiceId}/lines' },
  ]);
  expect(() => Template.fromStack(stack)).toThrow(/Invoices: invalid `waf.ipAllowlist` 'POST \/billing\/\{invoiceId\}\/lines of Lines'.*any number of path segments/);
  // The same allowlist on both is fine.
  const same = platformWith([
    { name: 'Invoices', path: '/billing/{invoiceId}', allowlist: ['203.0.113.0/24'] },
    { name: 'Lines', path: '/billing/{invoiceId}/lines', allowlist: ['203.0.113.0/24'] },
  ]);
  expect(() => Template.fromStack(same)).not.toThrow();
});
