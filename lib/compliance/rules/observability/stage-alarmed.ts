import { NagRuleCompliance } from 'cdk-nag';
import { resourcesOfType, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';
import { alarmsThatReachAPerson } from './alarms';

/** OB2: every REST API stage has at least one alarm on its metrics that reaches a person. */
export const stageAlarmed: IntegrationRule = {
  id: 'OB2',
  name: 'StageAlarmed',
  layer: 'observability',
  info: 'No alarm with an action (its own, or through a composite alarm) watches this API stage\'s metrics (dimension ApiName).',
  explanation:
    'A slow, undetected failure (rejected payloads, a partner that stopped calling, latency creeping up) costs most; an API whose metrics no alarm ' +
    'with an action watches fails silently. Alarm on the stage\'s 5XXError, Latency or Count (AWS/ApiGateway, dimensions ApiName and Stage).',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::ApiGateway::Stage') return NagRuleCompliance.NOT_APPLICABLE;
    const { properties } = viewOf(node);
    const api = resourcesOfType(node, 'AWS::ApiGateway::RestApi').find((a) => JSON.stringify(properties.RestApiId) === JSON.stringify({ Ref: a.logicalId }));
    const apiName = api?.properties.Name;
    if (apiName === undefined) return NagRuleCompliance.NON_COMPLIANT;
    // An alarm on the API (dimension ApiName), for this stage when it names one (dimension Stage).
    const stageName = JSON.stringify(properties.StageName);
    const watched = alarmsThatReachAPerson(node).some(
      (alarm) => alarm.dimensions.some((d) => d.name === 'ApiName' && d.value === JSON.stringify(apiName)) && alarm.dimensions.every((d) => d.name !== 'Stage' || d.value === stageName),
    );
    return watched ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
