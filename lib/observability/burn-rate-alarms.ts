import { Duration, IResolvable, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { SignalMetric } from './signal-names';
import { validatedIntegrationMetric } from './slo-metrics';

/**
 * One tier of multi-window, multi-burn-rate alerting: it fires when the error budget burns faster
 * than `burnRate` times the sustainable rate over both the long and the short window.
 * @see https://sre.google/workbook/alerting-on-slos/ (approach 6, table 5-8)
 */
export interface BurnRateTier {
  /** The tier's construct id (part of the public API): `FastPage`, `SlowPage` or `Ticket`. */
  readonly id: string;
  /** Multiple of the sustainable burn rate (1x spends exactly the budget over the SLO window). */
  readonly burnRate: number;
  /** The window that proves the burn is significant. */
  readonly longWindow: Duration;
  /** The window that proves the burn is still going on, so the alert resets soon after a fix. */
  readonly shortWindow: Duration;
  /** Whether the tier pages (else it opens a ticket). */
  readonly pages: boolean;
}

/** 14.4x over 1 h and 5 min: 2% of a 30-day budget in an hour. Pages. */
export const FAST_PAGE_TIER: BurnRateTier = { id: 'FastPage', burnRate: 14.4, longWindow: Duration.hours(1), shortWindow: Duration.minutes(5), pages: true };
/** 6x over 6 h and 30 min: 5% of a 30-day budget in six hours. Pages. */
export const SLOW_PAGE_TIER: BurnRateTier = { id: 'SlowPage', burnRate: 6, longWindow: Duration.hours(6), shortWindow: Duration.minutes(30), pages: true };
/**
 * 1x over 1 day and 6 h. Opens a ticket.
 *
 * The Workbook's ticket tier has a 3-day long window. A CloudWatch alarm cannot express a 3-day
 * error ratio: its period is at most one day, and an alarm over several periods compares each
 * period's value with the threshold (M out of N) instead of the ratio of the sums, so
 * 72 x 1 h would mean "every hour above 1x", not "3 days above 1x". A 1-day window at the same 1x
 * never fires later than the 3-day one would (1x for a day is 1x over the last day), it fires sooner
 * (at 3.6% of a 28-day budget instead of 10.7%), and it keeps the tier's purpose: a burn that, kept
 * up, spends the whole budget within the SLO window.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (EvaluationPeriods x Period <= 7 days when Period >= 1 h)
 */
export const TICKET_TIER: BurnRateTier = { id: 'Ticket', burnRate: 1, longWindow: Duration.days(1), shortWindow: Duration.hours(6), pages: false };

/**
 * How long `tier` can enter ALARM ahead of a more urgent tier during one constant burn: a tier with
 * long window L and threshold k enters ALARM L x k / b after a burn b starts (its short window is
 * sooner), so it leads tier u by at most L_u - L x k / k_u, at b just above k_u. The Ticket leads the
 * SlowPage by up to 6 h - 1 d x 1 / 6 = 2 h; the SlowPage never leads the FastPage. Zero if it never leads.
 */
export function maxLeadOver(tier: BurnRateTier, moreUrgent: readonly BurnRateTier[]): Duration {
  const leads = moreUrgent.map((u) => u.longWindow.toMinutes() - (tier.longWindow.toMinutes() * tier.burnRate) / u.burnRate);
  return Duration.minutes(Math.max(0, Math.ceil(Math.max(0, ...leads))));
}

/** The three tiers, most urgent first. */
export const BURN_RATE_TIERS: readonly BurnRateTier[] = [FAST_PAGE_TIER, SLOW_PAGE_TIER, TICKET_TIER];

/** The metric-math ids of a burn-rate alarm: fixed, lowercase-first, never derived from user input. */
export const BURN_RATE_IDS = { errors: 'errors', requests: 'requests', burn: 'burn' } as const;

/** The longest period a CloudWatch alarm accepts (one day). */
export const MAX_ALARM_PERIOD = Duration.days(1);

/**
 * The error-budget fraction of an availability target in percent, exact to 1e-7
 * (99.5 -> 0.005), so the expression never carries float noise such as 0.0050000000000000044.
 */
export function errorBudgetFraction(availabilityPercent: number): number {
  return Math.round((100 - availabilityPercent) * 1e5) / 1e7;
}

/** A number in an expression: plain decimals, never exponent notation. */
function decimal(value: number): string {
  return value.toFixed(7).replace(/\.?0+$/, '');
}

/**
 * The error budget of `percent` as the expression's divisor. An objective that leaves no budget
 * (100%, or closer to it than 1e-7) would divide the error ratio by zero: the alarm could not
 * measure a burn rate at all.
 */
function budgetDivisor(integrationName: string, objective: string, percent: number): string {
  const budget = errorBudgetFraction(percent);
  if (!(budget > 0)) throw new Error(`${objective} objective of ${integrationName}: ${percent}% leaves no error budget to burn; give a percentage below 100`);
  return decimal(budget);
}

/**
 * The data-quality SLI of an inbound integration: the share of the requests it received that were
 * accepted, whether the stage rejected them (authorizer, request validator, throttling) or the
 * ingest function did (signature, JSON, schema).
 */
export interface DataQualitySli {
  /** The objective in percent (see `SloProps.dataQuality`). */
  readonly percent: number;
  /**
   * API Gateway's `4XXError` of each of the integration's methods (statistic and period are set
   * per window): what the stage answered with a 4xx, the ingest's answers included. At most
   * {@link MAX_DATA_QUALITY_METHODS}.
   */
  readonly methodClientErrors: readonly cloudwatch.Metric[];
}

/**
 * The most methods one integration's data-quality SLI reads: a metric-math alarm reads at most 10
 * metrics, and the SLI needs four of the integration's own signals besides one per method.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
 */
export const MAX_DATA_QUALITY_METHODS = 6;

/**
 * The burn-rate expression over `window`: the error ratio (0 when requests are counted but no error
 * is; no data point when no request is, so no traffic is never breaching) over the error budget.
 * Ids `errors`, `requests`; the caller names the expression `burn`.
 *
 * With a data-quality SLI, the larger of the two burn rates: availability as above, and the
 * rejection ratio over the data-quality budget, where rejections are the ingest's own
 * (`rejected_count`) plus what the stage rejected before the ingest ran (the methods' `4XXError`
 * less the ingest's `client_error_count`), over every request received. Ids `errors`, `requests`,
 * `rejected`, `clientErrors`, `edge0`..`edgeN` and the expressions `stageRejected`, `received`,
 * `availabilityBurn`, `qualityBurn`. No data point when nothing was received.
 */
export function burnRateExpression(integrationName: string, availabilityPercent: number, window: Duration, quality?: DataQualitySli): cloudwatch.MathExpression {
  const { errors, requests } = BURN_RATE_IDS;
  const metric = (name: string) => validatedIntegrationMetric(integrationName, name, 'Sum', window);
  const availabilityBudget = budgetDivisor(integrationName, 'availability', availabilityPercent);
  const availability = `IF(${requests} > 0, FILL(${errors}, 0) / ${requests}, 0) / ${availabilityBudget}`;
  if (!quality) {
    return new cloudwatch.MathExpression({
      expression: availability,
      usingMetrics: { [errors]: metric(SignalMetric.ERROR_COUNT), [requests]: metric(SignalMetric.REQUEST_COUNT) },
      period: window,
      label: `${integrationName} error-budget burn rate`,
    });
  }
  const methods = quality.methodClientErrors;
  if (methods.length === 0 || methods.length > MAX_DATA_QUALITY_METHODS) {
    throw new Error(`data-quality SLI of ${integrationName}: ${methods.length} methods; between 1 and ${MAX_DATA_QUALITY_METHODS} fit one alarm`);
  }
  const edges = Object.fromEntries(methods.map((m, i) => [`edge${i}`, m.with({ statistic: 'Sum', period: window })]));
  const math = (expression: string, usingMetrics: Record<string, cloudwatch.IMetric>) => new cloudwatch.MathExpression({ expression, usingMetrics, period: window });
  const counted = { [requests]: metric(SignalMetric.REQUEST_COUNT) };
  // What the stage answered with a 4xx and the ingest did not: rejected before the ingest ran.
  const stageRejected = math(
    `IF((${Object.keys(edges).map((id) => `FILL(${id}, 0)`).join(' + ')}) > FILL(clientErrors, 0), ` +
      `${Object.keys(edges).map((id) => `FILL(${id}, 0)`).join(' + ')} - FILL(clientErrors, 0), 0)`,
    { ...edges, clientErrors: metric(SignalMetric.CLIENT_ERROR_COUNT) },
  );
  const received = math(`FILL(${requests}, 0) + stageRejected`, { ...counted, stageRejected });
  // FILLed: when the stage rejects everything the ingest is never invoked and emits nothing, and a
  // missing availability term would leave the whole burn missing (never breaching).
  const availabilityBurn = math(
    `IF(FILL(${requests}, 0) > 0, FILL(${errors}, 0) / FILL(${requests}, 1), 0) / ${availabilityBudget}`,
    { [errors]: metric(SignalMetric.ERROR_COUNT), ...counted },
  );
  const qualityBurn = math(`(FILL(rejected, 0) + stageRejected) / received / ${budgetDivisor(integrationName, 'data-quality', quality.percent)}`, {
    rejected: metric(SignalMetric.REJECTED_COUNT),
    stageRejected,
    received,
  });
  return new cloudwatch.MathExpression({
    expression: 'IF(received > 0, IF(availabilityBurn > qualityBurn, availabilityBurn, qualityBurn))',
    usingMetrics: { received, availabilityBurn, qualityBurn },
    period: window,
    label: `${integrationName} error-budget burn rate (availability or data quality)`,
  });
}

/** Properties of {@link createBurnRateAlarm}. */
export interface BurnRateAlarmProps {
  readonly integrationName: string;
  readonly availabilityPercent: number;
  /** The data-quality SLI, burned alongside availability. @default - availability only */
  readonly dataQuality?: DataQualitySli;
  /** The window: the alarm's period, with one evaluation period. At most one day. */
  readonly window: Duration;
  /** Alarm when the burn rate is above this multiple. */
  readonly burnRate: number;
  readonly description: string;
  /** @default - generated by CloudFormation */
  readonly alarmName?: string;
}

/**
 * A metric-math alarm on the error-budget burn rate over one window: period = window, one
 * evaluation period, one datapoint to alarm, `burn > burnRate`, missing data not breaching.
 *
 * One period of the window's length is the only way CloudWatch computes a ratio over the window:
 * N periods would be compared one by one. Evaluated every minute on a sliding window, so the
 * window is always the last `window` of data.
 */
export function createBurnRateAlarm(scope: Construct, id: string, props: BurnRateAlarmProps): cloudwatch.Alarm {
  const seconds = props.window.toSeconds();
  // CDK's Metric refuses a period it cannot check (a token), so say what to give instead.
  if (Token.isUnresolved(seconds)) throw new Error(`${scope.node.path}/${id}: a burn-rate window must be a literal Duration, whole minutes up to one day`);
  if (seconds % 60 !== 0 || seconds > MAX_ALARM_PERIOD.toSeconds()) {
    throw new Error(`${scope.node.path}/${id}: a burn-rate window must be whole minutes up to one day, got ${seconds} s`);
  }
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: props.alarmName,
    metric: burnRateExpression(props.integrationName, props.availabilityPercent, props.window, props.dataQuality),
    threshold: props.burnRate,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: props.description,
  });
  nameReturnedExpression(alarm, BURN_RATE_IDS.burn);
  return alarm;
}

/**
 * Gives the alarm's returned expression a fixed id. CDK names a top-level expression `expr_1`;
 * `burn` reads better in the console and in alarm history, and tests can find it. Fails loudly if
 * the rendered alarm does not have exactly one returned query.
 */
function nameReturnedExpression(alarm: cloudwatch.Alarm, id: string): void {
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm;
  const queries = cfn.metrics;
  // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
  if (!Array.isArray(queries)) throw new Error(`${alarm.node.path}: expected the alarm's metric queries as a list`);
  const isQuery = (q: cloudwatch.CfnAlarm.MetricDataQueryProperty | IResolvable): q is cloudwatch.CfnAlarm.MetricDataQueryProperty => !Tokenization.isResolvable(q);
  const returned = queries.filter(isQuery).filter((q) => q.returnData !== false);
  // Stryker disable next-line LogicalOperator,BlockStatement: equivalent, see reports/mutation/EQUIVALENT.md
  if (returned.length !== 1 || returned[0].expression === undefined) {
    // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
    throw new Error(`${alarm.node.path}: expected exactly one returned expression, found ${returned.length}`);
  }
  cfn.metrics = queries.map((q) => (q === returned[0] ? { ...returned[0], id, returnData: true } : q));
}
