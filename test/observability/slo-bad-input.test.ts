import { Duration, Lazy } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { AlarmContext } from '../../lib/observability/alarm-description';
import { isSupportedStatistic, validatedIntegrationMetric } from '../../lib/observability/slo-metrics';
import { IntegrationSlo, IntegrationSloProps, SloProps } from '../../lib/observability/slo';
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
    expect(build({ window })).toThrow(/invalid `slo\.window` '.+'\. Give a window from 7 to 90 days, for example Duration\.days\(28\)/);
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
    expect(build({}, {}, { pageTopic: undefined as unknown as sns.ITopic })).toThrow(/invalid `pageTopic` \(not set\)/);
  });
});

describe('statistics: invalid percentiles fail at synth', () => {
  test.each(['p101', 'p100.5', 'p95.123', 'P95', 'p', 'p-1', '95', 'p095', 'tm95', 'sum', 'p95 '])('%p is rejected', (statistic) => {
    expect(isSupportedStatistic(statistic)).toBe(false);
    expect(() => validatedIntegrationMetric('Things', 'latency', statistic)).toThrow(
      /integrationMetric: invalid `statistic` '.*'\. Use Sum, SampleCount, Average, Minimum or Maximum, or a percentile from p0 to p100 with at most two decimals/,
    );
  });

  test.each(['p0', 'p0.0', 'p50', 'p95', 'p99.9', 'p99.99', 'p100', 'p100.0', 'Sum', 'SampleCount', 'Average', 'Minimum', 'Maximum'])('%p is accepted', (statistic) => {
    expect(isSupportedStatistic(statistic)).toBe(true);
    expect(validatedIntegrationMetric('Things', 'latency', statistic).statistic).toBe(statistic);
  });

  test('the metric carries the namespace, the one dimension and a 5-minute default period', () => {
    const m = validatedIntegrationMetric('Things', 'request_count', 'Sum');
    expect([m.namespace, m.metricName, m.dimensions, m.period.toMinutes()]).toEqual(['CdkSecureIntegrations', 'request_count', { Integration: 'Things' }, 5]);
    expect(() => validatedIntegrationMetric('', 'request_count', 'Sum')).toThrow(/invalid `integrationName` ''/);
    expect(() => validatedIntegrationMetric('Things', '', 'Sum')).toThrow(/invalid `metricName` ''/);
  });
});
