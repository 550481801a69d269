// AWS WAF's fixed and default quotas that a growing catalog of integrations can reach.
// https://docs.aws.amazon.com/waf/latest/developerguide/limits.html
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';

/** The most rate-based rules one web ACL may hold (fixed). @see https://docs.aws.amazon.com/waf/latest/developerguide/limits.html */
export const WAF_MAX_RATE_BASED_RULES = 10;

/**
 * The most reference statements (to an IP set, a regex pattern set or a rule group) one web ACL
 * may hold (fixed). @see https://docs.aws.amazon.com/waf/latest/developerguide/limits.html
 */
export const WAF_MAX_REFERENCE_STATEMENTS = 50;

/** IP sets per account and Region by default (adjustable). @see https://docs.aws.amazon.com/waf/latest/developerguide/limits.html */
export const WAF_DEFAULT_IP_SETS_QUOTA = 100;

/** How many reference statements a statement holds, nested ones included. */
export function referenceStatements(s: wafv2.CfnWebACL.StatementProperty | undefined): number {
  if (!s) return 0;
  if (s.ipSetReferenceStatement || s.regexPatternSetReferenceStatement || s.ruleGroupReferenceStatement) return 1;
  const not = (s.notStatement as wafv2.CfnWebACL.NotStatementProperty | undefined)?.statement as wafv2.CfnWebACL.StatementProperty | undefined;
  const rate = (s.rateBasedStatement as wafv2.CfnWebACL.RateBasedStatementProperty | undefined)?.scopeDownStatement as wafv2.CfnWebACL.StatementProperty | undefined;
  const nested = ((s.orStatement ?? s.andStatement) as wafv2.CfnWebACL.OrStatementProperty | undefined)?.statements as wafv2.CfnWebACL.StatementProperty[] | undefined;
  return referenceStatements(not) + referenceStatements(rate) + (nested ?? []).reduce((sum, n) => sum + referenceStatements(n), 0);
}
