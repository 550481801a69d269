import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmContext, describeAlarm, NamedAlarm } from './alarm-description';

/** Properties of {@link ApiDestinationAlarms}. */
export interface ApiDestinationAlarmsProps {
  readonly context: AlarmContext;
  /** The rule on the outbound bus that delivers to the API destination. */
  readonly rule: events.IRule;
  /** The outbound bus's name (the rule's metrics carry it as `EventBusName`). */
  readonly eventBusName: string;
  /** Prefix of the alarm names (`<stack>-integrations-<integration>-`). */
  readonly alarmNamePrefix: string;
  readonly pageTopic: sns.ITopic;
  readonly ticketTopic: sns.ITopic;
}

/**
 * What EventBridge reports of an API destination's deliveries (namespace `AWS/Events`, dimensions
 * `EventBusName` and `RuleName`), turned into alarms: a page when a record is lost
 * (`InvocationsFailedToBeSentToDlq`: a delivery that failed for 24 hours could not even reach the
 * dead-letter queue), and a ticket while EventBridge keeps retrying (`RetryInvocationAttempts` in
 * 3 of 3 five-minute periods: the partner refuses, throttles or times out). Records that did reach
 * the dead-letter queue are the queue alarms' ticket.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 */
export class ApiDestinationAlarms extends Construct {
  /** Records that could be delivered neither to the partner nor to the dead-letter queue (page). */
  public readonly lostAlarm: cloudwatch.Alarm;
  /** EventBridge retrying deliveries for 15 minutes (ticket). */
  public readonly retryingAlarm: cloudwatch.Alarm;
  /** The alarms with their severity and literal name, for the inventory. */
  public readonly notifyingAlarms: NamedAlarm[];

  constructor(scope: Construct, id: string, props: ApiDestinationAlarmsProps) {
    super(scope, id);
    const metric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName,
        dimensionsMap: { EventBusName: props.eventBusName, RuleName: props.rule.ruleName },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    const lostName = `${props.alarmNamePrefix}outbound-lost`;
    this.lostAlarm = new cloudwatch.Alarm(this, 'Lost', {
      alarmName: lostName,
      metric: metric('InvocationsFailedToBeSentToDlq'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        'PAGE: outbound records were lost: EventBridge gave up delivering them to the partner and could not put them on the dead-letter queue either (its policy or key refused, or it is gone). Check the queue and the platform key, then ask the producers to resend.',
      ),
    });
    this.lostAlarm.addAlarmAction(new actions.SnsAction(props.pageTopic));
    this.lostAlarm.addOkAction(new actions.SnsAction(props.pageTopic));
    const retryingName = `${props.alarmNamePrefix}outbound-retrying`;
    this.retryingAlarm = new cloudwatch.Alarm(this, 'Retrying', {
      alarmName: retryingName,
      metric: metric('RetryInvocationAttempts'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        'TICKET: EventBridge has been retrying deliveries to the partner for 15 minutes (the partner answers 5xx or 429, times out after 5 seconds, or refuses the credential). Records wait; after 24 hours they go to the dead-letter queue. Check the partner\'s status and the connection\'s authorization state.',
      ),
    });
    this.retryingAlarm.addAlarmAction(new actions.SnsAction(props.ticketTopic));
    this.notifyingAlarms = [
      { alarm: this.lostAlarm, severity: 'page', name: lostName },
      { alarm: this.retryingAlarm, severity: 'ticket', name: retryingName },
    ];
  }
}
