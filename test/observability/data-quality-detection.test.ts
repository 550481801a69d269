// The data-quality SLI, simulated: rejections page as fast as an outage of the same share, whether
// the stage rejects them (request validator, authorizer, throttling: API Gateway's 4XXError) or the
// ingest does (rejected_count), while a target's own 4xx answers burn nothing.
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { INTEGRATION_DIMENSION, SIGNALS_NAMESPACE, SignalMetric } from '../../lib/observability/signal-names';
import { firstInAlarm, MetricSource, simulate } from '../support/metric-math-alarms';
import { MinutePoint, MinuteSeries } from '../support/metric-math';
import { INTEGRATION, sloFixture, SloFixture } from '../support/metric-math-scenarios';

const API = 'Platform-Api';
const methods = ['/orders', '/orders/{orderId}'].map(
  (resource) =>
    new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName: '4XXError', dimensionsMap: { ApiName: API, Method: 'POST', Resource: resource, Stage: 'v1' }, statistic: 'Sum' }),
);
// Built in a hook, not at load: a fault in building the alarms then fails these tests instead of the whole file.
let fixture: SloFixture;
beforeAll(() => {
  fixture = sloFixture({}, methods);
});

/** One minute of what the partner sends and how each request ends. */
interface Minute {
  /** Rejected by the stage before the ingest ran (4XXError only). */
  readonly stageRejected: number;
  /** Reached the ingest and were rejected by it (401, 400). */
  readonly ingestRejected: number;
  /** Reached the ingest and the target answered 4xx (a lookup of an unknown order). */
  readonly targetClientErrors: number;
  /** Reached the ingest and were accepted. */
  readonly accepted: number;
  /** Answered 5xx by the ingest. */
  readonly failed?: number;
}

const count = (n: number): MinutePoint | undefined => ({ sampleCount: Math.max(n, 1), sum: n, min: 0, max: n > 0 ? 1 : 0 });

function source(minutes: number, at: (minute: number) => Minute): MetricSource {
  const series = (f: (m: Minute) => number) => new MinuteSeries(Array.from({ length: minutes }, (_, i) => count(f(at(i)))));
  const ingestTotal = (m: Minute) => m.ingestRejected + m.targetClientErrors + m.accepted + (m.failed ?? 0);
  // The ingest emits its signals only when invoked: a minute it never ran has no data point at all.
  const emitted = (f: (m: Minute) => number) =>
    new MinuteSeries(Array.from({ length: minutes }, (_, i) => (ingestTotal(at(i)) === 0 ? undefined : count(f(at(i))))));
  const ours: Record<string, MinuteSeries> = {
    [SignalMetric.REQUEST_COUNT]: emitted(ingestTotal),
    [SignalMetric.ERROR_COUNT]: emitted((m) => m.failed ?? 0),
    [SignalMetric.REJECTED_COUNT]: emitted((m) => m.ingestRejected),
    [SignalMetric.CLIENT_ERROR_COUNT]: emitted((m) => m.ingestRejected + m.targetClientErrors),
  };
  // The stage's 4XXError counts every 4xx it answered, the ingest's included; split over two methods.
  const edge = series((m) => (m.stageRejected + m.ingestRejected + m.targetClientErrors) / 2);
  return (metric) => {
    if (metric.namespace === 'AWS/ApiGateway') return metric.metricName === '4XXError' && metric.dimensions.ApiName === API ? edge : undefined;
    const dims = Object.entries(metric.dimensions);
    return metric.namespace === SIGNALS_NAMESPACE && dims.length === 1 && dims[0][0] === INTEGRATION_DIMENSION && dims[0][1] === INTEGRATION ? ours[metric.metricName] : undefined;
  };
}

const healthy: Minute = { stageRejected: 0, ingestRejected: 0, targetClientErrors: 0, accepted: 1000 };

/** Minutes from the onset of `incident` (after a day and an hour of healthy traffic) to FastPage and Ticket ALARM. */
function run(incident: Minute, afterMinutes = 180) {
  const onset = fixture.longestWindowMinutes + 60;
  const minutes = onset + afterMinutes;
  const sim = simulate(fixture.alarms, source(minutes, (m) => (m >= onset ? incident : healthy)), minutes);
  const since = (m: number | undefined) => (m === undefined ? undefined : m - onset + 1);
  const fast = fixture.idOf(fixture.slo.pageAlarm);
  return {
    fastPage: since(firstInAlarm(sim, fast, onset)),
    pages: sim.notifications.filter((n) => n.target === fixture.pageTopic && n.state === 'ALARM' && n.minute >= onset).length,
  };
}

describe('data-quality SLI (99%) in the burn-rate alarms', () => {
  test('30% of payloads rejected at the edge by the body validator: FastPage after 29 minutes (1-hour window at 14.4% of a 1% budget)', () => {
    expect(run({ ...healthy, stageRejected: 300, accepted: 700 })).toEqual({ fastPage: 29, pages: 1 });
  });

  test('every signature refused by the ingest (a secret out of step): FastPage after 9 minutes', () => {
    expect(run({ ...healthy, ingestRejected: 1000, accepted: 0 })).toEqual({ fastPage: 9, pages: 1 });
  });

  test('a partner throttled or refused by the authorizer for every request: FastPage after 9 minutes, though the ingest sees nothing', () => {
    expect(run({ ...healthy, stageRejected: 1000, accepted: 0 })).toEqual({ fastPage: 9, pages: 1 });
  });

  test("a target's own 4xx answers (half the lookups find nothing) burn no budget", () => {
    expect(run({ ...healthy, targetClientErrors: 500, accepted: 500 })).toEqual({ fastPage: undefined, pages: 0 });
  });

  test('1% rejected (within budget) never pages', () => {
    expect(run({ ...healthy, stageRejected: 10, accepted: 990 })).toEqual({ fastPage: undefined, pages: 0 });
  });

  test('the stage rejects everything after 40 quiet minutes (the ingest emits nothing at all): FastPage after 3 minutes (the hour holds 20 healthy minutes)', () => {
    const onset = fixture.longestWindowMinutes + 60;
    const quiet: Minute = { stageRejected: 0, ingestRejected: 0, targetClientErrors: 0, accepted: 0 };
    const minutes = onset + 60;
    const sim = simulate(
      fixture.alarms,
      source(minutes, (m) => (m >= onset ? { ...quiet, stageRejected: 1000 } : m >= onset - 40 ? quiet : healthy)),
      minutes,
    );
    const fast = fixture.idOf(fixture.slo.pageAlarm);
    expect((firstInAlarm(sim, fast, onset) ?? -onset) - onset + 1).toBe(3);
  });

  test('availability still pages with the data-quality term: 100% 5xx after 5 minutes', () => {
    expect(run({ ...healthy, accepted: 0, failed: 1000 })).toEqual({ fastPage: 5, pages: 1 });
  });
});
