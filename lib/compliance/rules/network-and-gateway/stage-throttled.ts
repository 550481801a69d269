import { NagRuleCompliance } from 'cdk-nag';
import { type TemplateValue, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** NG3: every REST API stage sets stage-wide throttling (rate and burst for all methods). */
export const stageThrottled: IntegrationRule = {
  id: 'NG3',
  name: 'StageThrottled',
  layer: 'network-and-gateway',
  info: 'The API stage sets no stage-wide throttling (MethodSettings for HttpMethod * and ResourcePath /* with a rate and a burst limit).',
  explanation:
    'Without stage throttling every method may take the account\'s whole regional quota (10,000 requests per second), so one partner\'s burst ' +
    'starves every other integration (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::ApiGateway::Stage') return NagRuleCompliance.NOT_APPLICABLE;
    const settings: TemplateValue[] = Array.isArray(viewOf(node).properties.MethodSettings) ? viewOf(node).properties.MethodSettings : [];
    const stageWide = settings.find((s) => s?.HttpMethod === '*' && s?.ResourcePath === '/*');
    // A limit of -1 (or 0) is no limit (API Gateway's own default is the account's).
    return stageWide && stageWide.ThrottlingRateLimit > 0 && stageWide.ThrottlingBurstLimit > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
