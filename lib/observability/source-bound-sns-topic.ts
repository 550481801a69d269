import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';

/**
 * An EventBridge rule target that publishes to an SNS topic, like `targets.SnsTopic`, but whose
 * topic-policy statement admits only the rule that targets it (`ArnEquals aws:SourceArn` the rule's
 * ARN). `targets.SnsTopic` admits `events.amazonaws.com` without a condition, so a rule of any
 * account could publish to the topic: a forged page.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
 */
export class SourceBoundSnsTopic implements events.IRuleTarget {
  constructor(
    private readonly topic: sns.ITopic,
    private readonly props: targets.SnsTopicProps = {},
  ) {}

  public bind(rule: events.IRule, _id?: string): events.RuleTargetConfig {
    if (this.props.role || this.props.authorizeUsingRole) {
      throw new Error('SourceBoundSnsTopic authorizes with the topic policy: give no role (EventBridge advises against a role for SNS targets).');
    }
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
    if (this.props.deadLetterQueue) targets.addToDeadLetterQueueResourcePolicy(rule, this.props.deadLetterQueue);
    return { ...targets.bindBaseTargetConfig(this.props), arn: this.topic.topicArn, input: this.props.message, targetResource: this.topic };
  }
}
