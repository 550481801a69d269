import { NagRuleCompliance } from 'cdk-nag';
import { refersTo, resourcesOfType, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

type WafRule = { Statement?: Record<string, unknown>; Action?: Record<string, unknown>; OverrideAction?: Record<string, unknown> };

/** A managed rule group whose rules act (not overridden to Count). */
function blocksWithManagedRules(rules: WafRule[]): boolean {
  return rules.some((r) => r.Statement?.ManagedRuleGroupStatement !== undefined && r.OverrideAction?.Count === undefined);
}

/** A rate-based rule that blocks (or answers with a CAPTCHA or a challenge), at the top or in a referenced rule group. */
function limitsRate(rules: WafRule[]): boolean {
  return rules.some((r) => (r.Statement?.RateBasedStatement !== undefined && r.Action?.Count === undefined) || (r.Statement?.RuleGroupReferenceStatement !== undefined && r.OverrideAction?.Count === undefined));
}

/** NG1: every REST API stage is associated with a WAFv2 WebACL that has a managed rule group and a rate-based rule. */
export const stageBehindWebAcl: IntegrationRule = {
  id: 'NG1',
  name: 'StageBehindWebAcl',
  layer: 'network-and-gateway',
  info: 'The API stage has no WAFv2 WebACL, or its WebACL has no AWS managed rule group or no rate-based rule.',
  explanation:
    'Every integration endpoint is an attack surface: a WebACL with AWS managed rule groups (common exploits, known bad inputs, IP reputation) and ' +
    'a per-IP rate-based rule stops floods and known attacks before they cost an invocation.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::ApiGateway::Stage') return NagRuleCompliance.NOT_APPLICABLE;
    const { logicalId, properties } = viewOf(node);
    const stageName = properties.StageName;
    const associations = resourcesOfType(node, 'AWS::WAFv2::WebACLAssociation').filter((a) => {
      const arn = JSON.stringify(a.properties.ResourceArn ?? '');
      return refersTo(a.properties.ResourceArn, logicalId) || (typeof stageName === 'string' && arn.includes(`/stages/${stageName}`) && arn.includes(JSON.stringify(properties.RestApiId)));
    });
    const acls = resourcesOfType(node, 'AWS::WAFv2::WebACL').filter((acl) => associations.some((a) => refersTo(a.properties.WebACLArn, acl.logicalId)));
    // A WebACL of another stack (a shared WAF stack) arrives as an import or a parameter: it cannot be read here, and is taken as given.
    if (acls.length === 0 && associations.length > 0) return NagRuleCompliance.COMPLIANT;
    return acls.some((acl) => {
      const rules: WafRule[] = Array.isArray(acl.properties.Rules) ? acl.properties.Rules : [];
      return blocksWithManagedRules(rules) && limitsRate(rules);
    })
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
