// The network-and-gateway rules of IntegrationSecurityChecks, each on a compliant and a non-compliant template.
import { findings, newStack, resource } from './judge';

type S = ReturnType<typeof newStack>;
const STAGE_ARN = { 'Fn::Join': ['', ['arn:aws:apigateway:eu-west-1::/restapis/', { Ref: 'Api' }, '/stages/', { Ref: 'Stage' }]] };
const MANAGED = { Name: 'Common', Priority: 0, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } }, OverrideAction: { None: {} }, VisibilityConfig: {} };
const RATE = { Name: 'Rate', Priority: 1, Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } }, Action: { Block: {} }, VisibilityConfig: {} };

function stage(stack: S, settings?: unknown[]) {
  resource(stack, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'api' });
  return resource(stack, 'Stage', 'AWS::ApiGateway::Stage', { RestApiId: { Ref: 'Api' }, StageName: 'v1', DeploymentId: 'd', ...(settings ? { MethodSettings: settings } : {}) });
}
function webAcl(stack: S, rules: unknown[]) {
  resource(stack, 'Acl', 'AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} }, Rules: rules, VisibilityConfig: {} });
  resource(stack, 'Association', 'AWS::WAFv2::WebACLAssociation', { ResourceArn: STAGE_ARN, WebACLArn: { 'Fn::GetAtt': ['Acl', 'Arn'] } });
}

describe('NG1 StageBehindWebAcl', () => {
  test('a stage behind a WebACL with a managed rule group and a rate-based rule is compliant', () => {
    const stack = newStack();
    stage(stack);
    webAcl(stack, [MANAGED, RATE]);
    expect(findings(stack, 'NG1')).toEqual([]);
  });
  test.each([
    ['no WebACL', null],
    ['a WebACL without a rate-based rule', [MANAGED]],
    ['a WebACL without a managed rule group', [RATE]],
  ])('a stage with %s is a finding', (_name, rules) => {
    const stack = newStack();
    stage(stack);
    if (rules) webAcl(stack, rules);
    expect(findings(stack, 'NG1')).toEqual(['Stage']);
  });
});

describe('NG2 BodyValidatedAtTheEdge', () => {
  function method(stack: S, id: string, httpMethod: string, extra: Record<string, unknown>) {
    resource(stack, id, 'AWS::ApiGateway::Method', { HttpMethod: httpMethod, AuthorizationType: 'AWS_IAM', ResourceId: 'r', RestApiId: 'a', ...extra });
  }
  test('a POST with a model and a body validator is compliant; without either, or with a validator that skips the body, it is a finding; GET is not the rule\'s business', () => {
    const stack = newStack();
    resource(stack, 'BodyValidator', 'AWS::ApiGateway::RequestValidator', { RestApiId: 'a', ValidateRequestBody: true });
    resource(stack, 'ParamValidator', 'AWS::ApiGateway::RequestValidator', { RestApiId: 'a', ValidateRequestBody: false, ValidateRequestParameters: true });
    const models = { 'application/json': { Ref: 'Model' } };
    method(stack, 'Good', 'POST', { RequestModels: models, RequestValidatorId: { Ref: 'BodyValidator' } });
    method(stack, 'NoModel', 'PUT', { RequestValidatorId: { Ref: 'BodyValidator' } });
    method(stack, 'NoValidator', 'PATCH', { RequestModels: models });
    method(stack, 'SkipsBody', 'POST', { RequestModels: models, RequestValidatorId: { Ref: 'ParamValidator' } });
    method(stack, 'Get', 'GET', {});
    expect(findings(stack, 'NG2').sort()).toEqual(['NoModel', 'NoValidator', 'SkipsBody']);
  });
});

describe('NG3 StageThrottled', () => {
  test('a stage with stage-wide rate and burst limits is compliant; without, or with a method\'s only, it is a finding', () => {
    const good = newStack();
    stage(good, [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }]);
    expect(findings(good, 'NG3')).toEqual([]);
    const none = newStack();
    stage(none);
    expect(findings(none, 'NG3')).toEqual(['Stage']);
    const oneMethod = newStack();
    stage(oneMethod, [{ HttpMethod: 'POST', ResourcePath: '/~1orders', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }]);
    expect(findings(oneMethod, 'NG3')).toEqual(['Stage']);
  });
});
