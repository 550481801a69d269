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
 * - Secrets Manager, through `kms:ViaService` with `kms:CallerAccount`, the policy of the
 *   AWS managed key `aws/secretsmanager`
 *   (@see https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html);
 * - CloudWatch alarms publishing to topics encrypted with the key: `cloudwatch.amazonaws.com`
 *   bound by `aws:SourceAccount` and `aws:SourceArn` (alarms named with the platform's prefix);
 * - EventBridge delivering to topics and dead-letter queues encrypted with the key:
 *   `events.amazonaws.com` without a source condition, because EventBridge's KMS requests on this
 *   path carry no `aws:SourceAccount` or `aws:SourceArn` (a condition on them would drop every
 *   delivery); the topic policy and the queue policy bind each rule by `aws:SourceArn` instead.
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
      sid: 'AllowSecretsManagerForThisAccount',
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'kms:CallerAccount': stack.account,
          'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com`,
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
  return key;
}
