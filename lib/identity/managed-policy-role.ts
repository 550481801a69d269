import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

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
 * An IAM role whose permissions all live in one customer-managed policy of its own.
 *
 * Grants made through the usual CDK API (`grantX(role)`, `addToPrincipalPolicy`) land in that
 * managed policy instead of an inline `AWS::IAM::Policy`, so the role passes the
 * "no inline policies" controls of NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1
 * (cdk-nag `IAMNoInlinePolicy`) and the "no AWS managed policies" control of AwsSolutions (`IAM4`)
 * without an acknowledgement. One role per function or integration keeps privileges least.
 */
export class ManagedPolicyRole extends iam.Role {
  /** The customer-managed policy that holds every permission granted to this role. */
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    super(scope, id, { assumedBy: props.assumedBy, description: props.description });
    this.policy = new iam.ManagedPolicy(this, 'Policy', { description: props.description });
    this.addManagedPolicy(this.policy);
  }

  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
