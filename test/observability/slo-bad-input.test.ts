import { CfnElement, CfnParameter, Duration, Lazy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { AlarmContext } from '../../lib/observability/alarm-description';
import { isSupportedStatistic, validatedIntegrationMetric } from '../../lib/observability/slo-metrics';
import { IntegrationSlo, IntegrationSloProps, SloProps } from '../../lib/observability/slo';
import { MIN_AVAILABILITY_EXCLUSIVE } from '../../lib/observability/slo-validation';
import { newStack } from '../helpers';

/** Builds an IntegrationSlo with `overrides` and returns the thunk that throws. */
function build(slo: SloProps, context: Partial<AlarmContext> = {}, overrides: Partial<IntegrationSloProps> = {}): () => void {
  return () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    new IntegrationSlo(stack, 'Slo', {
      context: { integration: 'Things', owner: 'team@example.com', runbookUrl: 'https://wiki.example.com/runbooks/things', ...context },
      pageTopic: topic,
      ticketTopic: topic,
      slo,
      ...overrides,
    });
  };
}

describe('bad SLO input fails at synth with the prop, the value and the fix', () => {
  test.each([93, 93.05, 90, 100, 99.9999, -1, Number.NaN])('availability %p', (availability) => {
    expect(build({ availability })).toThrow(/TestStack\/Slo: invalid `slo\.availability` .*Give a percentage above 93\.06 .*and at most 99\.999 \(five nines\), for example 99\.5\./);
  });

  test('availability shows the value given', () => {
    expect(build({ availability: 100 })).toThrow(/invalid `slo\.availability` 100\./);
  });

  test('availability as a string (JavaScript callers)', () => {
    expect(build({ availability: '99.5' as unknown as number })).toThrow(/invalid `slo\.availability` '99\.5'/);
  });

  test('availability as a token', () => {
    expect(build({ availability: Lazy.number({ produce: () => 99.5 }) })).toThrow(/invalid `slo\.availability` '\(a token\)'.*must be a literal/);
  });

  test('the lowest and highest accepted availability synthesize', () => {
    expect(build({ availability: 93.07 })).not.toThrow();
    expect(build({ availability: 99.999 })).not.toThrow();
  });

  test('a zero latency objective', () => {
    expect(build({ latencyP95: Duration.millis(0) })).toThrow(/invalid `slo\.latencyP95` '0 millis'.*Give a positive p95 latency objective, for example Duration\.millis\(800\)/);
  });

  test('a latency objective that is not a Duration (JavaScript callers)', () => {
    expect(build({ latencyP95: 800 as unknown as Duration })).toThrow(/invalid `slo\.latencyP95` 800\. Give a Duration/);
  });

  test.each([Duration.days(6), Duration.hours(167), Duration.days(91), Duration.days(365)])('window %s', (window) => {
    expect(build({ window })).toThrow(
      /invalid `slo\.window` '.+'\. Give a window from 7 to 90 days, for example Duration\.days\(28\): the burn-rate thresholds assume about a month, the longest alert window is a day, and beyond a quarter a 14\.4x page would spend under 0\.7% of the budget\.$/,
    );
  });

  test('the shortest and longest supported windows synthesize', () => {
    expect(build({ window: Duration.days(7) })).not.toThrow();
    expect(build({ window: Duration.days(90) })).not.toThrow();
  });

  test.each(['wiki/runbooks/things', 'ftp://example.com/runbook', ''])('runbook URL %p', (runbookUrl) => {
    expect(build({}, { runbookUrl })).toThrow(/invalid `context\.runbookUrl` .*Give an http\(s\) URL/);
  });

  test('an owner and runbook URL that make a description too long for CloudWatch', () => {
    const runbookUrl = `https://wiki.example.com/${'r'.repeat(480)}`;
    expect(build({}, { owner: 'o'.repeat(256), runbookUrl })).toThrow(/invalid `context\.runbookUrl` .*description would exceed CloudWatch's 1024 characters: shorten the runbook URL or the owner/);
  });

  test('an empty owner or integration name', () => {
    expect(build({}, { owner: ' ' })).toThrow(/invalid `context\.owner` ' '\. Name the accountable team or person/);
    expect(build({}, { integration: '' })).toThrow(/invalid `context\.integration` ''/);
  });

  test('no page topic (JavaScript callers)', () => {
    expect(build({}, {}, { pageTopic: undefined as unknown as sns.ITopic })).toThrow(/invalid `pageTopic` \(not set\)\. Give the topic pages go to, usually the platform's pageTopic\./);
  });

  test('no ticket topic (JavaScript callers)', () => {
    expect(build({}, {}, { ticketTopic: undefined as unknown as sns.ITopic })).toThrow(/invalid `ticketTopic` \(not set\)\. Give the topic tickets go to, usually the platform's ticketTopic\./);
  });

  test('no context at all (JavaScript callers) names the integration first', () => {
    expect(build({}, {}, { context: undefined as unknown as AlarmContext })).toThrow(
      /TestStack\/Slo: invalid `context\.integration` \(not set\)\. Give the integration name its signals carry in the Integration dimension\. \(1 to 256 characters\)/,
    );
  });

  test('an owner or integration name longer than 256 characters, or not text', () => {
    expect(build({}, { owner: 'o'.repeat(257) })).toThrow(/invalid `context\.owner` 'o{257}'\. Name the accountable team or person.*\(1 to 256 characters\)/);
    expect(build({}, { integration: 'T'.repeat(257) })).toThrow(/invalid `context\.integration` 'T{257}'/);
    expect(build({}, { owner: 42 as unknown as string })).toThrow(/invalid `context\.owner` 42\./);
  });

  test('a runbook URL that is not text (JavaScript callers), even a list holding a valid URL or a number from a parameter', () => {
    expect(build({}, { runbookUrl: 42 as unknown as string })).toThrow(/invalid `context\.runbookUrl` 42\. Give an http\(s\) URL of at most 512 characters/);
    expect(build({}, { runbookUrl: ['https://wiki.example.com/runbooks/things'] as unknown as string })).toThrow(/invalid `context\.runbookUrl` \["https:\/\/wiki\.example\.com\/runbooks\/things"\]\. Give an http\(s\) URL/);
    expect(build({}, { runbookUrl: Lazy.number({ produce: () => 1 }) as unknown as string })).toThrow(/invalid `context\.runbookUrl` .*Give an http\(s\) URL/);
  });

  test('an owner given as a number from a parameter (JavaScript callers) is refused: the owner is text', () => {
    expect(build({}, { owner: Lazy.number({ produce: () => 1 }) as unknown as string })).toThrow(/invalid `context\.owner` .*Name the accountable team or person/);
  });

  test('a runbook URL of 513 characters is refused for its length; one of 512 passes that rule and fails only for the descriptions it makes too long', () => {
    const url = (length: number) => `https://wiki.example.com/${'r'.repeat(length - 25)}`;
    expect(build({}, { runbookUrl: url(513) })).toThrow(/invalid `context\.runbookUrl` '.{513}'\. Give an http\(s\) URL of at most 512 characters/);
    expect(build({}, { runbookUrl: url(512) })).toThrow(/invalid `context\.runbookUrl` '.{512}'\. The \w+ alarm description would exceed CloudWatch's 1024 characters/);
  });

  test('no runbook URL at all is accepted (the descriptions say where to configure one)', () => {
    expect(build({}, { runbookUrl: undefined })).not.toThrow();
  });

  test('an http runbook URL (an intranet wiki) is accepted', () => {
    expect(build({}, { runbookUrl: 'http://wiki.internal/runbooks/things' })).not.toThrow();
  });

  test('names, owner and runbook from tokens are accepted (resolved at deploy)', () => {
    const later = (value: string) => Lazy.string({ produce: () => value });
    expect(build({}, { integration: later('Things'), owner: later('team@example.com'), runbookUrl: later('https://wiki.example.com/runbooks/things') })).not.toThrow();
  });

  test('availability exactly at the exclusive minimum (100 - 100/14.4) is refused: a full outage would burn exactly 14.4x, never more', () => {
    expect(build({ availability: MIN_AVAILABILITY_EXCLUSIVE })).toThrow(/invalid `slo\.availability` 93\.0555/);
  });

  test('the data-quality objective has the same bounds as availability', () => {
    expect(build({ dataQuality: 100 })).toThrow(/invalid `slo\.dataQuality` 100\. Give a percentage above 93\.06/);
    expect(build({ dataQuality: 93 })).toThrow(/invalid `slo\.dataQuality` 93\./);
    expect(build({ dataQuality: 99.999 })).not.toThrow();
  });

  test('a latency objective from a CloudFormation parameter becomes the threshold, checked at deploy', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    const ms = new CfnParameter(stack, 'LatencyMs', { type: 'Number' }).valueAsNumber;
    const slo = new IntegrationSlo(stack, 'Slo', { context: { integration: 'Things', owner: 'o' }, pageTopic: topic, ticketTopic: topic, slo: { latencyP95: Duration.millis(ms) } });
    expect(Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(slo.latencyAlarm.node.defaultChild as CfnElement)].Properties.Threshold).toEqual({ Ref: 'LatencyMs' });
  });

  test('a latency objective below a millisecond is kept exactly (0.5 ms), not refused as a fraction', () => {
    expect(build({ latencyP95: Duration.seconds(0.0005) })).not.toThrow();
  });

  test('a window that is not a Duration, or a token, is refused: the descriptions state the budget share at synth', () => {
    expect(build({ window: 28 as unknown as Duration })).toThrow(/invalid `slo\.window` 28\. Give a Duration from 7 to 90 days, for example Duration\.days\(28\)\./);
    expect(build({ window: Duration.days(Lazy.number({ produce: () => 28 })) })).toThrow(/invalid `slo\.window` '\(a token\)'\. The alarm descriptions state the budget share at synth: give a literal Duration from 7 to 90 days\./);
  });

  test('a window of 7 days and 30 seconds is within range (not refused for a fraction of a minute)', () => {
    expect(build({ window: Duration.seconds(7 * 86_400 + 30) })).not.toThrow();
  });
});

describe('statistics: invalid percentiles fail at synth', () => {
  test.each(['p101', 'p100.5', 'p95.123', 'P95', 'p', 'p-1', '95', 'p095', 'tm95', 'sum', 'p95 ', ' p95', 'xp95', 'p100.000', 'p99x9', 'p100x0', 'p9.', 'p100.'])('%p is rejected', (statistic) => {
    expect(isSupportedStatistic(statistic)).toBe(false);
    expect(() => validatedIntegrationMetric('Things', 'latency', statistic)).toThrow(
      /integrationMetric: invalid `statistic` '.*'\. Use Sum, SampleCount, Average, Minimum or Maximum, or a percentile from p0 to p100 with at most two decimals, for example "p95" or "p99\.9"\.$/,
    );
  });

  test('a statistic that is not text is rejected, even a list whose text would be valid (["p95"] from a JavaScript config)', () => {
    expect(() => validatedIntegrationMetric('Things', 'latency', ['p95'] as unknown as string)).toThrow(/integrationMetric: invalid `statistic` \["p95"\]\. Use Sum/);
  });

  test.each(['p0', 'p0.0', 'p5', 'p9.5', 'p10', 'p50', 'p95', 'p99.9', 'p99.99', 'p100', 'p100.0', 'p100.00', 'Sum', 'SampleCount', 'Average', 'Minimum', 'Maximum'])('%p is accepted', (statistic) => {
    expect(isSupportedStatistic(statistic)).toBe(true);
    expect(validatedIntegrationMetric('Things', 'latency', statistic).statistic).toBe(statistic);
  });

  test('the metric carries the namespace, the one dimension and a 5-minute default period', () => {
    const m = validatedIntegrationMetric('Things', 'request_count', 'Sum');
    expect([m.namespace, m.metricName, m.dimensions, m.period.toMinutes()]).toEqual(['CdkSecureIntegrations', 'request_count', { Integration: 'Things' }, 5]);
    expect(() => validatedIntegrationMetric('', 'request_count', 'Sum')).toThrow(/invalid `integrationName` ''/);
    expect(() => validatedIntegrationMetric('Things', '', 'Sum')).toThrow(/invalid `metricName` ''/);
  });

  test('an integration or metric name missing (JavaScript callers) is refused with the fix', () => {
    expect(() => validatedIntegrationMetric(undefined as unknown as string, 'request_count', 'Sum')).toThrow(
      /integrationMetric: invalid `integrationName` \(not set\)\. Give the name of the integration, as on its SecureIntegration\./,
    );
    expect(() => validatedIntegrationMetric('Things', undefined as unknown as string, 'Sum')).toThrow(
      /integrationMetric: invalid `metricName` \(not set\)\. Give a signal name, for example SignalMetric\.REQUEST_COUNT\./,
    );
    expect(() => validatedIntegrationMetric('Things', 'latency', undefined as unknown as string)).toThrow(/integrationMetric: invalid `statistic` \(not set\)\. Use Sum/);
  });

  test('names and a statistic from tokens are accepted (resolved at deploy)', () => {
    const later = (value: string) => Lazy.string({ produce: () => value });
    const m = validatedIntegrationMetric(later('Things'), later('latency'), later('p95'));
    expect(newStack().resolve([m.dimensions?.Integration, m.metricName, m.statistic])).toEqual(['Things', 'latency', 'p95']);
  });
});
