import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmContext, describeAlarm, runbookSentence, NamedAlarm } from './alarm-description';

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
  /** Prefix of the alarm names; `backlog-ticket`, `dead-letters` and `backlog-page` are appended. */
  readonly alarmNamePrefix: string;
  readonly pageTopic: sns.ITopic;
  readonly ticketTopic: sns.ITopic;
}

/** How long a consumer may receive records and delete none before it pages. */
export const FAILING_CONSUMER_WINDOW = Duration.minutes(15);

/**
 * The alarms of a queue and its dead-letter queue, so that neither a consumer that stopped, one
 * that fails every record, nor a record it gave up on stays silent. Three alarms, so that one state
 * never hides another (a dead letter nobody redrives holds its alarm for up to 14 days):
 *
 * - a ticket when the oldest message is older than {@link BACKLOG_TICKET_AGE} (1-minute periods);
 * - a ticket when the dead-letter queue holds a record;
 * - a page when the oldest message is older than {@link BACKLOG_PAGE_AGE} in 3 five-minute periods
 *   running, or the consumer receives records and deletes none for {@link FAILING_CONSUMER_WINDOW}:
 *   SQS leaves messages received 3 times or more out of the oldest-message age, so a consumer that
 *   fails every record never ages the queue; its records move to the dead-letter queue instead.
 *
 * Missing data is healthy: SQS publishes these metrics for active queues, and an empty queue that
 * has been idle for six hours stops publishing them.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 */
export class QueueBacklogAlarms extends Construct {
  /** The ticket: the consumer is behind. */
  public readonly ticketAlarm: cloudwatch.Alarm;
  /** The ticket: a record reached the dead-letter queue. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The page: records have waited an hour, or the consumer fails every record. */
  public readonly pageAlarm: cloudwatch.Alarm;
  /** The alarms with their severity and literal name, for the inventory. */
  public readonly notifyingAlarms: NamedAlarm[];

  constructor(scope: Construct, id: string, props: QueueBacklogAlarmsProps) {
    super(scope, id);
    const name = (suffix: string) => `${props.alarmNamePrefix}${suffix}`;
    const minute = Duration.minutes(1);
    this.ticketAlarm = new cloudwatch.Alarm(this, 'Ticket', {
      alarmName: name('backlog-ticket'),
      metric: props.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: minute }),
      threshold: BACKLOG_TICKET_AGE.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        `TICKET: records wait: the oldest message of the integration's queue is older than ${BACKLOG_TICKET_AGE.toMinutes()} minutes. ` +
          'The consumer is behind or stopped: check its errors, its concurrency and its event source mapping.',
      ),
    });
    this.ticketAlarm.addAlarmAction(new actions.SnsAction(props.ticketTopic));

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmName: name('dead-letters'),
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: minute }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        'TICKET: the dead-letter queue of the integration\'s queue holds a record the consumer gave up on. Read it, fix the cause, and redrive ' +
          '(aws sqs start-message-move-task). The alarm stays in ALARM until the dead-letter queue is empty.',
      ),
    });
    this.deadLetterAlarm.addAlarmAction(new actions.SnsAction(props.ticketTopic));

    const five = Duration.minutes(5);
    const failingPeriods = FAILING_CONSUMER_WINDOW.toMinutes() / five.toMinutes();
    this.pageAlarm = new cloudwatch.Alarm(this, 'Page', {
      alarmName: name('backlog-page'),
      metric: new cloudwatch.MathExpression({
        expression: `IF(FILL(age, 0) > ${BACKLOG_PAGE_AGE.toSeconds()} OR (FILL(received, 0) > 0 AND FILL(deleted, 0) == 0), 1, 0)`,
        usingMetrics: {
          age: props.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: five }),
          received: props.queue.metricNumberOfMessagesReceived({ statistic: 'Sum', period: five }),
          deleted: props.queue.metricNumberOfMessagesDeleted({ statistic: 'Sum', period: five }),
        },
        period: five,
        label: 'records waiting an hour, or received and never deleted',
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: failingPeriods,
      datapointsToAlarm: failingPeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        `PAGE: the integration's consumer is down or failing: for ${FAILING_CONSUMER_WINDOW.toMinutes()} minutes the oldest record has waited more than ` +
          `${BACKLOG_PAGE_AGE.toMinutes()} minutes, or the consumer received records and deleted none (each then reaches the dead-letter queue). ` +
          'Records expire after the queue\'s retention. Restore the consumer.',
      ),
    });
    this.pageAlarm.addAlarmAction(new actions.SnsAction(props.pageTopic));
    this.pageAlarm.addOkAction(new actions.SnsAction(props.pageTopic));
    this.notifyingAlarms = [
      { alarm: this.ticketAlarm, severity: 'ticket', name: name('backlog-ticket') },
      { alarm: this.deadLetterAlarm, severity: 'ticket', name: name('dead-letters') },
      { alarm: this.pageAlarm, severity: 'page', name: name('backlog-page') },
    ];
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
        `attributes (ErrorMessage, the rule or function) and redrive once fixed. ${runbookSentence(props.runbookUrl)}`,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
  }
}
