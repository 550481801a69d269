import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, IntegrationPlatformProps, SecureIntegration, SecureIntegrationProps, Target } from '../lib';

/** A new app for a unit test: built-in CloudFormation validation off (see test/setup-env.js). */
export function newStack(id = 'TestStack'): Stack {
  const app = new App();
  return new Stack(app, id, { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** A small inline function standing in for a user's handler. */
export function testFunction(scope: Construct, id = 'Handler'): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 202, body: "{}" });'),
  });
}

export const objectSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, email: { type: 'string', format: 'email' } },
};

let handlerCount = 0;

/** Props of a minimal valid integration with one POST route on `/<scope prefix>`. */
export function integrationProps(scope: Construct, overrides: Partial<SecureIntegrationProps> = {}, scope_ = 'things.write'): SecureIntegrationProps {
  return {
    owner: 'team@example.com',
    dataClassification: DataClassification.CONFIDENTIAL,
    piiFields: ['email'],
    inbound: Inbound.api({
      routes: [{ method: HttpMethod.POST, path: `/${scope_.split('.')[0]}`, bodySchema: objectSchema, scopes: [scope_], target: Target.lambda(testFunction(scope, `Fn${(handlerCount += 1)}`)) }],
    }),
    ...overrides,
  };
}

/** A stack with a platform and one integration, and its template. */
export function platformWithOneIntegration(platformProps: IntegrationPlatformProps = {}): { stack: Stack; platform: IntegrationPlatform; integration: SecureIntegration; template: Template } {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform', platformProps);
  const integration = new SecureIntegration(stack, 'Things', integrationProps(stack));
  return { stack, platform, integration, template: Template.fromStack(stack) };
}

/** The one resource of a type in a template, with its logical id. */
export function onlyResource(template: Template, type: string): { id: string; resource: { Properties: Record<string, unknown>; DependsOn?: string[] } } {
  const found = template.findResources(type);
  const ids = Object.keys(found);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return { id: ids[0], resource: found[ids[0]] as never };
}
