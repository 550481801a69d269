import { NagRuleCompliance } from 'cdk-nag';
import { resourcesOfType, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** OB5: every log group has a finite retention, and every Lambda function logs to a log group the app declares. */
export const finiteLogRetention: IntegrationRule = {
  id: 'OB5',
  name: 'FiniteLogRetention',
  layer: 'observability',
  info: 'The log group keeps its events forever, or the function logs to a log group Lambda creates on first run (never expiring).',
  explanation:
    'Logs of integrations carry request metadata and sometimes personal data: they must expire (RetentionInDays), like every record kept under ' +
    'a retention policy. A function without LoggingConfig.LogGroup (or a declared /aws/lambda/<name> group) writes to a group that never expires.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::Logs::LogGroup' && node.cfnResourceType !== 'AWS::Lambda::Function') return NagRuleCompliance.NOT_APPLICABLE;
    const view = viewOf(node);
    if (view.type === 'AWS::Logs::LogGroup') return typeof view.properties.RetentionInDays === 'number' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    if (view.type !== 'AWS::Lambda::Function') return NagRuleCompliance.NOT_APPLICABLE;
    if (view.properties.LoggingConfig?.LogGroup !== undefined) return NagRuleCompliance.COMPLIANT;
    const name = view.properties.FunctionName;
    const namesIt = (groupName: unknown) => {
      const json = JSON.stringify(groupName ?? '');
      return (typeof name === 'string' && json === JSON.stringify(`/aws/lambda/${name}`)) || json.includes(`{"Ref":"${view.logicalId}"}`);
    };
    // A declared /aws/lambda/<function> group, or aws-cdk-lib's logRetention (Custom::LogRetention) setting one.
    const declared =
      resourcesOfType(node, 'AWS::Logs::LogGroup').some((g) => namesIt(g.properties.LogGroupName)) ||
      resourcesOfType(node, 'Custom::LogRetention').some((r) => namesIt(r.properties.LogGroupName) && typeof r.properties.RetentionInDays === 'number');
    return declared ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
