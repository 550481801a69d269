import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { IntegrationSecurityChecks } from '../../../lib';

/** A fresh stack for a rule's test template. */
export function newStack(id = 'Rules'): Stack {
  return new Stack(new App(), id, { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** An L1 resource of any type, as a template would hold it. */
export function resource(stack: Stack, id: string, type: string, properties: Record<string, unknown> = {}): CfnResource {
  return new CfnResource(stack, id, { type, properties });
}

/** The resources (logical ids) the pack finds non-compliant with `ruleId` (`ID2`). */
export function findings(stack: Stack, ruleId: string): string[] {
  const report = new IntegrationSecurityChecks().validateScope(stack);
  return report.violations
    .filter((v) => v.ruleName === `IntegrationSecurity-${ruleId}`)
    .flatMap((v) => v.violatingResources.map((r) => r.resourceLogicalId ?? (r.constructPath ?? '').split('/').slice(-1)[0]));
}

/** Every rule the pack finds broken in a scope. */
export function brokenRules(scope: Stack | App): string[] {
  const stacks = scope instanceof App ? scope.node.children.filter((c): c is Stack => c instanceof Stack) : [scope];
  const rules = new Set<string>();
  for (const stack of stacks) for (const v of new IntegrationSecurityChecks().validateScope(stack).violations) rules.add(v.ruleName.replace(/^IntegrationSecurity-/, ''));
  return [...rules].sort();
}
