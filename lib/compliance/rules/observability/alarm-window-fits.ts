import { NagRuleCompliance } from 'cdk-nag';
import { type TemplateValue, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/**
 * OB4: an alarm's period and evaluation window are ones CloudWatch accepts: a period of 10, 20, 30
 * or a multiple of 60 seconds; period times evaluation periods at most 7 days, and at most one day
 * when the period is under an hour; datapoints to alarm at most the evaluation periods.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
export const alarmWindowFits: IntegrationRule = {
  id: 'OB4',
  name: 'AlarmWindowFits',
  layer: 'observability',
  info: 'The alarm\'s period or evaluation window is outside what CloudWatch accepts (the stack would fail at deploy).',
  explanation:
    'PutMetricAlarm accepts periods of 10, 20, 30 or a multiple of 60 seconds; Period x EvaluationPeriods may be at most 604,800 seconds, and at most ' +
    '86,400 for periods under an hour; DatapointsToAlarm may not exceed EvaluationPeriods. Synth accepts any numbers; CloudFormation does not.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::CloudWatch::Alarm') return NagRuleCompliance.NOT_APPLICABLE;
    const p = viewOf(node).properties;
    const periods: unknown[] = p.Period !== undefined ? [p.Period] : (p.Metrics ?? []).map((m: TemplateValue) => m?.MetricStat?.Period ?? m?.Period).filter((x: unknown) => x !== undefined);
    const evaluation = p.EvaluationPeriods;
    if (typeof evaluation !== 'number' || periods.some((x) => typeof x !== 'number')) return NagRuleCompliance.COMPLIANT; // not literal: CloudFormation decides
    const ok =
      Number.isInteger(evaluation) &&
      evaluation >= 1 &&
      (p.DatapointsToAlarm === undefined || (typeof p.DatapointsToAlarm === 'number' && p.DatapointsToAlarm >= 1 && p.DatapointsToAlarm <= evaluation)) &&
      (periods as number[]).every((period) => ([10, 20, 30].includes(period) || (period >= 60 && period % 60 === 0)) && period * evaluation <= (period < 3600 ? 86_400 : 604_800));
    return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
