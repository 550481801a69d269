import { NagRuleCompliance } from 'cdk-nag';
import { Stack, Stage } from 'aws-cdk-lib';
import { appResourcesOfType, memoized, tagsOf, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';
import { INTEGRATION_TAG } from '../observability/scheduled-sync-alarmed';

/** The custom resource type of an inventory record. */
export const INVENTORY_RECORD_TYPE = 'Custom::IntegrationInventoryRecord';

/** The literal text of a string or of an `Fn::Join` of strings and intrinsics (each intrinsic left out). */
function literalText(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) return join[1].map((part) => (typeof part === 'string' ? part : '')).join(join[0]);
  return '';
}

/** The integrations the app's inventory records name. */
function registeredIntegrations(node: Parameters<IntegrationRule['check']>[0]): Set<string> {
  return memoized(`registered:${Stage.of(node)?.node.path}:${Stack.of(node).account}:${Stack.of(node).region}`, () => collectRegistered(node));
}

function collectRegistered(node: Parameters<IntegrationRule['check']>[0]): Set<string> {
  const names = new Set<string>();
  for (const record of appResourcesOfType(node, INVENTORY_RECORD_TYPE)) {
    // The record is JSON, written with Fn::Join where it holds the account and region: its literal parts hold the name.
    const name = /"name":"((?:[^"\\]|\\.)+)"/.exec(literalText(record.properties.Record))?.[1];
    if (name !== undefined) names.add(name);
  }
  return names;
}

/** IN1: every integration (a resource tagged with its name) has an inventory record. */
export const integrationRegistered: IntegrationRule = {
  id: 'IN1',
  name: 'IntegrationRegistered',
  layer: 'inventory',
  info: `The resource belongs to an integration (tag ${INTEGRATION_TAG}) that has no inventory record (${INVENTORY_RECORD_TYPE}).`,
  explanation:
    'Auditors ask which integrations exist, who owns each, what credentials it holds and how it is monitored. An integration that is not in the ' +
    'register is the one nobody rotates, watches or decommissions.',
  check: (node) => {
    const integration = tagsOf(viewOf(node).properties)[INTEGRATION_TAG];
    if (typeof integration !== 'string') return NagRuleCompliance.NOT_APPLICABLE;
    return registeredIntegrations(node).has(integration) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
