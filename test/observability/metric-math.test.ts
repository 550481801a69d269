import * as fc from 'fast-check';
import {
  alarmsFromTemplate,
  AlarmDef,
  CompositeAlarmDef,
  evaluateRule,
  MetricAlarmDef,
  metricAlarmState,
  parseAlarmRule,
  resolveIntrinsics,
  simulate,
} from '../support/metric-math-alarms';
import { evaluate, expressionIds, MinuteSeries, nearestRank, parseExpression, repeated, samples, Value } from '../support/metric-math';

const run = (text: string, ids: Record<string, Value> = {}) => evaluate(parseExpression(text), (id) => ids[id]);

describe('metric math expressions', () => {
  test('arithmetic follows precedence and parentheses', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('10 / 4 - 1')).toBe(1.5);
    expect(run('-2 * -3')).toBe(6);
    expect(run('8 / 2 / 2')).toBe(2);
  });

  test('comparisons and logic yield 1 or 0, && || ! as aliases', () => {
    expect(run('2 > 1')).toBe(1);
    expect(run('2 >= 3')).toBe(0);
    expect(run('1 == 1 AND 2 != 2')).toBe(0);
    expect(run('1 < 2 || 0')).toBe(1);
    expect(run('!0')).toBe(1);
    expect(run('NOT 5')).toBe(0);
    expect(run('1 + 1 > 1 AND 3 <= 3')).toBe(1);
  });

  test('ids read data points; a missing one makes arithmetic and comparisons missing', () => {
    expect(run('errors / requests', { errors: 3, requests: 4 })).toBe(0.75);
    expect(run('errors / requests', { requests: 4 })).toBeUndefined();
    expect(run('requests > 0', {})).toBeUndefined();
  });

  test('division by zero is missing', () => {
    expect(run('1 / 0')).toBeUndefined();
    expect(run('errors / requests', { errors: 0, requests: 0 })).toBeUndefined();
  });

  test('FILL replaces a missing point with the value only', () => {
    expect(run('FILL(errors, 0)', {})).toBe(0);
    expect(run('FILL(errors, 0)', { errors: 5 })).toBe(5);
    expect(run('FILL(errors, 1 + 1)', {})).toBe(2);
  });

  test('IF picks a branch; a missing condition is missing; IF without else is missing when false', () => {
    expect(run('IF(requests > 0, 1, 2)', { requests: 3 })).toBe(1);
    expect(run('IF(requests > 0, 1, 2)', { requests: 0 })).toBe(2);
    expect(run('IF(requests > 0, 1, 2)', {})).toBeUndefined();
    expect(run('IF(0, 1)')).toBeUndefined();
    expect(run('IF(1, 7)')).toBe(7);
    // the unchosen branch may be missing or divide by zero
    expect(run('IF(requests > 0, errors / requests, 0)', { requests: 0, errors: 0 })).toBe(0);
  });

  test("the library's burn-rate expression: errors over requests over the budget, safe at zero traffic", () => {
    const burn = 'IF(requests > 0, FILL(errors, 0) / requests, 0) / 0.005';
    expect(run(burn, { requests: 1000, errors: 72 })).toBeCloseTo(14.4);
    expect(run(burn, { requests: 1000 })).toBe(0);
    expect(run(burn, {})).toBeUndefined();
  });

  test('expressionIds lists each id once', () => {
    expect(expressionIds(parseExpression('IF(requests > 0, FILL(errors, 0) / requests, 0)'))).toEqual(['requests', 'errors']);
  });

  test.each([
    ['RATE(m1)', /outside the supported subset/],
    ['FILL(m1, REPEAT)', /only FILL\(m, value\)/],
    ['IF(1)', /IF takes 2 or 3/],
    ['Errors / 2', /not an id/],
    ['1 +', /unexpected end/],
    ['(1 + 2', /expected "\)"/],
    ['1 2', /unexpected "2"/],
    ['1 $ 2', /unexpected character/],
  ])('rejects %s', (text, message) => {
    expect(() => parseExpression(text)).toThrow(message);
  });

  test('parsing is total on generated arithmetic: it agrees with JavaScript', () => {
    const leaf = fc.integer({ min: 1, max: 9 }).map(String);
    const expr = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof({ depthSize: 'small' }, leaf, fc.tuple(tie('e'), fc.constantFrom('+', '-', '*'), tie('e')).map(([a, op, b]) => `(${a} ${op} ${b})`)),
    })).e;
    fc.assert(fc.property(expr, (text) => run(text) === Function(`return ${text}`)()));
  });
});

describe('per-period statistics over per-minute data', () => {
  const series = new MinuteSeries([repeated(1, 10), undefined, repeated(1, 30), samples([5, 1, 9])]);

  test('Sum, SampleCount, Average, Minimum, Maximum over the period ending at a minute', () => {
    expect(series.statistic('Sum', 2, 3)).toBe(40);
    expect(series.statistic('SampleCount', 2, 2)).toBe(30);
    expect(series.statistic('Average', 3, 1)).toBe(5);
    expect(series.statistic('Minimum', 3, 4)).toBe(1);
    expect(series.statistic('Maximum', 3, 4)).toBe(9);
  });

  test('a period without any data point is missing; minutes before 0 or after the end hold nothing', () => {
    expect(series.statistic('Sum', 1, 1)).toBeUndefined();
    expect(series.statistic('Sum', 0, 60)).toBe(10);
    expect(series.statistic('Sum', 10, 5)).toBeUndefined();
  });

  test('percentiles need raw values and use the nearest rank', () => {
    expect(series.statistic('p50', 3, 1)).toBe(5);
    expect(() => series.statistic('p95', 3, 2)).toThrow(/needs raw values/);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 95)).toBe(19);
    expect(nearestRank([3], 99.9)).toBe(3);
  });

  test('prefix sums agree with a naive sum on random data', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.nat(50), { nil: undefined }), { minLength: 1, maxLength: 60 }), fc.nat(70), fc.integer({ min: 1, max: 30 }), (counts, end, period) => {
        const s = new MinuteSeries(counts.map((c) => (c === undefined ? undefined : repeated(1, c))));
        const window = counts.slice(Math.max(0, end - period + 1), end + 1).filter((c): c is number => c !== undefined && c > 0);
        const expected = window.length === 0 ? undefined : window.reduce((a, b) => a + b, 0);
        return s.statistic('Sum', end, period) === expected;
      }),
    );
  });
});

function metricAlarm(overrides: Partial<MetricAlarmDef> = {}): MetricAlarmDef {
  return {
    kind: 'metric',
    id: 'A',
    queries: [{ id: 'm1', returnData: true, metric: { namespace: 'N', metricName: 'm', dimensions: {} }, stat: 'Sum', periodMinutes: 1 }],
    periodMinutes: 1,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    threshold: 5,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    actions: { ALARM: ['topic'], OK: [], INSUFFICIENT_DATA: [] },
    ...overrides,
  };
}

const source = (values: (number | undefined)[]) => {
  const s = new MinuteSeries(values.map((v) => (v === undefined ? undefined : { sampleCount: 1, sum: v, min: v, max: v })));
  return () => s;
};

describe('metric alarm evaluation', () => {
  test('M out of N: 2 of the last 3 points above the threshold', () => {
    const src = source([9, 1, 9, 1, 1]);
    expect(metricAlarmState(metricAlarm(), src, 2, 'OK')).toBe('ALARM');
    expect(metricAlarmState(metricAlarm(), src, 3, 'OK')).toBe('OK');
    expect(metricAlarmState(metricAlarm({ comparisonOperator: 'GreaterThanOrEqualToThreshold', threshold: 9 }), src, 2, 'OK')).toBe('ALARM');
    expect(metricAlarmState(metricAlarm({ comparisonOperator: 'LessThanThreshold', threshold: 2 }), src, 4, 'OK')).toBe('ALARM');
  });

  test('each missing-data treatment', () => {
    const src = source([9, undefined, undefined, undefined]);
    expect(metricAlarmState(metricAlarm({ treatMissingData: 'notBreaching' }), src, 2, 'OK')).toBe('OK');
    expect(metricAlarmState(metricAlarm({ treatMissingData: 'breaching' }), src, 2, 'OK')).toBe('ALARM');
    expect(metricAlarmState(metricAlarm({ treatMissingData: 'ignore' }), src, 3, 'ALARM')).toBe('ALARM');
    expect(metricAlarmState(metricAlarm({ treatMissingData: 'missing' }), src, 3, 'ALARM')).toBe('INSUFFICIENT_DATA');
    expect(metricAlarmState(metricAlarm({ treatMissingData: 'missing' }), src, 2, 'ALARM')).toBe('OK');
  });

  test('a period of several minutes aggregates them; N periods step back by the period', () => {
    const src = source([3, 3, 0, 0, 3, 3]);
    const alarm = metricAlarm({ periodMinutes: 2, queries: [{ ...metricAlarm().queries[0], periodMinutes: 2 }], evaluationPeriods: 2, datapointsToAlarm: 2 });
    expect(metricAlarmState(alarm, src, 5, 'OK')).toBe('OK'); // [3+3, 0+0]
    expect(metricAlarmState(alarm, src, 1, 'OK')).toBe('OK'); // [3+3, missing]
    expect(metricAlarmState({ ...alarm, datapointsToAlarm: 1 }, src, 5, 'OK')).toBe('ALARM');
  });
});

describe('composite alarms', () => {
  test('rules: states, AND binds tighter than OR, NOT, constants, parentheses', () => {
    const states: Record<string, 'ALARM' | 'OK'> = { a: 'ALARM', b: 'OK', c: 'ALARM' };
    const rule = (text: string) => evaluateRule(parseAlarmRule(text), (x) => states[x]);
    expect(rule('ALARM("a") AND ALARM("b")')).toBe(false);
    expect(rule('ALARM("a") AND ALARM("b") OR ALARM("c")')).toBe(true);
    expect(rule('ALARM("a") AND (ALARM("b") OR OK("c"))')).toBe(false);
    expect(rule('NOT ALARM("b") AND OK(b)')).toBe(true);
    expect(rule('TRUE AND NOT FALSE')).toBe(true);
    expect(() => parseAlarmRule('ALARM("a") AND')).toThrow(/unexpected/);
  });

  test('template intrinsics resolve to logical ids', () => {
    expect(resolveIntrinsics({ 'Fn::Join': ['', ['ALARM("', { 'Fn::GetAtt': ['Abc', 'Arn'] }, '")']] })).toBe('ALARM("Abc")');
    expect(resolveIntrinsics([{ Ref: 'Topic' }])).toEqual(['Topic']);
  });

  const alarmOn = (id: string): [string, MetricAlarmDef] => [
    id,
    metricAlarm({ id, evaluationPeriods: 1, datapointsToAlarm: 1, queries: [{ ...metricAlarm().queries[0], metric: { namespace: 'N', metricName: id, dimensions: {} } }], actions: { ALARM: [], OK: [], INSUFFICIENT_DATA: [] } }),
  ];
  function run(high: (number | undefined)[], low: (number | undefined)[], suppression: Partial<CompositeAlarmDef> = {}) {
    const alarms = new Map<string, AlarmDef>([
      alarmOn('High'),
      alarmOn('Low'),
      ['HighC', { kind: 'composite', id: 'HighC', rule: parseAlarmRule('ALARM("High")'), waitMinutes: 0, extensionMinutes: 0, actions: { ALARM: ['page'], OK: [], INSUFFICIENT_DATA: [] } }],
      ['LowC', { kind: 'composite', id: 'LowC', rule: parseAlarmRule('ALARM("Low")'), suppressor: 'HighC', waitMinutes: 2, extensionMinutes: 3, actions: { ALARM: ['ticket'], OK: [], INSUFFICIENT_DATA: [] }, ...suppression }],
    ]);
    const series: Record<string, MinuteSeries> = { High: new MinuteSeries(high.map((v) => (v === undefined ? undefined : repeated(v, 1)))), Low: new MinuteSeries(low.map((v) => (v === undefined ? undefined : repeated(v, 1)))) };
    return simulate(alarms, (m) => series[m.metricName], high.length).notifications.map((n) => `${n.minute}:${n.alarm}->${n.target}`);
  }
  const H = 9;
  const L = 0;

  test('without a suppressor in ALARM, a suppressed composite notifies after its wait period', () => {
    expect(run([L, L, L, L, L, L], [L, H, H, H, H, H])).toEqual(['3:LowC->ticket']);
  });

  test('a composite that clears within its wait period never notifies', () => {
    expect(run([L, L, L, L, L], [L, H, L, L, L])).toEqual([]);
  });

  test('a suppressor entering ALARM within the wait period suppresses it', () => {
    expect(run([L, L, H, H, H, H, H], [L, H, H, H, H, H, H])).toEqual(['2:HighC->page']);
  });

  test('while the suppressor is in ALARM, then for the extension period, nothing; after it, the still-firing composite notifies', () => {
    // High: ALARM minutes 1-3, OK from 4; extension 3 -> LowC may notify at 7
    expect(run([L, H, H, H, L, L, L, L, L], [L, L, H, H, H, H, H, H, H])).toEqual(['1:HighC->page', '7:LowC->ticket']);
  });

  test('a composite that clears during the extension period never notifies', () => {
    expect(run([L, H, H, H, L, L, L, L, L], [L, L, H, H, H, L, L, L, L])).toEqual(['1:HighC->page']);
  });

  test('a composite entering ALARM during the suppressor\'s extension period waits for its end', () => {
    expect(run([L, H, L, L, L, L, L], [L, L, L, H, H, H, H])).toEqual(['1:HighC->page', '5:LowC->ticket']);
  });

  test('alarms start in INSUFFICIENT_DATA and take OK and INSUFFICIENT_DATA actions on those transitions', () => {
    const [id, alarm] = alarmOn('M');
    const alarms = new Map<string, AlarmDef>([[id, { ...alarm, treatMissingData: 'missing', actions: { ALARM: ['a'], OK: ['ok'], INSUFFICIENT_DATA: ['insufficient'] } }]]);
    const s = new MinuteSeries([repeated(1, 1), undefined, repeated(9, 1)]);
    const sim = simulate(alarms, () => s, 3);
    expect(sim.states.get('M')).toEqual(['OK', 'INSUFFICIENT_DATA', 'ALARM']);
    expect(sim.notifications.map((n) => n.target)).toEqual(['ok', 'insufficient', 'a']);
  });

  test('reads alarms from a template: exactly one returned query, one period', () => {
    const metric = { MetricName: 'm', Namespace: 'N' };
    const template = (metrics: unknown[]) => ({ Resources: { A: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: metrics, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' } } } });
    const stat = (id: string, period: number) => ({ Id: id, ReturnData: false, MetricStat: { Metric: metric, Period: period, Stat: 'Sum' } });
    expect(() => alarmsFromTemplate(template([stat('a', 60), { Id: 'e', Expression: 'a', ReturnData: true }, { Id: 'f', Expression: 'a' }]))).toThrow(/2 queries return data/);
    expect(() => alarmsFromTemplate(template([stat('a', 60), stat('b', 120), { Id: 'e', Expression: 'a + b' }]))).toThrow(/share one period/);
    const ok = alarmsFromTemplate(template([stat('a', 300), { Id: 'e', Expression: 'a * 2', ReturnData: true }])).get('A') as MetricAlarmDef;
    expect(ok.periodMinutes).toBe(5);
    expect(ok.treatMissingData).toBe('missing');
  });
});
