import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * What changes a credential: its value and version stages (which value is AWSCURRENT), its tags and
 * resource policy, its key, its rotation, its replicas and its existence.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
 */
export const CREDENTIAL_CHANGING_ACTIONS: readonly string[] = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:TagResource',
  'secretsmanager:UntagResource',
  'secretsmanager:PutResourcePolicy',
  'secretsmanager:DeleteResourcePolicy',
  'secretsmanager:RotateSecret',
  'secretsmanager:CancelRotateSecret',
  'secretsmanager:ReplicateSecretToRegions',
  'secretsmanager:RemoveRegionsFromReplication',
  'secretsmanager:StopReplicationToReplica',
  // A credential deleted (and its name re-created by someone else) is a credential taken over.
  'secretsmanager:DeleteSecret',
  'secretsmanager:RestoreSecret',
];

/**
 * CloudFormation's service principal, as `aws:CalledVia` names it: CloudFormation makes its calls
 * through forward access sessions, with and without a stack role, so every resource operation of a
 * deployment carries it.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/fas-requests-and-permission-evaluation.html
 */
export const CLOUDFORMATION_SERVICE = 'cloudformation.amazonaws.com';

/** Options of {@link guardCredential}. */
export interface CredentialGuardOptions {
  /** The rotation function's role: the only principal allowed to change the credential outside a deployment. */
  readonly rotationRole: iam.IRole;
  /**
   * Roles also allowed to change the credential, for break-glass (rotate now, repair a value).
   * @default - none: outside the rotation, only a CloudFormation deployment changes the credential
   */
  readonly breakGlassRoles?: iam.IRole[];
  /**
   * ARNs of the roles CloudFormation deploys the stack as (a stack's service role; with CDK's
   * default synthesizer, the bootstrap's `cfn-exec-role`). They may change the credential only
   * through CloudFormation. Without them, any CloudFormation operation may (any principal allowed
   * to create a stack could deploy a resource policy on the secret).
   * @default - any CloudFormation operation
   */
  readonly deploymentRoleArns?: string[];
  /**
   * Whether new values may be put (`PutSecretValue`): true for a partner-held secret, whose value
   * an operator sets when the partner changes it. Everything else stays denied: a stage move could
   * revive a superseded value, and a tag or policy change could hide the secret from its checks.
   * @default false
   */
  readonly allowValueWrites?: boolean;
  /**
   * With `allowValueWrites`: the roles that may put values (besides the break-glass roles). Every
   * other principal is denied.
   * @default - any principal whose IAM policies allow `secretsmanager:PutSecretValue` on the secret
   */
  readonly valueWriters?: iam.IRole[];
}

/**
 * Denies changes of a credential to every principal but the rotation role, the deployment (the
 * stack's CloudFormation role, through CloudFormation) and the break-glass roles, in the secret's
 * resource policy. A resource policy's explicit Deny overrides any Allow of an identity policy in
 * the account, so a role allowed `secretsmanager:*` on every secret still cannot write another
 * integration's credential, move its stages or change its tags.
 *
 * With deployment roles, two Deny statements: one for every principal but the rotation,
 * break-glass and deployment roles, one for the deployment roles when not called through
 * CloudFormation (`aws:CalledVia`). Without them, one: every principal but the rotation and
 * break-glass roles, unless called through CloudFormation.
 *
 * The break-glass path: a deployment (change the template, for example remove the credential's
 * rotation or the policy itself, and deploy), or a role named in `breakGlassRoles`.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export function guardCredential(secret: secretsmanager.Secret, options: CredentialGuardOptions): void {
  const exempt = [options.rotationRole, ...(options.breakGlassRoles ?? [])].map((r) => r.roleArn);
  const actions = CREDENTIAL_CHANGING_ACTIONS.filter((a) => !(options.allowValueWrites && a === 'secretsmanager:PutSecretValue'));
  const deny = (sid: string, conditions: Record<string, unknown>) =>
    secret.addToResourcePolicy(new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions, resources: ['*'], conditions }));
  const throughCloudFormation = { 'ForAllValues:StringNotEquals': { 'aws:CalledVia': [CLOUDFORMATION_SERVICE] } };
  const writers = (options.valueWriters ?? []).map((r) => r.roleArn);
  if (options.allowValueWrites && writers.length > 0) {
    secret.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheNamedWritersPutValues',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['secretsmanager:PutSecretValue'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...exempt, ...writers] } },
      }),
    );
  }
  const deployment = options.deploymentRoleArns ?? [];
  if (deployment.length === 0) {
    deny('OnlyTheRotationOrADeploymentChangesTheCredential', { ArnNotEquals: { 'aws:PrincipalArn': exempt }, ...throughCloudFormation });
    return;
  }
  deny('OnlyTheRotationOrTheDeploymentChangesTheCredential', { ArnNotEquals: { 'aws:PrincipalArn': [...exempt, ...deployment] } });
  deny('TheDeploymentChangesTheCredentialThroughCloudFormationOnly', { ArnNotEquals: { 'aws:PrincipalArn': exempt }, ...throughCloudFormation });
}
