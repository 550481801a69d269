import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { runbookSentence } from './alarm-description';

/** The shape of the alarm: failed or throttled invocations in 3 minutes running. */
export const FUNCTION_FAILURE_SHAPE = { period: Duration.minutes(1), evaluationPeriods: 3, datapointsToAlarm: 3 } as const;

/** A function's failed plus throttled invocations per `period` (Sum; no data counts as 0). */
export function failedOrThrottledInvocations(fn: lambda.IFunction, period: Duration, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'FILL(errors, 0) + FILL(throttles, 0)',
    usingMetrics: { errors: fn.metricErrors({ period, statistic: 'Sum' }), throttles: fn.metricThrottles({ period, statistic: 'Sum' }) },
    period,
    label,
  });
}

/** Properties of a {@link FunctionFailureAlarm}. */
export interface FunctionFailureAlarmProps {
  readonly alarmName: string;
  readonly function: lambda.IFunction;
  /** Where the page goes. */
  readonly topic: sns.ITopic;
  /** What the function does, for the description, for example `the platform's ingest function`. */
  readonly role: string;
  readonly runbookUrl?: string;
}

/**
 * Pages when a function of the platform fails as a whole, where its own signals cannot say so:
 * invocations that end in an error (a crash at start-up, a timeout, running out of memory: the
 * ingest catches everything else and counts it) or are throttled (its reserved concurrency
 * exhausted, so API Gateway answers 500 without running it), in 3 minutes running.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 */
export class FunctionFailureAlarm extends Construct {
  /** The alarm. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FunctionFailureAlarmProps) {
    super(scope, id);
    const { period, evaluationPeriods } = FUNCTION_FAILURE_SHAPE;
    this.alarm = functionPageAlarm(
      this,
      props,
      failedOrThrottledInvocations(props.function, period, 'failed or throttled invocations'),
      `PAGE: ${props.role} failed or was throttled in each of the last ${evaluationPeriods} minutes: a crash loop (start-up error, timeout, memory) ` +
        'or exhausted concurrency. Its requests get 5xx from API Gateway without any integration signal. Check the function\'s log and its ' +
        'Errors, Throttles and ConcurrentExecutions metrics.',
    );
  }
}

/**
 * A page about a function of the platform, of {@link FUNCTION_FAILURE_SHAPE}: `metric` (a count per
 * minute) at 1 or more in each of 3 minutes running, no data not breaching, notifying `props.topic`
 * on ALARM and on OK. `description` is followed by the runbook sentence.
 */
export function functionPageAlarm(scope: Construct, props: FunctionFailureAlarmProps, metric: cloudwatch.IMetric, description: string): cloudwatch.Alarm {
  const { evaluationPeriods, datapointsToAlarm } = FUNCTION_FAILURE_SHAPE;
  const alarm = new cloudwatch.Alarm(scope, 'Resource', {
    alarmName: props.alarmName,
    metric,
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods,
    datapointsToAlarm,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `${description} ${runbookSentence(props.runbookUrl)}`,
  });
  alarm.addAlarmAction(new actions.SnsAction(props.topic));
  alarm.addOkAction(new actions.SnsAction(props.topic));
  return alarm;
}
