import { DEFAULT_MANAGED_RULE_GROUPS } from '../../lib';
import { onlyResource, platformWithOneIntegration } from '../helpers';

describe('platform WebACL', () => {
  test('is REGIONAL, allows by default and runs the four AWS managed rule groups', () => {
    const { template } = platformWithOneIntegration();
    const acl = onlyResource(template, 'AWS::WAFv2::WebACL').resource.Properties;
    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    const rules = acl.Rules as Array<{ Name: string; Statement: { ManagedRuleGroupStatement?: { Name: string; VendorName: string } } }>;
    // Besides the managed groups, the platform's default per-IP rate limit is the one rule.
    expect(rules.filter((r) => !r.Statement.ManagedRuleGroupStatement).map((r) => r.Name)).toEqual(['PlatformRateLimit']);
    const groups = rules.flatMap((r) => (r.Statement.ManagedRuleGroupStatement ? [r.Statement.ManagedRuleGroupStatement] : []));
    expect(groups.map((g) => g.Name).sort()).toEqual(
      ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesSQLiRuleSet'].sort(),
    );
    expect(groups.every((g) => g.VendorName === 'AWS')).toBe(true);
    expect(DEFAULT_MANAGED_RULE_GROUPS).toHaveLength(4);
  });

  test('is associated with the stage, with an explicit dependency on the stage', () => {
    const { template } = platformWithOneIntegration();
    const stageId = onlyResource(template, 'AWS::ApiGateway::Stage').id;
    const association = onlyResource(template, 'AWS::WAFv2::WebACLAssociation').resource;
    expect(association.DependsOn).toContain(stageId);
    expect(JSON.stringify(association.Properties.ResourceArn)).toContain(stageId);
  });

  test('logs to a KMS-encrypted aws-waf-logs-* log group, with the authorization header redacted', () => {
    const { template } = platformWithOneIntegration();
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    const logging = onlyResource(template, 'AWS::WAFv2::LoggingConfiguration').resource;
    const destination = JSON.stringify(logging.Properties.LogDestinationConfigs);
    expect(destination).not.toContain(':*');
    expect(logging.Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
    const wafLogs = Object.values(template.findResources('AWS::Logs::LogGroup')).find((r) => String(r.Properties.LogGroupName).startsWith('aws-waf-logs-'));
    expect(wafLogs?.Properties).toEqual(expect.objectContaining({ KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] }, RetentionInDays: 365 }));
  });
});
