// Every page and ticket the template can send must be allowed to arrive, and nothing else may
// publish: for each alarm action and each rule target, the topic policy and the key policy of the
// topic are evaluated (test/support/iam-policy-evaluator.ts) for the request AWS makes, with the
// context keys AWS sends on that path, and for the same request from a foreign publisher.
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IntegrationPlatform, SecureIntegration } from '../../lib';
import { integrationProps, newStack } from '../helpers';
import { ExamplePlatformStack } from '../../bin/example-stack';
import {
  type AuthorizationRequest,
  type Decision,
  evaluate,
  type FakeEnvironment,
  fakeArnOf,
  keyPolicy,
  type PolicyStatement,
  type TemplateJson,
  topicOrQueuePolicies,
} from '../support/iam-policy-evaluator';

const ENV: FakeEnvironment = { partition: 'aws', region: 'eu-west-1', account: '111111111111', urlSuffix: 'amazonaws.com' };
const FOREIGN_ACCOUNT = '999999999999';

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new ExamplePlatformStack(app, 'Example', { env: { account: ENV.account, region: ENV.region } });
const template = Template.fromStack(stack).toJSON() as TemplateJson;
const resources = Object.entries(template.Resources);
const topicPolicies = topicOrQueuePolicies(template, 'AWS::SNS::TopicPolicy', ENV);
const queuePolicies = topicOrQueuePolicies(template, 'AWS::SQS::QueuePolicy', ENV);

const refId = (value: unknown): string => {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const id = v.Ref ?? v['Fn::GetAtt']?.[0];
  if (id === undefined) throw new Error(`expected a Ref or GetAtt, got ${JSON.stringify(value)}`);
  return id;
};

/** The key a topic or queue is encrypted with. */
function keyOf(id: string): string {
  const props = template.Resources[id].Properties ?? {};
  return refId(props.KmsMasterKeyId);
}

/** Every (alarm, topic) pair of the template's alarm, OK and insufficient-data actions. */
const alarmActions = resources
  .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm')
  .flatMap(([id, r]) =>
    ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap((k) => ((r.Properties?.[k] as unknown[]) ?? []).map((a) => ({ alarm: id, topic: refId(a) }))),
  );

/** Every (rule, target) pair of the template's rules, with its dead-letter queue. */
const ruleTargets = resources
  .filter(([, r]) => r.Type === 'AWS::Events::Rule')
  .flatMap(([id, r]) =>
    ((r.Properties?.Targets as Array<{ Arn: unknown; DeadLetterConfig?: { Arn: unknown } }>) ?? []).map((t) => ({
      rule: id,
      target: refId(t.Arn),
      deadLetterQueue: t.DeadLetterConfig ? refId(t.DeadLetterConfig.Arn) : undefined,
    })),
  );

function decide(request: AuthorizationRequest, statements: PolicyStatement[]): Decision {
  return evaluate(request, { resource: statements, resourceAccount: ENV.account });
}

/** What CloudWatch asks SNS and, for an encrypted topic, KMS when an alarm publishes. */
function alarmPublishes(alarmArn: string, sourceAccount: string, topic: string): Decision[] {
  const context = { 'aws:SourceArn': alarmArn, 'aws:SourceAccount': sourceAccount };
  const principal = { service: 'cloudwatch.amazonaws.com' };
  const key = keyOf(topic);
  return [
    decide({ principal, action: 'sns:Publish', resource: fakeArnOf(template, topic, ENV), context }, topicPolicies.get(topic) ?? []),
    ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => decide({ principal, action, resource: fakeArnOf(template, key, ENV), context }, keyPolicy(template, key, ENV))),
  ];
}

/**
 * What EventBridge asks SNS or SQS and KMS when a rule delivers. The KMS request carries no
 * `aws:SourceArn` or `aws:SourceAccount` on this path (see createPlatformKey), so none is given.
 */
function ruleDelivers(ruleArn: string, sourceAccount: string, target: string, type: 'topic' | 'queue'): Decision[] {
  const principal = { service: 'events.amazonaws.com' };
  const context = { 'aws:SourceArn': ruleArn, 'aws:SourceAccount': sourceAccount };
  const key = keyOf(target);
  const policy = (type === 'topic' ? topicPolicies : queuePolicies).get(target) ?? [];
  return [
    decide({ principal, action: type === 'topic' ? 'sns:Publish' : 'sqs:SendMessage', resource: fakeArnOf(template, target, ENV), context }, policy),
    ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => decide({ principal, action, resource: fakeArnOf(template, key, ENV) }, keyPolicy(template, key, ENV))),
  ];
}

describe('alarm delivery, evaluated against the topic and key policies', () => {
  test('the template has alarm actions, rules that page, and rules with dead-letter queues to check', () => {
    expect(alarmActions.length).toBeGreaterThan(40);
    expect(ruleTargets.some((t) => template.Resources[t.target].Type === 'AWS::SNS::Topic')).toBe(true);
    expect(ruleTargets.filter((t) => t.deadLetterQueue).length).toBeGreaterThan(2);
  });

  test.each(alarmActions.map((a) => [a.alarm, a.topic]))('alarm %s may publish to %s, and its key', (alarm, topic) => {
    expect(alarmPublishes(fakeArnOf(template, alarm, ENV), ENV.account, topic)).toEqual(['Allow', 'Allow', 'Allow']);
  });

  test('an alarm of another account, or of this account but not named as the platform names its alarms, may not publish', () => {
    const topic = alarmActions[0].topic;
    const name = String(template.Resources[alarmActions[0].alarm].Properties?.AlarmName);
    const foreign = alarmPublishes(`arn:aws:cloudwatch:${ENV.region}:${FOREIGN_ACCOUNT}:alarm:${name}`, FOREIGN_ACCOUNT, topic);
    expect(foreign).toEqual(['ImplicitDeny', 'ImplicitDeny', 'ImplicitDeny']);
    const stranger = alarmPublishes(`arn:aws:cloudwatch:${ENV.region}:${ENV.account}:alarm:someone-elses-alarm`, ENV.account, topic);
    expect(stranger).toEqual(['ImplicitDeny', 'ImplicitDeny', 'ImplicitDeny']);
  });

  const topicTargets = ruleTargets.filter((t) => template.Resources[t.target].Type === 'AWS::SNS::Topic');
  test.each(topicTargets.map((t) => [t.rule, t.target]))('rule %s may publish to %s, and its key', (rule, topic) => {
    expect(ruleDelivers(fakeArnOf(template, rule, ENV), ENV.account, topic, 'topic')).toEqual(['Allow', 'Allow', 'Allow']);
  });

  test('a rule of another account, or another rule of this account, may not publish to the alarm topic', () => {
    const topic = topicTargets[0].target;
    expect(ruleDelivers(`arn:aws:events:${ENV.region}:${FOREIGN_ACCOUNT}:rule/forged`, FOREIGN_ACCOUNT, topic, 'topic')[0]).toBe('ImplicitDeny');
    expect(ruleDelivers(`arn:aws:events:${ENV.region}:${ENV.account}:rule/not-the-platforms`, ENV.account, topic, 'topic')[0]).toBe('ImplicitDeny');
  });

  const withDeadLetters = ruleTargets.filter((t) => t.deadLetterQueue !== undefined);
  test.each(withDeadLetters.map((t) => [t.rule, t.deadLetterQueue!]))('rule %s may put undeliverable events in %s, and use its key', (rule, queue) => {
    expect(ruleDelivers(fakeArnOf(template, rule, ENV), ENV.account, queue, 'queue')).toEqual(['Allow', 'Allow', 'Allow']);
  });

  test('every publish statement of a topic policy names its publisher by source', () => {
    for (const statements of topicPolicies.values()) {
      for (const s of statements.filter((st) => st.Effect === 'Allow')) {
        const keys = Object.values(s.Condition ?? {}).flatMap((block) => Object.keys(block).map((k) => k.toLowerCase()));
        expect(keys).toContain('aws:sourcearn');
      }
    }
  });

  test('the alarm topic still refuses requests without TLS', () => {
    const [statements] = [...topicPolicies.values()];
    const denied = decide(
      { principal: { arn: `arn:aws:iam::${ENV.account}:role/anyone` }, action: 'sns:Publish', resource: fakeArnOf(template, alarmActions[0].topic, ENV), context: { 'aws:SecureTransport': false } },
      statements,
    );
    expect(denied).toBe('ExplicitDeny');
  });
});

describe('topics and alarms the user gives', () => {
  test('a given page topic gets the statement that admits the platform alarms; an imported one a warning', () => {
    const stack = newStack();
    const page = new sns.Topic(stack, 'Page');
    const tickets = sns.Topic.fromTopicArn(stack, 'Tickets', 'arn:aws:sns:eu-west-1:111111111111:tickets');
    new IntegrationPlatform(stack, 'Platform', { pageTopic: page, ticketTopic: tickets });
    new SecureIntegration(stack, 'Things', integrationProps(stack));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: stack.getLogicalId(page.node.defaultChild as sns.CfnTopic) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowThePlatformsAlarms', Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Platform', Match.stringLikeRegexp('ticketTopic is an imported topic'));
  });

  test("an integration's own slo.pageTopic gets the statement too", () => {
    const stack = newStack();
    const own = new sns.Topic(stack, 'OwnPage');
    new SecureIntegration(stack, 'Things', { ...integrationProps(stack), slo: { pageTopic: own } });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: stack.getLogicalId(own.node.defaultChild as sns.CfnTopic) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowThePlatformsAlarms' })]) },
    });
  });

  test('an alarm added without the platform prefix is a warning', () => {
    const stack = newStack();
    const integration = new SecureIntegration(stack, 'Things', integrationProps(stack));
    const alarm = new cloudwatch.Alarm(stack, 'Mine', { metric: integration.metrics.requestCount(), threshold: 1, evaluationPeriods: 1 });
    integration.addAlarm(alarm, 'ticket');
    Annotations.fromStack(stack).hasWarning('/TestStack/Things', Match.stringLikeRegexp("platform's topics admit only alarms named TestStack-integrations-"));
  });
});
