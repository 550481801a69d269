// What the observability rules know of an app's alarms: which ones reach a person (an action of
// their own, or through a composite alarm with one), and the dimensions they watch. Computed once
// per run of the pack.
import type { IConstruct } from 'constructs';
import { appResourcesOfType, memoized, refersTo, resourcesOfType, type ResourceView } from '../resources';

/** Whether an alarm has an action for the ALARM state (ActionsEnabled not false: a parameter counts as off). */
function hasAlarmAction(alarm: ResourceView): boolean {
  return Array.isArray(alarm.properties.AlarmActions) && alarm.properties.AlarmActions.length > 0 && (alarm.properties.ActionsEnabled === undefined || alarm.properties.ActionsEnabled === true);
}

/** Whether an alarm reaches a person: an action of its own, or a composite alarm with an action (transitively) names it. */
export function reachesAPerson(alarm: ResourceView, seen = new Set<string>()): boolean {
  return memoized(`reach:${alarm.node.node.path}`, () => {
    if (hasAlarmAction(alarm)) return true;
    if (seen.has(alarm.node.node.path)) return false;
    seen.add(alarm.node.node.path);
    const name = alarm.properties.AlarmName;
    // Composite alarms of the alarm's own stack (they name it by logical id or by name).
    return resourcesOfType(alarm.node, 'AWS::CloudWatch::CompositeAlarm').some((composite) => {
      const rule = composite.properties.AlarmRule;
      const named = refersTo(rule, alarm.logicalId) || (typeof name === 'string' && JSON.stringify(rule ?? '').includes(JSON.stringify(`ALARM("${name}")`).slice(1, -1)));
      return named && reachesAPerson(composite, seen);
    });
  });
}

/** The dimensions of an alarm's metric, or of each metric of its math (values as JSON). */
export function alarmDimensions(alarm: ResourceView): Array<{ name: string; value: string }> {
  const p = alarm.properties;
  const dims: Array<{ Name: string; Value: unknown }> = [...(p.Dimensions ?? [])];
  for (const m of p.Metrics ?? []) dims.push(...(m?.MetricStat?.Metric?.Dimensions ?? []));
  return dims.map((d) => ({ name: d.Name, value: JSON.stringify(d.Value) }));
}

/** The metric alarms that reach a person, among those `node` can meet by name (its stage and environment), with their dimensions. */
export function alarmsThatReachAPerson(node: IConstruct): Array<ResourceView & { dimensions: Array<{ name: string; value: string }> }> {
  return appResourcesOfType(node, 'AWS::CloudWatch::Alarm')
    .filter((a) => reachesAPerson(a))
    .map((a) => ({ ...a, dimensions: memoized(`dims:${a.node.node.path}`, () => alarmDimensions(a)) }));
}
