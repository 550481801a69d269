import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SourceBoundSnsTopic } from './source-bound-sns-topic';

/**
 * Secrets Manager's rotation outcome events, as EventBridge receives them through CloudTrail.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-eventbridge.html
 */
export const ROTATION_FAILURE_EVENT_PATTERN: events.EventPattern = {
  source: ['aws.secretsmanager'],
  detailType: ['AWS Service Event via CloudTrail'],
  detail: { eventName: ['RotationFailed', 'RotationAbandoned'] },
};

/** The rotation failure events of the secrets whose ARNs start with `secretArnPrefix`. */
export function rotationFailurePattern(secretArnPrefix: string): events.EventPattern {
  return {
    ...ROTATION_FAILURE_EVENT_PATTERN,
    detail: { ...ROTATION_FAILURE_EVENT_PATTERN.detail, additionalEventData: { SecretId: [{ prefix: secretArnPrefix }] } },
  };
}

/** Properties of a {@link RotationFailureRule}. */
export interface RotationFailureRuleProps {
  /** Where failures page. */
  readonly topic: sns.ITopic;
  /** Where undeliverable notifications are kept. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The runbook, where the platform has one. */
  readonly runbookUrl?: string;
  /**
   * Only secrets whose ARN starts with this page, for example `arn:aws:secretsmanager:<region>:<account>:secret:integrations/<platform>/`.
   * @default - every secret of the account and region
   */
  readonly secretArnPrefix?: string;
}

/**
 * Pages when a secret of the platform fails to rotate: a credential that cannot rotate is a
 * credential that stays valid too long. The message names the secret, whose name
 * (`integrations/<platform>/<integration>/<credential>`) names the integration; the inventory names
 * the owner.
 */
export class RotationFailureRule extends Construct {
  /** The rule. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: RotationFailureRuleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Resource', {
      description: 'Pages when a Secrets Manager rotation fails or is abandoned',
      eventPattern: props.secretArnPrefix === undefined ? ROTATION_FAILURE_EVENT_PATTERN : rotationFailurePattern(props.secretArnPrefix),
    });
    const runbook = props.runbookUrl ? ` Runbook: ${props.runbookUrl}` : '';
    this.rule.addTarget(
      new SourceBoundSnsTopic(props.topic, {
        message: events.RuleTargetInput.fromText(
          `Secret rotation ${events.EventField.fromPath('$.detail.eventName')} for ${events.EventField.fromPath('$.detail.additionalEventData.SecretId')} ` +
            `at ${events.EventField.time}. AWSCURRENT still holds the credential it held before (after a failed first rotation, the value written at deploy, ` +
            'which does not work). Fix the cause (the rotation function\'s log); Secrets Manager reattempts the rotation with the same token. To retry at once, ' +
            `a break-glass role (credentialBreakGlassRoles) runs aws secretsmanager rotate-secret --secret-id <arn>: nobody else may.${runbook}`,
        ),
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: props.deadLetterQueue,
      }),
    );
  }
}
