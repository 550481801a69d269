// The identity rules of IntegrationSecurityChecks, each on a compliant and a non-compliant template.
import { findings, newStack, resource } from './judge';

describe('ID1 NoIamAccessKeys', () => {
  test('an IAM access key is a finding; a user without one is not', () => {
    const stack = newStack();
    resource(stack, 'User', 'AWS::IAM::User', {});
    resource(stack, 'Key', 'AWS::IAM::AccessKey', { UserName: { Ref: 'User' } });
    expect(findings(stack, 'ID1')).toEqual(['Key']);
  });
});

function api(stack: ReturnType<typeof newStack>, extra: Record<string, unknown> = {}) {
  return resource(stack, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'api', ...extra });
}
function method(stack: ReturnType<typeof newStack>, id: string, httpMethod: string, authorizationType: string) {
  return resource(stack, id, 'AWS::ApiGateway::Method', { HttpMethod: httpMethod, AuthorizationType: authorizationType, ResourceId: 'r', RestApiId: { Ref: 'Api' } });
}
function mtlsDomain(stack: ReturnType<typeof newStack>, securityPolicy = 'TLS_1_2') {
  resource(stack, 'Domain', 'AWS::ApiGateway::DomainName', { DomainName: 'partners.example.com', SecurityPolicy: securityPolicy, MutualTlsAuthentication: { TruststoreUri: 's3://b/ca.pem', TruststoreVersion: 'v1' } });
  resource(stack, 'Mapping', 'AWS::ApiGateway::BasePathMapping', { DomainName: { Ref: 'Domain' }, RestApiId: { Ref: 'Api' } });
}

describe('ID2 ApiMethodAuthorized', () => {
  test('COGNITO, IAM and CUSTOM methods and OPTIONS preflights are compliant; a NONE POST is a finding', () => {
    const stack = newStack();
    api(stack);
    method(stack, 'Cognito', 'POST', 'COGNITO_USER_POOLS');
    method(stack, 'Iam', 'POST', 'AWS_IAM');
    method(stack, 'Custom', 'GET', 'CUSTOM');
    method(stack, 'Preflight', 'OPTIONS', 'NONE');
    method(stack, 'Open', 'POST', 'NONE');
    expect(findings(stack, 'ID2')).toEqual(['Open']);
  });

  test('a NONE method of an API reached only through a mutual TLS domain is compliant', () => {
    const stack = newStack();
    api(stack, { DisableExecuteApiEndpoint: true });
    mtlsDomain(stack);
    method(stack, 'Mtls', 'POST', 'NONE');
    expect(findings(stack, 'ID2')).toEqual([]);
  });

  test('with the execute-api endpoint still on, the mutual TLS domain does not authorize the method', () => {
    const stack = newStack();
    api(stack);
    mtlsDomain(stack);
    method(stack, 'Mtls', 'POST', 'NONE');
    expect(findings(stack, 'ID2')).toEqual(['Mtls']);
  });
});

describe('ID3 CognitoClientCredentialsOnly', () => {
  const good = { UserPoolId: 'p', AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/orders.write'], GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'] };
  test.each([
    ['another grant', { AllowedOAuthFlows: ['client_credentials', 'code'] }],
    ['no scopes', { AllowedOAuthScopes: [] }],
    ['a user scope', { AllowedOAuthScopes: ['openid'] }],
    ['no secret', { GenerateSecret: false }],
    ['password auth', { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }],
  ])('a client with %s is a finding; a client-credentials client is not', (_name, bad) => {
    const stack = newStack();
    resource(stack, 'Good', 'AWS::Cognito::UserPoolClient', good);
    resource(stack, 'Bad', 'AWS::Cognito::UserPoolClient', { ...good, ...bad });
    expect(findings(stack, 'ID3')).toEqual(['Bad']);
  });
});

describe('ID4 MutualTlsDomainExclusive', () => {
  test('a mutual TLS domain whose API keeps its execute-api endpoint is a finding', () => {
    const stack = newStack();
    api(stack);
    mtlsDomain(stack);
    expect(findings(stack, 'ID4')).toEqual(['Domain']);
  });

  test('with the endpoint disabled and TLS_1_2 it is compliant; another security policy is a finding', () => {
    const good = newStack();
    api(good, { DisableExecuteApiEndpoint: true });
    mtlsDomain(good);
    expect(findings(good, 'ID4')).toEqual([]);
    const tls10 = newStack();
    api(tls10, { DisableExecuteApiEndpoint: true });
    mtlsDomain(tls10, 'TLS_1_0');
    expect(findings(tls10, 'ID4')).toEqual(['Domain']);
  });

  test('a domain without mutual TLS is not this rule\'s business', () => {
    const stack = newStack();
    resource(stack, 'Plain', 'AWS::ApiGateway::DomainName', { DomainName: 'www.example.com' });
    expect(findings(stack, 'ID4')).toEqual([]);
  });
});
