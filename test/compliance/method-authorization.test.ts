// Every method of the example app's API is authorized by its integration's mode: a Cognito
// authorizer with scopes (OAuth 2.0), AWS_IAM (Auth.iam), or, with no authorizer, a signed webhook
// whose signature header API Gateway requires or a mutual TLS route behind a domain that is the
// API's only way in; only CORS preflights (OPTIONS) are open.
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthesizePlatform } from '../support/config-layers';
import { addExampleStacks } from '../../bin/example-app';

const example = addExampleStacks(new App(), { mainId: 'Example', mtlsId: 'ExampleMtls' });
const template = Template.fromStack(example.main);
const mtlsTemplate = Template.fromStack(example.mtls);
const methods: Array<Record<string, unknown> & { id: string }> = Object.entries(template.findResources('AWS::ApiGateway::Method')).map(([id, m]) => ({ id, ...(m.Properties as Record<string, unknown>) }));

test('every method has an authorization that matches its route\'s mode; only OPTIONS is open', () => {
  expect(methods.length).toBeGreaterThanOrEqual(6);
  for (const m of methods) {
    const auth = m.AuthorizationType as string;
    const operation = String(m.OperationName ?? '');
    if (m.HttpMethod === 'OPTIONS') {
      expect({ id: m.id, auth }).toEqual({ id: m.id, auth: 'NONE' });
    } else if (operation.startsWith('BillingEvents-')) {
      expect({ id: m.id, auth }).toEqual({ id: m.id, auth: 'AWS_IAM' });
    } else if (operation.startsWith('GitHubEvents-')) {
      // The signature header is required at the edge; the ingest verifies the HMAC before anything else.
      expect({ id: m.id, auth, params: m.RequestParameters }).toEqual({ id: m.id, auth: 'NONE', params: { 'method.request.header.X-Hub-Signature-256': true } });
    } else {
      expect({ id: m.id, auth, scoped: Array.isArray(m.AuthorizationScopes) && (m.AuthorizationScopes as unknown[]).length > 0, authorizer: m.AuthorizerId !== undefined }).toEqual({
        id: m.id,
        auth: 'COGNITO_USER_POOLS',
        scoped: true,
        authorizer: true,
      });
    }
  }
});

test('the API\'s resource policy denies every principal not named on the IAM route, and callers outside the allowlist on the allowlisted routes', () => {
  const api = Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0];
  const statements = api.Properties.Policy.Statement as Array<{ Effect: string; Resource: unknown; Condition?: Record<string, unknown> }>;
  const denies = statements.filter((s) => s.Effect === 'Deny');
  expect(denies.some((s) => JSON.stringify(s.Resource).includes('/POST/billing/invoices') && s.Condition?.ArnNotLike !== undefined)).toBe(true);
  expect(denies.some((s) => JSON.stringify(s.Resource).includes('/POST/orders') && s.Condition?.NotIpAddress !== undefined)).toBe(true);
});

test('the mutual TLS platform\'s methods are reached only through its mTLS domain, and its ingest admits only the route\'s subjects', () => {
  const mtlsMethods = Object.values(mtlsTemplate.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties as Record<string, unknown>);
  expect(mtlsMethods.map((m) => [m.HttpMethod, m.AuthorizationType, String(m.OperationName).split('-')[0]])).toEqual([['POST', 'NONE', 'DealerContacts']]);
  mtlsTemplate.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  mtlsTemplate.hasResourceProperties('AWS::ApiGateway::DomainName', { SecurityPolicy: 'TLS_1_2', EndpointConfiguration: { Types: ['REGIONAL'] }, MutualTlsAuthentication: { TruststoreUri: Match.anyValue(), TruststoreVersion: Match.anyValue() } });
  expect(synthesizePlatform(example.mtls).ingestConfig().routes.map((r) => r.clientCertificate)).toEqual([{ clients: [{ subject: 'C=US,CN=crm.dealer-network.example,O=Dealer Network', issuer: 'C=US,CN=Dealer Network Root CA,O=Dealer Network' }] }]);
  // The main platform keeps its execute-api endpoint: no route of it requires a certificate.
  expect(Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0].Properties.DisableExecuteApiEndpoint).toBeUndefined();
});
