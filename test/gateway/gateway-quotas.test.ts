// AWS WAF's fixed quotas on one web ACL (https://docs.aws.amazon.com/waf/latest/developerguide/limits.html):
// 10 rate-based rules, 50 reference statements. A catalog that would pass them is a synth error that
// names the quota; integrations that trust the same addresses share one rule and its IP sets.
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, IntegrationWebAcl, SecureIntegration, WAF_MAX_RATE_BASED_RULES, WAF_MAX_REFERENCE_STATEMENTS, WafRateLimit } from '../../lib';
import { newStack, objectSchema } from '../helpers';

/** A platform's WebACL with `n` integrations' controls, each on its own route. */
function aclWith(n: number, waf: (i: number) => Parameters<IntegrationWebAcl['addIntegrationControls']>[2]) {
  const stack = newStack();
  const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'v1' } });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  const acl = new IntegrationWebAcl(stack, 'WebAcl', { stage: api.deploymentStage, encryptionKey: new kms.Key(stack, 'Key') });
  const controls = Array.from({ length: n }, (_, i) => acl.addIntegrationControls(`Partner${i}`, [`/p${i}`], waf(i)));
  return { stack, acl, controls };
}

const rulesOf = (template: Template) =>
  Object.values(template.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules as Array<{ Name: string; Statement: Record<string, { Statements?: Array<Record<string, { Statements?: unknown[] }>> }> }>;
const references = (template: Template) => JSON.stringify(template.findResources('AWS::WAFv2::WebACL')).split('IPSetReferenceStatement').length - 1;

describe('WebACL quotas', () => {
  test(`the platform's rate limit and ${WAF_MAX_RATE_BASED_RULES - 1} integrations with their own fit; one more is a synth error naming the quota and the fix`, () => {
    const fits = Template.fromStack(aclWith(WAF_MAX_RATE_BASED_RULES - 1, () => ({ rateLimit: WafRateLimit.perClientIp(500) })).stack);
    expect(rulesOf(fits).filter((r) => r.Statement.RateBasedStatement)).toHaveLength(WAF_MAX_RATE_BASED_RULES);
    expect(() => Template.fromStack(aclWith(WAF_MAX_RATE_BASED_RULES, () => ({ rateLimit: WafRateLimit.perClientIp(500) })).stack)).toThrow(
      /11 rate-based rules[\s\S]*allows 10 per web ACL[\s\S]*API Gateway throttling/,
    );
  });

  test('26 integrations with their own IPv4 and IPv6 allowlists pass 50 reference statements: a synth error naming the quota and the fix', () => {
    const own = (i: number) => ({ ipAllowlist: [`198.51.100.${i}/32`, `2001:db8::${i.toString(16)}/128`] });
    expect(references(Template.fromStack(aclWith(25, own).stack))).toBe(WAF_MAX_REFERENCE_STATEMENTS);
    expect(() => Template.fromStack(aclWith(26, own).stack)).toThrow(/52 reference statements[\s\S]*allows 50 per web ACL[\s\S]*same waf.ipAllowlist/);
  });

  test('integrations that trust the same partner addresses share one rule and one IP set per address family', () => {
    const { stack, controls } = aclWith(60, (i) => ({ ipAllowlist: i % 2 ? ['203.0.113.0/24', '2001:db8:1::/48'] : ['2001:db8:1::/48', '203.0.113.0/24'] }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::WAFv2::IPSet', 2);
    expect(references(template)).toBe(2);
    const allowlist = rulesOf(template).filter((r) => r.Name.endsWith('-IpAllowlist'));
    expect(allowlist.map((r) => r.Name)).toEqual(['Integration-Partner0-IpAllowlist']);
    // The one rule blocks requests to any of the 60 integrations' routes from outside the shared list.
    expect(allowlist[0].Statement.AndStatement.Statements![0].OrStatement.Statements).toHaveLength(60);
    // Each integration's controls name the rule that blocks for it (dashboards graph its BlockedRequests).
    expect(new Set(controls.map((c) => c!.ruleNames[1]))).toEqual(new Set(['Integration-Partner0-IpAllowlist']));
  });
});

describe('API Gateway resources per API', () => {
  test('routes whose paths make more than 300 resources are a synth error naming the quota and the fix', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    // 5 integrations of 31 routes, each three segments deep with segments of their own: 5 * (1 + 31 * 2) = 315 resources.
    for (let i = 0; i < 5; i++) {
      new SecureIntegration(stack, `Erp${i}`, {
        owner: 'team@example.com',
        dataClassification: DataClassification.INTERNAL,
        inbound: Inbound.api({
          routes: Array.from({ length: 31 }, (_, r) => ({ method: HttpMethod.POST, path: `/erp${i}/r${r}/items`, bodySchema: objectSchema, scopes: [`erp${i}.write`] })),
        }),
      });
    }
    expect(() => Template.fromStack(stack)).toThrow(/The API has 315 resources[\s\S]*allows 300 per REST API[\s\S]*Service Quotas/);
  });
});
