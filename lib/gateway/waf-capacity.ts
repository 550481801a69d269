import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { AWS_MANAGED_RULE_GROUP_CAPACITY } from './waf-managed-rules';

/**
 * WCU a web ACL uses without extra charge; above it, each further 500 WCU costs extra per million
 * requests.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-waf-capacity-units.html
 * @see https://aws.amazon.com/waf/pricing/
 */
export const WEB_ACL_INCLUDED_CAPACITY = 1_500;

/**
 * Most WCU one web ACL can use.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/limits.html
 */
export const WEB_ACL_MAX_CAPACITY = 5_000;

/** The estimate of a web ACL's capacity. */
export interface CapacityEstimate {
  /** Web ACL capacity units of the rules the estimate could count. */
  readonly wcu: number;
  /** Managed rule groups whose capacity is unknown (not counted). */
  readonly unknownGroups: string[];
}

/**
 * Estimates the WCU of a web ACL's rules from AWS's published costs: IP set reference 1, label
 * match 1, size constraint 1, string match 2 (starts with / exactly / ends with) or 10 (contains),
 * regex 3, rate-based 2 plus its scope-down, logical statements the sum of what they hold, each
 * text transformation other than `NONE` 10, managed groups their published WCU.
 *
 * It is an estimate (WAF may charge a shared transformation once); `CheckCapacity` is the authority.
 * @param managedCapacity capacity of managed groups given by the user, keyed `vendor/name`
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statements-match.html
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based.html
 */
export function estimateCapacity(rules: readonly wafv2.CfnWebACL.RuleProperty[], managedCapacity: ReadonlyMap<string, number> = new Map()): CapacityEstimate {
  const unknownGroups: string[] = [];
  const statementCost = (s: wafv2.CfnWebACL.StatementProperty): number => {
    const transformations = (list: unknown): number =>
      10 * ((list as wafv2.CfnWebACL.TextTransformationProperty[] | undefined) ?? []).filter((t) => t.type !== 'NONE').length;
    if (s.ipSetReferenceStatement || s.labelMatchStatement || s.geoMatchStatement) return 1;
    const size = s.sizeConstraintStatement as wafv2.CfnWebACL.SizeConstraintStatementProperty | undefined;
    if (size) return 1 + transformations(size.textTransformations);
    const bytes = s.byteMatchStatement as wafv2.CfnWebACL.ByteMatchStatementProperty | undefined;
    if (bytes) return (['CONTAINS', 'CONTAINS_WORD'].includes(bytes.positionalConstraint) ? 10 : 2) + transformations(bytes.textTransformations);
    const regex = s.regexMatchStatement as wafv2.CfnWebACL.RegexMatchStatementProperty | undefined;
    if (regex) return 3 + transformations(regex.textTransformations);
    const rate = s.rateBasedStatement as wafv2.CfnWebACL.RateBasedStatementProperty | undefined;
    if (rate) return 2 + (rate.scopeDownStatement ? statementCost(rate.scopeDownStatement as wafv2.CfnWebACL.StatementProperty) : 0);
    const not = s.notStatement as wafv2.CfnWebACL.NotStatementProperty | undefined;
    if (not) return statementCost(not.statement as wafv2.CfnWebACL.StatementProperty);
    const nested = ((s.orStatement ?? s.andStatement) as wafv2.CfnWebACL.OrStatementProperty | undefined)?.statements;
    if (nested) return (nested as wafv2.CfnWebACL.StatementProperty[]).reduce((sum, n) => sum + statementCost(n), 0);
    const managed = s.managedRuleGroupStatement as wafv2.CfnWebACL.ManagedRuleGroupStatementProperty | undefined;
    if (managed) {
      const key = `${managed.vendorName}/${managed.name}`;
      const known = managedCapacity.get(key) ?? (managed.vendorName === 'AWS' ? AWS_MANAGED_RULE_GROUP_CAPACITY[managed.name] : undefined);
      if (known === undefined) unknownGroups.push(key);
      return known ?? 0;
    }
    throw new Error(`estimateCapacity: statement kind not counted: ${Object.keys(s).join(', ')}`);
  };
  const wcu = rules.reduce((sum, rule) => sum + statementCost(rule.statement as wafv2.CfnWebACL.StatementProperty), 0);
  return { wcu, unknownGroups };
}
