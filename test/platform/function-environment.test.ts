// Lambda's 4 KB of environment variables per function (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
// each webhook's signing secret reaches the ingest as a variable holding its ARN; past 4 KB once
// deployed (ARNs counted at 140 bytes) synth fails naming the function and the fix.
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataClassification, Inbound, IntegrationPlatform, LAMBDA_ENVIRONMENT_LIMIT_BYTES, SecureIntegration, SignatureScheme } from '../../lib';
import { estimatedEnvironmentBytes } from '../../lib/functions/environment-size';
import { newStack, objectSchema } from '../helpers';

test('names and literal values count as written, each deploy-time value as an ARN', () => {
  const stack = newStack();
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler=async()=>({})'),
    environment: { MODE: 'strict', TABLE: stack.stackName, QUEUE_ARN: `arn:aws:sqs:${stack.region}:${stack.account}:q` },
  });
  // MODE=strict (10); TABLE and its name (5 + 9: TestStack resolves to a literal); QUEUE_ARN (9) and a literal ARN.
  expect(estimatedEnvironmentBytes(fn.node.defaultChild as lambda.CfnFunction)).toBe(4 + 6 + 5 + 9 + 9 + 'arn:aws:sqs:eu-west-1:111111111111:q'.length);
});

test('a platform with 30 signed webhooks passes the ingest function\'s 4 KB of environment: a synth error naming it and the fix', () => {
  const stack = new Stack(new App(), 'Hooks', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  for (let i = 0; i < 30; i++) {
    new SecureIntegration(stack, `Hook${i}`, {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.webhook({ path: `/hooks/h${i}`, bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256(), signingSecretWriters: [] }),
    });
  }
  expect(() => App.of(stack)!.synth()).toThrow(new RegExp(`Platform/Ingest/Function: its environment variables come to about \\d+ bytes once deployed; Lambda allows ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}[\\s\\S]*split the catalog`));
});
