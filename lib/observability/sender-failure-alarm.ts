import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmContext, describeAlarm } from './alarm-description';
import { failedOrThrottledInvocations } from './function-failure-alarm';

/** Properties of a {@link SenderFailureAlarm}. */
export interface SenderFailureAlarmProps {
  readonly context: AlarmContext;
  readonly alarmName: string;
  /** The outbound sender function. */
  readonly function: lambda.IFunction;
  readonly topic: sns.ITopic;
}

/**
 * Pages when an outbound sender fails as a whole: invocations that end in an error (a config it
 * cannot use at cold start, a crash, a timeout: the sender reports every record's own failure to SQS
 * and returns) or are throttled, in 2 of 3 fifteen-minute periods. A wide window because a sender's
 * traffic can be sparse: a failed batch comes back only after the queue's visibility timeout (six
 * times the function's), and no signal of its own is emitted while it crashes.
 */
export class SenderFailureAlarm extends Construct {
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SenderFailureAlarmProps) {
    super(scope, id);
    const period = Duration.minutes(15);
    this.alarm = new cloudwatch.Alarm(this, 'Resource', {
      alarmName: props.alarmName,
      metric: failedOrThrottledInvocations(props.function, period, 'failed or throttled sender invocations'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        'PAGE: the outbound sender failed or was throttled in 2 of the last 3 quarter-hours: it cannot start (its config or a missing grant: see its log), crashes or runs out of time, so no record reaches the partner and the sender emits no signal of its own. Records wait in the outbound queue.',
      ),
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
    this.alarm.addOkAction(new actions.SnsAction(props.topic));
  }
}
