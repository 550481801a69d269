import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DataClassification, IntegrationFunction, IntegrationPlatform, Outbound, Rotation, SecureIntegration } from '../../lib';
import { newStack, onlyResource } from '../helpers';

// The hourly credential sweep: the rotation function, invoked by a schedule, revokes superseded
// credentials after their overlap and measures every credential's age; an alarm pages when it stops.

function platformWithCredential() {
  const stack = newStack();
  const pageTopic = new sns.Topic(stack, 'Page');
  const ticketTopic = new sns.Topic(stack, 'Ticket');
  new IntegrationPlatform(stack, 'Platform', { pageTopic, ticketTopic, runbookUrl: 'https://runbooks.example.com/integrations' });
  new SecureIntegration(stack, 'Erp', { owner: 'erp@example.com', dataClassification: DataClassification.INTERNAL, credentials: [{ name: 'api-key', rotation: Rotation.generatedToken() }] });
  const template = Template.fromStack(stack);
  const rotationFunction = (onlyResource(template, 'AWS::SecretsManager::RotationSchedule').resource.Properties.RotationLambdaARN as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const topic = (id: string) => Object.keys(template.findResources('AWS::SNS::Topic')).find((t) => t.startsWith(id))!;
  return { template, rotationFunction, pageTopic: topic('Page'), ticketTopic: topic('Ticket') };
}

const { template, rotationFunction, pageTopic } = platformWithCredential();

describe('the credential sweep', () => {
  test("runs the rotation function every hour, with retries and the platform's dead-letter queue", () => {
    const deadLetterQueue = Object.keys(template.findResources('AWS::SQS::Queue')).find((q) => q.startsWith('PlatformFunctionDeadLetterQueue'))!;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [rotationFunction, 'Arn'] },
          Id: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetterQueue, 'Arn'] } },
        },
      ],
    });
  });

  test('may invoke the rotation function only from its own rule', () => {
    const sweep = Object.keys(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(1 hour)' } }));
    expect(sweep).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [rotationFunction, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [sweep[0], 'Arn'] },
    });
  });

  test('pages, through the credential-sweep alarm, when no sweep completes or a sweep fails', () => {
    const dimensions = [{ Name: 'RotationFunction', Value: { Ref: rotationFunction } }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack-integrations-credential-sweep',
      AlarmActions: [{ Ref: pageTopic }],
      OKActions: [{ Ref: pageTopic }],
      TreatMissingData: 'breaching',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      AlarmDescription: Match.stringLikeRegexp('CREDENTIAL SWEEP \\(page\\).*Runbook: https://runbooks.example.com/integrations'),
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(FILL(completed, 0) < 1, 1, 0) + FILL(failures, 0)' }),
        Match.objectLike({ Id: 'completed', MetricStat: Match.objectLike({ Metric: { Namespace: 'CdkSecureIntegrations', MetricName: 'credential_sweeps_completed', Dimensions: dimensions }, Period: 3600 }) }),
        Match.objectLike({ Id: 'failures', MetricStat: Match.objectLike({ Metric: { Namespace: 'CdkSecureIntegrations', MetricName: 'credential_sweep_failures', Dimensions: dimensions }, Period: 3600 }) }),
      ]),
    });
  });

  test('is absent from a platform that holds no credential', () => {
    // GIVEN a platform whose only integration is a scheduled sync, without credentials
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    const fn = new IntegrationFunction(stack, 'Sync', { code: lambda.Code.fromInline('exports.handler=async()=>({})') });
    new SecureIntegration(stack, 'Hr', { owner: 'hr@example.com', dataClassification: DataClassification.INTERNAL, outbound: Outbound.schedule({ handler: fn.function, every: Duration.days(1) }) });
    // WHEN
    const synthesized = Template.fromStack(stack);
    // THEN
    synthesized.resourcePropertiesCountIs('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' }, 0);
    synthesized.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmName: 'TestStack-integrations-credential-sweep' }, 0);
  });
});
