// Failures injected into one inbound integration of a whole platform, and who hears of them: every
// alarm of the synthesized stack is evaluated minute by minute (metric-math-alarms.ts) over the
// metrics the failure would produce, and the first notification after the onset is reported.
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, TrafficExpectation } from '../../lib';
import { INGEST_FUNCTION_DIMENSION, IngestMetric, INTEGRATION_DIMENSION, SIGNALS_NAMESPACE, SignalMetric } from '../../lib/observability/signal-names';
import { newStack, objectSchema } from '../helpers';
import { AlarmDef, alarmsFromTemplate, BandModel, MetricSource, simulate } from './metric-math-alarms';
import { MinutePoint, MinuteSeries, samples } from './metric-math';

export const INTEGRATION = 'Orders';

/** What happens in one minute. Counts are requests; undefined metrics publish nothing that minute. */
export interface MinuteOfTraffic {
  /** Requests the ingest accepted. */
  readonly accepted: number;
  /** Requests the ingest rejected (401, 400). */
  readonly ingestRejected?: number;
  /** Requests the stage rejected before the ingest ran. */
  readonly stageRejected?: number;
  /** Requests the ingest answered 5xx. */
  readonly failed?: number;
  /** Latency of each handled request, ms. @default 200 for 20 samples */
  readonly latencyMs?: number;
  /** Age of the oldest message of the integration's queue, seconds. */
  readonly queueAge?: number;
  /** Messages in its dead-letter queue. */
  readonly deadLetters?: number;
  /** Messages the consumer received from the queue, and deleted after processing. */
  readonly received?: number;
  readonly deleted?: number;
  /** Failed or throttled invocations of the ingest function that never ran the handler. */
  readonly ingestCrashes?: number;
  /** Requests the ingest answered 500 because its config has no route for them. */
  readonly unrouted?: number;
}

export interface PlatformFixture {
  readonly alarms: ReadonlyMap<string, AlarmDef>;
  readonly names: ReadonlyMap<string, string>;
  readonly pageTopic: string;
  readonly ticketTopic: string;
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly ingestFunction: string;
  readonly api: string;
}

/** A platform (separate page and ticket topics) with one inbound integration on its own queue. */
export function platformFixture(expect?: TrafficExpectation, latencyObjective = Duration.millis(800)): PlatformFixture {
  const stack = newStack();
  const [page, ticket] = ['PageTopic', 'TicketTopic'].map((id) => new sns.Topic(stack, id));
  const platform = new IntegrationPlatform(stack, 'Platform', { pageTopic: page, ticketTopic: ticket });
  const orders = new SecureIntegration(stack, INTEGRATION, {
    owner: 'orders@example.com',
    dataClassification: DataClassification.INTERNAL,
    piiFields: [],
    expect,
    slo: { latencyP95: latencyObjective },
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, scopes: ['orders.write'] }] }),
  });
  const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const alarms = alarmsFromTemplate(json);
  const names = new Map([...alarms.keys()].map((id) => [id, String(json.Resources[id].Properties.AlarmName)]));
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return {
    alarms,
    names,
    pageTopic: id(page),
    ticketTopic: id(ticket),
    queue: id(orders.queue!.queue),
    deadLetterQueue: id(orders.queue!.deadLetterQueue),
    ingestFunction: id(platform.ingest.handler.function),
    api: String(platform.api.restApi.restApiName),
  };
}

const count = (n: number | undefined): MinutePoint | undefined => (n === undefined ? undefined : { sampleCount: Math.max(n, 1), sum: n, min: 0, max: n });

/** The metrics `at` produces, as the fixture's alarms name them. */
export function worldSource(f: PlatformFixture, minutes: number, at: (m: number) => MinuteOfTraffic): MetricSource {
  const series = (v: (t: MinuteOfTraffic) => number | undefined) => new MinuteSeries(Array.from({ length: minutes }, (_, m) => count(v(at(m)))));
  const handled = (t: MinuteOfTraffic) => t.accepted + (t.ingestRejected ?? 0) + (t.failed ?? 0);
  const ingest = (v: (t: MinuteOfTraffic) => number) => series((t) => (handled(t) === 0 ? undefined : v(t)));
  const signals: Record<string, MinuteSeries> = {
    [SignalMetric.REQUEST_COUNT]: ingest(handled),
    [SignalMetric.ERROR_COUNT]: ingest((t) => t.failed ?? 0),
    [SignalMetric.REJECTED_COUNT]: ingest((t) => t.ingestRejected ?? 0),
    [SignalMetric.CLIENT_ERROR_COUNT]: ingest((t) => t.ingestRejected ?? 0),
    [SignalMetric.LATENCY]: new MinuteSeries(Array.from({ length: minutes }, (_, m) => (handled(at(m)) === 0 ? undefined : samples(Array.from({ length: 20 }, () => at(m).latencyMs ?? 200))))),
  };
  const stage4xx = series((t) => (t.stageRejected ?? 0) + (t.ingestRejected ?? 0));
  const age = series((t) => t.queueAge);
  const deadLetters = series((t) => t.deadLetters);
  const received = series((t) => t.received);
  const deleted = series((t) => t.deleted);
  const crashes = series((t) => t.ingestCrashes ?? 0);
  const unrouted = series((t) => t.unrouted);
  return (metric) => {
    const d = metric.dimensions;
    if (metric.namespace === SIGNALS_NAMESPACE && Object.keys(d).length === 1 && d[INTEGRATION_DIMENSION] === INTEGRATION) return signals[metric.metricName];
    if (metric.namespace === SIGNALS_NAMESPACE && metric.metricName === IngestMetric.UNROUTED_COUNT && Object.keys(d).length === 1 && d[INGEST_FUNCTION_DIMENSION] === f.ingestFunction) return unrouted;
    if (metric.namespace === 'AWS/ApiGateway' && metric.metricName === '4XXError' && d.ApiName === f.api) return stage4xx;
    if (metric.namespace === 'AWS/SQS' && metric.metricName === 'ApproximateAgeOfOldestMessage' && d.QueueName === f.queue) return age;
    if (metric.namespace === 'AWS/SQS' && metric.metricName === 'ApproximateNumberOfMessagesVisible' && d.QueueName === f.deadLetterQueue) return deadLetters;
    if (metric.namespace === 'AWS/SQS' && metric.metricName === 'NumberOfMessagesReceived' && d.QueueName === f.queue) return received;
    if (metric.namespace === 'AWS/SQS' && metric.metricName === 'NumberOfMessagesDeleted' && d.QueueName === f.queue) return deleted;
    if (metric.namespace === 'AWS/Lambda' && metric.metricName === 'Errors' && d.FunctionName === f.ingestFunction) return crashes;
    return undefined;
  };
}

/** The first notification at or after the onset: which alarm, how many minutes after the onset (1 = its end), and where. */
export interface Heard {
  readonly alarm: string;
  readonly minutes: number;
  readonly to: 'page' | 'ticket';
}

/** Healthy traffic (1,000 requests a minute) for `healthyMinutes`, then `failure` for `afterMinutes`; the first page and the first ticket. */
export function whoHears(
  f: PlatformFixture,
  failure: (minuteSinceOnset: number) => MinuteOfTraffic,
  options: { afterMinutes?: number; healthyMinutes?: number; bands?: BandModel } = {},
): { page?: Heard; ticket?: Heard } {
  const onset = options.healthyMinutes ?? 26 * 60;
  const minutes = onset + (options.afterMinutes ?? 240);
  const source = worldSource(f, minutes, (m) => (m < onset ? { accepted: 1000, queueAge: 5, deadLetters: 0, received: 1000, deleted: 1000 } : failure(m - onset)));
  const sim = simulate(f.alarms, source, minutes, options.bands);
  const first = (topic: string): Heard | undefined => {
    const n = sim.notifications.find((x) => x.minute >= onset && x.state === 'ALARM' && x.target === topic);
    return n && { alarm: f.names.get(n.alarm)!.replace(/^TestStack-integrations-(Orders-)?/, ''), minutes: n.minute - onset + 1, to: topic === f.pageTopic ? 'page' : 'ticket' };
  };
  return { page: first(f.pageTopic), ticket: first(f.ticketTopic) };
}

/** The logical id of the alarm named `<prefix><suffix>`. */
export function alarmNamed(f: PlatformFixture, suffix: string): string {
  const found = [...f.names].find(([, name]) => name.endsWith(suffix));
  if (!found) throw new Error(`no alarm named *${suffix}`);
  return found[0];
}
