import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { runbookSentence } from './alarm-description';
import { FUNCTION_FAILURE_SHAPE } from './function-failure-alarm';
import { INGEST_FUNCTION_DIMENSION, IngestMetric, SIGNALS_NAMESPACE } from './signal-names';

/** Properties of an {@link UnroutedRequestAlarm}. */
export interface UnroutedRequestAlarmProps {
  readonly alarmName: string;
  /** The ingest function whose `unrouted_count` is watched. */
  readonly function: lambda.IFunction;
  /** Where the page goes. */
  readonly topic: sns.ITopic;
  /** Which ingest function, for the description, for example `the platform's ingest function (every inbound route of stack Main)`. */
  readonly role: string;
  readonly runbookUrl?: string;
}

/**
 * Pages when the ingest function answered 500 to requests its config has no route for, in each of
 * 3 minutes running (`unrouted_count` by IngestFunction, Sum per minute, the shape of
 * {@link FunctionFailureAlarm}). API Gateway invokes the function only for methods it has, so
 * such requests mean a method is served without its route: another stack's method deployed ahead
 * of the ingest's config layer, a config rolled back or deployed alone. Every request to that
 * method fails, and none is counted in an integration's signals, its SLO or the function's Errors
 * (the 500 is an answer, not a crash). A deployment that removes a route updates the function
 * before the stage stops serving the method; the requests of that gap (seconds to a minute or two)
 * are counted but do not page.
 */
export class UnroutedRequestAlarm extends Construct {
  /** The alarm. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: UnroutedRequestAlarmProps) {
    super(scope, id);
    const { period, evaluationPeriods, datapointsToAlarm } = FUNCTION_FAILURE_SHAPE;
    this.alarm = new cloudwatch.Alarm(this, 'Resource', {
      alarmName: props.alarmName,
      metric: new cloudwatch.Metric({
        namespace: SIGNALS_NAMESPACE,
        metricName: IngestMetric.UNROUTED_COUNT,
        dimensionsMap: { [INGEST_FUNCTION_DIMENSION]: props.function.functionName },
        statistic: 'Sum',
        period,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        `PAGE: ${props.role} answered 500 to requests for a route its config does not have, in each of the last ${evaluationPeriods} minutes: an API method served without its route ` +
        "(another stack's method ahead of the ingest stack's config layer, or a config rolled back). Every request to that method fails, and no integration's signals count it. " +
        `Search the function's log for "no ingest route for the request" (it names the route), then deploy the stack that holds the ingest function. ${runbookSentence(props.runbookUrl)}`,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.topic));
    this.alarm.addOkAction(new actions.SnsAction(props.topic));
  }
}
