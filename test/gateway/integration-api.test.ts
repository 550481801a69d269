import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ACCESS_LOG_FIELDS } from '../../lib';
import { onlyResource, platformWithOneIntegration } from '../helpers';

describe('integration API stage', () => {
  test('the REST API is REGIONAL', () => {
    const { template } = platformWithOneIntegration();
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  test('the stage logs executions at ERROR without bodies, traces with X-Ray, emits detailed metrics and throttles', () => {
    const { template } = platformWithOneIntegration();
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
        },
      ],
    });
  });

  test('stage throttling follows the platform props', () => {
    const { template } = platformWithOneIntegration({ throttling: { rateLimit: 25, burstLimit: 50 } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 })],
    });
  });

  test('the access-log format is valid JSON with both request ids, the trace id, WAF and authorizer errors', () => {
    const { template } = platformWithOneIntegration();
    const stage = onlyResource(template, 'AWS::ApiGateway::Stage').resource.Properties;
    const format = (stage.AccessLogSetting as { Format: string }).Format;
    // Substitute every $context variable as API Gateway would, including the '-' of a missing one.
    const rendered = JSON.parse(format.replace(/\$context\.[A-Za-z0-9_.]+/g, '-'));
    expect(Object.keys(rendered)).toEqual(
      expect.arrayContaining(['requestId', 'extendedRequestId', 'xrayTraceId', 'ip', 'httpMethod', 'resourcePath', 'status', 'responseLatency', 'integrationLatency', 'integrationError', 'wafResponseCode', 'authorizerError']),
    );
    const parsed = JSON.parse(format);
    expect(parsed.requestId).toBe('$context.requestId');
    expect(parsed.extendedRequestId).toBe('$context.extendedRequestId');
  });

  test('the access log never carries bodies, query strings or authorization headers', () => {
    const { template } = platformWithOneIntegration();
    const format = (onlyResource(template, 'AWS::ApiGateway::Stage').resource.Properties.AccessLogSetting as { Format: string }).Format;
    expect(JSON.parse(format)).toEqual(ACCESS_LOG_FIELDS);
    expect(format).not.toMatch(/body|querystring|authorization\b(?!\.)|\$input|header/i);
  });

  test('access and execution logs go to KMS-encrypted log groups that expire', () => {
    const { template } = platformWithOneIntegration();
    const key = onlyResource(template, 'AWS::KMS::Key').id;
    const stage = onlyResource(template, 'AWS::ApiGateway::Stage').resource;
    const accessLogArn = (stage.Properties.AccessLogSetting as { DestinationArn: { 'Fn::GetAtt': [string, string] } }).DestinationArn['Fn::GetAtt'][0];
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(groups[accessLogArn].Properties).toEqual(expect.objectContaining({ KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] }, RetentionInDays: 365 }));
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.anyValue() }, '/v1']] },
      KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
      RetentionInDays: 365,
    });
  });

  test('the stage waits for the account-level CloudWatch role and the execution-log group', () => {
    const { template } = platformWithOneIntegration();
    const account = onlyResource(template, 'AWS::ApiGateway::Account');
    const stage = onlyResource(template, 'AWS::ApiGateway::Stage').resource;
    const executionLogs = Object.entries(template.findResources('AWS::Logs::LogGroup')).find(([, r]) =>
      JSON.stringify(r.Properties.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'),
    )![0];
    expect(stage.DependsOn).toEqual(expect.arrayContaining([account.id, executionLogs]));
  });

  test('the account-level role holds its permissions in a customer-managed policy scoped to this account', () => {
    const { template } = platformWithOneIntegration();
    const account = onlyResource(template, 'AWS::ApiGateway::Account').resource;
    const roleId = (account.Properties.CloudWatchRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = template.findResources('AWS::IAM::Role')[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'apigateway.amazonaws.com' });
    expect(role.Properties.Policies).toBeUndefined();
    const policyId = role.Properties.ManagedPolicyArns[0].Ref;
    const policy = template.findResources('AWS::IAM::ManagedPolicy')[policyId];
    const statement = policy.Properties.PolicyDocument.Statement[0];
    expect(statement.Action).toContain('logs:PutLogEvents');
    expect(statement.Resource).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*:log-stream:*']] },
    ]);
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
  });

  test('manageApiGatewayAccountRole: false leaves the account setting alone and warns', () => {
    const { stack, template } = platformWithOneIntegration({ manageApiGatewayAccountRole: false });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    Annotations.fromStack(stack).hasWarning('/TestStack/Platform/Api', Match.stringLikeRegexp('manageApiGatewayAccountRole is false'));
  });

  test('the shared request validator validates bodies and parameters', () => {
    const { template } = platformWithOneIntegration();
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
  });

  test('a rejected body gets a JSON answer with the validation errors and the request id', () => {
    const { template } = platformWithOneIntegration();
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('validationErrorString.*requestId') },
    });
  });
});
