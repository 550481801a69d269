import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { runbookSentence } from './alarm-description';
import { INGEST_FUNCTION_DIMENSION, IngestMetric, SIGNALS_NAMESPACE } from './signal-names';

/** Properties of an {@link UnroutedRequestAlarm}. */
export interface UnroutedRequestAlarmProps {
  readonly alarmName: string;
  /** The ingest function whose `unrouted_count` is watched. */
  readonly function: lambda.IFunction;
  /** Where the page goes. */
  readonly topic: sns.ITopic;
  readonly runbookUrl?: string;
}

/**
 * Pages on the first request the ingest function answered 500 because its config has no route for
 * it (`unrouted_count` by IngestFunction, Sum over 1 minute, 1 of 1). API Gateway invokes the
 * function only for methods it has, so such a request means a method was deployed before or
 * without its route: another stack's method deployed ahead of the ingest's config layer, or a
 * config rolled back. Every request to that method fails, and none is counted in an
 * integration's signals, its SLO or its function's Errors (the 500 is an answer, not a crash).
 */
export class UnroutedRequestAlarm extends Construct {
  /** The alarm. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: UnroutedRequestAlarmProps) {
    super(scope, id);
    this.alarm = new cloudwatch.Alarm(this, 'Resource', {
      alarmName: props.alarmName,
      metric: new cloudwatch.Metric({
        namespace: SIGNALS_NAMESPACE,
        metricName: IngestMetric.UNROUTED_COUNT,
        dimensionsMap: { [INGEST_FUNCTION_DIMENSION]: props.function.functionName },
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        "PAGE: the platform's ingest function answered 500 to requests for a route its config does not have: an API method deployed before or without its route " +
        "(another stack's method ahead of the ingest stack's config layer, or a config rolled back). Every request to that method fails, and no integration's signals count it. " +
        `Search the function's log for "no ingest route for the request" (it names the route), then deploy the stack that holds the ingest function. ${runbookSentence(props.runbookUrl)}`,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
    this.alarm.addOkAction(new actions.SnsAction(props.topic));
  }
}
