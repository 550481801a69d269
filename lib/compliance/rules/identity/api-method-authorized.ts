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
  info: 'The API method (or HTTP API route) has no authorization (AuthorizationType NONE) and its API is reachable without a client certificate.',
  explanation:
    'An integration\'s route must authenticate its caller: an OAuth 2.0 access token (COGNITO_USER_POOLS with scopes), SigV4 (AWS_IAM) ' +
    'or a Lambda authorizer; or the API must be reachable only through a mutual TLS custom domain (DisableExecuteApiEndpoint). Only CORS preflights are open.',
  check: (node) => {
    if (node.cfnResourceType === 'AWS::ApiGatewayV2::Route') {
      // An HTTP or WebSocket API route: open when it names no authorizer (CORS preflights, OPTIONS, excepted).
      const route = viewOf(node).properties;
      if (typeof route.RouteKey === 'string' && route.RouteKey.startsWith('OPTIONS ')) return NagRuleCompliance.COMPLIANT;
      return route.AuthorizationType === undefined || route.AuthorizationType === 'NONE' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
    }
    if (node.cfnResourceType !== 'AWS::ApiGateway::Method') return NagRuleCompliance.NOT_APPLICABLE;
    const { properties } = viewOf(node);
    if (String(properties.HttpMethod).toUpperCase() === 'OPTIONS') return NagRuleCompliance.COMPLIANT;
    if (properties.AuthorizationType !== undefined && properties.AuthorizationType !== 'NONE') return NagRuleCompliance.COMPLIANT;
    return apiOnlyBehindMutualTls(node, properties.RestApiId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

/**
 * Whether the API `restApiId` (resolved) is reachable only with a client certificate: its
 * execute-api endpoint disabled, mapped to a mutual TLS domain, and to no other domain.
 */
export function apiOnlyBehindMutualTls(node: Parameters<IntegrationRule['check']>[0], restApiId: unknown): boolean {
  const api = resourcesOfType(node, 'AWS::ApiGateway::RestApi').find((a) => refersTo(restApiId, a.logicalId));
  if (!api || api.properties.DisableExecuteApiEndpoint !== true) return false;
  const mtlsDomains = resourcesOfType(node, 'AWS::ApiGateway::DomainName').filter((d) => d.properties.MutualTlsAuthentication?.TruststoreUri !== undefined);
  const mappings = [...resourcesOfType(node, 'AWS::ApiGateway::BasePathMapping'), ...resourcesOfType(node, 'AWS::ApiGateway::BasePathMappingV2')].filter((m) =>
    refersTo(m.properties.RestApiId ?? m.properties.RestApiArn, api.logicalId),
  );
  return mappings.length > 0 && mappings.every((m) => mtlsDomains.some((d) => refersTo(m.properties.DomainName ?? m.properties.DomainNameArn, d.logicalId)));
}
