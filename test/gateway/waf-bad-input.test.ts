import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IntegrationConfigError, IntegrationWebAcl, ManagedRuleGroup, ManagedRuleOverride, PlatformWafOptions, WafRateLimit } from '../../lib';
import { newStack } from '../helpers';

/** GIVEN a stack with a REST API (stage v1); WHEN a WebACL is made with these platform controls. */
function webAcl(waf?: PlatformWafOptions): { stack: Stack; acl: IntegrationWebAcl } {
  const stack = newStack();
  const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'v1' } });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  const acl = new IntegrationWebAcl(stack, 'WebAcl', { stage: api.deploymentStage, encryptionKey: new kms.Key(stack, 'Key'), waf });
  return { stack, acl };
}

describe('bad platform WAF input is a synth-time error naming prop, value and fix', () => {
  test.each<[string, string[], RegExp]>([
    ['a host-bit IPv4 CIDR, naming the network', ['10.0.0.5/24'], /waf\.ipAllowlist\[0\].*'10\.0\.0\.5\/24'.*has host bits set; the network is 10\.0\.0\.0\/24\. Write 10\.0\.0\.0\/24/],
    ['a host-bit IPv6 CIDR, naming the network', ['203.0.113.0/24', '2001:db8::1/64'], /waf\.ipAllowlist\[1\].*'2001:db8::1\/64'.*the network is 2001:db8::\/64/],
    ['an IPv4 /0', ['0.0.0.0/0'], /waf\.ipAllowlist\[0\].*'0\.0\.0\.0\/0'.*\/0 matches every address, so it is no allowlist.*leave the allowlist out/],
    ['an IPv6 /0', ['::/0'], /waf\.ipAllowlist\[0\].*'::\/0'.*no allowlist/],
    ['an empty allowlist', [], /waf\.ipAllowlist.*\[\].*needs at least one network.*leave the prop out/],
    ['a malformed IPv4 address', ['10.0.0.256'], /waf\.ipAllowlist\[0\].*'10\.0\.0\.256'.*Write an IPv4 address like/],
    ['a malformed IPv6 address', ['2001:db8:::1'], /waf\.ipAllowlist\[0\].*'2001:db8:::1'.*IPv6 address like 2001:db8::7/],
    ['a prefix too long', ['10.0.0.0/33'], /waf\.ipAllowlist\[0\].*'10\.0\.0\.0\/33'.*prefix length of an IPv4 network is a whole number from 1 to 32/],
  ])('%s', (_, ipAllowlist, message) => {
    expect(() => webAcl({ ipAllowlist })).toThrow(IntegrationConfigError);
    expect(() => webAcl({ ipAllowlist })).toThrow(message);
  });

  test.each<[string, WafRateLimit, RegExp]>([
    ['a rate limit below 10', WafRateLimit.perClientIp(9), /waf\.rateLimit\.limit.* 9\. .*from 10 to 2,000,000,000/],
    ['a rate limit above 2,000,000,000', WafRateLimit.perClientIp(2_000_000_001), /waf\.rateLimit\.limit.*2000000001.*from 10 to 2,000,000,000/],
    ['a fractional rate limit', WafRateLimit.perClientIp(100.5), /waf\.rateLimit\.limit.*100\.5.*whole number/],
    ['a 3-minute window', WafRateLimit.perClientIp(100, Duration.minutes(3)), /waf\.rateLimit\.window.*'3 minutes'.*60, 120, 300, 600 seconds.*Duration\.minutes\(1\)/],
    ['a 90-second window', WafRateLimit.perClientIp(100, Duration.seconds(90)), /waf\.rateLimit\.window.*'1 minute 30 seconds'.*60, 120, 300, 600/],
    // Not a whole number of seconds: our error naming the allowed windows, not CDK's unit-conversion error.
    ['a 60.5-second window', WafRateLimit.perClientIp(100, Duration.millis(60_500)), /waf\.rateLimit\.window.*'1 minute 500 millis'.*60, 120, 300, 600 seconds/],
    // From JavaScript (or a parsed config file) nothing stops a plain object: it would have no window to check.
    ['a plain object in place of a WafRateLimit', { limit: 100, window: Duration.minutes(5) } as unknown as WafRateLimit, /waf\.rateLimit.*Use WafRateLimit\.perClientIp\(limit, window\) or WafRateLimit\.disabled\(\)/],
  ])('%s', (_, rateLimit, message) => {
    expect(() => webAcl({ rateLimit })).toThrow(IntegrationConfigError);
    expect(() => webAcl({ rateLimit })).toThrow(message);
  });

  test("a limit out of range names the AWS WAF page that documents the range (RateLimit: minimum 10, maximum 2,000,000,000)", () => {
    expect(() => webAcl({ rateLimit: WafRateLimit.perClientIp(2_000_000_001) })).toThrow(
      /\(AWS::WAFv2::WebACL RateBasedStatement Limit, https:\/\/docs\.aws\.amazon\.com\/waf\/latest\/developerguide\/waf-rule-statement-type-rate-based-high-level-settings\.html\)\.$/,
    );
  });

  test.each<[string, Size, RegExp]>([
    ['a body limit beyond the 64 KB WAF inspects', Size.kibibytes(65), /waf\.maxBodySize.*'66560 bytes'.*inspects at most 64 KB.*Set waf\.maxBodySize to Size\.kibibytes\(64\) or less.*10 MB/],
    ['a body limit of 1 MB', Size.mebibytes(1), /waf\.maxBodySize.*'1048576 bytes'.*at most 64 KB/],
    ['a body limit of 0', Size.bytes(0), /waf\.maxBodySize.*'0 bytes'.*at least 1 byte/],
    ['a fractional body limit', Size.bytes(100.5), /waf\.maxBodySize.*100\.5.*whole number of bytes/],
  ])('%s', (_, maxBodySize, message) => {
    expect(() => webAcl({ maxBodySize })).toThrow(message);
  });

  test.each<[string, ManagedRuleGroup[], RegExp]>([
    ['an empty group name', [ManagedRuleGroup.aws('')], /waf\.managedRuleGroups\[0\]\.name.*''.*1 to 128 letters/],
    ['an empty vendor', [ManagedRuleGroup.fromVendor(' ', 'SomeRules')], /waf\.managedRuleGroups\[0\]\.vendorName.*' '.*Name the vendor/],
    ['an AWS group without the AWSManagedRules prefix', [ManagedRuleGroup.aws('CommonRuleSet')], /waf\.managedRuleGroups\[0\]\.name.*'CommonRuleSet'.*start with "AWSManagedRules"/],
    ['a group twice', [ManagedRuleGroup.aws('AWSManagedRulesSQLiRuleSet'), ManagedRuleGroup.aws('AWSManagedRulesSQLiRuleSet')], /waf\.managedRuleGroups\[1\].*'AWS\/AWSManagedRulesSQLiRuleSet'.*once/],
    ['a bad rule name to override', [ManagedRuleGroup.aws('AWSManagedRulesCommonRuleSet', { ruleOverrides: [ManagedRuleOverride.count('Size Restrictions')] })], /ruleOverrides\[0\].*'Size Restrictions'.*ManagedRuleOverride\.count/],
    ['a bad version', [ManagedRuleGroup.aws('AWSManagedRulesCommonRuleSet', { version: 'v 1' })], /waf\.managedRuleGroups\[0\]\.version.*'v 1'/],
    ['a bad capacity', [ManagedRuleGroup.fromVendor('Fortinet', 'all_rules', { capacity: 0 })], /waf\.managedRuleGroups\[0\]\.capacity.*0.*positive whole number/],
  ])('%s', (_, managedRuleGroups, message) => {
    expect(() => webAcl({ managedRuleGroups })).toThrow(message);
  });

  test('a bad URI path prefix', () => {
    expect(() => webAcl({ uriPathPrefixes: ['v1/'] })).toThrow(/waf\.uriPathPrefixes\[0\].*'v1\/'.*"\/" followed by segments/);
    expect(() => webAcl({ uriPathPrefixes: [] })).toThrow(/waf\.uriPathPrefixes.*\[\].*at least one prefix/);
  });

  test('a group added later is checked too', () => {
    expect(() => webAcl().acl.addManagedRuleGroup(ManagedRuleGroup.aws('AWSManagedRulesSQLiRuleSet'))).toThrow(/managedRuleGroups\[4\].*once/);
  });

  test('rules beyond 5,000 WCU fail synth', () => {
    const { stack } = webAcl({ managedRuleGroups: [1, 2, 3].map((i) => ManagedRuleGroup.fromVendor('Vendor', `Big${i}`, { capacity: 2000 })) });
    expect(() => Template.fromStack(stack)).toThrow(/about 6002 WCU; AWS WAF allows 5000 per web ACL/);
  });
});

describe('bad integration WAF input is an error naming the integration, prop, value and fix', () => {
  const add = (paths: string[], waf: Parameters<IntegrationWebAcl['addIntegrationControls']>[2], name = 'Orders') => webAcl().acl.addIntegrationControls(name, paths, waf);

  test.each<[string, () => unknown, RegExp]>([
    ['a host-bit CIDR', () => add(['/orders'], { ipAllowlist: ['192.0.2.1/24'] }), /Orders: invalid `waf\.ipAllowlist\[0\]` '192\.0\.2\.1\/24'.*the network is 192\.0\.2\.0\/24/],
    ['an empty allowlist', () => add(['/orders'], { ipAllowlist: [] }), /Orders: invalid `waf\.ipAllowlist` \[\].*at least one network/],
    ['/0', () => add(['/orders'], { ipAllowlist: ['::/0'] }), /Orders: invalid `waf\.ipAllowlist\[0\]` '::\/0'.*no allowlist/],
    ['a rate limit out of range', () => add(['/orders'], { rateLimit: WafRateLimit.perClientIp(5) }), /Orders: invalid `waf\.rateLimit\.limit` 5.*from 10/],
    ['a window not allowed', () => add(['/orders'], { rateLimit: WafRateLimit.perClientIp(50, Duration.hours(1)) }), /Orders: invalid `waf\.rateLimit\.window` '1 hour'/],
    ['a body limit beyond the window', () => add(['/orders'], { maxBodySize: Size.kibibytes(128) }), /Orders: invalid `waf\.maxBodySize` '131072 bytes'.*64 KB/],
    ['no routes', () => add([], { rateLimit: WafRateLimit.perClientIp(50) }), /Orders: invalid `waf \(inbound route paths\)` \[\].*give the integration inbound routes/],
    ['a bad route path', () => add(['/orders/{proxy+}'], { rateLimit: WafRateLimit.perClientIp(50) }), /Orders: invalid `waf \(inbound route paths\)\[0\]` '\/orders\/\{proxy\+\}'/],
    ['a bad integration name', () => add(['/orders'], { rateLimit: WafRateLimit.perClientIp(50) }, 'orders/v2'), /invalid `integrationName` 'orders\/v2'.*letter followed by/],
  ])('%s', (_, act, message) => {
    expect(act).toThrow(message);
  });

  test('controls for the same integration twice', () => {
    const { acl } = webAcl();
    acl.addIntegrationControls('Orders', ['/orders'], { rateLimit: WafRateLimit.perClientIp(50) });
    expect(() => acl.addIntegrationControls('Orders', ['/orders'], { maxBodySize: Size.kibibytes(4) })).toThrow(/Orders: invalid `waf` 'Orders'.*in one call/);
  });
});
