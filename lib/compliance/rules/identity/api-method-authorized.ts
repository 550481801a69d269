import { NagRuleCompliance } from 'cdk-nag';
import { refersTo, resourcesOfType, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/**
 * ID2: every REST API method has an authorization (Cognito, IAM or a Lambda authorizer), except
 * CORS preflights (OPTIONS) and methods of an API reached only through a mutual TLS domain.
 */
export const apiMethodAuthorized: IntegrationRule = {
  id: 'ID2',
  name: 'ApiMethodAuthorized',
  layer: 'identity',
  info: 'The API method has no authorization (AuthorizationType NONE) and its API is reachable without a client certificate.',
  explanation:
    'An integration\'s route must authenticate its caller: an OAuth 2.0 access token (COGNITO_USER_POOLS with scopes), SigV4 (AWS_IAM) ' +
    'or a Lambda authorizer; or the API must be reachable only through a mutual TLS custom domain (DisableExecuteApiEndpoint). Only CORS preflights are open.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::ApiGateway::Method') return NagRuleCompliance.NOT_APPLICABLE;
    const { properties } = viewOf(node);
    if (String(properties.HttpMethod).toUpperCase() === 'OPTIONS') return NagRuleCompliance.COMPLIANT;
    if (properties.AuthorizationType !== undefined && properties.AuthorizationType !== 'NONE') return NagRuleCompliance.COMPLIANT;
    return apiOnlyBehindMutualTls(node, properties.RestApiId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

/** Whether the API `restApiId` (resolved) has its execute-api endpoint disabled and a mutual TLS domain mapped. */
export function apiOnlyBehindMutualTls(node: Parameters<IntegrationRule['check']>[0], restApiId: unknown): boolean {
  const api = resourcesOfType(node, 'AWS::ApiGateway::RestApi').find((a) => refersTo(restApiId, a.logicalId));
  if (!api || api.properties.DisableExecuteApiEndpoint !== true) return false;
  const mtlsDomains = resourcesOfType(node, 'AWS::ApiGateway::DomainName').filter((d) => d.properties.MutualTlsAuthentication?.TruststoreUri !== undefined);
  return resourcesOfType(node, 'AWS::ApiGateway::BasePathMapping').some(
    (m) => refersTo(m.properties.RestApiId, api.logicalId) && mtlsDomains.some((d) => refersTo(m.properties.DomainName, d.logicalId)),
  );
}
