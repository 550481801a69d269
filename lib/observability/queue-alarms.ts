import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmContext, describeAlarm } from './alarm-description';

/** Oldest-message age at which a backlog opens a ticket: the consumer is behind or stopped. */
export const BACKLOG_TICKET_AGE = Duration.minutes(15);
/** Oldest-message age at which a backlog pages: records have waited an hour for their consumer. */
export const BACKLOG_PAGE_AGE = Duration.hours(1);

/** Properties of {@link QueueBacklogAlarms}. */
export interface QueueBacklogAlarmsProps {
  readonly context: AlarmContext;
  /** The queue its consumer reads. */
  readonly queue: sqs.IQueue;
  /** The queue's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Prefix of the alarm names; `backlog-ticket` and `backlog-page` are appended. */
  readonly alarmNamePrefix: string;
  readonly pageTopic: sns.ITopic;
  readonly ticketTopic: sns.ITopic;
}

/**
 * The alarms of a queue and its dead-letter queue, so that neither a consumer that stopped nor a
 * record it gave up on stays silent:
 *
 * - a ticket when the oldest message is older than {@link BACKLOG_TICKET_AGE} or any message is in
 *   the dead-letter queue (one metric-math alarm on both, evaluated every minute);
 * - a page when the oldest message is older than {@link BACKLOG_PAGE_AGE} for 3 minutes running.
 *
 * Missing data is healthy: SQS publishes these metrics for active queues, and an empty queue that
 * has been idle for six hours stops publishing them.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 */
export class QueueBacklogAlarms extends Construct {
  /** The ticket: the consumer is behind, or a record reached the dead-letter queue. */
  public readonly ticketAlarm: cloudwatch.Alarm;
  /** The page: records have waited an hour. */
  public readonly pageAlarm: cloudwatch.Alarm;
  /** The ticket alarm's name, as set. */
  public readonly ticketAlarmName: string;
  /** The page alarm's name, as set. */
  public readonly pageAlarmName: string;

  constructor(scope: Construct, id: string, props: QueueBacklogAlarmsProps) {
    super(scope, id);
    this.ticketAlarmName = `${props.alarmNamePrefix}backlog-ticket`;
    this.pageAlarmName = `${props.alarmNamePrefix}backlog-page`;
    const period = Duration.minutes(1);
    const age = props.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period });
    const deadLetters = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period });
    this.ticketAlarm = new cloudwatch.Alarm(this, 'Ticket', {
      alarmName: this.ticketAlarmName,
      metric: new cloudwatch.MathExpression({
        expression: `IF(FILL(deadLetters, 0) > 0 OR FILL(age, 0) > ${BACKLOG_TICKET_AGE.toSeconds()}, 1, 0)`,
        usingMetrics: { age, deadLetters },
        period,
        label: 'backlog or dead letters',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        `TICKET: records wait: the oldest message of the integration's queue is older than ${BACKLOG_TICKET_AGE.toMinutes()} minutes, ` +
          'or its dead-letter queue holds a record the consumer gave up on. Check the consumer (its errors, its event source mapping) ' +
          'and redrive the dead-letter queue once fixed (aws sqs start-message-move-task).',
      ),
    });
    this.ticketAlarm.addAlarmAction(new actions.SnsAction(props.ticketTopic));
    this.pageAlarm = new cloudwatch.Alarm(this, 'Page', {
      alarmName: this.pageAlarmName,
      metric: age,
      threshold: BACKLOG_PAGE_AGE.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        `PAGE: the oldest record in the integration's queue has waited more than ${BACKLOG_PAGE_AGE.toMinutes()} minutes for 3 minutes: ` +
          'the consumer is down or far behind, and records expire after the queue\'s retention. Restore the consumer.',
      ),
    });
    this.pageAlarm.addAlarmAction(new actions.SnsAction(props.pageTopic));
  }
}

/** Properties of a {@link DeadLetterAlarm}. */
export interface DeadLetterAlarmProps {
  readonly alarmName: string;
  /** The dead-letter queue. */
  readonly queue: sqs.IQueue;
  /** Where the ticket goes. */
  readonly topic: sns.ITopic;
  /** The runbook, where the platform has one. */
  readonly runbookUrl?: string;
}

/**
 * A ticket when the platform's dead-letter queue for failed asynchronous invocations and
 * undeliverable rule targets holds a message: a scheduled sync, a credential sweep or an
 * inventory update that never ran, or a rotation-failure page that never reached its topic.
 */
export class DeadLetterAlarm extends Construct {
  /** The alarm. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterAlarmProps) {
    super(scope, id);
    this.alarm = new cloudwatch.Alarm(this, 'Resource', {
      alarmName: props.alarmName,
      metric: props.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'TICKET: the platform\'s dead-letter queue holds a message: an asynchronous invocation (a scheduled sync, the credential sweep, ' +
        'an inventory update) failed all its retries, or a rule could not deliver to its target (a page included). Read the message ' +
        `attributes (ErrorMessage, the rule or function) and redrive once fixed. ${props.runbookUrl ? `Runbook: ${props.runbookUrl}` : 'Runbook: none configured (IntegrationPlatformProps.runbookUrl).'}`,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
  }
}
