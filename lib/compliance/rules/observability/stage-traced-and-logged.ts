import { NagRuleCompliance } from 'cdk-nag';
import { viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** OB1: every REST API stage has X-Ray tracing and access logs on. */
export const stageTracedAndLogged: IntegrationRule = {
  id: 'OB1',
  name: 'StageTracedAndLogged',
  layer: 'observability',
  info: 'The API stage has X-Ray tracing off or no access-log destination.',
  explanation:
    'One trace id across systems and one access-log line per request are how an operator follows a business transaction from the partner to the ' +
    'target and finds the request that failed; without them a rejected payload leaves no trace.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::ApiGateway::Stage') return NagRuleCompliance.NOT_APPLICABLE;
    const p = viewOf(node).properties;
    return p.TracingEnabled === true && p.AccessLogSetting?.DestinationArn !== undefined ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
