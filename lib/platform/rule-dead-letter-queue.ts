import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeTerminalDeadLetterQueue } from '../compliance/acknowledgements';
import { DeadLetterAlarm } from '../observability/queue-alarms';

/**
 * A platform stack's dead-letter queue for failed asynchronous invocations and event-rule
 * deliveries (`FunctionDeadLetterQueue`, encrypted with the platform key, 14 days), with the alarm
 * that tickets when anything lands in it (`FunctionDeadLetterAlarm`). Each stack of a platform has
 * its own, so that its policy lists only the rules of its stack: about 110 bytes of ARN each
 * against SQS's 8,192-byte policy.
 */
export function createFunctionDeadLetterQueue(
  scope: Construct,
  props: { readonly encryptionKey: kms.IKey; readonly alarmName: string; readonly topic: sns.ITopic; readonly runbookUrl?: string },
): RuleDeadLetterQueue {
  const queue = new RuleDeadLetterQueue(scope, 'FunctionDeadLetterQueue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.encryptionKey,
    dataKeyReuse: Duration.hours(1),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeTerminalDeadLetterQueue(queue);
  new DeadLetterAlarm(scope, 'FunctionDeadLetterAlarm', { alarmName: props.alarmName, queue, topic: props.topic, runbookUrl: props.runbookUrl });
  return queue;
}

/**
 * A queue that EventBridge rules use as their dead-letter queue. aws-cdk-lib's rule targets add one
 * queue-policy statement per rule (`events.amazonaws.com` may `sqs:SendMessage` when `aws:SourceArn`
 * is that rule); SQS allows at most 20 statements and 8,192 bytes in a queue policy, which a platform
 * with 15 scheduled syncs passed. This queue keeps one such statement whose condition lists every
 * rule's ARN (IAM reads several values of one condition key as "any of"): the same rules, and no
 * other, may send.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html
 */
export class RuleDeadLetterQueue extends sqs.Queue {
  private readonly ruleArns: string[] = [];
  private merged?: iam.AddToResourcePolicyResult;

  constructor(scope: Construct, id: string, props: sqs.QueueProps) {
    super(scope, id, props);
  }

  public override addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    const sourceArn = ruleSourceArn(Stack.of(this).resolve(statement.toStatementJson()) as StatementJson, statement);
    if (sourceArn === undefined) return super.addToResourcePolicy(statement);
    this.ruleArns.push(sourceArn);
    if (this.merged) return this.merged;
    this.merged = super.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowPlatformEventRules',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': Lazy.list({ produce: () => this.ruleArns }) } },
      }),
    );
    return this.merged;
  }
}

type StatementJson = { Principal?: { Service?: unknown }; Action?: unknown; Condition?: Record<string, Record<string, unknown>>; Effect?: string };

/**
 * The rule ARN of a statement aws-cdk-lib's event targets add to a dead-letter queue (judged on its
 * resolved form), or undefined for any other statement.
 */
function ruleSourceArn(resolved: StatementJson, statement: iam.PolicyStatement): string | undefined {
  const condition = resolved.Condition ?? {};
  const onlyArnEquals = Object.keys(condition).length === 1 && Object.keys(condition.ArnEquals ?? {}).length === 1 && condition.ArnEquals['aws:SourceArn'] !== undefined;
  if (resolved.Effect !== 'Allow' || resolved.Principal?.Service !== 'events.amazonaws.com' || resolved.Action !== 'sqs:SendMessage' || !onlyArnEquals) return undefined;
  const arn = (statement.toStatementJson() as StatementJson).Condition?.ArnEquals?.['aws:SourceArn'];
  return typeof arn === 'string' ? arn : undefined;
}
