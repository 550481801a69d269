// SQS allows 20 statements and 8,192 bytes in a queue policy
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html).
// aws-cdk-lib's rule targets add a statement per rule to their dead-letter queue; the platform's
// queue keeps one statement that lists every rule, so 20 scheduled syncs deploy.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataClassification, IntegrationFunction, IntegrationPlatform, Outbound, SecureIntegration } from '../../lib';

test('20 scheduled syncs: the platform dead-letter queue\'s policy holds one statement for all 25 rules, each rule\'s ARN in it', () => {
  const stack = new Stack(new App(), 'Syncs', { env: { account: '111111111111', region: 'eu-west-1' } });
  const platform = new IntegrationPlatform(stack, 'Platform');
  const handler = new IntegrationFunction(stack, 'Handler', { code: lambda.Code.fromInline('exports.handler=async()=>({})') }).function;
  for (let i = 0; i < 20; i++) {
    new SecureIntegration(stack, `Sync${i}`, { owner: 'team@example.com', dataClassification: DataClassification.INTERNAL, outbound: Outbound.schedule({ handler, every: Duration.hours(1) }) });
  }
  const template = Template.fromStack(stack);
  const queueId = stack.getLogicalId(platform.functionDeadLetterQueue.node.defaultChild as never);
  const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).filter((p) => JSON.stringify(p.Properties.Queues).includes(queueId));
  expect(policies).toHaveLength(1);
  const statements = policies[0].Properties.PolicyDocument.Statement as Array<{ Principal?: { Service?: string }; Condition?: { ArnEquals?: Record<string, unknown[]> } }>;
  expect(statements.length).toBeLessThanOrEqual(20);
  const fromRules = statements.filter((s) => s.Principal?.Service === 'events.amazonaws.com');
  expect(fromRules).toHaveLength(1);
  const ruleArns = fromRules[0].Condition!.ArnEquals!['aws:SourceArn'];
  // Every rule that names the queue as its dead-letter queue, and only those.
  const rulesWithThisDlq = Object.entries(template.findResources('AWS::Events::Rule')).filter(([, r]) => JSON.stringify(r.Properties.Targets).includes(queueId));
  expect(ruleArns).toHaveLength(rulesWithThisDlq.length);
  expect(rulesWithThisDlq.length).toBeGreaterThanOrEqual(20);
  for (const [id] of rulesWithThisDlq) expect(JSON.stringify(ruleArns)).toContain(`"${id}"`);
});
