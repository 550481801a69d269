import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, Size } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IntegrationWebAcl, ManagedRuleGroup, ManagedRuleOverride, WafRateLimit } from '../../lib';
import { newStack } from '../helpers';

describe('a WebACL with every WAF control', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-si-waf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('is valid CloudFormation for cfn-lint', () => {
    // GIVEN every platform option and integrations with every integration option
    const stack = newStack();
    const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'v1' } });
    api.root.addResource('orders').addMethod('POST', new apigateway.MockIntegration());
    const acl = new IntegrationWebAcl(stack, 'WebAcl', {
      stage: api.deploymentStage,
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      waf: {
        ipAllowlist: ['203.0.113.0/24', '192.0.2.7', '2001:db8::/32', '2001:db8:ffff::1'],
        rateLimit: WafRateLimit.perClientIp(1_000, Duration.minutes(2)),
        maxBodySize: Size.kibibytes(12),
        uriPathPrefixes: ['/v1', ''],
        managedRuleGroups: [
          ...ManagedRuleGroup.defaults().map((g) => (g.isCommonRuleSet ? g.withOverrides(ManagedRuleOverride.count('CrossSiteScripting_BODY')) : g)),
          ManagedRuleGroup.aws('AWSManagedRulesAnonymousIpList', { countOnly: true, ruleOverrides: [ManagedRuleOverride.block('HostingProviderIPList')] }),
        ],
      },
    });
    acl.addManagedRuleGroup(ManagedRuleGroup.aws('AWSManagedRulesLinuxRuleSet', { version: 'Version_2.1' }));
    acl.addIntegrationControls('Orders', ['/orders', '/orders/{orderId}', '/orders/{orderId}/lines.json'], {
      ipAllowlist: ['198.51.100.0/24', '2001:db8:1::/48'],
      rateLimit: WafRateLimit.perClientIp(10, Duration.minutes(1)),
      maxBodySize: Size.kibibytes(4),
    });
    acl.addIntegrationControls('GitHub', ['/github/events'], { maxBodySize: Size.kibibytes(64), rateLimit: WafRateLimit.perClientIp(2_000_000_000, Duration.minutes(10)) });
    acl.addIntegrationControls('Erp', ['/erp/{tenant}/sync'], { ipAllowlist: ['2001:db8:2::/48'] });

    // WHEN the template is written out
    const file = join(dir, 'waf-template.json');
    writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON(), null, 1));

    // THEN cfn-lint (with the repository's .cfnlintrc.yaml) finds nothing
    let output: string;
    try {
      output = execFileSync('cfn-lint', ['--', file], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
  });
});
