import { NagRuleCompliance } from 'cdk-nag';
import { refersTo, resourcesOfType, tagsOf, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';
import { alarmsThatReachAPerson } from './alarms';

/** The tag that names the integration a resource belongs to (set by the library, or by hand on any app). */
export const INTEGRATION_TAG = 'cdk-secure-integrations:integration';

/** OB3: every scheduled sync (an EventBridge schedule rule or Scheduler schedule invoking a function) has an alarm that reaches a person. */
export const scheduledSyncAlarmed: IntegrationRule = {
  id: 'OB3',
  name: 'ScheduledSyncAlarmed',
  layer: 'observability',
  info: 'A scheduled sync has no alarm with an action on the function it runs or on its integration\'s heartbeat.',
  explanation:
    'The costliest failure is the sync that silently stopped: a schedule disabled, a function failing every run, a job that no longer finds work. ' +
    `An alarm with an action on a metric of the target function (a dimension naming it, such as FunctionName) or on the integration's heartbeat (dimension integration, or the ${INTEGRATION_TAG} tag) catches it.`,
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::Events::Rule' && node.cfnResourceType !== 'AWS::Scheduler::Schedule') return NagRuleCompliance.NOT_APPLICABLE;
    const view = viewOf(node);
    let targets: unknown;
    if (view.type === 'AWS::Events::Rule' && view.properties.ScheduleExpression !== undefined) targets = view.properties.Targets;
    else if (view.type === 'AWS::Scheduler::Schedule') targets = view.properties.Target;
    else return NagRuleCompliance.NOT_APPLICABLE;
    const functions = resourcesOfType(node, 'AWS::Lambda::Function').filter((f) => refersTo(targets, f.logicalId));
    const integration = tagsOf(view.properties)[INTEGRATION_TAG] ?? integrationFromName(view.properties.Name);
    // Any metric dimensioned by the target function (AWS/Lambda's FunctionName, or a custom one such as the
    // library's RotationFunction); a Ref names the function only in the alarm's own stack.
    const alarms = alarmsThatReachAPerson(node);
    const watched = alarms.some((alarm) =>
      alarm.dimensions.some(
        (d) => (functions.some((f) => (alarm.stack === f.stack && d.value === JSON.stringify({ Ref: f.logicalId })) || (f.properties.FunctionName !== undefined && d.value === JSON.stringify(f.properties.FunctionName)))) ||
          (integration !== undefined && d.name.toLowerCase() === 'integration' && d.value === JSON.stringify(integration)),
      ),
    );
    return watched ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};

/** The integration of a schedule the library names `sync-<hash>-<integration>`. */
function integrationFromName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  return /^sync-[a-z0-9]+-(.+)$/.exec(name)?.[1];
}
