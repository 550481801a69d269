import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { alarmArnPattern } from '../observability/alarm-topic';

/** Properties of {@link createPlatformKey}. */
export interface PlatformKeyProps {
  /** The prefix of the names of the alarms that may publish to topics encrypted with the key. */
  readonly alarmNamePrefix: string;
}

/**
 * Creates the platform's customer-managed KMS key: annual automatic rotation on, retained on stack
 * deletion, and a key policy that lets the services the platform encrypts with use it, each for
 * this account only:
 *
 * - CloudWatch Logs (`logs.<region>.amazonaws.com`) for log groups of this account, bound by the
 *   `kms:EncryptionContext:aws:logs:arn` condition
 *   (@see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html);
 * - no statement for Secrets Manager: a principal uses the key through Secrets Manager only with
 *   a grant of its own (the key policy's account statement lets IAM policies decide), so a role of
 *   the account that may read some secret cannot decrypt the platform's through it. The library's
 *   functions get `kms:ViaService`-bound grants; the principals that put or change credentials by
 *   hand (signing-secret writers, break-glass roles) are named by {@link allowSecretWritersToUseKey};
 * - CloudWatch alarms publishing to topics encrypted with the key: `cloudwatch.amazonaws.com`
 *   bound by `aws:SourceAccount` and `aws:SourceArn` (alarms named with the platform's prefix);
 * - EventBridge delivering to topics and dead-letter queues encrypted with the key:
 *   `events.amazonaws.com` without a source condition, because EventBridge's KMS requests on this
 *   path carry no `aws:SourceAccount` or `aws:SourceArn` (a condition on them would drop every
 *   delivery); the topic policy and the queue policy bind each rule by `aws:SourceArn` instead;
 * - no grant but for an AWS resource or by an AWS service (`kms:GrantIsForAWSResource`,
 *   `aws:PrincipalIsAWSService`).
 *   (@see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services)
 */
export function createPlatformKey(scope: Construct, id: string, props: PlatformKeyProps): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, id, {
    description: `cdk-secure-integrations platform key of stack ${stack.stackName}: secrets, logs, topics, queues`,
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
  });

  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowThePlatformsAlarmsToEncryptedTopics',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': alarmArnPattern(scope, props.alarmNamePrefix) },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeDeliveriesToEncryptedTopicsAndQueues',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  // Grants only for AWS resources or by AWS services (DynamoDB's grant for a table on the key is
  // both): a principal of the account cannot hand the key to anyone with a grant of its own making
  // (AWS Control Tower CT.KMS.PR.3).
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsNotForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
  return key;
}

/**
 * Names, in the key's policy, principals that put credential values by hand (a webhook's
 * `signingSecretWriters`, the platform's `credentialBreakGlassRoles`): they may use the key only
 * through Secrets Manager in this account. By `aws:PrincipalArn`, not `Principal`, so that KMS
 * does not refuse the policy at deploy for a role that does not exist yet.
 * @returns false when the key is imported, whose policy CDK cannot change
 */
export function allowSecretWritersToUseKey(key: kms.IKey, sid: string, roleArns: string[]): boolean {
  const stack = Stack.of(key);
  return key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        ArnEquals: { 'aws:PrincipalArn': roleArns },
        StringEquals: { 'kms:CallerAccount': stack.account, 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
      },
    }),
  ).statementAdded;
}
