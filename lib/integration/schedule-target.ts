// How a platform's schedules invoke their sync functions. aws-cdk-lib's `targets.LambdaFunction`
// adds one statement per rule to the function's resource-based policy, and Lambda allows 20 KB of
// it (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): a sync runner
// shared by the integrations of a catalog (the schedule's input names the integration for that)
// reached it at about 40 schedules. Here every schedule of a platform is named with the platform's
// prefix, and each function gets one statement per stack that admits the rules so named.
import { acknowledgeServicePermissionSourceArn } from '../compliance/acknowledgements';
import { Aws, Names, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { createHash } from 'node:crypto';
import type { IConstruct } from 'constructs';

/** EventBridge's longest rule name (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html). */
export const MAX_RULE_NAME_LENGTH = 64;

const hash = (text: string, length: number) => createHash('sha256').update(text).digest('hex').slice(0, length);

/**
 * The prefix of every schedule rule's name of a platform: `sync-<10 hex>-`, from the platform's
 * stack name and construct path, so that two platforms of an account never share it.
 */
export function scheduleRulePrefix(platform: IConstruct): string {
  return `sync-${hash(`${Stack.of(platform).stackName}/${platform.node.path}`, 10)}-`;
}

/** A schedule rule's name: the platform's prefix and the integration's name, shortened with a hash past 64 characters. */
export function scheduleRuleName(prefix: string, integrationName: string): string {
  const name = `${prefix}${integrationName}`;
  if (name.length <= MAX_RULE_NAME_LENGTH) return name;
  return `${name.slice(0, MAX_RULE_NAME_LENGTH - 9)}-${hash(integrationName, 8)}`;
}

/** Properties of a {@link ScheduleTarget}. */
export interface ScheduleTargetProps {
  readonly handler: lambda.IFunction;
  readonly input: events.RuleTargetInput;
  /** Where events the function could not take go; its policy admits the rule. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The name prefix of the platform's schedule rules, which the function's one statement per stack admits. */
  readonly rulePrefix: string;
}

/**
 * A schedule's Lambda target, retried twice within an hour, then dead-lettered: the same target
 * `targets.LambdaFunction` makes, with one resource-policy statement per function and stack for
 * all the platform's schedules (`AWS:SourceArn` like `rule/<prefix>*`, `AWS:SourceAccount` this
 * account) instead of one per rule.
 */
export class ScheduleTarget implements events.IRuleTarget {
  constructor(private readonly props: ScheduleTargetProps) {}

  public bind(rule: events.IRule): events.RuleTargetConfig {
    const { handler, deadLetterQueue } = this.props;
    // One permission per function and stack: the construct id names both.
    const stack = Stack.of(rule);
    const id = `InvokeBySchedules${Names.nodeUniqueId(handler.node)}${this.props.rulePrefix.replace(/[^A-Za-z0-9]/g, '')}`;
    if (!stack.node.tryFindChild(id)) {
      const permission = new lambda.CfnPermission(stack, id, {
        action: 'lambda:InvokeFunction',
        functionName: handler.functionArn,
        principal: 'events.amazonaws.com',
        sourceAccount: Aws.ACCOUNT_ID,
        sourceArn: `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${this.props.rulePrefix}*`,
      });
      acknowledgeServicePermissionSourceArn(permission, `the platform's schedule rules of this account (names starting ${this.props.rulePrefix})`);
    }
    // The statement aws-cdk-lib's targets add (the platform's dead-letter queues merge them into one).
    deadLetterQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowEventRule${Names.nodeUniqueId(rule.node)}`,
        actions: ['sqs:SendMessage'],
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        resources: [deadLetterQueue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
    return {
      arn: handler.functionArn,
      input: this.props.input,
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      deadLetterConfig: { arn: deadLetterQueue.queueArn },
      targetResource: handler,
    };
  }
}
