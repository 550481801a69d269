import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { FUNCTION_FAILURE_SHAPE, type FunctionFailureAlarmProps, functionPageAlarm } from './function-failure-alarm';
import { INGEST_FUNCTION_DIMENSION, IngestMetric, SIGNALS_NAMESPACE } from './signal-names';

/**
 * Properties of an {@link UnroutedRequestAlarm}: those of a {@link FunctionFailureAlarm}, for the
 * ingest function whose `unrouted_count` is watched.
 */
export type UnroutedRequestAlarmProps = FunctionFailureAlarmProps;

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
    const { period, evaluationPeriods } = FUNCTION_FAILURE_SHAPE;
    this.alarm = functionPageAlarm(
      this,
      props,
      new cloudwatch.Metric({ namespace: SIGNALS_NAMESPACE, metricName: IngestMetric.UNROUTED_COUNT, dimensionsMap: { [INGEST_FUNCTION_DIMENSION]: props.function.functionName }, statistic: 'Sum', period }),
      `PAGE: ${props.role} answered 500 to requests for a route its config does not have, in each of the last ${evaluationPeriods} minutes: an API method served without its route ` +
        "(another stack's method ahead of the ingest stack's config layer, or a config rolled back). Every request to that method fails, and no integration's signals count it. " +
        'Search the function\'s log for "no ingest route for the request" (it names the route), then deploy the stack that holds the ingest function.',
    );
  }
}
