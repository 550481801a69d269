import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmContext, describeAlarm, runbookSentence } from './alarm-description';
import { integrationMetric } from './integration-metrics';
import { CredentialMetric, ROTATION_FUNCTION_DIMENSION, SIGNALS_NAMESPACE } from './signal-names';

/** The period of the credential alarms: the sweep runs hourly, so each hour holds one sweep's counts. */
const SWEEP_PERIOD = Duration.hours(1);

/** Properties of {@link CredentialAgeAlarms}. */
export interface CredentialAgeAlarmsProps {
  readonly context: AlarmContext;
  /** Names of the two alarms start with this. */
  readonly alarmNamePrefix: string;
  /** Where the ticket goes (a credential past its policy age). */
  readonly ticketTopic: sns.ITopic;
  /** Where the page goes (a credential past its classification's limit). */
  readonly pageTopic: sns.ITopic;
}

/**
 * The age alarms of one integration's credentials, on the hourly credential sweep's counts: a
 * ticket when a credential is past its policy age (a missed rotation, or a partner-held secret due
 * for change), a page when one has outlived its classification's limit. The sweep's own health is
 * watched by {@link CredentialSweepAlarm}, so missing data here is not breaching.
 */
export class CredentialAgeAlarms extends Construct {
  /** Ticket: a credential past its policy age. */
  public readonly due: cloudwatch.Alarm;
  /** Page: a credential past its classification's limit. */
  public readonly overdue: cloudwatch.Alarm;
  /** The ticket alarm's name, as set. */
  public readonly dueAlarmName: string;
  /** The page alarm's name, as set. */
  public readonly overdueAlarmName: string;

  constructor(scope: Construct, id: string, props: CredentialAgeAlarmsProps) {
    super(scope, id);
    const integration = props.context.integration;
    this.dueAlarmName = `${props.alarmNamePrefix}credential-age-ticket`;
    this.overdueAlarmName = `${props.alarmNamePrefix}credential-age-page`;
    const alarm = (alarmId: string, alarmName: string, metricName: string, topic: sns.ITopic, meaning: string) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        alarmName,
        metric: integrationMetric(integration, metricName, 'Maximum', SWEEP_PERIOD),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: describeAlarm(props.context, meaning),
      });
      a.addAlarmAction(new actions.SnsAction(topic));
      a.addOkAction(new actions.SnsAction(topic));
      return a;
    };
    this.due = alarm(
      'Due',
      this.dueAlarmName,
      CredentialMetric.CREDENTIALS_DUE,
      props.ticketTopic,
      'CREDENTIAL AGE (ticket): a credential is past its policy age. A rotated credential missed its scheduled rotation (see the rotation function\'s log and the secret\'s rotation status); ' +
        'a partner-held signing secret is due for change: agree a new secret with the partner and put it in Secrets Manager. The credential sweep\'s log names the credential.',
    );
    this.overdue = alarm(
      'Overdue',
      this.overdueAlarmName,
      CredentialMetric.CREDENTIALS_OVERDUE,
      props.pageTopic,
      'CREDENTIAL AGE (page): a credential has outlived its data classification\'s limit and must be replaced now: rotate it (or change the partner-held secret), then check why ' +
        'it was not replaced in time. The credential sweep\'s log names the credential.',
    );
  }
}

/** Properties of a {@link CredentialSweepAlarm}. */
export interface CredentialSweepAlarmProps {
  /** The alarm's name. */
  readonly alarmName: string;
  /** The rotation function's name (the sweep's metrics carry it as a dimension). */
  readonly functionName: string;
  /** Where the page goes. */
  readonly topic: sns.ITopic;
  /** The runbook, where the platform has one. */
  readonly runbookUrl?: string;
}

/**
 * Pages when the credential sweep stops (no completed sweep for two of the last three hours, the
 * schedule's retries included) or cannot check or revoke a credential: without it, superseded
 * credentials stay valid and no credential's age is watched.
 */
export class CredentialSweepAlarm extends Construct {
  /** The alarm. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CredentialSweepAlarmProps) {
    super(scope, id);
    const metric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: SIGNALS_NAMESPACE, metricName, dimensionsMap: { [ROTATION_FUNCTION_DIMENSION]: props.functionName }, statistic: 'Sum', period: SWEEP_PERIOD });
    this.alarm = new cloudwatch.Alarm(this, 'Resource', {
      alarmName: props.alarmName,
      metric: new cloudwatch.MathExpression({
        expression: 'IF(FILL(completed, 0) < 1, 1, 0) + FILL(failures, 0)',
        usingMetrics: { completed: metric(CredentialMetric.SWEEPS_COMPLETED), failures: metric(CredentialMetric.SWEEP_FAILURES) },
        period: SWEEP_PERIOD,
        label: 'credential sweep problems',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription:
        'CREDENTIAL SWEEP (page): the platform\'s hourly credential sweep did not complete or could not check or revoke a credential. Superseded credentials stay valid and credential ages go unwatched ' +
        'until it runs clean. See the rotation function\'s log (step "sweep").' +
        ` ${runbookSentence(props.runbookUrl)}`,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
    this.alarm.addOkAction(new actions.SnsAction(props.topic));
  }
}
