import { NagRuleCompliance } from 'cdk-nag';
import { refersTo, resourcesOfType, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** Whether a WebACL's rules hold at least one statement of `kind` (nested statements included). */
function hasStatement(rules: unknown, kind: 'ManagedRuleGroupStatement' | 'RateBasedStatement'): boolean {
  return JSON.stringify(rules ?? []).includes(`"${kind}"`);
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
      return refersTo(a.properties.ResourceArn, logicalId) || (typeof stageName === 'string' && arn.includes(`/stages/${stageName}`) && JSON.stringify(properties.RestApiId) !== undefined && arn.includes(JSON.stringify(properties.RestApiId)));
    });
    const acls = resourcesOfType(node, 'AWS::WAFv2::WebACL').filter((acl) => associations.some((a) => refersTo(a.properties.WebACLArn, acl.logicalId)));
    return acls.some((acl) => hasStatement(acl.properties.Rules, 'ManagedRuleGroupStatement') && hasStatement(acl.properties.Rules, 'RateBasedStatement'))
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
