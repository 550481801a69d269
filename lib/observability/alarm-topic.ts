import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Properties of {@link createAlarmTopic}. */
export interface AlarmTopicProps {
  /** The key the topic is encrypted with (the platform key, whose policy admits the publishers, see `createPlatformKey`). */
  readonly encryptionKey: kms.IKey;
  /** Every alarm that may publish has a name starting with this, for example `<stack>-integrations-`. */
  readonly alarmNamePrefix: string;
}

/**
 * The ARN pattern of the alarms whose names start with `alarmNamePrefix`, in the stack's account and
 * region: `arn:<partition>:cloudwatch:<region>:<account>:alarm:<prefix>*`.
 */
export function alarmArnPattern(scope: Construct, alarmNamePrefix: string): string {
  return Stack.of(scope).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${alarmNamePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * The platform's alarm topic, encrypted with the platform key, TLS enforced, and a topic policy that
 * admits exactly the platform's publishers: its CloudWatch alarms (`cloudwatch.amazonaws.com` with
 * `aws:SourceAccount` this account and `aws:SourceArn` an alarm named with the platform's prefix)
 * and, added by {@link SourceBoundSnsTopic} as each rule targets the topic, its own EventBridge
 * rules (`aws:SourceArn` the rule's ARN).
 *
 * A topic policy replaces SNS's default policy, which is what let alarms of the account publish: a
 * topic policy without a CloudWatch statement makes every alarm action fail with "not authorized to
 * perform SNS:Publish".
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html#source-account-versus-source-owner
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
 */
export function createAlarmTopic(scope: Construct, id: string, props: AlarmTopicProps): sns.Topic {
  const topic = new sns.Topic(scope, id, {
    displayName: 'Integration alarms',
    masterKey: props.encryptionKey,
    enforceSSL: true,
  });
  allowPlatformAlarms(scope, topic, props.alarmNamePrefix);
  return topic;
}

/**
 * Adds to `topic`'s policy the statement that lets the platform's alarms (named with
 * `alarmNamePrefix`, in this account) publish. Without it a topic that has a policy refuses them.
 * @returns whether the statement was added: false for an imported topic, whose policy CDK cannot change
 */
export function allowPlatformAlarms(scope: Construct, topic: sns.ITopic, alarmNamePrefix: string): boolean {
  return topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowThePlatformsAlarms',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(scope).account },
        ArnLike: { 'aws:SourceArn': alarmArnPattern(scope, alarmNamePrefix) },
      },
    }),
  ).statementAdded;
}
