// Where `SecureIntegration.grantInvoke` writes a role's `execute-api:Invoke` permissions: one
// customer-managed policy per role and platform, attached by the policy (`AWS::IAM::ManagedPolicy`
// `Roles`) so that the role does not depend on it. The API's resource policy names the role; a
// policy the role depends on (a `ManagedPolicyRole`'s, an `IntegrationFunction`'s) naming the API
// would close a circle CloudFormation cannot deploy.
import { Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { acknowledgeInvokePolicy } from '../compliance/acknowledgements';

const policies = new WeakMap<IConstruct, Map<iam.IRole, iam.ManagedPolicy>>();

/** A principal whose grants go into one given managed policy. */
class PolicyPrincipal extends iam.PrincipalBase {
  constructor(
    private readonly role: iam.IRole,
    private readonly policy: iam.ManagedPolicy,
  ) {
    super();
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  public override toString(): string {
    return this.role.toString();
  }

  public dedupeString(): string | undefined {
    return undefined;
  }
}

/**
 * Grants `execute-api:Invoke` on `arns` to `role`, in the role's invoke policy of `platform`
 * (created on first use, in the role's stack).
 */
export function grantInvokeToRole(platform: IConstruct, role: iam.IRole, arns: string[]): iam.Grant {
  const byRole = policies.get(platform) ?? new Map<iam.IRole, iam.ManagedPolicy>();
  policies.set(platform, byRole);
  let policy = byRole.get(role);
  if (!policy) {
    policy = new iam.ManagedPolicy(Stack.of(role), `${Names.nodeUniqueId(platform.node)}Invoke${Names.nodeUniqueId(role.node)}`, {
      description: `Lets ${role.node.path} call the Auth.iam routes of the integrations that granted it (grantInvoke)`,
      roles: [role],
    });
    byRole.set(role, policy);
  }
  // A route's path parameter is a wildcard in its ARN; the API's resource policy still admits the role on these routes alone.
  const wildcards = arns.filter((a) => Stack.of(policy!).resolve(a) !== undefined && JSON.stringify(Stack.of(policy!).resolve(a)).includes('*'));
  if (wildcards.length > 0) acknowledgeInvokePolicy(policy, wildcards);
  return iam.Grant.addToPrincipal({ grantee: { grantPrincipal: new PolicyPrincipal(role, policy) }, actions: ['execute-api:Invoke'], resourceArns: arns });
}
