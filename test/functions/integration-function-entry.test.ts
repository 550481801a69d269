// IntegrationFunction({ entry }): a user's handler bundled from source by aws-cdk-lib's
// NodejsFunction, with every control the library applies to built code; and a warning that points
// a plain lambda.Function used as a target at IntegrationFunction.
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, SecureIntegration, Target, unacknowledgedFindings } from '../../lib';
import { objectSchema } from '../helpers';

const ENTRY = join(__dirname, '..', 'fixtures', 'handlers', 'orders.ts');

function build(target: (stack: Stack) => lambda.IFunction) {
  const stack = new Stack(new App(), 'Entry', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  new SecureIntegration(stack, 'Orders', {
    owner: 'orders@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, scopes: ['orders.write'], target: Target.lambda(target(stack)) }] }),
  });
  return stack;
}

describe('IntegrationFunction with an entry file', () => {
  const stack = build((s) => new IntegrationFunction(s, 'Handler', { entry: ENTRY }).function);
  const template = Template.fromStack(stack);

  test('is bundled at synth into an asset, with the handler export', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Code: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp('\\.zip$') },
      TracingConfig: { Mode: 'Active' },
      DeadLetterConfig: { TargetArn: Match.anyValue() },
      ReservedConcurrentExecutions: 10,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^HandlerLogs') } }),
    });
  });

  test('keeps every control: no finding under the six packs, no plain-function warning', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('plain lambda.Function'))).toEqual([]);
  });
});

test('code and entry together, or neither, is an error', () => {
  const stack = new Stack(new App(), 'Both');
  new IntegrationPlatform(stack, 'Platform');
  expect(() => new IntegrationFunction(stack, 'Both', { entry: ENTRY, code: lambda.Code.fromInline('x') })).toThrow(/either built code .* or a source file to bundle/);
  expect(() => new IntegrationFunction(stack, 'Neither', {})).toThrow(/either built code/);
});

test('a plain lambda.Function as a target is pointed at IntegrationFunction', () => {
  const stack = build(
    (s) => new lambda.Function(s, 'Plain', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') }),
  );
  Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('plain lambda.Function.*Create it with IntegrationFunction'));
});

test('an IntegrationFunction is grantable itself: grants go to its role', () => {
  const stack = new Stack(new App(), 'Grants', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  const fn = new IntegrationFunction(stack, 'Consumer', { code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  const crm = new SecureIntegration(stack, 'Crm', {
    owner: 'crm@example.com',
    dataClassification: DataClassification.CONFIDENTIAL,
    piiFields: ['email'],
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/crm', bodySchema: objectSchema, scopes: ['crm.write'], target: Target.lambda(fn.function) }] }),
  });
  crm.grantDecrypt(fn);
  expect(fn.grantPrincipal).toBe(fn.role);
  const consumer = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('Consumer'))![1];
  expect(consumer.Properties.Environment.Variables.FIELD_ENCRYPTION_KEY_ID).toBeDefined();
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('was given no grantDecrypt'))).toEqual([]);
});
