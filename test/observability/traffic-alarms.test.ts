// Silence and latency anomalies of an inbound integration, read from the template and simulated
// minute by minute. CloudWatch trains its anomaly models itself; the simulator takes the band a
// trained model would draw as an input (BandModel), so these tests say what the alarms do with it.
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { HttpMethod, Inbound, SecureIntegration, DataClassification, TrafficAlarms, TrafficExpectation, Outbound, WafRateLimit } from '../../lib';
import { alarmsFromTemplate, BandModel, firstInAlarm, simulate } from '../support/metric-math-alarms';
import { INTEGRATION, signalSource } from '../support/metric-math-scenarios';
import { newStack, objectSchema, testFunction } from '../helpers';

function fixture(expect?: TrafficExpectation) {
  const stack = newStack();
  const [page, ticket] = ['Page', 'Ticket'].map((id) => new sns.Topic(stack, id));
  const traffic = new TrafficAlarms(stack, 'Traffic', {
    context: { integration: INTEGRATION, owner: 'team@example.com' },
    alarmNamePrefix: 'P-Things-',
    pageTopic: page,
    ticketTopic: ticket,
    expect,
  });
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { traffic, alarms: alarmsFromTemplate(Template.fromStack(stack).toJSON()), id, page: id(page), ticket: id(ticket) };
}

const ONSET = 3 * 60;

describe('silence', () => {
  test('atLeast(100, 1 hour): a partner that stops sending pages 60 minutes after its last request', () => {
    const f = fixture(TrafficExpectation.atLeast(100, Duration.hours(1)));
    const sim = simulate(f.alarms, signalSource({ minutes: ONSET + 120, requestsPerMinute: (m) => (m < ONSET ? 1000 : 0), errorRatio: () => 0 }), ONSET + 120);
    // 1 is the end of the first silent minute
    expect(firstInAlarm(sim, f.id(f.traffic.silenceAlarm!), ONSET)! - ONSET + 1).toBe(60);
    expect(sim.notifications.filter((n) => n.minute >= ONSET).map((n) => n.target)).toEqual([f.page]);
  });

  test('atLeast: a trickle below the expectation pages too, steady traffic never does', () => {
    const f = fixture(TrafficExpectation.atLeast(100, Duration.hours(1)));
    const trickle = simulate(f.alarms, signalSource({ minutes: ONSET + 120, requestsPerMinute: (m) => (m < ONSET ? 1000 : m % 30 === 0 ? 1 : 0), errorRatio: () => 0 }), ONSET + 120);
    expect(firstInAlarm(trickle, f.id(f.traffic.silenceAlarm!), ONSET)).toBeDefined();
    const steady = simulate(f.alarms, signalSource({ minutes: ONSET + 120, requestsPerMinute: () => 2, errorRatio: () => 0 }), ONSET + 120);
    expect(firstInAlarm(steady, f.id(f.traffic.silenceAlarm!), 60)).toBeUndefined();
  });

  describe('learned (the default)', () => {
    const f = fixture();
    const silence = f.id(f.traffic.silenceAlarm!);
    // A model trained on 1,000 requests a minute draws the hourly count's band at 45,000 to 75,000
    // (here from the third hour on: the simulated history starts at minute 0).
    const busy: BandModel = (alarm, minute) => (alarm === silence && minute >= ONSET ? { lower: 45_000, upper: 75_000 } : undefined);

    test('a partner that stops sending: ticket once three hourly counts running are below the band (minute 136 of the silence)', () => {
      const sim = simulate(f.alarms, signalSource({ minutes: ONSET + 240, requestsPerMinute: (m) => (m < ONSET ? 1000 : 0), errorRatio: () => 0 }), ONSET + 240, busy);
      // the hour ending at t is below 45,000 once more than 15 of its minutes are silent; the third such hour ends 120 minutes later
      expect(firstInAlarm(sim, silence, ONSET)! - ONSET + 1).toBe(136);
      expect(sim.notifications.filter((n) => n.minute >= ONSET).map((n) => n.target)).toEqual([f.ticket]);
    });

    test('a quiet Sunday the model knows (its band reaches zero) never alarms', () => {
      const quietSunday: BandModel = (alarm) => (alarm === silence ? { lower: 0, upper: 75_000 } : undefined);
      const sim = simulate(f.alarms, signalSource({ minutes: ONSET + 600, requestsPerMinute: (m) => (m < ONSET ? 1000 : 0), errorRatio: () => 0 }), ONSET + 600, quietSunday);
      expect(firstInAlarm(sim, silence, 0)).toBeUndefined();
    });

    test('one quiet hour among busy ones never alarms', () => {
      const sim = simulate(f.alarms, signalSource({ minutes: ONSET + 600, requestsPerMinute: (m) => (m >= ONSET && m < ONSET + 60 ? 0 : 1000), errorRatio: () => 0 }), ONSET + 600, busy);
      expect(firstInAlarm(sim, silence, 0)).toBeUndefined();
    });

    test('while the model trains (no band yet) nothing alarms', () => {
      const sim = simulate(f.alarms, signalSource({ minutes: ONSET + 240, requestsPerMinute: (m) => (m < ONSET ? 1000 : 0), errorRatio: () => 0 }), ONSET + 240, () => undefined);
      expect(sim.notifications).toEqual([]);
    });
  });
});

describe('latency anomaly', () => {
  const f = fixture();
  const anomaly = f.id(f.traffic.latencyAnomalyAlarm);
  const band: BandModel = (alarm) => (alarm === anomaly ? { lower: 100, upper: 300 } : undefined);
  const latency = (ms: number) => Array.from({ length: 20 }, () => ms);

  test('p95 doubling from 200 to 400 ms opens a ticket once 3 of the last 4 quarter-hours are above the band (31 minutes)', () => {
    const minutes = ONSET + 120;
    const sim = simulate(f.alarms, signalSource({ minutes, requestsPerMinute: () => 1000, errorRatio: () => 0, latencyMs: (m) => latency(m < ONSET ? 200 : 400) }), minutes, band);
    // a quarter-hour with one slow minute in 15 (over 5% of its samples) already has a p95 of 400 ms
    expect(firstInAlarm(sim, anomaly, ONSET)! - ONSET + 1).toBe(31);
    expect(sim.notifications.filter((n) => n.minute >= ONSET).map((n) => n.target)).toEqual([f.ticket]);
  });

  test('a single slow quarter-hour does not', () => {
    const minutes = ONSET + 120;
    const sim = simulate(f.alarms, signalSource({ minutes, requestsPerMinute: () => 1000, errorRatio: () => 0, latencyMs: (m) => latency(m >= ONSET && m < ONSET + 15 ? 400 : 200) }), minutes, band);
    expect(firstInAlarm(sim, anomaly, 0)).toBeUndefined();
  });
});

describe('wiring and bad input', () => {
  const route = { method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, scopes: ['orders.write'] };
  const base = { owner: 'o@example.com', dataClassification: DataClassification.INTERNAL, piiFields: [] };

  test('an inbound integration gets a learned silence ticket and a latency anomaly ticket, named with the platform prefix', () => {
    const stack = newStack();
    new SecureIntegration(stack, 'Orders', { ...base, inbound: Inbound.api({ routes: [route] }) });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'TestStack-integrations-Orders-silence', ComparisonOperator: 'LessThanLowerThreshold', EvaluationPeriods: 3 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack-integrations-Orders-latency-anomaly',
      ComparisonOperator: 'GreaterThanUpperThreshold',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'ANOMALY_DETECTION_BAND(m0, 3)' })]),
    });
  });

  test('none(reason) makes no silence alarm', () => {
    const stack = newStack();
    new SecureIntegration(stack, 'Releases', { ...base, expect: TrafficExpectation.none('GitHub sends only on releases'), inbound: Inbound.api({ routes: [route] }) });
    expect(Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties.AlarmName)).not.toContain('TestStack-integrations-Releases-silence');
  });

  test.each<[string, TrafficExpectation, RegExp]>([
    ['no requests', TrafficExpectation.atLeast(0, Duration.hours(1)), /invalid `expect\.atLeast` 0\. Give a positive whole number/],
    ['a fraction of a minute', TrafficExpectation.atLeast(10, Duration.seconds(90)), /invalid `expect\.per`.*whole minutes/],
    ['more than a day', TrafficExpectation.atLeast(10, Duration.days(2)), /invalid `expect\.per`/],
    ['a band of 0 deviations', TrafficExpectation.learned(0), /invalid `expect` 0\. Give a band width from 1 to 10/],
    ['no reason', TrafficExpectation.none('quiet'), /invalid `expect` 'quiet'.*why silence is normal/],
  ])('%s is a synth error naming the prop', (_what, expectation, message) => {
    const stack = newStack();
    expect(() => new SecureIntegration(stack, 'Orders', { ...base, expect: expectation, inbound: Inbound.api({ routes: [route] }) })).toThrow(message);
  });

  test('an expectation without inbound routes is a synth error', () => {
    const stack = newStack();
    const handler = testFunction(stack);
    expect(
      () =>
        new SecureIntegration(stack, 'Sync', { ...base, expect: TrafficExpectation.learned(), outbound: Outbound.schedule({ handler, every: Duration.hours(1) }) }),
    ).toThrow(/invalid `expect`.*inbound routes/);
  });
});

describe('dashboard', () => {
  test("an inbound integration's row shows its rejections by cause and its methods' 4XXError", () => {
    const stack = newStack();
    new SecureIntegration(stack, 'Orders', {
      owner: 'o@example.com',
      dataClassification: DataClassification.INTERNAL,
      piiFields: [],
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, scopes: ['orders.write'] }] }),
      waf: { rateLimit: WafRateLimit.perClientIp(100) },
    });
    const body = JSON.stringify(Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(body).toContain('rejected by cause (ingest); 4XXError (stage) and WAF blocks');
    for (const cause of ['signature', 'malformed', 'schema']) expect(body).toMatch(new RegExp(`rejected_count.{1,12}Cause.{1,12}${cause}`));
    expect(body).toContain('4XXError');
    // the integration's own blocking WAF rule, by the metric names of the WebACL and the rule
    expect(body).toMatch(/AWS\/WAFV2.{1,12}BlockedRequests.{1,20}Region.{1,200}Rule.{1,12}TestStack-IntegrationPlatform-WebAcl-[0-9A-F]{8}-Integration-Orders-RateLimit/);
  });
});
