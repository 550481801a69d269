import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, Target } from '../../lib';
import { newStack, objectSchema, onlyResource, testFunction } from '../helpers';

function twoIntegrations() {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform');
  const fn = testFunction(stack);
  new SecureIntegration(stack, 'Orders', {
    owner: 'orders@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({
      routes: [
        { method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, scopes: ['orders.write'], target: Target.lambda(fn) },
        { method: HttpMethod.GET, path: '/orders/{orderId}', scopes: ['orders.read'], target: Target.lambda(fn) },
      ],
    }),
  });
  new SecureIntegration(stack, 'Crm', {
    owner: 'crm@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'], target: Target.lambda(fn) }] }),
  });
  return { stack, platform, template: Template.fromStack(stack) };
}

describe('OAuth 2.0 client-credentials front door', () => {
  test('the user pool has no self sign-up, requires MFA and a strong password, and is protected from deletion', () => {
    const { template } = twoIntegrations();
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      DeletionProtection: 'ACTIVE',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 14, RequireSymbols: true }) },
    });
  });

  test('a domain serves the token endpoint', () => {
    const { platform, template } = twoIntegrations();
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    expect(platform.oauth2.tokenEndpoint).toContain('/oauth2/token');
  });

  test('the resource server declares every scope a route uses', () => {
    const { template } = twoIntegrations();
    const server = onlyResource(template, 'AWS::Cognito::UserPoolResourceServer').resource.Properties;
    expect(server.Identifier).toBe('integrations');
    expect((server.Scopes as Array<{ ScopeName: string }>).map((s) => s.ScopeName).sort()).toEqual(['contacts.write', 'orders.read', 'orders.write']);
  });

  test('every method uses the Cognito authorizer with explicit, declared scopes', () => {
    const { template } = twoIntegrations();
    const declared = (onlyResource(template, 'AWS::Cognito::UserPoolResourceServer').resource.Properties.Scopes as Array<{ ScopeName: string }>).map(
      (s) => `integrations/${s.ScopeName}`,
    );
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(3);
    for (const method of methods) {
      expect(method.Properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(method.Properties.AuthorizerId).toBeDefined();
      expect(method.Properties.AuthorizationScopes.length).toBeGreaterThan(0);
      for (const scope of method.Properties.AuthorizationScopes) expect(declared).toContain(scope);
    }
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationScopes: ['integrations/orders.read'] });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationScopes: ['integrations/orders.write'] });
  });

  test('no scope is silently dropped: the stack carries no warning', () => {
    const { stack } = twoIntegrations();
    // The test's target is a plain lambda.Function on purpose: its own warning (use IntegrationFunction) is not about scopes.
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).filter((w) => !String(w.entry.data).includes('cdk-secure-integrations:plainLambdaTarget'));
    expect(warnings).toEqual([]);
  });

  test('each integration has one app client: client credentials only, a generated secret, only its own scopes', () => {
    const { template } = twoIntegrations();
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient')).map((c) => c.Properties);
    expect(clients).toHaveLength(2);
    for (const client of clients) {
      expect(client.GenerateSecret).toBe(true);
      expect(client.AllowedOAuthFlows).toEqual(['client_credentials']);
      expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
      expect(client.CallbackURLs).toBeUndefined();
      expect(client.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    }
    const scopes = clients.map((c) => [...c.AllowedOAuthScopes].sort());
    expect(scopes).toEqual(expect.arrayContaining([['integrations/orders.read', 'integrations/orders.write'], ['integrations/contacts.write']]));
  });

  test('app clients depend on the resource server that declares their scopes', () => {
    const { template } = twoIntegrations();
    const server = onlyResource(template, 'AWS::Cognito::UserPoolResourceServer').id;
    for (const client of Object.values(template.findResources('AWS::Cognito::UserPoolClient'))) {
      expect(client.DependsOn).toContain(server);
    }
  });

  test('a custom resource server identifier prefixes every scope', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform', { oauth2: { resourceServerIdentifier: 'https://api.example.com' } });
    new SecureIntegration(stack, 'Crm', {
      owner: 'crm@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'], target: Target.lambda(testFunction(stack)) }] }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationScopes: ['https://api.example.com/contacts.write'] });
  });
});
