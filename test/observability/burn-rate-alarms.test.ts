// The public building blocks of the SLO alarms (lib/observability/burn-rate-alarms.ts) used on their
// own: createBurnRateAlarm's window rules, the data-quality expression within CloudWatch's metric-math
// alarm limits, how the alarm answers at its threshold (evaluated with the simulator in test/support),
// and the tiers' lead times that size the ticket's suppressor wait.
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  BURN_RATE_TIERS,
  BurnRateTier,
  createBurnRateAlarm,
  DataQualitySli,
  errorBudgetFraction,
  FAST_PAGE_TIER,
  MAX_DATA_QUALITY_METHODS,
  maxLeadOver,
  SLOW_PAGE_TIER,
  TICKET_TIER,
} from '../../lib/observability/burn-rate-alarms';
import { alarmsFromTemplate, MetricAlarmDef, metricAlarmState, MetricSource, simulate } from '../support/metric-math-alarms';
import { MinuteSeries, repeated } from '../support/metric-math';
import { newStack } from '../helpers';

type Query = { Id: string; Expression?: string; Label?: string; ReturnData: boolean; MetricStat?: { Metric: { MetricName: string; Namespace: string }; Period: unknown; Stat: string } };

/** GIVEN a stack; WHEN one burn-rate alarm is made with these props (integration `Things`, 99.5% unless given). */
function alarm(props: Partial<Parameters<typeof createBurnRateAlarm>[2]> = {}, stack: Stack = newStack()) {
  const made = createBurnRateAlarm(stack, 'Burn', { integrationName: 'Things', availabilityPercent: 99.5, window: Duration.hours(1), burnRate: 14.4, description: 'burn', ...props });
  const resource = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(made.node.defaultChild as cloudwatch.CfnAlarm)];
  return { stack, made, properties: resource.Properties as { Metrics: Query[] } & Record<string, unknown> };
}

const apiMethods = (n: number, statistic = 'Sum', period = Duration.minutes(5)) =>
  Array.from(
    { length: n },
    (_, i) => new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: '4XXError', dimensionsMap: { ApiName: 'Api', Method: 'POST', Resource: `/things${i}`, Stage: 'v1' }, statistic, period }),
  );
const quality = (methods: cloudwatch.Metric[]): DataQualitySli => ({ percent: 99, methodClientErrors: methods });

describe('createBurnRateAlarm: the window is one alarm period', () => {
  test.each([
    ['90 seconds (CloudWatch periods of regular-resolution metrics are multiples of 60 s)', Duration.seconds(90), '90 s'],
    ['30 seconds (a high-resolution period, which these signals do not have)', Duration.seconds(30), '30 s'],
    ['one day and one minute (more than one day)', Duration.minutes(1441), '86460 s'],
    ['two days', Duration.days(2), '172800 s'],
  ])('a window of %s is refused at synth, naming the alarm and the window', (_, window, shown) => {
    expect(() => alarm({ window })).toThrow(`TestStack/Burn: a burn-rate window must be whole minutes up to one day, got ${shown}`);
  });

  test('a window from a CloudFormation parameter is refused at synth with the fix (CloudWatch periods are rendered at synth)', () => {
    const stack = newStack();
    const seconds = new CfnParameter(stack, 'WindowSeconds', { type: 'Number' }).valueAsNumber;
    expect(() => alarm({ window: Duration.seconds(seconds) }, stack)).toThrow('TestStack/Burn: a burn-rate window must be a literal Duration, whole minutes up to one day');
  });

  test.each([
    [Duration.minutes(1), 60],
    [Duration.minutes(5), 300],
    [Duration.days(1), 86_400],
  ])('a window of %s is the period of every metric the alarm reads, with one evaluation period', (window, seconds) => {
    const { properties } = alarm({ window });
    expect(properties.Metrics.filter((q) => q.MetricStat).map((q) => q.MetricStat!.Period)).toEqual([seconds, seconds]);
    expect(properties).toMatchObject({ EvaluationPeriods: 1, DatapointsToAlarm: 1 });
  });
});

describe('createBurnRateAlarm: what the alarm does at its threshold', () => {
  /** The alarm read back from the template, and its state after an hour of `requests` a minute with `errors` of them failing. */
  function stateAfterAnHour(def: MetricAlarmDef, requests: number, errors: number) {
    const series = (perMinute: number) => new MinuteSeries(Array.from({ length: 60 }, () => repeated(1, perMinute)));
    const byName: Record<string, MinuteSeries> = { request_count: series(requests), error_count: series(errors) };
    const source: MetricSource = (m) => (m.namespace === 'CdkSecureIntegrations' && m.dimensions.Integration === 'Things' ? byName[m.metricName] : undefined);
    return metricAlarmState(def, source, 59, 'OK');
  }
  const defOf = (burnRate: number, availabilityPercent = 99.5) => {
    const { stack, made } = alarm({ burnRate, availabilityPercent });
    return alarmsFromTemplate(Template.fromStack(stack).toJSON()).get(stack.getLogicalId(made.node.defaultChild as cloudwatch.CfnAlarm)) as MetricAlarmDef;
  };

  test('6x against 99.5%: exactly 3% errors (6.0x) stays OK, 3.1% (6.2x) is ALARM', () => {
    const def = defOf(6);
    expect(stateAfterAnHour(def, 1000, 30)).toBe('OK');
    expect(stateAfterAnHour(def, 1000, 31)).toBe('ALARM');
  });

  test('1x against 99.5%: exactly 0.5% errors spends the budget at the sustainable rate and stays OK, 0.6% is ALARM', () => {
    const def = defOf(1);
    expect(stateAfterAnHour(def, 1000, 5)).toBe('OK');
    expect(stateAfterAnHour(def, 1000, 6)).toBe('ALARM');
  });

  test('the budget follows the objective: 1% errors is a 10x burn of a 99.9% budget (ALARM over 6x) but 2x of 99.5% (OK)', () => {
    expect(stateAfterAnHour(defOf(6, 99.9), 1000, 10)).toBe('ALARM');
    expect(stateAfterAnHour(defOf(6, 99.5), 1000, 10)).toBe('OK');
  });

  test('an hour without requests is OK, not breaching and not INSUFFICIENT_DATA', () => {
    expect(stateAfterAnHour(defOf(14.4), 0, 0)).toBe('OK');
  });

  test('detection and reset: a full outage trips the 1-hour 14.4x window in its 5th minute (5/60 > 7.2%); after the fix the 5-minute window is OK in its 5th minute, the hour in its 56th', () => {
    // GIVEN a day of 1,000 healthy requests a minute, WHEN every request fails for 30 minutes from minute 120
    const onset = 120;
    const minutes = 240;
    const series = (f: (m: number) => number) => new MinuteSeries(Array.from({ length: minutes }, (_, m) => repeated(1, f(m))));
    const byName: Record<string, MinuteSeries> = { request_count: series(() => 1000), error_count: series((m) => (m >= onset && m < onset + 30 ? 1000 : 0)) };
    const source: MetricSource = (m) => byName[m.metricName];
    const stack = newStack();
    const long = createBurnRateAlarm(stack, 'Long', { integrationName: 'Things', availabilityPercent: 99.5, window: Duration.hours(1), burnRate: 14.4, description: 'long' });
    const short = createBurnRateAlarm(stack, 'Short', { integrationName: 'Things', availabilityPercent: 99.5, window: Duration.minutes(5), burnRate: 14.4, description: 'short' });
    const sim = simulate(alarmsFromTemplate(Template.fromStack(stack).toJSON()), source, minutes);
    const states = (a: cloudwatch.Alarm) => sim.states.get(stack.getLogicalId(a.node.defaultChild as cloudwatch.CfnAlarm))!;
    // THEN (minute indexes: the onset minute is evaluated at its end)
    expect(states(long).indexOf('ALARM') - onset + 1).toBe(5);
    expect(states(short).indexOf('ALARM') - onset + 1).toBe(1);
    const fixed = onset + 30;
    expect(states(short).indexOf('OK', fixed) - fixed + 1).toBe(5);
    // the hour forgets the failed minutes one a minute: above 7.2% (4.32 of 60 minutes) until the 56th minute after the fix
    expect(states(long).indexOf('OK', fixed) - fixed + 1).toBe(56);
    expect(states(long).slice(fixed, fixed + 55)).not.toContain('OK');
  });
});

describe('the data-quality expression within the limits of a metric-math alarm', () => {
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html: "Alarms based on metric math
  // expressions can reference a maximum of 10 metrics." PutMetricAlarm: at most 20 MetricDataQuery structures, of
  // which at most 10 retrieve a metric (MetricStat) and at most 10 are expressions, exactly one with ReturnData true.
  test(`${MAX_DATA_QUALITY_METHODS} methods make an alarm that reads exactly 10 metrics and at most 10 expressions, one returned`, () => {
    const { properties } = alarm({ dataQuality: quality(apiMethods(MAX_DATA_QUALITY_METHODS)) });
    const metrics = properties.Metrics.filter((q) => q.MetricStat);
    const expressions = properties.Metrics.filter((q) => q.Expression !== undefined);
    expect(metrics).toHaveLength(10);
    expect(expressions.length).toBeLessThanOrEqual(10);
    expect(properties.Metrics.length).toBeLessThanOrEqual(20);
    expect(properties.Metrics.filter((q) => q.ReturnData)).toEqual([
      expect.objectContaining({ Id: 'burn', Label: 'Things error-budget burn rate (availability or data quality)' }),
    ]);
  });

  test.each([
    [MAX_DATA_QUALITY_METHODS + 1, 'would make the alarm read 11 metrics'],
    [0, 'leaves nothing to measure rejections with'],
  ])('%p methods are refused: %s', (n) => {
    expect(() => alarm({ dataQuality: quality(apiMethods(n)) })).toThrow(`data-quality SLI of Things: ${n} methods; between 1 and ${MAX_DATA_QUALITY_METHODS} fit one alarm`);
  });

  test("each method's 4XXError is read as a Sum over the alarm's window, whatever statistic and period it was given", () => {
    const { properties } = alarm({ window: Duration.minutes(30), dataQuality: quality(apiMethods(2, 'Average', Duration.minutes(1))) });
    const edges = properties.Metrics.filter((q) => q.MetricStat?.Metric.MetricName === '4XXError');
    expect(edges.map((q) => [q.Id, q.MetricStat!.Stat, q.MetricStat!.Period])).toEqual([
      ['edge0', 'Sum', 1800],
      ['edge1', 'Sum', 1800],
    ]);
  });
});

describe('the error budget of an objective', () => {
  test.each([
    [99.5, 0.005],
    [99.9, 0.001],
    [99.95, 0.0005],
    [99.999, 0.00001],
    [93.07, 0.0693],
  ])('%p%% leaves exactly %p of the requests to fail', (availability, budget) => {
    expect(errorBudgetFraction(availability)).toBe(budget);
  });

  test.each([100, 99.99999999])('an availability objective of %p%% leaves no budget: refused, as the burn rate would divide by zero', (availabilityPercent) => {
    expect(() => alarm({ availabilityPercent })).toThrow(`availability objective of Things: ${availabilityPercent}% leaves no error budget to burn; give a percentage below 100`);
  });

  test('a data-quality objective of 100% is refused the same way', () => {
    expect(() => alarm({ dataQuality: { percent: 100, methodClientErrors: apiMethods(1) } })).toThrow('data-quality objective of Things: 100% leaves no error budget to burn');
  });

  test('the smallest budget written, 99.99999% (1e-7), is still a plain decimal', () => {
    expect(alarm({ availabilityPercent: 99.99999 }).properties.Metrics[0].Expression).toBe('IF(requests > 0, FILL(errors, 0) / requests, 0) / 0.0000001');
  });
});

describe('how long a tier can enter ALARM before a more urgent one (the suppressor wait)', () => {
  test('the Ticket (1x over 1 day) leads the SlowPage (6x over 6 hours) by up to 2 hours: 6 h - 1 d x 1 / 6', () => {
    expect(maxLeadOver(TICKET_TIER, [FAST_PAGE_TIER, SLOW_PAGE_TIER]).toMinutes()).toBe(120);
    expect(maxLeadOver(TICKET_TIER, [SLOW_PAGE_TIER]).toMinutes()).toBe(120);
  });

  test('the Ticket never leads the FastPage (1 h - 1 d / 14.4 < 0), and the SlowPage never leads the FastPage', () => {
    expect(maxLeadOver(TICKET_TIER, [FAST_PAGE_TIER]).toMinutes()).toBe(0);
    expect(maxLeadOver(SLOW_PAGE_TIER, [FAST_PAGE_TIER]).toMinutes()).toBe(0);
  });

  test('the most urgent tier has nothing to wait for', () => {
    expect(maxLeadOver(FAST_PAGE_TIER, []).toMinutes()).toBe(0);
  });

  test('a lead of a fraction of a minute is rounded up, so the wait covers it', () => {
    // 6 h - 1 d x 1 / 7 = 360 - 205.7 = 154.3 minutes
    const sevenX: BurnRateTier = { ...SLOW_PAGE_TIER, burnRate: 7 };
    expect(maxLeadOver(TICKET_TIER, [sevenX]).toMinutes()).toBe(155);
  });

  test('the tiers are the Workbook\'s, most urgent first: 14.4x over 1 h and 5 min, 6x over 6 h and 30 min page; 1x over 1 day and 6 h tickets', () => {
    expect(BURN_RATE_TIERS.map((t) => [t.id, t.burnRate, t.longWindow.toMinutes(), t.shortWindow.toMinutes(), t.pages])).toEqual([
      ['FastPage', 14.4, 60, 5, true],
      ['SlowPage', 6, 360, 30, true],
      ['Ticket', 1, 1440, 360, false],
    ]);
  });
});
