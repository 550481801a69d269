// CloudFormation's 500 resources per stack (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
// the platform spills integrations into nested stacks past its budget, and a stack past the limit anyway
// is an error naming the limit, its integrations, what each costs and the fix, before aws-cdk-lib's generic one.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnParameter, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, type IntegrationPlatformProps, SecureIntegration, STACK_MAX_RESOURCES, TEMPLATE_MAX_BYTES } from '../../lib';
import { objectSchema } from '../helpers';

function catalog(n: number, props: IntegrationPlatformProps = {}, routes = 1): { stack: Stack; platform: IntegrationPlatform; integrations: SecureIntegration[] } {
  const stack = new Stack(new App(), 'Catalog', { env: { account: '111111111111', region: 'eu-west-1' } });
  const platform = new IntegrationPlatform(stack, 'Platform', props);
  const integrations = Array.from(
    { length: n },
    (_, i) =>
      new SecureIntegration(stack, `Partner${i}`, {
        owner: 'team@example.com',
        dataClassification: DataClassification.INTERNAL,
        inbound: Inbound.api({ routes: Array.from({ length: routes }, (_r, r) => ({ method: HttpMethod.POST, path: `/p${i}/r${r}`, bodySchema: objectSchema, scopes: [`p${i}.write`] })) }),
      }),
  );
  return { stack, platform, integrations };
}

/** Each stack of the assembly: its resources and the bytes of its template as written. */
function stacksOf(stack: Stack): Array<{ name: string; resources: number; bytes: number }> {
  const assembly = App.of(stack)!.synth();
  return readdirSync(assembly.directory)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => {
      const text = readFileSync(join(assembly.directory, f), 'utf8');
      return { name: f, resources: Object.keys(JSON.parse(text).Resources).length, bytes: Buffer.byteLength(text) };
    });
}

test('integrations past the budget go, in order, to nested stacks the platform adds: every stack under 500 resources, the user changes nothing', () => {
  const { stack, platform, integrations } = catalog(24);
  const stacks = stacksOf(stack);
  expect(platform.spillStacks.length).toBeGreaterThanOrEqual(1);
  expect(stacks.length).toBe(platform.spillStacks.length + 1);
  for (const s of stacks) expect(s.resources).toBeLessThan(STACK_MAX_RESOURCES);
  // Construction order: a prefix stays in the platform's stack, the rest follow in order.
  const homes = integrations.map((i) => i.stack);
  const firstSpilled = homes.findIndex((h) => h !== stack);
  expect(firstSpilled).toBeGreaterThan(3);
  expect(homes.slice(0, firstSpilled).every((h) => h === stack)).toBe(true);
  expect(homes.slice(firstSpilled).every((h) => h !== stack && h.nestedStackParent === stack)).toBe(true);
  // The routes of spilled integrations are methods of the one API, whose deployment waits for their stacks.
  const parent = Template.fromStack(stack);
  parent.resourceCountIs('AWS::ApiGateway::RestApi', 1);
  const deployment = Object.values(parent.findResources('AWS::ApiGateway::Deployment'))[0];
  const nested = Object.keys(parent.findResources('AWS::CloudFormation::Stack'));
  for (const id of nested) expect(deployment.DependsOn).toContain(id);
});

test('a budget that lets the last integration take a stack past 500 resources is a synth error naming the stack, the count, the cost per integration and the fix', () => {
  // Integrations of 30 routes (about 126 resources each): the fourth is placed at about 433 and ends near 560.
  const { stack } = catalog(5, { stackBudget: { maxResources: 480, maxTemplateBytes: 950_000 } }, 30);
  expect(() => App.of(stack)!.synth()).toThrow(new RegExp(`Stack Catalog holds \\d+ resources; CloudFormation allows ${STACK_MAX_RESOURCES} per stack[\\s\\S]*\\d+ integrations of its platform, about \\d+ resources each[\\s\\S]*stackBudget.maxResources`));
});

test('a bad budget is a synth error naming the prop', () => {
  expect(() => catalog(1, { stackBudget: { maxResources: 499 } })).toThrow(/stackBudget\.maxResources/);
  expect(() => catalog(1, { stackBudget: { maxTemplateBytes: 2_000_000 } })).toThrow(/stackBudget\.maxTemplateBytes/);
});

// A wide schema: each route's model is about 70 KB in the template.
const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`field_${i}_of_a_wide_erp_record`, { type: 'string', maxLength: 64 }])) };

test('request models count towards the template bytes the budget estimates: wide schemas spill before their resources would', () => {
  const stack = new Stack(new App(), 'Schemas', { env: { account: '111111111111', region: 'eu-west-1' } });
  const platform = new IntegrationPlatform(stack, 'Platform', { stackBudget: { maxTemplateBytes: 300_000 } });
  // About 95 KB of model each: the platform's stack (some 60 resources, 120 KB by the estimate) takes two.
  const homes = Array.from({ length: 3 }, (_, i) =>
    new SecureIntegration(stack, `Erp${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/erp${i}`, bodySchema: wide, scopes: [`erp${i}.write`] }] }),
    }).stack,
  );
  expect(homes.map((h) => h === stack)).toEqual([true, true, false]);
  expect(platform.spillStacks).toHaveLength(1);
  for (const s of stacksOf(stack)) expect(s.bytes).toBeLessThan(TEMPLATE_MAX_BYTES);
});

test('a template past 1 MB (large body schemas in a nested stack of the user\'s, which has no budget) is a synth error naming the bytes, the limit and the fix', () => {
  const stack = new Stack(new App(), 'Schemas', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  const team = new NestedStack(stack, 'Erp');
  for (let i = 0; i < 12; i++) {
    new SecureIntegration(team, `Erp${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/erp${i}`, bodySchema: wide, scopes: [`erp${i}.write`] }] }),
    });
  }
  expect(() => App.of(stack)!.synth()).toThrow(new RegExp(`template is \\d+ bytes; CloudFormation reads at most ${TEMPLATE_MAX_BYTES}[\\s\\S]*12 integrations[\\s\\S]*stackBudget`));
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
