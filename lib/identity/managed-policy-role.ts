import { Tokenization } from 'aws-cdk-lib';
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

/**
 * The deploy-time length assumed for each value CloudFormation fills in (an ARN, a name, a
 * region): ARNs of the library's resources run 60 to 140 characters with a long stack name.
 */
export const ESTIMATED_DEPLOY_TIME_VALUE_LENGTH = 140;

/** The share of {@link MANAGED_POLICY_MAX_CHARACTERS} a policy is filled to before the next one starts. */
const FILL = 0.85;

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
 * policy past 85% of that (each deploy-time value counted as {@link ESTIMATED_DEPLOY_TIME_VALUE_LENGTH}
 * characters), it starts another. A role may have 10 managed policies attached by default: more is
 * a synth error naming the quota.
 */
export class ManagedPolicyRole extends iam.Role {
  /** The first customer-managed policy of the role's own permissions. */
  public readonly policy: iam.ManagedPolicy;
  private readonly ownPolicies: Array<{ readonly policy: iam.ManagedPolicy; characters: number }> = [];
  private attached = 0;
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
    this.attached += 1;
    super.addManagedPolicy(policy);
  }

  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const characters = estimatedCharacters(statement.toStatementJson());
    let current = this.ownPolicies[this.ownPolicies.length - 1];
    if (current.characters > 0 && current.characters + characters > MANAGED_POLICY_MAX_CHARACTERS * FILL) {
      this.startPolicy();
      current = this.ownPolicies[this.ownPolicies.length - 1];
    }
    current.policy.addStatements(statement);
    current.characters += characters;
    return { statementAdded: true, policyDependable: current.policy };
  }

  private startPolicy(): iam.ManagedPolicy {
    const n = this.ownPolicies.length;
    const policy = new iam.ManagedPolicy(this, n === 0 ? 'Policy' : `Policy${n + 1}`, { description: this.description });
    // The braces and version of the document itself.
    this.ownPolicies.push({ policy, characters: 40 });
    this.addManagedPolicy(policy);
    return policy;
  }

  private checkQuotas(): string[] {
    const errors: string[] = [];
    if (this.attached > ROLE_MANAGED_POLICIES_QUOTA) {
      errors.push(
        `${this.node.path}: the role needs ${this.attached} managed policies (${this.ownPolicies.length} of its own grants, about ` +
          `${this.ownPolicies.reduce((sum, p) => sum + p.characters, 0)} characters); IAM attaches at most ${ROLE_MANAGED_POLICIES_QUOTA} to a role by default ` +
          '(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). Spread the integrations over more platforms, or raise ' +
          '"Managed policies per role" in Service Quotas (up to 20) before deploying.',
      );
    }
    return errors;
  }
}

/**
 * The characters a policy fragment will hold once deployed, white space not counted (as IAM counts):
 * its JSON, with every token (an ARN, a name CloudFormation fills in) counted as
 * {@link ESTIMATED_DEPLOY_TIME_VALUE_LENGTH}.
 */
export function estimatedCharacters(fragment: unknown): number {
  if (typeof fragment === 'string') {
    const parts = Tokenization.reverseString(fragment);
    // Each token stands for a deploy-time value; the literal text around them counts as written.
    const literal = parts.mapTokens({ mapToken: () => '' }).join({ join: (left: unknown, right: unknown) => `${String(left)}${String(right)}` });
    return JSON.stringify(String(literal ?? '')).replace(/\s/g, '').length + parts.tokens.length * ESTIMATED_DEPLOY_TIME_VALUE_LENGTH;
  }
  if (Array.isArray(fragment)) return 2 + fragment.reduce((sum: number, item) => sum + estimatedCharacters(item) + 1, 0);
  if (fragment !== null && typeof fragment === 'object') {
    const token = Tokenization.reverse(fragment);
    if (token) return ESTIMATED_DEPLOY_TIME_VALUE_LENGTH;
    return 2 + Object.entries(fragment).reduce((sum, [key, value]) => sum + JSON.stringify(key).length + 1 + estimatedCharacters(value) + 1, 0);
  }
  return JSON.stringify(fragment ?? null).replace(/\s/g, '').length;
}
