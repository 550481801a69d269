import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BURN_RATE_TIERS } from '../../lib/observability/burn-rate-alarms';
import { IntegrationSlo, SloProps } from '../../lib/observability/slo';
import { integrationProps, newStack } from '../helpers';
import { IntegrationPlatform, SecureIntegration } from '../../lib';

const RUNBOOK = 'https://wiki.example.com/runbooks/things';

function synth(slo?: SloProps, alarmNamePrefix?: string) {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'AlarmTopic');
  const construct = new IntegrationSlo(stack, 'Slo', { context: { integration: 'Things', owner: 'team@example.com', runbookUrl: RUNBOOK }, pageTopic: topic, ticketTopic: topic, slo, alarmNamePrefix });
  const template = Template.fromStack(stack);
  const logicalId = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { stack, slo: construct, template, topic: logicalId(topic), logicalId };
}

// Built in a hook, not at load: a fault in building the alarms then fails these tests instead of the
// whole file failing to load (which mutation testing reports as an error, not as a detected fault).
let slo: IntegrationSlo;
let template: Template;
let topic: string;
let logicalId: (c: { node: { defaultChild?: unknown } }) => string;
beforeAll(() => ({ slo, template, topic, logicalId } = synth()));
type Props = Record<string, unknown>;
const props = (c: { node: { defaultChild?: unknown } }) => template.toJSON().Resources[logicalId(c)].Properties as Props;

describe('burn-rate metric alarms', () => {
  const windows = BURN_RATE_TIERS.flatMap((tier) => [
    { id: `${tier.id}Long`, tier, window: tier.longWindow },
    { id: `${tier.id}Short`, tier, window: tier.shortWindow },
  ]);

  test('six of them: the three Workbook tiers, a long and a short window each', () => {
    expect(Object.keys(slo.burnRateAlarms)).toEqual(['FastPageLong', 'FastPageShort', 'SlowPageLong', 'SlowPageShort', 'TicketLong', 'TicketShort']);
    expect(windows.map((w) => [w.id, w.tier.burnRate, w.window.toSeconds()])).toEqual([
      ['FastPageLong', 14.4, 3600],
      ['FastPageShort', 14.4, 300],
      ['SlowPageLong', 6, 21600],
      ['SlowPageShort', 6, 1800],
      ['TicketLong', 1, 86400],
      ['TicketShort', 1, 21600],
    ]);
  });

  test.each(windows)('$id: burn over one period of the window above the tier, missing data not breaching', ({ id, tier, window }) => {
    const p = props(slo.burnRateAlarms[id]);
    expect(p).toMatchObject({
      Threshold: tier.burnRate,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
    const stat = (metricName: string, id_: string) => ({
      Id: id_,
      ReturnData: false,
      MetricStat: {
        Metric: { Namespace: 'CdkSecureIntegrations', MetricName: metricName, Dimensions: [{ Name: 'Integration', Value: 'Things' }] },
        Period: window.toSeconds(),
        Stat: 'Sum',
      },
    });
    expect(p.Metrics).toEqual([
      { Id: 'burn', Expression: 'IF(requests > 0, FILL(errors, 0) / requests, 0) / 0.005', Label: 'Things error-budget burn rate', ReturnData: true },
      stat('error_count', 'errors'),
      stat('request_count', 'requests'),
    ]);
    expect(p).not.toHaveProperty('Period');
    expect(p).not.toHaveProperty('Statistic');
  });

  test.each(windows)('$id: notifies the ticket topic only if it cannot be evaluated', ({ id }) => {
    const p = props(slo.burnRateAlarms[id]);
    expect(p.InsufficientDataActions).toEqual([{ Ref: topic }]);
    expect(p).not.toHaveProperty('AlarmActions');
    expect(p).not.toHaveProperty('OKActions');
  });

  test('every window is expressible: a whole number of minutes, at most a day, within the evaluation range limits', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      const p = alarm.Properties as Props;
      const period = (p.Period as number | undefined) ?? ((p.Metrics as { MetricStat?: { Period: number } }[]).find((m) => m.MetricStat)!.MetricStat!.Period as number);
      const range = period * (p.EvaluationPeriods as number);
      expect(period % 60).toBe(0);
      expect(period).toBeLessThanOrEqual(86_400);
      expect(range).toBeLessThanOrEqual(period >= 3600 ? 604_800 : 86_400);
    }
  });

  test('exactly one returned expression per alarm, ids lowercase-first and fixed', () => {
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      const metrics = (alarm.Properties as Props).Metrics as { Id: string; ReturnData: boolean }[] | undefined;
      if (!metrics) continue;
      expect(metrics.filter((m) => m.ReturnData === true)).toHaveLength(1);
      expect(metrics.every((m) => m.ReturnData === true || m.ReturnData === false)).toBe(true);
      expect(metrics.map((m) => m.Id).sort()).toEqual(['burn', 'errors', 'requests']);
    }
  });

  test.each([
    [99.9, '0.001'],
    [99.95, '0.0005'],
    [99.999, '0.00001'],
    [95, '0.05'],
  ])('the budget of %p is written as %s, no float noise', (availability, budget) => {
    const { slo: s, template: t, logicalId: id } = synth({ availability });
    const metrics = t.toJSON().Resources[id(s.burnRateAlarms.FastPageLong)].Properties.Metrics;
    expect(metrics[0].Expression).toBe(`IF(requests > 0, FILL(errors, 0) / requests, 0) / ${budget}`);
  });
});

describe('composite alarms', () => {
  const rule = (a: string, op: 'AND' | 'OR', b: string) => ({
    'Fn::Join': ['', ['(ALARM("', { 'Fn::GetAtt': [a, 'Arn'] }, `") ${op} ALARM("`, { 'Fn::GetAtt': [b, 'Arn'] }, '"))']],
  });
  const alarmId = (key: string) => logicalId(slo.burnRateAlarms[key]);

  test('Page: either page tier, each both its windows (14.4x over 1 h and 5 min, 6x over 6 h and 30 min), pages, never suppressed', () => {
    expect(props(slo.pageAlarm)).toMatchObject({
      AlarmRule: {
        'Fn::Join': [
          '',
          [
            '((ALARM("', { 'Fn::GetAtt': [alarmId('FastPageLong'), 'Arn'] }, '") AND ALARM("', { 'Fn::GetAtt': [alarmId('FastPageShort'), 'Arn'] }, '")) OR (ALARM("',
            { 'Fn::GetAtt': [alarmId('SlowPageLong'), 'Arn'] }, '") AND ALARM("', { 'Fn::GetAtt': [alarmId('SlowPageShort'), 'Arn'] }, '")))',
          ],
        ],
      },
      AlarmActions: [{ Ref: topic }],
    });
    expect(props(slo.pageAlarm)).not.toHaveProperty('ActionsSuppressor');
  });

  test('Ticket: both 1x windows, tickets, suppressed by the Page (2-hour wait, 6-hour extension)', () => {
    expect(props(slo.ticketAlarm)).toMatchObject({
      AlarmRule: rule(alarmId('TicketLong'), 'AND', alarmId('TicketShort')),
      AlarmActions: [{ Ref: topic }],
      ActionsSuppressor: { 'Fn::GetAtt': [logicalId(slo.pageAlarm), 'Arn'] },
      ActionsSuppressorWaitPeriod: 7200,
      ActionsSuppressorExtensionPeriod: 21600,
    });
  });
});

describe('latency alarm', () => {
  test('p95 as ExtendedStatistic with no Statistic, threshold in ms, 3 of 5 five-minute periods, missing data not breaching, to the ticket topic', () => {
    const p = props(slo.latencyAlarm);
    expect(p).toEqual({
      AlarmActions: [{ Ref: topic }],
      AlarmDescription: expect.any(String),
      ComparisonOperator: 'GreaterThanThreshold',
      DatapointsToAlarm: 3,
      Dimensions: [{ Name: 'Integration', Value: 'Things' }],
      EvaluationPeriods: 5,
      ExtendedStatistic: 'p95',
      MetricName: 'latency',
      Namespace: 'CdkSecureIntegrations',
      Period: 300,
      Threshold: 800,
      TreatMissingData: 'notBreaching',
    });
  });

  test('the threshold is the objective in milliseconds', () => {
    const { slo: s, template: t, logicalId: id } = synth({ latencyP95: Duration.seconds(1.5) });
    expect(t.toJSON().Resources[id(s.latencyAlarm)].Properties.Threshold).toBe(1500);
  });
});

describe('routing and descriptions', () => {
  test('9 alarms, every one with an action', () => {
    expect(slo.alarms).toHaveLength(9);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 2);
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']) {
      for (const r of Object.values(template.findResources(type))) {
        const p = r.Properties as Props;
        const actions = [p.AlarmActions, p.OKActions, p.InsufficientDataActions].flatMap((a) => (a as unknown[]) ?? []);
        expect(actions.length).toBeGreaterThan(0);
      }
    }
  });

  test("the SLO's own page and ticket topics override the platform's", () => {
    const stack = newStack();
    const [platformTopic, page, ticket] = ['PlatformTopic', 'Page', 'Ticket'].map((id) => new sns.Topic(stack, id));
    const s = new IntegrationSlo(stack, 'Slo', {
      context: { integration: 'Things', owner: 'o' },
      pageTopic: platformTopic,
      ticketTopic: platformTopic,
      slo: { pageTopic: page, ticketTopic: ticket },
    });
    const t = Template.fromStack(stack).toJSON().Resources;
    const ref = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
    const actions = (c: { node: { defaultChild?: unknown } }, key: string) => t[ref(c)].Properties[key];
    expect(actions(s.pageAlarm, 'AlarmActions')).toEqual([{ Ref: ref(page) }]);
    expect(actions(s.ticketAlarm, 'AlarmActions')).toEqual([{ Ref: ref(ticket) }]);
    expect(actions(s.latencyAlarm, 'AlarmActions')).toEqual([{ Ref: ref(ticket) }]);
    expect(actions(s.burnRateAlarms.FastPageLong, 'InsufficientDataActions')).toEqual([{ Ref: ref(ticket) }]);
    expect(JSON.stringify(t)).not.toContain(`"Ref":"${ref(platformTopic)}"`);
  });

  test('every description names the integration, the owner and the runbook, within 1024 characters', () => {
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']) {
      for (const r of Object.values(template.findResources(type))) {
        const d = (r.Properties as Props).AlarmDescription as string;
        expect(d).toMatch(/^Integration Things \(owner team@example\.com\)\. /);
        expect(d.endsWith(`Runbook: ${RUNBOOK}`)).toBe(true);
        expect(d.length).toBeLessThanOrEqual(1024);
      }
    }
  });

  test('a tier description says the burn rate, both windows, the error ratio, the budget spent if sustained and the suppression', () => {
    expect(props(slo.pageAlarm).AlarmDescription).toMatch(
      /^Integration Things \(owner team@example\.com\)\. PAGE: the error budget burns over 14\.4x for both the last 1 hour and 5 minutes \(errors above 7\.2%\), or over 6x for both the last 6 hours and 30 minutes \(errors above 3%\); availability SLO 99\.5% over 28 days\. The whole budget is gone at 14\.4x in 1\.9 days, at 6x in 4\.7 days\./,
    );
    expect(props(slo.ticketAlarm).AlarmDescription).toMatch(/\. TICKET: .*more than 1x .*last 1 day and the last 6 hours .*spends 3\.6% .*Notifies 2 hours after entering ALARM unless the Page alarm .* 6 hours after\./);
    expect(props(slo.latencyAlarm).AlarmDescription).toMatch(/p95 latency above 800 ms in 3 of the last 5 periods of 5 minutes/);
  });

  test('Metrics for dashboards: burnRate(window) is the alarms\' expression over any window', () => {
    const e = slo.burnRate(Duration.days(28));
    expect(e.expression).toBe('IF(requests > 0, FILL(errors, 0) / requests, 0) / 0.005');
    expect(e.period.toDays()).toBe(28);
  });

  test('without a runbook the description says where to configure one', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    const s = new IntegrationSlo(stack, 'Slo', { context: { integration: 'Things', owner: 'o' }, pageTopic: topic, ticketTopic: topic });
    expect(s.pageAlarm).toBeDefined();
    for (const r of Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::CompositeAlarm'))) {
      expect((r.Properties as Props).AlarmDescription).toMatch(/Runbook: none configured \(IntegrationPlatformProps\.runbookUrl\)\.$/);
    }
  });

  test('with a name prefix, every alarm has a readable physical name', () => {
    const { template: t } = synth(undefined, 'Stack-integrations-Things-');
    const names = [
      ...Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((r) => (r.Properties as Props).AlarmName),
      ...Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm')).map((r) => (r.Properties as Props).AlarmName),
    ];
    expect(names.sort()).toEqual(
      [
        'slo-fast-page-1h', 'slo-fast-page-5m', 'slo-slow-page-6h', 'slo-slow-page-30m', 'slo-ticket-1d', 'slo-ticket-6h', 'slo-latency',
        'slo-page', 'slo-ticket',
      ].map((n) => `Stack-integrations-Things-${n}`).sort(),
    );
  });

  test('the notifying alarms carry their severity and, with a prefix, their literal name', () => {
    expect(slo.notifyingAlarms.map((a) => [a.alarm, a.severity, a.name])).toEqual([
      [slo.pageAlarm, 'page', undefined],
      [slo.ticketAlarm, 'ticket', undefined],
      [slo.latencyAlarm, 'ticket', undefined],
    ]);
    const named = synth(undefined, 'P-');
    expect(named.slo.notifyingAlarms.map((a) => a.name)).toEqual(['P-slo-page', 'P-slo-ticket', 'P-slo-latency']);
  });

  test('construct ids are stable public API', () => {
    expect(slo.node.children.map((c) => c.node.id).sort()).toEqual(
      ['FastPageLong', 'FastPageShort', 'Latency', 'Page', 'SlowPageLong', 'SlowPageShort', 'Ticket', 'TicketLong', 'TicketShort'].sort(),
    );
  });
});

describe('the longest owner and runbook', () => {
  test('an owner of 256 characters and a 90-character runbook still fit every description of an inbound integration (1,024 characters)', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform', { runbookUrl: `https://wiki.example.com/${'r'.repeat(65)}` });
    new SecureIntegration(stack, 'Things', { ...integrationProps(stack), owner: `${'o'.repeat(244)}@example.com` });
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']) {
      for (const r of Object.values(Template.fromStack(stack).findResources(type))) expect(((r.Properties as Props).AlarmDescription as string).length).toBeLessThanOrEqual(1024);
    }
  });
});
