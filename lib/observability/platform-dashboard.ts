import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { IntegrationMetrics } from './integration-metrics';
import { RejectionCause } from './signal-names';

/** What one integration shows on a dashboard. */
export interface DashboardRow {
  readonly integrationName: string;
  readonly metrics: IntegrationMetrics;
  /** Its alarms, shown by state. */
  readonly alarms: cloudwatch.IAlarm[];
  /** Whether it syncs on a schedule (shows last_successful_sync). */
  readonly outbound: boolean;
  /** Extra widgets, for example the SLO's error budget. */
  readonly extraWidgets?: cloudwatch.IWidget[];
  /**
   * What was rejected before the ingest: API Gateway's 4XXError of the integration's methods (the
   * ingest's 4xx included) and WAF's BlockedRequests of the integration's own rules.
   */
  readonly stageRejections?: cloudwatch.IMetric[];
}

/** The dashboard rows of one integration: a heading, the four signals, extras, and the state of its alarms. */
export function integrationWidgets(row: DashboardRow): cloudwatch.IWidget[][] {
  const m = row.metrics;
  const widgets: cloudwatch.IWidget[] = [
    new cloudwatch.GraphWidget({ title: 'request_count', left: [m.requestCount()], width: 6, height: 5 }),
    new cloudwatch.GraphWidget({ title: 'error_rate (%)', left: [m.errorRate()], width: 6, height: 5, leftYAxis: { min: 0 } }),
    new cloudwatch.GraphWidget({ title: 'p95_latency (ms)', left: [m.p95Latency()], width: 6, height: 5, leftYAxis: { min: 0 } }),
  ];
  if (row.outbound) {
    widgets.push(new cloudwatch.SingleValueWidget({ title: 'last_successful_sync (epoch s)', metrics: [m.lastSuccessfulSync(Duration.days(1))], width: 6, height: 5 }));
  } else {
    widgets.push(new cloudwatch.GraphWidget({ title: 'error_count', left: [m.errorCount()], width: 6, height: 5 }));
    widgets.push(
      new cloudwatch.GraphWidget({
        title: 'rejected by cause (ingest); 4XXError (stage) and WAF blocks',
        left: Object.values(RejectionCause).map((cause) => m.rejectedCount(cause)),
        right: row.stageRejections ?? [],
        width: 12,
        height: 5,
        stacked: true,
      }),
    );
  }
  const rows = [[new cloudwatch.TextWidget({ markdown: `### ${row.integrationName}`, width: 24, height: 1 })], widgets];
  if (row.extraWidgets?.length) rows.push(row.extraWidgets);
  if (row.alarms.length > 0) {
    rows.push([new cloudwatch.AlarmStatusWidget({ title: `${row.integrationName} alarms`, alarms: row.alarms, width: 24, height: 2 })]);
  }
  return rows;
}

/**
 * The platform's overview dashboard: a row per integration with its four signals and the state of
 * its alarms, added as integrations join.
 */
export class PlatformDashboard extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', { defaultInterval: Duration.hours(24) });
  }

  /** Adds one integration's row. */
  public addIntegration(row: DashboardRow): void {
    for (const widgets of integrationWidgets(row)) this.dashboard.addWidgets(...widgets);
  }
}
