import { Duration, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IntegrationConfigError } from '../core/errors';
import { integrationMetric } from './integration-metrics';

/**
 * A percentile statistic as CloudWatch accepts it: `p0` to `p100`, at most two decimals
 * (`p95`, `p99.9`, `p99.99`), no leading zero.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (ExtendedStatistic: "between p0.0 and p100")
 */
const PERCENTILE = /^p(?:(?:[0-9]|[1-9][0-9])(?:\.[0-9]{1,2})?|100(?:\.0{1,2})?)$/;

/** The non-percentile statistics, spelled as CloudWatch spells them. */
const SIMPLE_STATISTICS: readonly string[] = ['Sum', 'SampleCount', 'Average', 'Minimum', 'Maximum'];

/**
 * Whether `statistic` is one this library alarms and graphs on: `Sum`, `SampleCount`, `Average`,
 * `Minimum`, `Maximum`, or a percentile `p0`..`p100` with at most two decimals.
 */
export function isSupportedStatistic(statistic: string): boolean {
  return SIMPLE_STATISTICS.includes(statistic) || PERCENTILE.test(statistic);
}

/**
 * Throws a synth-time error naming `prop` unless `statistic` is supported ({@link isSupportedStatistic}).
 * CDK renders any `p...` string as an `ExtendedStatistic`, so without this a `p101` or `p95.123`
 * would only fail at deployment.
 */
export function validateStatistic(construct: string, prop: string, statistic: unknown): void {
  if (typeof statistic === 'string' && (Token.isUnresolved(statistic) || isSupportedStatistic(statistic))) return;
  throw new IntegrationConfigError(
    construct,
    prop,
    statistic,
    'Use Sum, SampleCount, Average, Minimum or Maximum, or a percentile from p0 to p100 with at most two decimals, ' +
      'for example "p95" or "p99.9".',
  );
}

/**
 * {@link integrationMetric} (namespace `CdkSecureIntegrations`, the one dimension `Integration`)
 * with its inputs checked at synth: a non-empty integration and metric name, and a supported
 * statistic, so an invalid percentile fails `cdk synth` instead of the deployment. A percentile
 * renders as `ExtendedStatistic` with no `Statistic` in alarms.
 *
 * @example
 * const p99 = validatedIntegrationMetric('PartnerOrders', SignalMetric.LATENCY, 'p99.9');
 */
export function validatedIntegrationMetric(integrationName: string, metricName: string, statistic: string, period: Duration = Duration.minutes(5)): cloudwatch.Metric {
  for (const [prop, value, fix] of [
    ['integrationName', integrationName, 'Give the name of the integration, as on its SecureIntegration.'],
    ['metricName', metricName, 'Give a signal name, for example SignalMetric.REQUEST_COUNT.'],
  ] as const) {
    if (!(typeof value === 'string' && (Token.isUnresolved(value) || value.length > 0))) throw new IntegrationConfigError('integrationMetric', prop, value, fix);
  }
  validateStatistic('integrationMetric', 'statistic', statistic);
  return integrationMetric(integrationName, metricName, statistic, period);
}
