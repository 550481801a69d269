import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { CAUSE_DIMENSION, INTEGRATION_DIMENSION, type RejectionCauseName, SIGNALS_NAMESPACE, SignalMetric } from './signal-names';

/** A signal of one integration as a CloudWatch metric (namespace CdkSecureIntegrations, dimension Integration). */
export function integrationMetric(integrationName: string, metricName: string, statistic: string, period: Duration = Duration.minutes(5)): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: SIGNALS_NAMESPACE,
    metricName,
    dimensionsMap: { [INTEGRATION_DIMENSION]: integrationName },
    statistic,
    period,
  });
}

/**
 * The four signals of one integration, as `IMetric`s for alarms and dashboards:
 * `request_count`, `error_rate`, `p95_latency` and `last_successful_sync`.
 */
export class IntegrationMetrics {
  constructor(private readonly integrationName: string) {}

  /** Requests handled by the platform (Sum per period). @default period 5 minutes */
  public requestCount(period?: Duration): cloudwatch.Metric {
    return integrationMetric(this.integrationName, SignalMetric.REQUEST_COUNT, 'Sum', period);
  }

  /** Requests answered with a 5xx (Sum per period). */
  public errorCount(period?: Duration): cloudwatch.Metric {
    return integrationMetric(this.integrationName, SignalMetric.ERROR_COUNT, 'Sum', period);
  }

  /** Share of requests answered with a 5xx, in percent; 0 without traffic. */
  public errorRate(period: Duration = Duration.minutes(5)): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests: this.requestCount(period), errors: this.errorCount(period) },
      period,
      label: 'error_rate (%)',
    });
  }

  /**
   * Requests the ingest rejected as the sender's fault (Sum per period): all of them, or those of
   * one cause (`RejectionCause`). Rejections by the stage (authorizer, body validator, throttling)
   * are API Gateway's 4XXError of the integration's methods.
   */
  public rejectedCount(cause?: RejectionCauseName, period: Duration = Duration.minutes(5)): cloudwatch.Metric {
    if (cause === undefined) return integrationMetric(this.integrationName, SignalMetric.REJECTED_COUNT, 'Sum', period);
    return new cloudwatch.Metric({
      namespace: SIGNALS_NAMESPACE,
      metricName: SignalMetric.REJECTED_COUNT,
      dimensionsMap: { [INTEGRATION_DIMENSION]: this.integrationName, [CAUSE_DIMENSION]: cause },
      statistic: 'Sum',
      period,
      label: `rejected: ${cause}`,
    });
  }

  /** `duplicate_count`: deliveries answered from the deduplication table instead of delivered again (Sum). */
  public duplicateCount(period?: Duration): cloudwatch.Metric {
    return integrationMetric(this.integrationName, SignalMetric.DUPLICATE_COUNT, 'Sum', period);
  }

  /** `deduplication_failures`: deliveries whose outcome the deduplication table could not record after the target ran (Sum). */
  public deduplicationFailures(period?: Duration): cloudwatch.Metric {
    return integrationMetric(this.integrationName, SignalMetric.DEDUPLICATION_FAILURES, 'Sum', period);
  }

  /** The 95th percentile of request latency, in milliseconds. */
  public p95Latency(period?: Duration): cloudwatch.Metric {
    return integrationMetric(this.integrationName, SignalMetric.LATENCY, 'p95', period);
  }

  /** The time of the last successful sync, in seconds since the epoch (Maximum per period). */
  public lastSuccessfulSync(period?: Duration): cloudwatch.Metric {
    return integrationMetric(this.integrationName, SignalMetric.LAST_SUCCESSFUL_SYNC, 'Maximum', period);
  }

  /** Successful syncs (Sum per period), the heartbeat's signal. */
  public syncSucceeded(period?: Duration): cloudwatch.Metric {
    return integrationMetric(this.integrationName, SignalMetric.SYNC_SUCCEEDED, 'Sum', period);
  }
}
