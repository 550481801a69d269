import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmContext, describeAlarm, NamedAlarm, runbookSentence } from './alarm-description';
import { SourceBoundSnsTopic } from './source-bound-sns-topic';

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
  /** The connection whose de-authorization pages. */
  readonly connection: events.IConnection;
  /** Where a page the rule could not deliver is kept (the stack's function dead-letter queue). */
  readonly deadLetterQueue: sqs.IQueue;
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
  /** The rule that pages when the connection is de-authorized. */
  public readonly connectionRule: events.Rule;

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
    // EventBridge de-authorizes a connection by itself (a 401 or 407 to an API key or Basic call, an
    // OAuth token it cannot refresh, a KMS error on its secret), and every delivery then fails until
    // someone updates the connection: that pages at once, not after a day of retries.
    // @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-deauthorize.html
    this.connectionRule = new events.Rule(this, 'ConnectionState', {
      description: `Pages when ${props.context.integration}'s EventBridge connection is de-authorized or fails`,
      eventPattern: {
        source: ['aws.events'],
        detailType: [{ prefix: 'Connection Deauthoriz' }, { prefix: 'Connection Failed' }] as unknown as string[],
        resources: [props.connection.connectionArn],
      },
    });
    this.connectionRule.addTarget(
      new SourceBoundSnsTopic(props.pageTopic, {
        message: events.RuleTargetInput.fromText(
          `PAGE: integration ${props.context.integration} (owner ${props.context.owner}): its EventBridge connection went ${events.EventField.fromPath('$.detail-type')} at ${events.EventField.time}. ` +
            'No call reaches the partner until the connection is authorized again: fix the credential (update the secret the connection copies and deploy, or update the connection). ' +
            runbookSentence(props.context.runbookUrl),
        ),
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: props.deadLetterQueue,
      }),
    );
    this.notifyingAlarms = [
      { alarm: this.lostAlarm, severity: 'page', name: lostName },
      { alarm: this.retryingAlarm, severity: 'ticket', name: retryingName },
    ];
  }
}
