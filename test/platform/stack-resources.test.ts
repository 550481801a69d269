// CloudFormation's 500 resources per stack (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
// the platform names the limit, its integrations, what each costs and the fix, before aws-cdk-lib's generic error.
import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, SecureIntegration, STACK_MAX_RESOURCES, TEMPLATE_MAX_BYTES } from '../../lib';
import { objectSchema } from '../helpers';

function catalog(n: number): Stack {
  const stack = new Stack(new App(), 'Catalog', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  for (let i = 0; i < n; i++) {
    new SecureIntegration(stack, `Partner${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/p${i}`, bodySchema: objectSchema, scopes: [`p${i}.write`] }] }),
    });
  }
  return stack;
}

test('a catalog past 500 resources is a synth error naming the stack, the count, the cost per integration and the fix', () => {
  expect(() => Template.fromStack(catalog(20))).toThrow(new RegExp(`Stack Catalog holds \\d+ resources; CloudFormation allows ${STACK_MAX_RESOURCES} per stack[\\s\\S]*20 integrations, about \\d+ resources each[\\s\\S]*another stack with an IntegrationPlatform of its own`));
});

test('a template past 1 MB (large body schemas) is a synth error naming the bytes, the limit and the fix', () => {
  const stack = new Stack(new App(), 'Schemas', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  // A wide schema: each route's model is about 70 KB in the template, and the ingest's route table repeats it.
  const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`field_${i}_of_a_wide_erp_record`, { type: 'string', maxLength: 64 }])) };
  for (let i = 0; i < 12; i++) {
    new SecureIntegration(stack, `Erp${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/erp${i}`, bodySchema: wide, scopes: [`erp${i}.write`] }] }),
    });
  }
  expect(() => Template.fromStack(stack)).toThrow(new RegExp(`template is \\d+ bytes; CloudFormation reads at most ${TEMPLATE_MAX_BYTES}[\\s\\S]*12 integrations[\\s\\S]*another stack`));
});

describe('reserved concurrency against the account\'s 1,000', () => {
  const platforms = (n: number, ingestReservedConcurrency?: number) => {
    const app = new App();
    const stacks = Array.from({ length: n }, (_, s) => {
      const stack = new Stack(app, `Part${s}`, { env: { account: '111111111111', region: 'eu-west-1' } });
      new IntegrationPlatform(stack, 'Platform', { ingestReservedConcurrency });
      new SecureIntegration(stack, `Partner${s}`, {
        owner: 'team@example.com',
        dataClassification: DataClassification.INTERNAL,
        inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/p${s}`, bodySchema: objectSchema, scopes: [`p${s}.write`] }] }),
      });
      return stack;
    });
    return { app, stacks };
  };

  test('16 platforms in one account reserve 960 of the 900 a default account can: a synth error naming the quota and the fix, once', () => {
    const { app } = platforms(16);
    expect(() => app.synth()).toThrow(/reserves 960 concurrent executions[\s\S]*at most 900[\s\S]*reservedConcurrentExecutions/);
  });

  test('a reservation known only at deploy (a parameter) does not hide the others', () => {
    const { app, stacks } = platforms(16);
    const reserved = new CfnParameter(stacks[0], 'Reserved', { type: 'Number', default: 5 });
    new IntegrationFunction(stacks[0], 'Handler', { code: lambda.Code.fromInline('exports.handler=async()=>({})'), reservedConcurrentExecutions: reserved.valueAsNumber });
    expect(() => app.synth()).toThrow(/reserves 960 concurrent executions/);
  });

  test('with a smaller ingestReservedConcurrency they fit; a bad value is a synth error naming the prop', () => {
    expect(() => platforms(16, 20).app.synth()).not.toThrow();
    expect(() => platforms(1, 0)).toThrow(/ingestReservedConcurrency/);
  });
});

test('more than 300 rules on an account\'s default event bus (the platform\'s and the app\'s others) is a synth error naming the quota', () => {
  const app = new App();
  const stack = new Stack(app, 'Bus', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  new SecureIntegration(stack, 'Partner', {
    owner: 'team@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/p', bodySchema: objectSchema, scopes: ['p.write'] }] }),
  });
  const other = new Stack(app, 'Other', { env: { account: '111111111111', region: 'eu-west-1' } });
  for (let i = 0; i < 300; i++) new events.Rule(other, `Rule${i}`, { schedule: events.Schedule.rate(Duration.hours(1)) });
  expect(() => app.synth()).toThrow(/puts 30\d rules on the default event bus of 111111111111\/eu-west-1; EventBridge allows 300/);
});
