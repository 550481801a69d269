// The observability and inventory rules of IntegrationSecurityChecks, each on a compliant and a non-compliant template.
import { findings, newStack, resource } from './judge';

type S = ReturnType<typeof newStack>;
const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:pages';

function stage(stack: S, props: Record<string, unknown> = {}) {
  resource(stack, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'orders-api' });
  resource(stack, 'Stage', 'AWS::ApiGateway::Stage', { RestApiId: { Ref: 'Api' }, StageName: 'v1', DeploymentId: 'd', ...props });
}
function alarm(stack: S, id: string, props: Record<string, unknown>) {
  resource(stack, id, 'AWS::CloudWatch::Alarm', { ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 1, Period: 60, Statistic: 'Sum', Namespace: 'AWS/ApiGateway', MetricName: '5XXError', ...props });
}

describe('OB1 StageTracedAndLogged', () => {
  test('tracing and access logs on is compliant; either off is a finding', () => {
    const good = newStack();
    stage(good, { TracingEnabled: true, AccessLogSetting: { DestinationArn: 'arn:aws:logs:eu-west-1:111111111111:log-group:a', Format: '{}' } });
    expect(findings(good, 'OB1')).toEqual([]);
    const noTrace = newStack();
    stage(noTrace, { AccessLogSetting: { DestinationArn: 'arn:aws:logs:eu-west-1:111111111111:log-group:a' } });
    expect(findings(noTrace, 'OB1')).toEqual(['Stage']);
    const noLogs = newStack();
    stage(noLogs, { TracingEnabled: true });
    expect(findings(noLogs, 'OB1')).toEqual(['Stage']);
  });
});

describe('OB2 StageAlarmed', () => {
  const dims = [{ Name: 'ApiName', Value: 'orders-api' }, { Name: 'Stage', Value: 'v1' }];
  test('an alarm with an action on the API\'s metrics is compliant', () => {
    const stack = newStack();
    stage(stack);
    alarm(stack, 'Errors', { Dimensions: dims, AlarmActions: [TOPIC] });
    expect(findings(stack, 'OB2')).toEqual([]);
  });
  test('an alarm without an action is compliant only when a composite alarm with an action names it', () => {
    const bare = newStack();
    stage(bare);
    alarm(bare, 'Errors', { Dimensions: dims, AlarmName: 'orders-errors' });
    expect(findings(bare, 'OB2')).toEqual(['Stage']);
    const composite = newStack();
    stage(composite);
    alarm(composite, 'Errors', { Dimensions: dims, AlarmName: 'orders-errors' });
    resource(composite, 'Page', 'AWS::CloudWatch::CompositeAlarm', { AlarmRule: 'ALARM("orders-errors")', AlarmActions: [TOPIC] });
    expect(findings(composite, 'OB2')).toEqual([]);
  });
  test('an alarm on another API does not count', () => {
    const stack = newStack();
    stage(stack);
    alarm(stack, 'Other', { Dimensions: [{ Name: 'ApiName', Value: 'billing-api' }], AlarmActions: [TOPIC] });
    expect(findings(stack, 'OB2')).toEqual(['Stage']);
  });
});

describe('OB3 ScheduledSyncAlarmed', () => {
  function schedule(stack: S, props: Record<string, unknown> = {}) {
    resource(stack, 'Sync', 'AWS::Lambda::Function', { Role: 'r', Code: { ZipFile: 'x' } });
    resource(stack, 'Every', 'AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)', Targets: [{ Id: 't', Arn: { 'Fn::GetAtt': ['Sync', 'Arn'] } }], ...props });
  }
  test('an alarm with an action on the target function, or on the integration\'s heartbeat, is compliant', () => {
    const onFunction = newStack();
    schedule(onFunction);
    alarm(onFunction, 'Errors', { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Sync' } }], AlarmActions: [TOPIC] });
    expect(findings(onFunction, 'OB3')).toEqual([]);
    const heartbeat = newStack();
    schedule(heartbeat, { Tags: [{ Key: 'cdk-secure-integrations:integration', Value: 'Erp' }] });
    alarm(heartbeat, 'Heartbeat', { Namespace: 'Custom', MetricName: 'sync_succeeded', Dimensions: [{ Name: 'Integration', Value: 'Erp' }], AlarmActions: [TOPIC] });
    expect(findings(heartbeat, 'OB3')).toEqual([]);
  });
  test('a schedule no alarm with an action watches is a finding; a rule without a schedule is not the rule\'s business', () => {
    const stack = newStack();
    schedule(stack);
    alarm(stack, 'Silent', { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Sync' } }] });
    resource(stack, 'OnEvent', 'AWS::Events::Rule', { EventPattern: { source: ['aws.s3'] }, Targets: [] });
    expect(findings(stack, 'OB3')).toEqual(['Every']);
  });
});

describe('OB4 AlarmWindowFits', () => {
  test.each([
    [{ Period: 60, EvaluationPeriods: 1440 }, true],
    [{ Period: 60, EvaluationPeriods: 1441 }, false],
    [{ Period: 3600, EvaluationPeriods: 168 }, true],
    [{ Period: 3600, EvaluationPeriods: 169 }, false],
    [{ Period: 45, EvaluationPeriods: 1 }, false],
    [{ Period: 10, EvaluationPeriods: 3 }, true],
    [{ Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 4 }, false],
  ])('%j fits: %p', (window, fits) => {
    const stack = newStack();
    alarm(stack, 'Alarm', window);
    expect(findings(stack, 'OB4')).toEqual(fits ? [] : ['Alarm']);
  });
  test('a metric-math alarm is judged by each metric\'s period', () => {
    const stack = newStack();
    resource(stack, 'Math', 'AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 2,
      Metrics: [{ Id: 'e', Expression: 'm1', ReturnData: true }, { Id: 'm1', MetricStat: { Metric: { Namespace: 'n', MetricName: 'm' }, Period: 86400, Stat: 'Sum' }, ReturnData: false }],
    });
    expect(findings(stack, 'OB4')).toEqual([]);
    const halfHours = newStack();
    resource(halfHours, 'Math', 'AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 2,
      Metrics: [{ Id: 'm1', MetricStat: { Metric: { Namespace: 'n', MetricName: 'm' }, Period: 1800, Stat: 'Sum' }, ReturnData: true }],
    });
    expect(findings(halfHours, 'OB4')).toEqual([]);
    const over = newStack();
    resource(over, 'Math', 'AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 49,
      Metrics: [{ Id: 'm1', MetricStat: { Metric: { Namespace: 'n', MetricName: 'm' }, Period: 1800, Stat: 'Sum' }, ReturnData: true }],
    });
    expect(findings(over, 'OB4')).toEqual(['Math']);
  });
});

describe('OB5 FiniteLogRetention', () => {
  test('a log group without retention, or a function logging to an implicit group, is a finding', () => {
    const stack = newStack();
    resource(stack, 'Kept', 'AWS::Logs::LogGroup', { RetentionInDays: 365 });
    resource(stack, 'Forever', 'AWS::Logs::LogGroup', {});
    resource(stack, 'Configured', 'AWS::Lambda::Function', { Role: 'r', Code: { ZipFile: 'x' }, LoggingConfig: { LogGroup: { Ref: 'Kept' } } });
    resource(stack, 'Named', 'AWS::Lambda::Function', { Role: 'r', Code: { ZipFile: 'x' }, FunctionName: 'named' });
    resource(stack, 'NamedGroup', 'AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/named', RetentionInDays: 30 });
    resource(stack, 'Implicit', 'AWS::Lambda::Function', { Role: 'r', Code: { ZipFile: 'x' } });
    expect(findings(stack, 'OB5').sort()).toEqual(['Forever', 'Implicit']);
  });
});

describe('IN1 IntegrationRegistered', () => {
  const TAG = [{ Key: 'cdk-secure-integrations:integration', Value: 'Erp' }];
  test('a resource tagged with an integration that has an inventory record is compliant; without the record, a finding', () => {
    const good = newStack();
    resource(good, 'Queue', 'AWS::SQS::Queue', { Tags: TAG });
    resource(good, 'Record', 'Custom::IntegrationInventoryRecord', { ServiceToken: 'x', Record: { 'Fn::Join': ['', ['{"schemaVersion":1,"integrationId":"', { Ref: 'AWS::AccountId' }, ':Erp","name":"Erp","owner":"o"}']] } });
    expect(findings(good, 'IN1')).toEqual([]);
    const missing = newStack();
    resource(missing, 'Queue', 'AWS::SQS::Queue', { Tags: TAG });
    resource(missing, 'Record', 'Custom::IntegrationInventoryRecord', { ServiceToken: 'x', Record: '{"name":"Crm"}' });
    expect(findings(missing, 'IN1')).toEqual(['Queue']);
  });
});
