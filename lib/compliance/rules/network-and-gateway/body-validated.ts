import { NagRuleCompliance } from 'cdk-nag';
import { refersTo, resourcesOfType, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** Methods that take a body; ANY takes whatever the caller sends (LambdaRestApi's proxy). */
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'ANY']);

/** NG2: every method that takes a body has a request model and a validator that validates the body. */
export const bodyValidated: IntegrationRule = {
  id: 'NG2',
  name: 'BodyValidatedAtTheEdge',
  layer: 'network-and-gateway',
  info: 'The method takes a body (POST, PUT, PATCH, ANY) but has no request model, or no request validator with ValidateRequestBody.',
  explanation:
    'A malformed payload is refused at the edge (400) before it costs an invocation or reaches a partner\'s system: API Gateway validates the body ' +
    'against the method\'s JSON Schema model only when the method names a validator with ValidateRequestBody true.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::ApiGateway::Method') return NagRuleCompliance.NOT_APPLICABLE;
    const { properties } = viewOf(node);
    if (!METHODS_WITH_BODY.has(String(properties.HttpMethod).toUpperCase())) return NagRuleCompliance.NOT_APPLICABLE;
    const models = properties.RequestModels;
    if (!models || typeof models !== 'object' || Object.keys(models).length === 0) return NagRuleCompliance.NON_COMPLIANT;
    const validatorId = properties.RequestValidatorId;
    if (validatorId === undefined) return NagRuleCompliance.NON_COMPLIANT;
    const validators = resourcesOfType(node, 'AWS::ApiGateway::RequestValidator').filter((v) => refersTo(validatorId, v.logicalId));
    // A validator of another stack arrives as a parameter; it cannot be read here, and is taken as given.
    if (validators.length === 0) return JSON.stringify(validatorId).includes('"Ref"') ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    return validators.every((v) => v.properties.ValidateRequestBody === true) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
