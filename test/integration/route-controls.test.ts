import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ApiRoute, DataClassification, HttpMethod, Inbound, IntegrationFunction, IntegrationPlatform, recordedAcknowledgements, SecureIntegration, Target, unacknowledgedFindings } from '../../lib';
import { newStack, objectSchema, testFunction } from '../helpers';

function withRoutes(routes: (s: Stack) => ApiRoute[]) {
  const stack = newStack();
  new IntegrationPlatform(stack, 'Platform');
  new SecureIntegration(stack, 'Portal', { owner: 'web@example.com', dataClassification: DataClassification.INTERNAL, inbound: Inbound.api({ routes: routes(stack) }) });
  return { stack, template: Template.fromStack(stack) };
}

describe('per-route throttling', () => {
  test('a route sets rate and burst for its method alone and keeps the stage logging and metrics', () => {
    const { template } = withRoutes(() => [
      { method: HttpMethod.POST, path: '/orders/bulk', bodySchema: objectSchema, scopes: ['bulk.write'], throttling: { rateLimit: 5, burstLimit: 10 } },
    ]);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 100 }),
        { HttpMethod: 'POST', ResourcePath: '/~1orders~1bulk', ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true },
      ],
    });
  });

  test('negative or fractional limits are synth errors', () => {
    expect(() => withRoutes(() => [{ method: HttpMethod.POST, path: '/a', bodySchema: objectSchema, scopes: ['a.write'], throttling: { rateLimit: -1 } }])).toThrow(
      /invalid `inbound\.routes\[0\]\.throttling\.rateLimit` -1.*0 or more/,
    );
    expect(() => withRoutes(() => [{ method: HttpMethod.POST, path: '/a', bodySchema: objectSchema, scopes: ['a.write'], throttling: { burstLimit: 2.5 } }])).toThrow(
      /invalid `inbound\.routes\[0\]\.throttling\.burstLimit` 2\.5.*whole number/,
    );
  });

  test('a burst below the rate is a warning', () => {
    const { stack } = withRoutes(() => [{ method: HttpMethod.POST, path: '/a', bodySchema: objectSchema, scopes: ['a.write'], throttling: { rateLimit: 50, burstLimit: 10 } }]);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('burstLimit 10 is below rateLimit 50'));
  });
});

describe('CORS', () => {
  const cors = { allowOrigins: ['https://portal.example.com', 'https://admin.example.com'] };

  test('a route that asks for CORS gets one OPTIONS method without an authorizer, listing its methods', () => {
    const { template, stack } = withRoutes((s) => [
      { method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, scopes: ['orders.write'], cors },
      { method: HttpMethod.GET, path: '/orders', scopes: ['orders.read'], target: Target.lambda(new IntegrationFunction(s, 'Reader', { code: lambda.Code.fromInline('exports.handler=async()=>({})') }).function), cors },
    ]);
    const options = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }));
    expect(options).toHaveLength(1);
    expect(options[0].Properties.AuthorizationType).toBe('NONE');
    const params = options[0].Properties.Integration.IntegrationResponses[0].ResponseParameters;
    expect(params['method.response.header.Access-Control-Allow-Methods']).toBe("'POST,GET,OPTIONS'");
    expect(params['method.response.header.Access-Control-Allow-Origin']).toBe("'https://portal.example.com'");
    // The acknowledgement for an unauthenticated method sits on the OPTIONS method alone.
    const acks = recordedAcknowledgements(stack).filter((a) => a.id.includes('APIG4'));
    expect(acks).toHaveLength(1);
    const optionsId = Object.keys(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }))[0];
    expect(stack.getLogicalId(stack.node.findAll().find((c) => c.node.path === acks[0].path) as never)).toBe(optionsId);
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  test('routes without CORS get no OPTIONS method', () => {
    const { template } = withRoutes(() => [{ method: HttpMethod.POST, path: '/a', bodySchema: objectSchema, scopes: ['a.write'] }]);
    template.resourceCountIs('AWS::ApiGateway::Method', 1);
  });

  test.each([
    [['*'], /allowOrigins\[0\]` '\*'.*Name each origin explicitly/],
    [['https://portal.example.com/'], /allowOrigins\[0\]` 'https:\/\/portal\.example\.com\/'.*no path or trailing slash/],
    [['http://portal.example.com'], /http is allowed for localhost only/],
    [[], /allowOrigins` \[\].*List the origins/],
  ])('origins %j are rejected at synth', (origins, message) => {
    expect(() => withRoutes(() => [{ method: HttpMethod.POST, path: '/a', bodySchema: objectSchema, scopes: ['a.write'], cors: { allowOrigins: origins } }])).toThrow(message);
  });

  test('routes on one path must agree on their origins', () => {
    expect(() =>
      withRoutes((s) => [
        { method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, scopes: ['orders.write'], cors },
        { method: HttpMethod.GET, path: '/orders', scopes: ['orders.read'], target: Target.lambda(testFunction(s)), cors: { allowOrigins: ['https://other.example.com'] } },
      ]),
    ).toThrow(/invalid `inbound\.routes\[1\]\.cors\.allowOrigins`.*give them the same origins/);
  });
});
