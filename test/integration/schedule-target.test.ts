// Schedules share one statement of their sync function's resource-based policy per stack (Lambda
// allows 20 KB of policy: one statement per rule filled it at about 40 schedules), admitting the
// platform's rules by name prefix: judged with the IAM policy evaluator as Lambda would.
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataClassification, IntegrationFunction, IntegrationPlatform, Outbound, SecureIntegration } from '../../lib';
import { MAX_RULE_NAME_LENGTH, scheduleRuleName } from '../../lib/integration/schedule-target';
import { newStack } from '../helpers';
import { evaluate, FAKE_ENVIRONMENT, lambdaResourcePolicy } from '../support/iam-policy-evaluator';

function syncs(stack: Stack, names: string[]) {
  const platform = new IntegrationPlatform(stack, 'Platform');
  const runner = new IntegrationFunction(stack, 'Runner', { code: lambda.Code.fromInline('exports.handler=async()=>({})') });
  for (const name of names) new SecureIntegration(stack, name, { owner: 'team@example.com', dataClassification: DataClassification.INTERNAL, outbound: Outbound.schedule({ handler: runner.function, every: Duration.hours(1) }) });
  return { platform };
}

describe('schedules sharing a sync function', () => {
  const stack = newStack();
  const { platform } = syncs(stack, ['Erp', 'Warehouse', 'Crm']);
  const template = Template.fromStack(stack);
  const json = template.toJSON() as Parameters<typeof lambdaResourcePolicy>[0];
  const functionId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('Runner'))!;
  const policy = lambdaResourcePolicy(json, functionId);
  const invoke = (ruleName: string, account = FAKE_ENVIRONMENT.account) =>
    evaluate(
      {
        principal: { service: 'events.amazonaws.com' },
        action: 'lambda:InvokeFunction',
        resource: policy[0].Resource as string,
        context: { 'aws:SourceArn': `arn:${FAKE_ENVIRONMENT.partition}:events:${FAKE_ENVIRONMENT.region}:${account}:rule/${ruleName}`, 'aws:SourceAccount': account },
      },
      { resource: policy },
    );

  test('one statement for the three schedules, each rule named with the platform\'s prefix', () => {
    expect(policy).toHaveLength(1);
    const names = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties.Name).filter((n) => typeof n === 'string' && n.startsWith('sync-'));
    expect(names.sort()).toEqual(['Crm', 'Erp', 'Warehouse'].map((n) => `${platform.scheduleRulePrefix}${n}`));
  });

  test('EventBridge may invoke the function for each of the platform\'s schedules, and for no other rule or account', () => {
    for (const name of ['Erp', 'Warehouse', 'Crm']) expect(invoke(`${platform.scheduleRulePrefix}${name}`)).toBe('Allow');
    expect(invoke('someone-elses-rule')).toBe('ImplicitDeny');
    expect(invoke(`sync-0000000000-Erp`)).toBe('ImplicitDeny');
    expect(invoke(`${platform.scheduleRulePrefix}Erp`, '999999999999')).toBe('ImplicitDeny');
  });

  test('each rule dead-letters into the platform\'s queue, retried twice within an hour', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule')).find((r) => r.Properties.Name === `${platform.scheduleRulePrefix}Erp`)!;
    expect(rule.Properties.Targets[0]).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: expect.anything() } });
  });
});

test('rule names stay within EventBridge\'s 64 characters and unique for long integration names; platforms of an app get different prefixes', () => {
  const long = 'A'.repeat(64);
  const names = [scheduleRuleName('sync-0123456789-', long), scheduleRuleName('sync-0123456789-', `${'A'.repeat(63)}B`)];
  for (const n of names) expect(n.length).toBeLessThanOrEqual(MAX_RULE_NAME_LENGTH);
  expect(new Set(names).size).toBe(2);
  const a = new IntegrationPlatform(newStack('One'), 'Platform');
  const b = new IntegrationPlatform(newStack('Two'), 'Platform');
  expect(a.scheduleRulePrefix).not.toBe(b.scheduleRulePrefix);
});
