import { NagRuleCompliance } from 'cdk-nag';
import { refersTo, resourcesOfType, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';
import { apiOnlyBehindMutualTls } from './api-method-authorized';

/** ID4: a mutual TLS domain uses TLS_1_2 and every API mapped to it has its execute-api endpoint disabled. */
export const mutualTlsDomainExclusive: IntegrationRule = {
  id: 'ID4',
  name: 'MutualTlsDomainExclusive',
  layer: 'identity',
  info: 'The mutual TLS domain fronts an API whose default execute-api endpoint is still enabled, or it does not use the TLS_1_2 security policy.',
  explanation:
    'Clients can call a REST API through its default execute-api endpoint unless it is disabled; then the client certificate is never asked for ' +
    '(https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mutual-tls.html). API Gateway enables mutual TLS with the TLS_1_2 policy only.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::ApiGateway::DomainName') return NagRuleCompliance.NOT_APPLICABLE;
    const view = viewOf(node);
    if (view.properties.MutualTlsAuthentication?.TruststoreUri === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    if (view.properties.SecurityPolicy !== 'TLS_1_2') return NagRuleCompliance.NON_COMPLIANT;
    const mapped = resourcesOfType(node, 'AWS::ApiGateway::BasePathMapping').filter((m) => refersTo(m.properties.DomainName, view.logicalId));
    const apis = resourcesOfType(node, 'AWS::ApiGateway::RestApi').filter((a) => mapped.some((m) => refersTo(m.properties.RestApiId, a.logicalId)));
    if (mapped.length === 0 || apis.length < new Set(mapped.map((m) => JSON.stringify(m.properties.RestApiId))).size) return NagRuleCompliance.NON_COMPLIANT;
    // Every API behind the domain: its execute-api endpoint off, and no other (plain) domain mapped to it.
    const exclusive = apis.every((a) => a.properties.DisableExecuteApiEndpoint === true && apiOnlyBehindMutualTls(a.node, { Ref: a.logicalId }));
    return exclusive ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
