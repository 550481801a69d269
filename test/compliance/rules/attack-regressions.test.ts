// The rule pack's gaps a review found, each now a test: false negatives it let through, false
// positives it raised, matches across stages, and a stale index.
import { App, Duration, SecretValue, Stage, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { INTEGRATION_RULES } from '../../../lib';
import { findings, newStack, resource } from './judge';

const fn = (stack: Stack, id: string, variables: Record<string, unknown>) =>
  resource(stack, id, 'AWS::Lambda::Function', { Role: 'r', Code: { ZipFile: 'x' }, Environment: { Variables: variables } });

describe('SD3 catches credentials however they are written', () => {
  test('a secret resolved into the template, a URL with a password, camelCase and _SECRET_KEY names', () => {
    const stack = newStack();
    const secret = new secretsmanager.Secret(stack, 'Token');
    fn(stack, 'Unwrapped', { ANY_NAME: secret.secretValue.unsafeUnwrap() });
    fn(stack, 'Url', { DATABASE_URL: 'postgres://app:hunter2@db.internal:5432/orders' });
    fn(stack, 'Camel', { stripeSecret: 'sk_live_x' });
    fn(stack, 'SecretKey', { STRIPE_SECRET_KEY: 'sk_live_x' });
    fn(stack, 'Fine', { STRIPE_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:s', ORDERS_DATABASE_URL: 'postgres://db.internal:5432/orders', PLAIN: SecretValue.unsafePlainText('x').toString() });
    expect(findings(stack, 'SD3').sort()).toEqual(['Camel', 'SecretKey', 'Unwrapped', 'Url']);
  });
});

describe('ID2 and ID4: every way in is judged', () => {
  test('an API mapped to its mTLS domain and to a plain one is reachable without a certificate', () => {
    const stack = newStack();
    resource(stack, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'api', DisableExecuteApiEndpoint: true });
    resource(stack, 'Mtls', 'AWS::ApiGateway::DomainName', { DomainName: 'partners.example.com', SecurityPolicy: 'TLS_1_2', MutualTlsAuthentication: { TruststoreUri: 's3://b/ca.pem' } });
    resource(stack, 'Plain', 'AWS::ApiGateway::DomainName', { DomainName: 'www.example.com' });
    resource(stack, 'MtlsMapping', 'AWS::ApiGateway::BasePathMapping', { DomainName: { Ref: 'Mtls' }, RestApiId: { Ref: 'Api' } });
    resource(stack, 'PlainMapping', 'AWS::ApiGateway::BasePathMapping', { DomainName: { Ref: 'Plain' }, RestApiId: { Ref: 'Api' } });
    resource(stack, 'Open', 'AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'NONE', ResourceId: 'r', RestApiId: { Ref: 'Api' } });
    expect(findings(stack, 'ID2')).toEqual(['Open']);
    expect(findings(stack, 'ID4')).toEqual(['Mtls']);
  });

  test('an HTTP API route without an authorizer is a finding; its OPTIONS route is not', () => {
    const stack = newStack();
    resource(stack, 'Open', 'AWS::ApiGatewayV2::Route', { ApiId: 'a', RouteKey: 'POST /orders' });
    resource(stack, 'Jwt', 'AWS::ApiGatewayV2::Route', { ApiId: 'a', RouteKey: 'POST /invoices', AuthorizationType: 'JWT', AuthorizerId: 'z' });
    resource(stack, 'Preflight', 'AWS::ApiGatewayV2::Route', { ApiId: 'a', RouteKey: 'OPTIONS /orders' });
    expect(findings(stack, 'ID2')).toEqual(['Open']);
  });
});

describe('ID3 judges machine clients only, and their defaults', () => {
  test('a login client is not its business; a client-credentials client without explicit auth flows is a finding', () => {
    const stack = newStack();
    resource(stack, 'Login', 'AWS::Cognito::UserPoolClient', { UserPoolId: 'p', AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], AllowedOAuthFlowsUserPoolClient: true });
    resource(stack, 'Defaults', 'AWS::Cognito::UserPoolClient', { UserPoolId: 'p', AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['orders/write'], AllowedOAuthFlowsUserPoolClient: true, GenerateSecret: true });
    expect(findings(stack, 'ID3')).toEqual(['Defaults']);
  });
});

test('SD1: the AWS managed key by alias ARN is a finding', () => {
  const stack = newStack();
  resource(stack, 'ByArn', 'AWS::SecretsManager::Secret', { KmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:alias/aws/secretsmanager' });
  expect(findings(stack, 'SD1')).toEqual(['ByArn']);
});

test('NG2: an ANY method (a Lambda proxy) takes a body and needs a model and a validator', () => {
  const stack = newStack();
  resource(stack, 'Proxy', 'AWS::ApiGateway::Method', { HttpMethod: 'ANY', AuthorizationType: 'AWS_IAM', ResourceId: 'r', RestApiId: 'a' });
  expect(findings(stack, 'NG2')).toEqual(['Proxy']);
});

describe('NG1 reads what the WebACL does, not what its rules are named', () => {
  const stageArn = { 'Fn::Join': ['', ['arn:aws:apigateway:eu-west-1::/restapis/', { Ref: 'Api' }, '/stages/', { Ref: 'Stage' }]] };
  function stage(stack: Stack, rules: unknown[] | null, aclArn?: unknown) {
    resource(stack, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'api' });
    resource(stack, 'Stage', 'AWS::ApiGateway::Stage', { RestApiId: { Ref: 'Api' }, StageName: 'v1', DeploymentId: 'd' });
    if (rules) resource(stack, 'Acl', 'AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} }, Rules: rules, VisibilityConfig: {} });
    resource(stack, 'Association', 'AWS::WAFv2::WebACLAssociation', { ResourceArn: stageArn, WebACLArn: aclArn ?? { 'Fn::GetAtt': ['Acl', 'Arn'] } });
  }
  const managed = (override: object) => ({ Name: 'm', Priority: 0, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } }, OverrideAction: override, VisibilityConfig: {} });
  test('managed rules overridden to Count, or a rate rule that only counts, are findings', () => {
    const counting = newStack();
    stage(counting, [managed({ Count: {} }), { Name: 'r', Priority: 1, Statement: { RateBasedStatement: { Limit: 100, AggregateKeyType: 'IP' } }, Action: { Block: {} }, VisibilityConfig: {} }]);
    expect(findings(counting, 'NG1')).toEqual(['Stage']);
    const rateCounts = newStack();
    stage(rateCounts, [managed({ None: {} }), { Name: 'r', Priority: 1, Statement: { RateBasedStatement: { Limit: 100, AggregateKeyType: 'IP' } }, Action: { Count: {} }, VisibilityConfig: {} }]);
    expect(findings(rateCounts, 'NG1')).toEqual(['Stage']);
  });
  test('a rate rule inside a referenced rule group, or a WebACL of a shared WAF stack, is compliant', () => {
    const group = newStack();
    stage(group, [managed({ None: {} }), { Name: 'g', Priority: 1, Statement: { RuleGroupReferenceStatement: { Arn: 'arn:aws:wafv2:eu-west-1:111111111111:regional/rulegroup/rates/1' } }, OverrideAction: { None: {} }, VisibilityConfig: {} }]);
    expect(findings(group, 'NG1')).toEqual([]);
    const shared = newStack();
    stage(shared, null, { 'Fn::ImportValue': 'SharedWaf-AclArn' });
    expect(findings(shared, 'NG1')).toEqual([]);
  });
});

test('NG3: limits of -1 are no limits', () => {
  const stack = newStack();
  resource(stack, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'api' });
  resource(stack, 'Stage', 'AWS::ApiGateway::Stage', { RestApiId: { Ref: 'Api' }, StageName: 'v1', DeploymentId: 'd', MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: -1, ThrottlingBurstLimit: -1 }] });
  expect(findings(stack, 'NG3')).toEqual(['Stage']);
});

test('OB2: an alarm on another stage of the API does not watch this one', () => {
  const stack = newStack();
  resource(stack, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'orders-api' });
  resource(stack, 'Stage', 'AWS::ApiGateway::Stage', { RestApiId: { Ref: 'Api' }, StageName: 'prod', DeploymentId: 'd' });
  resource(stack, 'Dev', 'AWS::CloudWatch::Alarm', { ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 1, Period: 60, Statistic: 'Sum', Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: [{ Name: 'ApiName', Value: 'orders-api' }, { Name: 'Stage', Value: 'dev' }], AlarmActions: ['arn:aws:sns:eu-west-1:111111111111:t'] });
  expect(findings(stack, 'OB2')).toEqual(['Stage']);
});

test('OB2: an alarm of another stage of the App (another deployment) does not count', () => {
  const app = new App();
  const dev = new Stack(new Stage(app, 'Dev'), 'Api', { env: { account: '111111111111', region: 'eu-west-1' } });
  const prod = new Stack(new Stage(app, 'Prod'), 'Api', { env: { account: '111111111111', region: 'eu-west-1' } });
  for (const s of [dev, prod]) {
    resource(s, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'orders-api' });
    resource(s, 'Stage', 'AWS::ApiGateway::Stage', { RestApiId: { Ref: 'Api' }, StageName: 'v1', DeploymentId: 'd' });
  }
  resource(prod, 'Errors', 'AWS::CloudWatch::Alarm', { ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 1, Period: 60, Statistic: 'Sum', Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: [{ Name: 'ApiName', Value: 'orders-api' }], AlarmActions: ['arn:aws:sns:eu-west-1:111111111111:t'] });
  expect(findings(prod, 'OB2')).toEqual([]);
  expect(findings(dev, 'OB2')).toEqual(['Stage']);
});

test('OB5: a function whose retention aws-cdk-lib sets with logRetention is compliant', () => {
  const stack = newStack();
  new lambda.Function(stack, 'WithRetention', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), logRetention: logs.RetentionDays.ONE_MONTH });
  expect(findings(stack, 'OB5').filter((id) => id.startsWith('WithRetention'))).toEqual([]);
});

test('a rule called on its own judges the tree as it is now (no stale index)', () => {
  const stack = newStack();
  const secret = new secretsmanager.Secret(stack, 'Secret');
  const sd2 = INTEGRATION_RULES.find((r) => r.id === 'SD2')!;
  const cfn = secret.node.defaultChild as Parameters<typeof sd2.check>[0];
  expect(sd2.check(cfn)).toBe('Non-Compliant');
  secret.addRotationSchedule('Rotation', { rotationLambda: lambda.Function.fromFunctionArn(stack, 'Rotator', 'arn:aws:lambda:eu-west-1:111111111111:function:rotate'), automaticallyAfter: Duration.days(30) });
  expect(sd2.check(cfn)).toBe('Compliant');
});
