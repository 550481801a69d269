import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, Target, unacknowledgedFindings } from '../../lib';
import { integrationProps, newStack, objectSchema, onlyResource } from '../helpers';

const route = (overrides: Record<string, unknown> = {}) => Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/things', bodySchema: objectSchema, scopes: ['things.write'], ...overrides }] });
const base = { owner: 'team@example.com', dataClassification: DataClassification.INTERNAL };

describe('edge cases found by trying the library as a user', () => {
  test('a platform whose only target is an imported function passes the five packs', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:eu-west-1:111111111111:function:orders');
    new SecureIntegration(stack, 'Orders', { ...base, inbound: route({ target: Target.lambda(fn) }) });
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  test('an integration without an inbound side needs no API', () => {
    const stack = newStack();
    new SecureIntegration(stack, 'NightlySync', base);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  test('a URL resource-server identifier gets a name Cognito accepts', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform', { oauth2: { resourceServerIdentifier: 'https://api.example.com' } });
    new SecureIntegration(stack, 'Crm', { ...base, inbound: route() });
    const server = onlyResource(Template.fromStack(stack), 'AWS::Cognito::UserPoolResourceServer').resource.Properties;
    expect(server.Identifier).toBe('https://api.example.com');
    expect(server.Name).toMatch(/^[\w\s+=,.@-]+$/);
  });

  test('scope descriptions stay within 256 characters', () => {
    const stack = newStack();
    const path = `/${'a'.repeat(300)}`;
    new SecureIntegration(stack, 'Crm', { ...base, inbound: route({ path }) });
    const scopes = onlyResource(Template.fromStack(stack), 'AWS::Cognito::UserPoolResourceServer').resource.Properties.Scopes as Array<{ ScopeDescription: string }>;
    expect(scopes[0].ScopeDescription.length).toBeLessThanOrEqual(256);
  });

  test('a full scope over 256 characters is a synth error', () => {
    const stack = newStack();
    expect(() => new SecureIntegration(stack, 'Crm', { ...base, inbound: route({ scopes: ['s'.repeat(250)] }) })).toThrow(
      /invalid `inbound\.routes\[0\]\.scopes\[0\]`.*Cognito allows 256/,
    );
  });

  test('more than 50 scopes on one app client is a synth error', () => {
    const stack = newStack();
    const routes = Array.from({ length: 51 }, (_, i) => ({ method: HttpMethod.POST, path: `/r${i}`, bodySchema: objectSchema, scopes: [`r${i}.write`] }));
    expect(() => new SecureIntegration(stack, 'Crm', { ...base, inbound: Inbound.api({ routes }) })).toThrow(/invalid `inbound\.routes\[\*\]\.scopes` 51.*at most 50 scopes/);
  });

  test('two platforms in one stack share one API Gateway account setting', () => {
    const stack = newStack();
    const p1 = new IntegrationPlatform(stack, 'P1');
    const p2 = new IntegrationPlatform(stack, 'P2', { oauth2: { domainPrefix: 'second-platform' } });
    new SecureIntegration(stack, 'A', { ...integrationProps(stack, {}, 'a.write'), platform: p1 });
    new SecureIntegration(stack, 'B', { ...integrationProps(stack, {}, 'b.write'), platform: p2 });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    const account = onlyResource(template, 'AWS::ApiGateway::Account').id;
    for (const stage of Object.values(template.findResources('AWS::ApiGateway::Stage'))) expect(stage.DependsOn).toContain(account);
  });

  test('a platform in an unrelated (sibling) stack is a synth error that says why and names the fixes', () => {
    const app = new App();
    const platformStack = new Stack(app, 'PlatformStack');
    const teamStack = new Stack(app, 'TeamStack');
    const platform = new IntegrationPlatform(platformStack, 'Platform');
    expect(() => new SecureIntegration(teamStack, 'Crm', { ...base, platform, inbound: route() })).toThrow(/invalid `platform` 'PlatformStack\/Platform'.*not the platform's stack \(PlatformStack\) or nested in it.*deployment must follow every method.*in a NestedStack of that stack/);
  });

  test.each([
    [{ type: 'object', properties: { a: { type: 'strin' } } }, /bodySchema#\/properties\/a\/type` 'strin'/],
    [{ type: 'object', properties: 'x' }, /bodySchema#\/properties` 'x'/],
  ])('a schema that is not valid JSON Schema fails at synth: %j', (schema, message) => {
    const stack = newStack();
    expect(() => new SecureIntegration(stack, 'Crm', { ...base, inbound: route({ bodySchema: schema }) })).toThrow(message);
  });

  test.each([
    [{ stageName: 'v 1/x' }, /invalid `stageName` 'v 1\/x'/],
    [{ throttling: { rateLimit: -5 } }, /invalid `throttling\.rateLimit` -5/],
    [{ throttling: { burstLimit: 2.5 } }, /invalid `throttling\.burstLimit` 2\.5/],
    [{ logRetention: logs.RetentionDays.INFINITE }, /invalid `logRetention` 'INFINITE'.*Logs must expire/],
    [{ oauth2: { domainPrefix: 'my-aws-integrations' } }, /invalid `oauth2\.domainPrefix` 'my-aws-integrations'.*reserves the word "aws"/],
    [{ oauth2: { domainPrefix: '-Abc' } }, /invalid `oauth2\.domainPrefix` '-Abc'.*lowercase letters/],
  ])('platform props %j fail at synth', (props, message) => {
    const stack = newStack();
    expect(() => new SecureIntegration(stack, 'Crm', { ...base, platform: new IntegrationPlatform(stack, 'Platform', props), inbound: route() })).toThrow(message);
  });

  test('an undefined rate limit keeps the stage default', () => {
    const stack = newStack();
    new SecureIntegration(stack, 'Crm', { ...base, platform: new IntegrationPlatform(stack, 'Platform', { throttling: { rateLimit: undefined, burstLimit: 50 } }), inbound: route() });
    const settings = onlyResource(Template.fromStack(stack), 'AWS::ApiGateway::Stage').resource.Properties.MethodSettings as Array<Record<string, number>>;
    expect(settings[0]).toEqual(expect.objectContaining({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50 }));
  });

  test.each([
    ['/a~b', /invalid `inbound\.routes\[0\]\.path` '\/a~b'/],
    ['/a/{id}/b/{id}', /invalid `inbound\.routes\[0\]\.path` '\/a\/\{id\}\/b\/\{id\}'.*appears twice/],
  ])('path %s fails at synth', (path, message) => {
    const stack = newStack();
    expect(() => new SecureIntegration(stack, 'Crm', { ...base, inbound: route({ path }) })).toThrow(message);
  });
});
