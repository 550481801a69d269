import type { CfnResource } from 'aws-cdk-lib';
import type { NagRuleResult } from 'cdk-nag';

/** The layer of the integration framework a rule belongs to. */
export type IntegrationLayer = 'identity' | 'secrets-and-data' | 'network-and-gateway' | 'observability' | 'inventory';

/**
 * One rule of {@link IntegrationSecurityChecks}: a pure check of one synthesized CloudFormation
 * resource (it may look at the other resources of the app, never at the library's constructs).
 */
export interface IntegrationRule {
  /** The rule's id, unique in the pack (`ID1`); findings are named `IntegrationSecurity-<id>`. */
  readonly id: string;
  /** A short name (`ApiMethodAuthorized`). */
  readonly name: string;
  /** The layer of the framework it enforces. */
  readonly layer: IntegrationLayer;
  /** What a finding means, shown beside it. */
  readonly info: string;
  /** Why the rule exists, with its source. */
  readonly explanation: string;
  /** The check: COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE for the resource. */
  readonly check: (node: CfnResource) => NagRuleResult;
}
