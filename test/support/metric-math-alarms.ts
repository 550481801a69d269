// Evaluates the alarms of a synthesized template over per-minute data, the way CloudWatch does for
// the subset this library generates: metric alarms (one metric, or metric math) on a sliding
// window evaluated at the end of every minute, M out of N with missing-data treatment, composite
// alarms (ALARM/OK/INSUFFICIENT_DATA, AND, OR, NOT, TRUE, FALSE) and composite action suppression
// (ActionsSuppressor with its wait and extension periods).
//
// Not modelled: ingestion delay (data of minute m is visible at the end of minute m), the extra data
// points CloudWatch retrieves beyond N for missing-data decisions, and composites' INSUFFICIENT_DATA.
// @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
// @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm_Suppression.html
import { evaluate, Expr, MinuteSeries, parseExpression, Value } from './metric-math';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** A metric as an alarm names it. */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Where the data comes from: the series of a metric, or undefined when it has none. */
export type MetricSource = (metric: MetricRef) => MinuteSeries | undefined;

interface Query {
  readonly id: string;
  readonly returnData: boolean;
  readonly expression?: Expr;
  /** `ANOMALY_DETECTION_BAND(of, stdDevs)`: the band CloudWatch's model draws around query `of`. */
  readonly band?: { readonly of: string; readonly stdDevs: number };
  readonly metric?: MetricRef;
  readonly stat?: string;
  readonly periodMinutes?: number;
}

export interface MetricAlarmDef {
  readonly kind: 'metric';
  readonly id: string;
  readonly queries: readonly Query[];
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: string;
  readonly treatMissingData: string;
  readonly actions: Readonly<Record<AlarmState, readonly string[]>>;
  /** An anomaly-detection alarm's band query (`ThresholdMetricId`). */
  readonly thresholdMetricId?: string;
}

/**
 * What CloudWatch's anomaly-detection model says for an alarm at the end of a minute: the band
 * around the watched value, or undefined while the model has none (it trains on two weeks of data).
 * The simulator does not train models: a test states the band it assumes.
 */
export type BandModel = (alarmId: string, minute: number) => { readonly lower: number; readonly upper: number } | undefined;

type Rule = { kind: 'state'; state: AlarmState; alarm: string } | { kind: 'const'; value: boolean } | { kind: 'not'; arg: Rule } | { kind: 'and' | 'or'; args: Rule[] };

export interface CompositeAlarmDef {
  readonly kind: 'composite';
  readonly id: string;
  readonly rule: Rule;
  readonly suppressor?: string;
  readonly waitMinutes: number;
  readonly extensionMinutes: number;
  readonly actions: Readonly<Record<AlarmState, readonly string[]>>;
}

export type AlarmDef = MetricAlarmDef | CompositeAlarmDef;

type Json = Record<string, unknown>;

/** Resolves what a unit-test template holds: Ref and Fn::GetAtt to the logical id, Fn::Join to a string. */
export function resolveIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value && typeof value === 'object') {
    const o = value as Json;
    if ('Ref' in o) return o.Ref;
    if ('Fn::GetAtt' in o) return (o['Fn::GetAtt'] as string[])[0];
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolveIntrinsics(p))).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolveIntrinsics(v)]));
  }
  return value;
}

function actionsOf(p: Json): Record<AlarmState, string[]> {
  return { ALARM: (p.AlarmActions as string[]) ?? [], OK: (p.OKActions as string[]) ?? [], INSUFFICIENT_DATA: (p.InsufficientDataActions as string[]) ?? [] };
}

function metricRef(m: Json): MetricRef {
  const dims = (m.Dimensions as { Name: string; Value: string }[] | undefined) ?? [];
  return { namespace: m.Namespace as string, metricName: m.MetricName as string, dimensions: Object.fromEntries(dims.map((d) => [d.Name, d.Value])) };
}

/** Reads every AWS::CloudWatch::Alarm and AWS::CloudWatch::CompositeAlarm of a template (its `toJSON()`). */
export function alarmsFromTemplate(template: { Resources?: Record<string, { Type: string; Properties: Json }> }): Map<string, AlarmDef> {
  const out = new Map<string, AlarmDef>();
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    const p = resolveIntrinsics(resource.Properties) as Json;
    if (resource.Type === 'AWS::CloudWatch::Alarm') out.set(id, metricAlarm(id, p));
    if (resource.Type === 'AWS::CloudWatch::CompositeAlarm') {
      out.set(id, {
        kind: 'composite',
        id,
        rule: parseAlarmRule(p.AlarmRule as string),
        suppressor: p.ActionsSuppressor as string | undefined,
        waitMinutes: ((p.ActionsSuppressorWaitPeriod as number) ?? 0) / 60,
        extensionMinutes: ((p.ActionsSuppressorExtensionPeriod as number) ?? 0) / 60,
        actions: actionsOf(p),
      });
    }
  }
  return out;
}

function metricAlarm(id: string, p: Json): MetricAlarmDef {
  const common = {
    kind: 'metric' as const,
    id,
    evaluationPeriods: p.EvaluationPeriods as number,
    datapointsToAlarm: (p.DatapointsToAlarm as number) ?? (p.EvaluationPeriods as number),
    threshold: p.Threshold as number,
    comparisonOperator: p.ComparisonOperator as string,
    treatMissingData: (p.TreatMissingData as string) ?? 'missing',
    actions: actionsOf(p),
  };
  if (p.Metrics) {
    const queries: Query[] = (p.Metrics as Json[]).map((q) => {
      const stat = q.MetricStat as Json | undefined;
      const band = typeof q.Expression === 'string' ? /^ANOMALY_DETECTION_BAND\((\w+)(?:,\s*([\d.]+))?\)$/.exec(q.Expression) : null;
      return {
        id: q.Id as string,
        returnData: q.ReturnData !== false,
        band: band ? { of: band[1], stdDevs: band[2] === undefined ? 2 : Number(band[2]) } : undefined,
        expression: q.Expression === undefined || band ? undefined : parseExpression(q.Expression as string),
        metric: stat ? metricRef(stat.Metric as Json) : undefined,
        stat: stat?.Stat as string | undefined,
        periodMinutes: stat ? (stat.Period as number) / 60 : q.Period === undefined ? undefined : (q.Period as number) / 60,
      };
    });
    const thresholdMetricId = p.ThresholdMetricId as string | undefined;
    const returned = queries.filter((q) => q.returnData && q.id !== thresholdMetricId);
    if (returned.length !== 1) throw new Error(`${id}: ${returned.length} queries return data; an alarm needs exactly one`);
    if (thresholdMetricId !== undefined && queries.find((q) => q.id === thresholdMetricId)?.band?.of !== returned[0].id) {
      throw new Error(`${id}: ThresholdMetricId must name an ANOMALY_DETECTION_BAND of the returned query`);
    }
    const periods = [...new Set(queries.map((q) => q.periodMinutes).filter((x) => x !== undefined))];
    if (periods.length !== 1) throw new Error(`${id}: the metrics of one alarm must share one period, found ${periods.join(', ')}`);
    return { ...common, queries, periodMinutes: periods[0] as number, thresholdMetricId };
  }
  if (p.Statistic !== undefined && p.ExtendedStatistic !== undefined) throw new Error(`${id}: both Statistic and ExtendedStatistic`);
  const query: Query = { id: 'm1', returnData: true, metric: metricRef(p), stat: (p.Statistic ?? p.ExtendedStatistic) as string, periodMinutes: (p.Period as number) / 60 };
  return { ...common, queries: [query], periodMinutes: (p.Period as number) / 60 };
}

/** Parses a composite alarm rule (states, AND, OR, NOT, TRUE, FALSE, parentheses). */
export function parseAlarmRule(text: string): Rule {
  const tokens = text.match(/ALARM|OK|INSUFFICIENT_DATA|AND|OR|NOT|TRUE|FALSE|\(|\)|"[^"]*"|[^\s()"]+/g) ?? [];
  let i = 0;
  const next = () => tokens[i++];
  const or = (): Rule => {
    const args = [and()];
    while (tokens[i] === 'OR') {
      next();
      args.push(and());
    }
    return args.length === 1 ? args[0] : { kind: 'or', args };
  };
  const and = (): Rule => {
    const args = [not()];
    while (tokens[i] === 'AND') {
      next();
      args.push(not());
    }
    return args.length === 1 ? args[0] : { kind: 'and', args };
  };
  const not = (): Rule => {
    if (tokens[i] !== 'NOT') return atom();
    next();
    return { kind: 'not', arg: not() };
  };
  const atom = (): Rule => {
    const t = next();
    if (t === '(') {
      const r = or();
      if (next() !== ')') throw new Error(`alarm rule: expected ) in ${text}`);
      return r;
    }
    if (t === 'TRUE' || t === 'FALSE') return { kind: 'const', value: t === 'TRUE' };
    if (t === 'ALARM' || t === 'OK' || t === 'INSUFFICIENT_DATA') {
      if (next() !== '(') throw new Error(`alarm rule: expected ( after ${t} in ${text}`);
      const name = next().replace(/^"|"$/g, '');
      if (next() !== ')') throw new Error(`alarm rule: expected ) in ${text}`);
      return { kind: 'state', state: t, alarm: name };
    }
    throw new Error(`alarm rule: unexpected ${t} in ${text}`);
  };
  const rule = or();
  if (i !== tokens.length) throw new Error(`alarm rule: unexpected ${tokens[i]} in ${text}`);
  return rule;
}

export function evaluateRule(rule: Rule, state: (alarm: string) => AlarmState): boolean {
  switch (rule.kind) {
    case 'state': return state(rule.alarm) === rule.state;
    case 'const': return rule.value;
    case 'not': return !evaluateRule(rule.arg, state);
    case 'and': return rule.args.every((r) => evaluateRule(r, state));
    case 'or': return rule.args.some((r) => evaluateRule(r, state));
  }
}

function compare(value: number, threshold: number, op: string): boolean {
  switch (op) {
    case 'GreaterThanThreshold': return value > threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
    default: throw new Error(`comparison ${op} is outside the supported subset`);
  }
}

function outsideBand(value: number, band: { lower: number; upper: number }, op: string): boolean {
  switch (op) {
    case 'LessThanLowerThreshold': return value < band.lower;
    case 'GreaterThanUpperThreshold': return value > band.upper;
    case 'LessThanLowerOrGreaterThanUpperThreshold': return value < band.lower || value > band.upper;
    default: throw new Error(`comparison ${op} does not apply to an anomaly-detection band`);
  }
}

/** The value the alarm watches at the end of minute `end`. */
export function alarmValue(alarm: MetricAlarmDef, source: MetricSource, end: number): Value {
  const byId = new Map(alarm.queries.map((q) => [q.id, q]));
  const memo = new Map<string, Value>();
  const value = (id: string): Value => {
    if (memo.has(id)) return memo.get(id);
    const q = byId.get(id);
    if (!q) throw new Error(`${alarm.id}: unknown id ${id}`);
    const v = q.expression ? evaluate(q.expression, value) : source(q.metric as MetricRef)?.statistic(q.stat as string, end, q.periodMinutes as number);
    memo.set(id, v);
    return v;
  };
  return value(alarm.queries.find((q) => q.returnData && q.id !== alarm.thresholdMetricId)!.id);
}

/** A metric alarm's state at the end of minute `t`: the last N data points, M out of N, missing data per its treatment. */
export function metricAlarmState(alarm: MetricAlarmDef, source: MetricSource, t: number, previous: AlarmState, bands?: BandModel): AlarmState {
  let breaching = 0;
  let missing = 0;
  for (let k = 0; k < alarm.evaluationPeriods; k++) {
    const end = t - k * alarm.periodMinutes;
    const v = alarmValue(alarm, source, end);
    const band = alarm.thresholdMetricId === undefined ? undefined : bands?.(alarm.id, end);
    if (v === undefined || (alarm.thresholdMetricId !== undefined && band === undefined)) missing++;
    else if (band ? outsideBand(v, band, alarm.comparisonOperator) : compare(v, alarm.threshold, alarm.comparisonOperator)) breaching++;
  }
  const m = alarm.datapointsToAlarm;
  switch (alarm.treatMissingData) {
    case 'notBreaching': return breaching >= m ? 'ALARM' : 'OK';
    case 'breaching': return breaching + missing >= m ? 'ALARM' : 'OK';
    case 'ignore': return missing === alarm.evaluationPeriods ? previous : breaching >= m ? 'ALARM' : 'OK';
    default: return missing === alarm.evaluationPeriods ? 'INSUFFICIENT_DATA' : breaching >= m ? 'ALARM' : 'OK';
  }
}

/** One notification: an action taken by an alarm on entering a state. */
export interface Notification {
  readonly minute: number;
  readonly alarm: string;
  readonly state: AlarmState;
  readonly target: string;
}

export interface Simulation {
  /** Each alarm's state at the end of every minute. */
  readonly states: ReadonlyMap<string, readonly AlarmState[]>;
  /** Every action taken, in order. */
  readonly notifications: readonly Notification[];
}

interface Pending { state: AlarmState; mode: 'wait' | 'suppressed' | 'extension'; until: number }

/** Runs every alarm of `alarms` from minute 0 to `minutes - 1`. Alarms start in INSUFFICIENT_DATA, as in CloudWatch. */
export function simulate(alarms: ReadonlyMap<string, AlarmDef>, source: MetricSource, minutes: number, bands?: BandModel): Simulation {
  const states = new Map<string, AlarmState[]>([...alarms.keys()].map((id) => [id, []]));
  const notifications: Notification[] = [];
  const pending = new Map<string, Pending>();
  const leftAlarmAt = new Map<string, number>();
  const at = (id: string, t: number): AlarmState => (t < 0 ? 'INSUFFICIENT_DATA' : states.get(id)![t]);

  for (let t = 0; t < minutes; t++) {
    const resolving = new Set<string>();
    const stateNow = (id: string): AlarmState => {
      const list = states.get(id);
      if (!list) throw new Error(`alarm rule names ${id}, which is not in the template`);
      if (list.length > t) return list[t];
      if (resolving.has(id)) throw new Error(`alarm ${id} depends on itself`);
      resolving.add(id);
      const def = alarms.get(id)!;
      const s = def.kind === 'metric' ? metricAlarmState(def, source, t, at(id, t - 1), bands) : evaluateRule(def.rule, stateNow) ? 'ALARM' : 'OK';
      list.push(s);
      return s;
    };
    for (const id of alarms.keys()) {
      if (stateNow(id) !== 'ALARM' && at(id, t - 1) === 'ALARM') leftAlarmAt.set(id, t);
    }

    for (const [id, def] of alarms) {
      const now = at(id, t);
      const before = at(id, t - 1);
      const fire = (state: AlarmState) => def.actions[state].forEach((target) => notifications.push({ minute: t, alarm: id, state, target }));
      const suppressor = def.kind === 'composite' ? def.suppressor : undefined;
      if (now !== before && def.actions[now].length > 0) {
        if (!suppressor) fire(now);
        else if (at(suppressor, t) === 'ALARM') pending.set(id, { state: now, mode: 'suppressed', until: Infinity });
        else if (leftAlarmAt.has(suppressor) && t < leftAlarmAt.get(suppressor)! + (def as CompositeAlarmDef).extensionMinutes) {
          pending.set(id, { state: now, mode: 'extension', until: leftAlarmAt.get(suppressor)! + (def as CompositeAlarmDef).extensionMinutes });
        } else pending.set(id, { state: now, mode: 'wait', until: t + (def as CompositeAlarmDef).waitMinutes });
      }
      const p = pending.get(id);
      if (!p || !suppressor) continue;
      if (p.state !== now) {
        pending.delete(id);
        continue;
      }
      const suppressorInAlarm = at(suppressor, t) === 'ALARM';
      if (suppressorInAlarm) pending.set(id, { ...p, mode: 'suppressed', until: Infinity });
      else if (p.mode === 'suppressed') pending.set(id, { ...p, mode: 'extension', until: t + (def as CompositeAlarmDef).extensionMinutes });
      const q = pending.get(id)!;
      if (q.mode !== 'suppressed' && t >= q.until) {
        pending.delete(id);
        fire(q.state);
      }
    }
  }
  return { states, notifications };
}

/** The first minute at or after `from` when `alarm` is in ALARM, or undefined. */
export function firstInAlarm(sim: Simulation, alarm: string, from = 0): number | undefined {
  const i = sim.states.get(alarm)!.findIndex((s, t) => t >= from && s === 'ALARM');
  return i < 0 ? undefined : i;
}

/** The notifications of `alarm` entering ALARM at or after `from`. */
export function alarmNotifications(sim: Simulation, alarm: string, from = 0): Notification[] {
  return sim.notifications.filter((n) => n.alarm === alarm && n.state === 'ALARM' && n.minute >= from);
}
