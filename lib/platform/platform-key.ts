import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

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
 * - SNS topics encrypted with the key, for the services that publish alarms and events to them
 *   (CloudWatch, EventBridge), bound by `aws:SourceAccount`
 *   (@see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 */
export function createPlatformKey(scope: Construct, id: string): kms.Key {
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
      sid: 'AllowAlarmAndEventPublishersToEncryptedTopics',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
  return key;
}
