import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataClassification, IntegrationFunction, IntegrationPlatform, Outbound, Rotation, SecureIntegration, SecureIntegrationProps, unacknowledgedFindings } from '../../lib';
import { newStack } from '../helpers';

function withSync(props: Partial<SecureIntegrationProps> = {}, every = Duration.days(1)) {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform', { runbookUrl: 'https://runbooks.example.com/integrations' });
  const fn = new IntegrationFunction(stack, 'Sync', { code: lambda.Code.fromInline('exports.handler=async()=>({})') });
  const integration = new SecureIntegration(stack, 'ErpSync', {
    owner: 'finance@example.com',
    dataClassification: DataClassification.INTERNAL,
    outbound: Outbound.schedule({ handler: fn.function, every }),
    ...props,
  });
  return { stack, platform, integration, template: Template.fromStack(stack) };
}

describe('outbound schedule', () => {
  test('an EventBridge rule starts the sync with the integration name, retries, and keeps failures in the dead-letter queue', () => {
    const { template, platform, stack } = withSync();
    const dlq = stack.getLogicalId(platform.functionDeadLetterQueue.node.defaultChild as never);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [
        Match.objectLike({
          Input: '{"integration":"ErpSync"}',
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        }),
      ],
    });
  });

  test('an interval that is not whole minutes is a synth error', () => {
    expect(() => withSync({}, Duration.seconds(90))).toThrow(/invalid `outbound\.every` '1 minute 30 seconds'.*whole number of minutes/);
  });
});

describe('heartbeat', () => {
  test('a daily sync gets a heartbeat over every + grace (1 day + 2h 24m) with missing data breaching', () => {
    const { template } = withSync();
    // Besides the platform's alarm on its dead-letter queue for failed asynchronous invocations.
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(['TestStack-integrations-ErpSync-heartbeat', 'TestStack-integrations-function-dead-letters']);
    const alarm = alarms.find((a) => a.MetricName === 'sync_succeeded');
    expect(alarm).toEqual(
      expect.objectContaining({
        MetricName: 'sync_succeeded',
        Namespace: 'CdkSecureIntegrations',
        Dimensions: [{ Name: 'Integration', Value: 'ErpSync' }],
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 27,
        DatapointsToAlarm: 27,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      }),
    );
    expect(alarm.AlarmDescription).toMatch(/Integration ErpSync \(owner finance@example\.com\)\. HEARTBEAT: no successful sync.*Runbook: https:\/\/runbooks\.example\.com\/integrations/);
    expect(alarm.AlarmActions).toHaveLength(1);
  });

  test.each([
    [Duration.minutes(30), Duration.minutes(10), 60, 40],
    [Duration.hours(1), Duration.minutes(20), 300, 16],
  ])('every %s with grace %s uses %i-second periods, %i of them', (every, grace, period, count) => {
    const { template } = withSync({ heartbeat: { every, grace } }, every);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Period: period, EvaluationPeriods: count, DatapointsToAlarm: count });
  });

  test('a window not longer than the interval is a synth error', () => {
    expect(() => withSync({ heartbeat: { every: Duration.hours(1), grace: Duration.seconds(0) } }, Duration.hours(1))).toThrow(/invalid `heartbeat\.grace` '0 seconds'.*must be longer than the interval/);
  });

  test('a window beyond 7 days is a synth error', () => {
    expect(() => withSync({ heartbeat: { every: Duration.days(7), grace: Duration.hours(1) } })).toThrow(/CloudWatch evaluates at most 7 days/);
  });

  test('exposes the four signals as metrics', () => {
    const { integration, stack } = withSync();
    const resolve = (x: unknown) => Stack.of(stack).resolve(x);
    expect(integration.metrics.requestCount().metricName).toBe('request_count');
    expect(integration.metrics.p95Latency().statistic).toBe('p95');
    expect(resolve(integration.metrics.errorRate().expression)).toBe('IF(requests > 0, 100 * errors / requests, 0)');
    expect(integration.metrics.lastSuccessfulSync().metricName).toBe('last_successful_sync');
  });

  test('the stack passes the five packs', () => {
    const { stack } = withSync();
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

describe('rotation failures and dashboards', () => {
  test('rotation failures page through an EventBridge rule on Secrets Manager events', () => {
    const { template } = withSync({ credentials: [{ name: 'api-key', rotation: Rotation.generatedToken() }] });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.secretsmanager'], 'detail-type': ['AWS Service Event via CloudTrail'], detail: { eventName: ['RotationFailed', 'RotationAbandoned'] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('AlarmTopic') }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  test('the platform dashboard has a row per integration; an integration dashboard on request', () => {
    const { template } = withSync({ dashboard: true });
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(2);
    for (const d of dashboards) {
      const body = JSON.stringify(d.Properties.DashboardBody);
      for (const signal of ['request_count', 'error_rate', 'p95_latency', 'last_successful_sync']) expect(body).toContain(signal);
    }
  });
});
