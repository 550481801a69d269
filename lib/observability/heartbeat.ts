import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import { AlarmContext, describeAlarm } from './alarm-description';
import { IntegrationMetrics } from './integration-metrics';

/** A heartbeat: how often a successful sync is expected, and how late it may be. */
export interface HeartbeatOptions {
  /** The expected interval between successful syncs (at least 1 minute). */
  readonly every: Duration;
  /**
   * How late a sync may be before the alarm fires; the alarm watches `every + grace` (at most 7 days).
   * @default - a tenth of `every`, at least 15 minutes
   */
  readonly grace?: Duration;
}

/** Properties of a {@link HeartbeatAlarm}. */
export interface HeartbeatAlarmProps extends HeartbeatOptions {
  readonly context: AlarmContext;
  /** The alarm's name. */
  readonly alarmName: string;
  /** Where the alarm goes. */
  readonly topic: sns.ITopic;
}

/** The longest window CloudWatch evaluates (periods of an hour or more, up to 7 days). */
const MAX_WINDOW = Duration.days(7);

/**
 * The alarm that catches a silent failure: no successful sync (`sync_succeeded`) within
 * `every + grace`. Missing data is breaching for this alarm alone: a job that stopped running
 * emits nothing. The window is split into 1-minute periods (windows up to an hour), 5-minute
 * periods (up to a day) or 1-hour periods (up to 7 days), all of which must be empty to alarm.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation
 */
export class HeartbeatAlarm extends Construct {
  /** The alarm. */
  public readonly alarm: cloudwatch.Alarm;
  /** The window the alarm watches (every + grace, rounded up to whole periods). */
  public readonly window: Duration;
  /** The expected interval. */
  public readonly every: Duration;
  /** The alarm's name, as set. */
  public readonly alarmName: string;

  constructor(scope: Construct, id: string, props: HeartbeatAlarmProps) {
    super(scope, id);
    const owner = props.context.integration;
    this.every = props.every;
    this.alarmName = props.alarmName;
    const every = props.every.toSeconds();
    if (!Number.isInteger(every / 60) || every < 60) {
      throw new IntegrationConfigError(owner, 'heartbeat.every', props.every.toHumanString(), 'The expected interval is a whole number of minutes, at least 1.');
    }
    const grace = props.grace ?? Duration.seconds(Math.max(15 * 60, Math.ceil(every / 10 / 60) * 60));
    const windowSeconds = every + grace.toSeconds();
    if (grace.toSeconds() <= 0 || windowSeconds <= every) {
      throw new IntegrationConfigError(
        owner,
        'heartbeat.grace',
        grace.toHumanString(),
        'The window (every + grace) must be longer than the interval, or every run on time would alarm: give a positive grace, for example Duration.minutes(30).',
      );
    }
    if (windowSeconds > MAX_WINDOW.toSeconds()) {
      throw new IntegrationConfigError(owner, 'heartbeat', `${windowSeconds / 3600} hours`, 'CloudWatch evaluates at most 7 days: keep every + grace within 7 days.');
    }
    // Evaluation: period x periods may span a day with periods under an hour, 7 days with hourly ones.
    const period = windowSeconds <= 3600 ? 60 : windowSeconds <= 86400 ? 300 : 3600;
    const periods = Math.ceil(windowSeconds / period);
    this.window = Duration.seconds(periods * period);
    if (periods * period > windowSeconds) {
      Annotations.of(this).addWarningV2(
        'cdk-secure-integrations:heartbeatWindow',
        `heartbeat of ${owner}: CloudWatch evaluates this window in ${period / 60}-minute periods, so the alarm fires after ` +
          `${this.window.toHumanString()} without a sync, not ${Duration.seconds(windowSeconds).toHumanString()}. ` +
          'Choose every + grace as a whole number of periods (minutes up to an hour, 5 minutes up to a day, hours beyond) to make it exact.',
      );
    }
    this.alarm = new cloudwatch.Alarm(this, 'Resource', {
      alarmName: props.alarmName,
      metric: new IntegrationMetrics(owner).syncSucceeded(Duration.seconds(period)),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        `HEARTBEAT: no successful sync for ${this.window.toHumanString()} (expected every ${props.every.toHumanString()}, grace ${grace.toHumanString()}). ` +
          'The scheduled job failed, stopped, or stopped calling recordSync; data is going stale. Check the job\'s logs and its dead-letter queue.',
      ),
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
    this.alarm.addOkAction(new actions.SnsAction(props.topic));
  }
}
