// Synthetic per-minute traffic for one integration's signals, and the SLO alarms of a small stack
// evaluated over it with the simulator in metric-math-alarms.ts.
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { INTEGRATION_DIMENSION, SIGNALS_NAMESPACE, SignalMetric } from '../../lib/observability/signal-names';
import { IntegrationSlo, SloProps } from '../../lib/observability/slo';
import { newStack } from '../helpers';
import { AlarmDef, alarmNotifications, alarmsFromTemplate, firstInAlarm, MetricSource, simulate, Simulation } from './metric-math-alarms';
import { MinutePoint, MinuteSeries, samples } from './metric-math';

export const INTEGRATION = 'Things';

/** A stack with one integration's SLO alarms, pages and tickets on two topics, and the alarms read back from its template. */
export interface SloFixture {
  readonly stack: Stack;
  readonly slo: IntegrationSlo;
  readonly alarms: ReadonlyMap<string, AlarmDef>;
  /** Logical ids of the topics. */
  readonly pageTopic: string;
  readonly ticketTopic: string;
  /** Logical id of a construct's alarm resource. */
  readonly idOf: (alarm: cloudwatch.IAlarm) => string;
  /** The longest window any alarm reads, in minutes. */
  readonly longestWindowMinutes: number;
}

export function sloFixture(slo: SloProps = {}, methodClientErrors?: cloudwatch.Metric[]): SloFixture {
  const stack = newStack();
  const page = new sns.Topic(stack, 'PageTopic');
  const ticket = new sns.Topic(stack, 'TicketTopic');
  const construct = new IntegrationSlo(stack, 'Slo', {
    context: { integration: INTEGRATION, owner: 'team@example.com', runbookUrl: 'https://wiki.example.com/runbooks/things' },
    pageTopic: page,
    ticketTopic: ticket,
    slo,
    methodClientErrors,
  });
  const alarms = alarmsFromTemplate(Template.fromStack(stack).toJSON());
  const idOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const longest = Math.max(...[...alarms.values()].map((a) => (a.kind === 'metric' ? a.periodMinutes * a.evaluationPeriods : 0)));
  return { stack, slo: construct, alarms, pageTopic: idOf(page), ticketTopic: idOf(ticket), idOf, longestWindowMinutes: longest };
}

/** Per-minute traffic: requests, the share answered 5xx, and optionally each request's latency. */
export interface Traffic {
  readonly minutes: number;
  readonly requestsPerMinute: (minute: number) => number;
  readonly errorRatio: (minute: number) => number;
  /** Latency samples of a minute (their count need not match the requests). @default - no latency data */
  readonly latencyMs?: (minute: number) => readonly number[];
  /** Emit `error_count` only in minutes with errors, as an emitter that skips zeros would. @default false: 0 or 1 per request */
  readonly errorPointsOnlyWhenFailing?: boolean;
}

/** The signals of {@link INTEGRATION} for `traffic`, looked up as the alarms name them (namespace, metric, dimension). */
export function signalSource(traffic: Traffic): MetricSource {
  const requests: (MinutePoint | undefined)[] = [];
  const errors: (MinutePoint | undefined)[] = [];
  const latency: (MinutePoint | undefined)[] = [];
  for (let m = 0; m < traffic.minutes; m++) {
    const n = traffic.requestsPerMinute(m);
    const e = Math.round(n * traffic.errorRatio(m));
    requests.push(n === 0 ? undefined : { sampleCount: n, sum: n, min: 1, max: 1 });
    const skip = n === 0 || (traffic.errorPointsOnlyWhenFailing && e === 0);
    errors.push(skip ? undefined : traffic.errorPointsOnlyWhenFailing ? { sampleCount: e, sum: e, min: 1, max: 1 } : { sampleCount: n, sum: e, min: e === n ? 1 : 0, max: e > 0 ? 1 : 0 });
    latency.push(traffic.latencyMs ? samples(traffic.latencyMs(m)) : undefined);
  }
  const series: Record<string, MinuteSeries> = {
    [SignalMetric.REQUEST_COUNT]: new MinuteSeries(requests),
    [SignalMetric.ERROR_COUNT]: new MinuteSeries(errors),
    [SignalMetric.LATENCY]: new MinuteSeries(latency),
  };
  return (metric) => {
    const dims = Object.entries(metric.dimensions);
    const ours = metric.namespace === SIGNALS_NAMESPACE && dims.length === 1 && dims[0][0] === INTEGRATION_DIMENSION && dims[0][1] === INTEGRATION;
    return ours ? series[metric.metricName] : undefined;
  };
}

/** The first minute from `from` at which every one of `alarms` is in ALARM (a tier: its long and short window). */
export function firstInAlarmTogether(sim: Simulation, alarms: readonly string[], from = 0): number | undefined {
  const states = alarms.map((id) => sim.states.get(id)!);
  for (let t = from; t < states[0].length; t++) if (states.every((s) => s[t] === 'ALARM')) return t;
  return undefined;
}

/** What one run of a step change in the error ratio shows, in minutes from the onset (1 = the first bad minute's evaluation). */
export interface Detection {
  readonly errorRatio: number;
  readonly burnRate: number;
  readonly fastPageAlarm?: number;
  readonly slowPageAlarm?: number;
  readonly ticketAlarm?: number;
  /** The first page notification and the tier that sent it. */
  readonly page?: { readonly minute: number; readonly tier: string };
  readonly ticketNotified?: number;
  readonly pageNotifications: number;
  readonly sim: Simulation;
  readonly onset: number;
}

export const REQUESTS_PER_MINUTE = 1000;

/**
 * Healthy traffic (1,000 requests a minute, no errors) for the longest alarm window, then
 * `errorRatio` from the onset for `afterMinutes`; when each alarm enters ALARM and who is notified.
 */
export function detect(fixture: SloFixture, errorRatio: number, afterMinutes = 36 * 60): Detection {
  const onset = fixture.longestWindowMinutes + 60;
  const minutes = onset + afterMinutes;
  const sim = simulate(fixture.alarms, signalSource({ minutes, requestsPerMinute: () => REQUESTS_PER_MINUTE, errorRatio: (m) => (m >= onset ? errorRatio : 0) }), minutes);
  const tier = (id: string) => [fixture.idOf(fixture.slo.burnRateAlarms[`${id}Long`]), fixture.idOf(fixture.slo.burnRateAlarms[`${id}Short`])];
  const [fast, slow] = [tier('FastPage'), tier('SlowPage')];
  const ticket = fixture.idOf(fixture.slo.ticketAlarm);
  const since = (m: number | undefined) => (m === undefined ? undefined : m - onset + 1);
  const pages = sim.notifications.filter((n) => n.target === fixture.pageTopic && n.state === 'ALARM' && n.minute >= onset);
  const fastAt = (m: number) => fast.every((id) => sim.states.get(id)![m] === 'ALARM');
  const ticketNote = alarmNotifications(sim, ticket, onset).find((n) => n.target === fixture.ticketTopic);
  return {
    errorRatio,
    burnRate: errorRatio / ((100 - fixture.slo.availability) / 100),
    fastPageAlarm: since(firstInAlarmTogether(sim, fast, onset)),
    slowPageAlarm: since(firstInAlarmTogether(sim, slow, onset)),
    ticketAlarm: since(firstInAlarm(sim, ticket, onset)),
    page: pages[0] && { minute: pages[0].minute - onset + 1, tier: fastAt(pages[0].minute) ? 'FastPage' : 'SlowPage' },
    ticketNotified: since(ticketNote?.minute),
    pageNotifications: pages.length,
    sim,
    onset,
  };
}
