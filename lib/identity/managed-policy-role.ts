import { Stack } from 'aws-cdk-lib';
import { deployedJsonLength } from '../core/deployed-length';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * The most characters a customer-managed policy document may hold, white space not counted.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const MANAGED_POLICY_MAX_CHARACTERS = 6_144;

/**
 * How many managed policies a role may have attached by default (adjustable to 20).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const ROLE_MANAGED_POLICIES_QUOTA = 10;

/** The share of {@link MANAGED_POLICY_MAX_CHARACTERS} a policy is filled to before the next one starts. */
const FILL = 0.85;

/** `{"Version":"2012-10-17","Statement":[]}`: a policy document without statements. */
const EMPTY_POLICY_CHARACTERS = 40;

/** Properties of a {@link ManagedPolicyRole}. */
export interface ManagedPolicyRoleProps {
  /** The principal that may assume the role, for example `new iam.ServicePrincipal('lambda.amazonaws.com')`. */
  readonly assumedBy: iam.IPrincipal;
  /**
   * What the role is for; shown in IAM.
   * @default - no description
   */
  readonly description?: string;
}

/**
 * An IAM role whose permissions all live in customer-managed policies of its own.
 *
 * Grants made through the usual CDK API (`grantX(role)`, `addToPrincipalPolicy`) land in those
 * managed policies instead of an inline `AWS::IAM::Policy`, so the role passes the
 * "no inline policies" controls of NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1
 * (cdk-nag `IAMNoInlinePolicy`) and the "no AWS managed policies" control of AwsSolutions (`IAM4`)
 * without an acknowledgement. One role per function or integration keeps privileges least.
 *
 * A managed policy holds at most 6,144 characters: when the next statement would take the current
 * policy past 85% of that (each value CloudFormation fills in counted at its longest likely length,
 * see `core/deployed-length.ts`), it starts another. A statement identical to one the role has is
 * not added twice. At synth each policy is measured again as it will be deployed (statements
 * changed after they were added included): past 6,144 characters, or past the 10 managed policies
 * a role may have by default, is a synth error naming the quota.
 */
export class ManagedPolicyRole extends iam.Role {
  /** The first customer-managed policy of the role's own permissions. */
  public readonly policy: iam.ManagedPolicy;
  private readonly ownPolicies: Array<{ readonly policy: iam.ManagedPolicy; characters: number }> = [];
  private readonly added = new Map<string, iam.ManagedPolicy>();
  private readonly ownAttachments = new Set<iam.IManagedPolicy>();
  private readonly description?: string;

  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    super(scope, id, { assumedBy: props.assumedBy, description: props.description });
    this.description = props.description;
    this.policy = this.startPolicy();
    this.node.addValidation({ validate: () => this.checkQuotas() });
  }

  /** Every customer-managed policy of the role's own permissions, in the order they were started. */
  public get policies(): iam.ManagedPolicy[] {
    return this.ownPolicies.map((p) => p.policy);
  }

  public override addManagedPolicy(policy: iam.IManagedPolicy): void {
    this.ownAttachments.add(policy);
    super.addManagedPolicy(policy);
  }

  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const json = Stack.of(this).resolve(statement.toStatementJson()) as unknown;
    const key = JSON.stringify(json);
    const existing = this.added.get(key);
    // aws-cdk-lib drops a duplicate when it renders a document: counting it would start policies for nothing.
    if (existing) return { statementAdded: true, policyDependable: existing };
    const characters = deployedJsonLength(json) + 1;
    let current = this.ownPolicies[this.ownPolicies.length - 1];
    if (current.characters > EMPTY_POLICY_CHARACTERS && current.characters + characters > MANAGED_POLICY_MAX_CHARACTERS * FILL) {
      this.startPolicy();
      current = this.ownPolicies[this.ownPolicies.length - 1];
    }
    current.policy.addStatements(statement);
    current.characters += characters;
    this.added.set(key, current.policy);
    return { statementAdded: true, policyDependable: current.policy };
  }

  private startPolicy(): iam.ManagedPolicy {
    const n = this.ownPolicies.length;
    const policy = new iam.ManagedPolicy(this, n === 0 ? 'Policy' : `Policy${n + 1}`, { description: this.description });
    this.ownPolicies.push({ policy, characters: EMPTY_POLICY_CHARACTERS });
    this.addManagedPolicy(policy);
    return policy;
  }

  private checkQuotas(): string[] {
    const errors: string[] = [];
    for (const { policy } of this.ownPolicies) {
      // Measured again as deployed: a statement changed after it was added, or a list produced late, counts in full.
      const characters = deployedJsonLength(Stack.of(this).resolve(policy.document.toJSON()));
      if (characters > MANAGED_POLICY_MAX_CHARACTERS) {
        errors.push(
          `${policy.node.path}: the policy comes to about ${characters} characters once deployed; IAM allows ${MANAGED_POLICY_MAX_CHARACTERS} ` +
            '(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). Grant through addToPrincipalPolicy (or grantX) with statements that ' +
            'are complete when added, or name resources by a prefix instead of one ARN each.',
        );
      }
    }
    if (this.ownAttachments.size > ROLE_MANAGED_POLICIES_QUOTA) {
      errors.push(
        `${this.node.path}: the role needs ${this.ownAttachments.size} managed policies (${this.ownPolicies.length} of its own grants, about ` +
          `${this.ownPolicies.reduce((sum, p) => sum + p.characters, 0)} characters); IAM attaches at most ${ROLE_MANAGED_POLICIES_QUOTA} to a role by default ` +
          '(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). Spread the integrations over more platforms, or raise ' +
          '"Managed policies per role" in Service Quotas (up to 20) before deploying.',
      );
    }
    return errors;
  }
}
