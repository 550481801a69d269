// What the observability rules know of an app's alarms: which ones reach a person (an action of
// their own, or through a composite alarm with one), and the dimensions they watch.
import type { IConstruct } from 'constructs';
import { appResourcesOfType, refersTo, resourcesOfType, type ResourceView } from '../resources';

/** Whether an alarm has an action for the ALARM state. */
function hasAlarmAction(alarm: ResourceView): boolean {
  return Array.isArray(alarm.properties.AlarmActions) && alarm.properties.AlarmActions.length > 0 && alarm.properties.ActionsEnabled !== false;
}

/** Whether an alarm reaches a person: an action of its own, or a composite alarm with an action (transitively) names it. */
export function reachesAPerson(node: IConstruct, alarm: ResourceView, seen = new Set<string>()): boolean {
  if (hasAlarmAction(alarm)) return true;
  if (seen.has(alarm.logicalId)) return false;
  seen.add(alarm.logicalId);
  const name = alarm.properties.AlarmName;
  // Composite alarms of the alarm's own stack (they name it by logical id or by name).
  return resourcesOfType(alarm.node, 'AWS::CloudWatch::CompositeAlarm').some((composite) => {
    const rule = composite.properties.AlarmRule;
    const named = refersTo(rule, alarm.logicalId) || (typeof name === 'string' && JSON.stringify(rule ?? '').includes(name));
    return named && reachesAPerson(node, composite, seen);
  });
}

/** The dimension values (JSON of each value) of an alarm's metric, or of each metric of its math. */
export function alarmDimensions(alarm: ResourceView): Array<{ name: string; value: string }> {
  const p = alarm.properties;
  const dims: Array<{ Name: string; Value: unknown }> = [...(p.Dimensions ?? [])];
  for (const m of p.Metrics ?? []) dims.push(...(m?.MetricStat?.Metric?.Dimensions ?? []));
  return dims.map((d) => ({ name: d.Name, value: JSON.stringify(d.Value) }));
}

/** The metric alarms of the app (every stack: alarms of nested stacks watch the parent's API by name) that reach a person. */
export function alarmsThatReachAPerson(node: IConstruct): ResourceView[] {
  return appResourcesOfType(node, 'AWS::CloudWatch::Alarm').filter((a) => reachesAPerson(node, a));
}
