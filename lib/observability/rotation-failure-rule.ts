import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Secrets Manager's rotation outcome events, as EventBridge receives them through CloudTrail.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-eventbridge.html
 */
export const ROTATION_FAILURE_EVENT_PATTERN: events.EventPattern = {
  source: ['aws.secretsmanager'],
  detailType: ['AWS Service Event via CloudTrail'],
  detail: { eventName: ['RotationFailed', 'RotationAbandoned'] },
};

/** Properties of a {@link RotationFailureRule}. */
export interface RotationFailureRuleProps {
  /** Where failures page. */
  readonly topic: sns.ITopic;
  /** Where undeliverable notifications are kept. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The runbook, where the platform has one. */
  readonly runbookUrl?: string;
}

/**
 * Pages when a secret of this account fails to rotate: a credential that cannot rotate is a
 * credential that stays valid too long. The message names the secret; its tag
 * `cdk-secure-integrations:integration` names the integration and the inventory names the owner.
 */
export class RotationFailureRule extends Construct {
  /** The rule. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: RotationFailureRuleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Resource', {
      description: 'Pages when a Secrets Manager rotation fails or is abandoned',
      eventPattern: ROTATION_FAILURE_EVENT_PATTERN,
    });
    const runbook = props.runbookUrl ? ` Runbook: ${props.runbookUrl}` : '';
    this.rule.addTarget(
      new targets.SnsTopic(props.topic, {
        message: events.RuleTargetInput.fromText(
          `Secret rotation ${events.EventField.fromPath('$.detail.eventName')} for ${events.EventField.fromPath('$.detail.additionalEventData.SecretId')} ` +
            `at ${events.EventField.time}. AWSCURRENT still holds the previous, working credential; fix the cause (the rotation function's log), ` +
            `then rotate again.${runbook}`,
        ),
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: props.deadLetterQueue,
      }),
    );
  }
}
