// A request the ingest has no route for (a method deployed ahead of its route's config) is answered
// 500 and belongs to no integration: its own metric, unrouted_count by IngestFunction, pages at once.
// failure-detection.test.ts evaluates the alarm over injected metrics; this checks what it is made of.
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IntegrationPlatform, SecureIntegration } from '../../lib';
import { INGEST_FUNCTION_DIMENSION, IngestMetric, SIGNALS_NAMESPACE } from '../../lib/observability/signal-names';
import { integrationProps, newStack } from '../helpers';

describe('the ingest-unrouted alarm', () => {
  const stack = newStack();
  const page = new sns.Topic(stack, 'PageTopic');
  const ticket = new sns.Topic(stack, 'TicketTopic');
  const platform = new IntegrationPlatform(stack, 'Platform', { pageTopic: page, ticketTopic: ticket, runbookUrl: 'https://runbooks.example.com/integrations' });
  new SecureIntegration(stack, 'Orders', integrationProps(stack));
  const template = Template.fromStack(stack);
  const ingestFunction = stack.getLogicalId(platform.ingest.handler.function.node.defaultChild as never);
  const pageTopic = stack.getLogicalId(page.node.defaultChild as never);

  test('reads unrouted_count of the platform\'s ingest function, and pages when each of 3 minutes running has one (and says OK again)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-integrations-ingest-unrouted$'),
      Namespace: SIGNALS_NAMESPACE,
      MetricName: IngestMetric.UNROUTED_COUNT,
      Dimensions: [{ Name: INGEST_FUNCTION_DIMENSION, Value: { Ref: ingestFunction } }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: pageTopic }],
      OKActions: [{ Ref: pageTopic }],
    });
  });

  test('its description says what broke, where to look and what to do, with the runbook, within CloudWatch\'s 1024 characters', () => {
    const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: IngestMetric.UNROUTED_COUNT } }));
    const description = alarm.Properties.AlarmDescription as string;
    expect(description).toMatch(/^PAGE: the platform's ingest function \(every inbound route [^)]+\) answered 500 to requests for a route its config does not have, in each of the last 3 minutes/);
    expect(description).toContain('no ingest route for the request');
    expect(description).toContain('deploy the stack that holds the ingest function');
    expect(description).toContain('Runbook: https://runbooks.example.com/integrations');
    expect(description.length).toBeLessThanOrEqual(1024);
  });

  test('one alarm for the one ingest function', () => {
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: IngestMetric.UNROUTED_COUNT } }))).toHaveLength(1);
  });
});
