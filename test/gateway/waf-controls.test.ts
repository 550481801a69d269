import { CfnParameter, Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IntegrationWebAcl, ManagedRuleGroup, ManagedRuleOverride, PlatformWafOptions, WAF_PRIORITY_BANDS, WafRateLimit } from '../../lib';
import { newStack, onlyResource } from '../helpers';

type Rule = {
  Name: string;
  Priority: number;
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
  RuleLabels?: Array<{ Name: string }>;
  Statement: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  VisibilityConfig: { MetricName: string; CloudWatchMetricsEnabled: boolean; SampledRequestsEnabled: boolean };
};

/** GIVEN a stack with a REST API (stage v1) and a WebACL with these platform controls. */
function webAclStack(waf?: PlatformWafOptions): { stack: Stack; acl: IntegrationWebAcl } {
  const stack = newStack();
  const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'v1' } });
  api.root.addResource('orders').addMethod('POST', new apigateway.MockIntegration());
  const acl = new IntegrationWebAcl(stack, 'WebAcl', { stage: api.deploymentStage, encryptionKey: new kms.Key(stack, 'Key'), waf });
  return { stack, acl };
}

function webAcl(stack: Stack): { Rules: Rule[]; CustomResponseBodies?: Record<string, { Content: string; ContentType: string }>; AssociationConfig?: unknown } {
  return onlyResource(Template.fromStack(stack), 'AWS::WAFv2::WebACL').resource.Properties as never;
}

const rule = (stack: Stack, name: string): Rule => {
  const found = webAcl(stack).Rules.find((r) => r.Name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};

const ipSetRef = (id: string) => ({ IPSetReferenceStatement: { Arn: { 'Fn::GetAtt': [id, 'Arn'] } } });
const ipSetId = (template: Template, version: string, address: string) =>
  Object.entries(template.findResources('AWS::WAFv2::IPSet')).find(
    ([, r]) => r.Properties.IPAddressVersion === version && (r.Properties.Addresses as string[]).includes(address),
  )?.[0] as string;

describe('IP allowlists', () => {
  test('the platform allowlist puts IPv4 and IPv6 networks in one IP set per version, bare addresses as /32 and /128', () => {
    const { stack } = webAclStack({ ipAllowlist: ['203.0.113.0/24', '192.0.2.7', '2001:db8::/32', '2001:db8:1::9'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::WAFv2::IPSet', 2);
    template.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'REGIONAL', IPAddressVersion: 'IPV4', Addresses: ['203.0.113.0/24', '192.0.2.7/32'] });
    template.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'REGIONAL', IPAddressVersion: 'IPV6', Addresses: ['2001:db8::/32', '2001:db8:1::9/128'] });
  });

  test('the platform allowlist blocks every request from outside both sets', () => {
    const { stack } = webAclStack({ ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'] });
    const template = Template.fromStack(stack);
    const r = rule(stack, 'PlatformIpAllowlist');
    expect(r.Action).toEqual({ Block: {} });
    expect(r.Priority).toBe(WAF_PRIORITY_BANDS.ipAllowlist);
    expect(r.Statement).toEqual({
      NotStatement: { Statement: { OrStatement: { Statements: [ipSetRef(ipSetId(template, 'IPV4', '203.0.113.0/24')), ipSetRef(ipSetId(template, 'IPV6', '2001:db8::/32'))] } } },
    });
  });

  test('an allowlist of one address version makes one IP set and no OR', () => {
    const { stack } = webAclStack({ ipAllowlist: ['2001:db8::/48'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::WAFv2::IPSet', 1);
    expect(rule(stack, 'PlatformIpAllowlist').Statement).toEqual({ NotStatement: { Statement: ipSetRef(ipSetId(template, 'IPV6', '2001:db8::/48')) } });
  });

  test("an integration's allowlist blocks requests to its routes from outside its sets, matched by its label", () => {
    const { stack, acl } = webAclStack();
    const controls = acl.addIntegrationControls('Orders', ['/orders', '/orders/{orderId}'], { ipAllowlist: ['198.51.100.0/24'] });
    const template = Template.fromStack(stack);
    expect(controls?.ipSets).toHaveLength(1);
    expect(controls?.ruleNames).toEqual(['Integration-Orders-Scope', 'Integration-Orders-IpAllowlist']);
    const label = 'cdk-secure-integrations:integration:Orders';
    const r = rule(stack, 'Integration-Orders-IpAllowlist');
    expect(r.Action).toEqual({ Block: {} });
    expect(r.Statement).toEqual({
      AndStatement: {
        Statements: [{ LabelMatchStatement: { Scope: 'LABEL', Key: label } }, { NotStatement: { Statement: ipSetRef(ipSetId(template, 'IPV4', '198.51.100.0/24')) } }],
      },
    });
    expect(r.Priority).toBeGreaterThan(WAF_PRIORITY_BANDS.ipAllowlist);
  });
});

describe("an integration's scope", () => {
  test('a counting rule labels requests to its routes behind the stage, raw and URL-decoded', () => {
    const { stack, acl } = webAclStack();
    acl.addIntegrationControls('Orders', ['/orders', '/orders/{orderId}', '/v2.items/{id}/lines'], { rateLimit: WafRateLimit.perClientIp(100) });
    const r = rule(stack, 'Integration-Orders-Scope');
    expect(r.Action).toEqual({ Count: {} });
    expect(r.Priority).toBe(WAF_PRIORITY_BANDS.scope);
    expect(r.RuleLabels).toEqual([{ Name: 'cdk-secure-integrations:integration:Orders' }]);
    const statements = r.Statement.OrStatement.Statements as Array<{ RegexMatchStatement: { RegexString: string; FieldToMatch: unknown; TextTransformations: unknown } }>;
    expect(statements.map((s) => s.RegexMatchStatement.TextTransformations)).toEqual([[{ Priority: 0, Type: 'NONE' }], [{ Priority: 0, Type: 'URL_DECODE' }]]);
    expect(statements.every((s) => JSON.stringify(s.RegexMatchStatement.FieldToMatch) === '{"UriPath":{}}')).toBe(true);
    const regex = new RegExp(statements[0].RegexMatchStatement.RegexString);
    for (const path of ['/v1/orders', '/v1/orders/', '/v1/orders/42', '/v1/orders/..', '/v1/orders/a%2Fb', '/v1/v2.items/7/lines']) expect(path).toMatch(regex);
    for (const path of ['/orders', '/v2/orders', '/v1/ordersX', '/v1/orders/42/x', '/v1/v2xitems/7/lines', '/v1/orders//']) expect(path).not.toMatch(regex);
    expect(decodeURIComponent('/v1/%6Frders')).toMatch(regex);
  });

  test('uriPathPrefixes replace the stage prefix (a custom domain mapped at its root and at /api)', () => {
    const { stack, acl } = webAclStack({ uriPathPrefixes: ['', '/api'] });
    acl.addIntegrationControls('Orders', ['/orders'], { maxBodySize: Size.kibibytes(4) });
    const regex = new RegExp(rule(stack, 'Integration-Orders-Scope').Statement.OrStatement.Statements[0].RegexMatchStatement.RegexString);
    for (const path of ['/orders', '/api/orders']) expect(path).toMatch(regex);
    expect('/v1/orders').not.toMatch(regex);
  });

  test('an integration that asks for nothing adds nothing', () => {
    const { stack, acl } = webAclStack();
    expect(acl.addIntegrationControls('Orders', ['/orders'], undefined)).toBeUndefined();
    expect(acl.addIntegrationControls('Orders', ['/orders'], { rateLimit: WafRateLimit.disabled() })).toBeUndefined();
    expect(webAcl(stack).Rules.some((r) => r.Name.startsWith('Integration-'))).toBe(false);
  });
});

describe('rate limits', () => {
  test('by default the platform limits each client IP to 6,000 requests in 5 minutes and answers 429 with a JSON body', () => {
    const { stack } = webAclStack();
    const r = rule(stack, 'PlatformRateLimit');
    expect(r.Priority).toBe(WAF_PRIORITY_BANDS.rateLimit);
    expect(r.Statement).toEqual({ RateBasedStatement: { AggregateKeyType: 'IP', Limit: 6000, EvaluationWindowSec: 300 } });
    expect(r.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'RateLimited', ResponseHeaders: [{ Name: 'Retry-After', Value: '300' }] } } });
    const body = webAcl(stack).CustomResponseBodies?.RateLimited;
    expect(body?.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body?.Content ?? '')).toEqual({ message: expect.stringMatching(/Too many requests/) });
  });

  test('the platform limit and window follow the prop; disabled() removes the rule and the response body', () => {
    const custom = webAclStack({ rateLimit: WafRateLimit.perClientIp(10, Duration.minutes(1)) }).stack;
    expect(rule(custom, 'PlatformRateLimit').Statement.RateBasedStatement).toEqual({ AggregateKeyType: 'IP', Limit: 10, EvaluationWindowSec: 60 });
    const off = webAclStack({ rateLimit: WafRateLimit.disabled() }).stack;
    expect(webAcl(off).Rules.some((r) => r.Statement.RateBasedStatement)).toBe(false);
    expect(webAcl(off).CustomResponseBodies).toBeUndefined();
  });

  test("an integration's rate limit is scoped down to its label and answers 429", () => {
    const { stack, acl } = webAclStack();
    acl.addIntegrationControls('Billing', ['/invoices'], { rateLimit: WafRateLimit.perClientIp(2_000_000_000, Duration.minutes(10)) });
    const r = rule(stack, 'Integration-Billing-RateLimit');
    expect(r.Statement).toEqual({
      RateBasedStatement: {
        AggregateKeyType: 'IP',
        Limit: 2_000_000_000,
        EvaluationWindowSec: 600,
        ScopeDownStatement: { LabelMatchStatement: { Scope: 'LABEL', Key: 'cdk-secure-integrations:integration:Billing' } },
      },
    });
    expect(r.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'RateLimited', ResponseHeaders: [{ Name: 'Retry-After', Value: '600' }] } } });
  });

  test('a limit and a window in seconds from CloudFormation parameters reach the rule and Retry-After unchecked, for CloudFormation to check at deploy', () => {
    // GIVEN values only known at deploy time; the resource schema (Limit 10..2,000,000,000, EvaluationWindowSec
    // 60/120/300/600) is then checked by CloudFormation, not at synth.
    const stack = newStack();
    const limit = new CfnParameter(stack, 'RateLimit', { type: 'Number' }).valueAsNumber;
    const windowSeconds = new CfnParameter(stack, 'RateWindow', { type: 'Number' }).valueAsNumber;
    const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'v1' } });
    api.root.addMethod('GET', new apigateway.MockIntegration());
    new IntegrationWebAcl(stack, 'WebAcl', {
      stage: api.deploymentStage,
      encryptionKey: new kms.Key(stack, 'Key'),
      waf: { rateLimit: WafRateLimit.perClientIp(limit, Duration.seconds(windowSeconds)) },
    });
    // THEN
    const r = rule(stack, 'PlatformRateLimit');
    expect(r.Statement).toEqual({ RateBasedStatement: { AggregateKeyType: 'IP', Limit: { Ref: 'RateLimit' }, EvaluationWindowSec: { Ref: 'RateWindow' } } });
    expect(r.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'RateLimited', ResponseHeaders: [{ Name: 'Retry-After', Value: { Ref: 'RateWindow' } }] } } });
  });
});

describe('body size', () => {
  const crs = (stack: Stack) => rule(stack, 'AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement;

  test('by default the core rule set keeps its 8 KB rule: no override, no rule of ours, default inspection window', () => {
    const { stack } = webAclStack();
    expect(crs(stack).RuleActionOverrides).toBeUndefined();
    expect(webAcl(stack).Rules.some((r) => r.Name.endsWith('BodySize'))).toBe(false);
    expect(webAcl(stack).AssociationConfig).toBeUndefined();
  });

  test('above 8 KB: SizeRestrictions_BODY only counts, the API Gateway window holds the limit, our rule blocks larger and oversize bodies with 413', () => {
    const { stack } = webAclStack({ maxBodySize: Size.kibibytes(24) });
    expect(crs(stack).RuleActionOverrides).toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
    expect(webAcl(stack).AssociationConfig).toEqual({ RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_32' } } });
    const r = rule(stack, 'PlatformBodySize');
    expect(r.Priority).toBe(WAF_PRIORITY_BANDS.bodySize);
    expect(r.Statement).toEqual({
      SizeConstraintStatement: { FieldToMatch: { Body: { OversizeHandling: 'MATCH' } }, ComparisonOperator: 'GT', Size: 24 * 1024, TextTransformations: [{ Priority: 0, Type: 'NONE' }] },
    });
    expect(r.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 413, CustomResponseBodyKey: 'BodyTooLarge' } } });
    expect(JSON.parse(webAcl(stack).CustomResponseBodies?.BodyTooLarge.Content ?? '')).toEqual({ message: 'Request body too large.' });
  });

  test.each([
    [9, 'KB_16'],
    [16, 'KB_16'],
    [17, 'KB_32'],
    [48, 'KB_48'],
    [64, 'KB_64'],
  ])('a limit of %i KB raises the inspection window to %s', (kib, window) => {
    const { stack } = webAclStack({ maxBodySize: Size.kibibytes(kib) });
    expect(webAcl(stack).AssociationConfig).toEqual({ RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: window } } });
  });

  test('at or below 8 KB our rule blocks larger bodies and the core rule set is left as it is', () => {
    const { stack } = webAclStack({ maxBodySize: Size.kibibytes(4) });
    expect(crs(stack).RuleActionOverrides).toBeUndefined();
    expect(webAcl(stack).AssociationConfig).toBeUndefined();
    expect(rule(stack, 'PlatformBodySize').Statement.SizeConstraintStatement.Size).toBe(4096);
  });

  test("an integration's larger limit applies to its routes; the platform's 8 KB to the others, through our rule", () => {
    const { stack, acl } = webAclStack();
    acl.addIntegrationControls('GitHub', ['/github/events'], { maxBodySize: Size.kibibytes(64) });
    const label = { LabelMatchStatement: { Scope: 'LABEL', Key: 'cdk-secure-integrations:integration:GitHub' } };
    expect(crs(stack).RuleActionOverrides).toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
    expect(webAcl(stack).AssociationConfig).toEqual({ RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } } });
    expect(rule(stack, 'PlatformBodySize').Statement.AndStatement.Statements).toEqual([
      expect.objectContaining({ SizeConstraintStatement: expect.objectContaining({ Size: 8192 }) }),
      { NotStatement: { Statement: label } },
    ]);
    expect(rule(stack, 'Integration-GitHub-BodySize').Statement.AndStatement.Statements).toEqual([
      label,
      expect.objectContaining({ SizeConstraintStatement: expect.objectContaining({ Size: 65536, FieldToMatch: { Body: { OversizeHandling: 'MATCH' } } }) }),
    ]);
  });

  test('a core rule set in count mode or left out, with no limit of ours, is a warning naming what still limits bodies', () => {
    const { stack } = webAclStack({ managedRuleGroups: [ManagedRuleGroup.aws('AWSManagedRulesSQLiRuleSet')] });
    Annotations.fromStack(stack).hasWarning('/TestStack/WebAcl', Match.stringLikeRegexp("No WAF rule limits the request body size.*API Gateway's 10 MB"));
    const counted = webAclStack({ managedRuleGroups: [ManagedRuleGroup.aws('AWSManagedRulesCommonRuleSet', { ruleOverrides: [ManagedRuleOverride.count('SizeRestrictions_BODY')] })] }).stack;
    Annotations.fromStack(counted).hasWarning('/TestStack/WebAcl', Match.stringLikeRegexp('No WAF rule limits the request body size'));
  });
});

describe('managed rule groups', () => {
  test('the list can be replaced, groups added, single rules set to count or block, whole groups counted and versions pinned', () => {
    const { stack, acl } = webAclStack({
      managedRuleGroups: [
        ManagedRuleGroup.aws('AWSManagedRulesCommonRuleSet', { ruleOverrides: [ManagedRuleOverride.count('CrossSiteScripting_BODY'), ManagedRuleOverride.count('NoUserAgent_HEADER')] }),
        ManagedRuleGroup.aws('AWSManagedRulesAnonymousIpList', { countOnly: true, ruleOverrides: [ManagedRuleOverride.block('HostingProviderIPList')] }),
      ],
    });
    acl.addManagedRuleGroup(ManagedRuleGroup.aws('AWSManagedRulesLinuxRuleSet', { version: 'Version_2.1' }));
    const rules = webAcl(stack).Rules.filter((r) => r.Statement.ManagedRuleGroupStatement);
    expect(rules.map((r) => [r.Name, r.Priority])).toEqual([
      ['AWSManagedRulesCommonRuleSet', WAF_PRIORITY_BANDS.managedRuleGroups],
      ['AWSManagedRulesAnonymousIpList', WAF_PRIORITY_BANDS.managedRuleGroups + 1],
      ['AWSManagedRulesLinuxRuleSet', WAF_PRIORITY_BANDS.managedRuleGroups + 2],
    ]);
    expect(rules[0].Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'CrossSiteScripting_BODY', ActionToUse: { Count: {} } },
      { Name: 'NoUserAgent_HEADER', ActionToUse: { Count: {} } },
    ]);
    expect(rules[0].OverrideAction).toEqual({ None: {} });
    expect(rules[1].OverrideAction).toEqual({ Count: {} });
    expect(rules[1].Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([{ Name: 'HostingProviderIPList', ActionToUse: { Block: {} } }]);
    expect(rules[2].Statement.ManagedRuleGroupStatement).toEqual({ VendorName: 'AWS', Name: 'AWSManagedRulesLinuxRuleSet', Version: 'Version_2.1' });
  });

  test("our SizeRestrictions_BODY override wins over the user's and keeps the user's other overrides", () => {
    const { stack } = webAclStack({
      maxBodySize: Size.kibibytes(32),
      managedRuleGroups: [ManagedRuleGroup.aws('AWSManagedRulesCommonRuleSet', { ruleOverrides: [ManagedRuleOverride.block('SizeRestrictions_BODY'), ManagedRuleOverride.count('GenericLFI_BODY')] })],
    });
    expect(rule(stack, 'AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
      { Name: 'GenericLFI_BODY', ActionToUse: { Count: {} } },
    ]);
  });
});

describe('order, names, metrics and capacity', () => {
  test('priorities run scope, allowlists, rate limits, body size, managed groups; every rule keeps a unique metric', () => {
    const { stack, acl } = webAclStack({ ipAllowlist: ['203.0.113.0/24'], maxBodySize: Size.kibibytes(16) });
    acl.addIntegrationControls('Orders', ['/orders'], { ipAllowlist: ['198.51.100.0/24'], rateLimit: WafRateLimit.perClientIp(50), maxBodySize: Size.kibibytes(4) });
    acl.addIntegrationControls('Billing', ['/invoices'], { rateLimit: WafRateLimit.perClientIp(50) });
    const rules = webAcl(stack).Rules;
    expect(rules.map((r) => r.Name)).toEqual([
      'Integration-Billing-Scope',
      'Integration-Orders-Scope',
      'PlatformIpAllowlist',
      'Integration-Orders-IpAllowlist',
      'PlatformRateLimit',
      'Integration-Billing-RateLimit',
      'Integration-Orders-RateLimit',
      'PlatformBodySize',
      'Integration-Orders-BodySize',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesSQLiRuleSet',
    ]);
    const priorities = rules.map((r) => r.Priority);
    expect([...priorities].sort((a, b) => a - b)).toEqual(priorities);
    expect(new Set(priorities).size).toBe(priorities.length);
    for (const r of rules) {
      expect(r.VisibilityConfig).toEqual({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true, MetricName: expect.stringMatching(new RegExp(`-${r.Name}$`)) });
    }
    expect(new Set(rules.map((r) => r.VisibilityConfig.MetricName)).size).toBe(rules.length);
  });

  test('the default WebACL is estimated at 1,127 WCU: the four managed groups (1,125) and the rate rule (2)', () => {
    expect(webAclStack().acl.estimatedCapacity).toEqual({ wcu: 1127, unknownGroups: [] });
  });

  test('above 1,500 WCU synth warns of the extra charge; a group of unknown capacity is named', () => {
    const { stack } = webAclStack({
      managedRuleGroups: [...ManagedRuleGroup.defaults(), ManagedRuleGroup.aws('AWSManagedRulesLinuxRuleSet'), ManagedRuleGroup.aws('AWSManagedRulesWindowsRuleSet'), ManagedRuleGroup.fromVendor('Fortinet', 'all_rules')],
    });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/TestStack/WebAcl', Match.stringLikeRegexp('about 1527 WCU, above the 1500 included'));
    annotations.hasWarning('/TestStack/WebAcl', Match.stringLikeRegexp('capacity of Fortinet/all_rules is unknown'));
  });
});
