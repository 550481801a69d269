// Lambda's 4 KB of environment variables per function (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
// each webhook's signing secret reaches the ingest as a variable holding its ARN; past 4 KB once
// deployed (ARNs counted at 140 bytes) synth fails naming the function and the fix.
import { App, Aws, Duration, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, LAMBDA_ENVIRONMENT_LIMIT_BYTES, Outbound, Rotation, SecureIntegration, SignatureScheme } from '../../lib';
import { estimatedEnvironmentBytes } from '../../lib/functions/environment-size';
import { newStack, objectSchema } from '../helpers';

test('the JSON of the variables counts, literals as written, each deploy-time value at its likely length', () => {
  const stack = newStack();
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler=async()=>({})'),
    environment: { MODE: 'strict', TABLE: stack.stackName, QUEUE_ARN: `arn:aws:sqs:${stack.region}:${stack.account}:q` },
  });
  // Lambda measures the JSON of the map: here every value is known at synth, so the estimate is exact.
  const literal = JSON.stringify({ MODE: 'strict', TABLE: 'TestStack', QUEUE_ARN: 'arn:aws:sqs:eu-west-1:111111111111:q' }).length;
  expect(estimatedEnvironmentBytes(fn.node.defaultChild as lambda.CfnFunction)).toBe(literal);
  // A reference counts as a long ARN (180), a piece of a split ARN as a short one (24), a pseudo parameter at its longest.
  const other = new lambda.Function(stack, 'Other', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler=async()=>({})'),
    environment: { T: fn.functionArn, S: Fn.select(6, Fn.split(':', fn.functionArn)), R: Aws.REGION },
  });
  expect(estimatedEnvironmentBytes(other.node.defaultChild as lambda.CfnFunction)).toBe(JSON.stringify({ T: '', S: '', R: '' }).length + 180 + 24 + 14);
});

test('30 signed webhooks (a variable of the ingest each) stay under its 4 KB of environment by design: the stacks they spill into have an ingest of their own', () => {
  const stack = new Stack(new App(), 'Hooks', { env: { account: '111111111111', region: 'eu-west-1' } });
  const platform = new IntegrationPlatform(stack, 'Platform');
  for (let i = 0; i < 30; i++) {
    new SecureIntegration(stack, `Hook${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.webhook({ path: `/hooks/h${i}`, bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256(), signingSecretWriters: [] }),
    });
  }
  App.of(stack)!.synth();
  expect(platform.spillStacks.length).toBeGreaterThan(0);
  const ingests = stack.node.findAll().filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction && c.node.path.includes('/Ingest/'));
  expect(ingests.length).toBe(platform.spillStacks.length + 1);
  for (const fn of ingests) expect(estimatedEnvironmentBytes(fn)).toBeLessThan(LAMBDA_ENVIRONMENT_LIMIT_BYTES);
});

test('a nested stack of the user\'s, which has no budget, with more webhooks than the ingest\'s 4 KB of environment holds: a synth error naming it and the fix', () => {
  const stack = new Stack(new App(), 'Hooks', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  const team = new NestedStack(stack, 'Team');
  for (let i = 0; i < 40; i++) {
    new SecureIntegration(team, `Hook${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.webhook({ path: `/hooks/h${i}`, bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256(), signingSecretWriters: [] }),
    });
  }
  expect(() => App.of(stack)!.synth()).toThrow(new RegExp(`Team/PlatformWorkers/Ingest/Function: its environment variables come to about \\d+ bytes once deployed; Lambda allows ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}[\\s\\S]*split the catalog`));
});

test('the rotation function\'s credential ARN suffixes count as the short pieces they are: 26 credentials and 5 app clients synthesize', () => {
  const stack = new Stack(new App(), 'Syncs', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  const handler = new IntegrationFunction(stack, 'Handler', { code: lambda.Code.fromInline('exports.handler=async()=>({})') }).function;
  for (let i = 0; i < 5; i++) {
    new SecureIntegration(stack, `Api${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/a${i}`, bodySchema: objectSchema, scopes: [`a${i}.write`] }] }),
    });
  }
  for (let i = 0; i < 26; i++) {
    new SecureIntegration(stack, `Sync${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      outbound: Outbound.schedule({ handler, every: Duration.hours(1) }),
      credentials: [{ name: 'api-key', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(30) }],
    });
  }
  expect(() => App.of(stack)!.synth()).not.toThrow();
});
