import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { cx_api } from 'aws-cdk-lib';

/**
 * What the main job prints after synth instead of a template: the stacks with their resources and
 * integrations, the findings (none, or synth would have failed) and the acknowledged ones, and
 * where the inventory report and the validation report are.
 */
export function mainJobSummary(assembly: cx_api.CloudAssembly, cwd = process.cwd()): string {
  const lines: string[] = ['', 'cdk-secure-integrations main job: synthesized with every compliance check'];
  let resources = 0;
  let integrations = 0;
  for (const stack of assembly.stacks) {
    const template = stack.template as { Resources?: Record<string, { Type: string }> };
    const types = Object.values(template.Resources ?? {}).map((r) => r.Type);
    const records = types.filter((t) => t === 'Custom::IntegrationInventoryRecord').length;
    resources += types.length;
    integrations += records;
    lines.push(`  ${stack.stackName}: ${types.length} resources, ${records} integration(s), ${stack.templateFile}`);
  }
  const reportFile = join(assembly.directory, 'validation-report.json');
  if (existsSync(reportFile)) {
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { pluginReports: Array<{ pluginName: string; violations: unknown[]; suppressedViolations?: unknown[] }> };
    const findings = report.pluginReports.reduce((n, r) => n + r.violations.length, 0);
    const acknowledged = report.pluginReports.reduce((n, r) => n + (r.suppressedViolations?.length ?? 0), 0);
    lines.push(`  ${assembly.stacks.length} stack(s), ${integrations} integration(s), ${resources} resources`);
    lines.push(`  findings: ${findings} unacknowledged, ${acknowledged} acknowledged with a reason (${report.pluginReports.map((r) => r.pluginName).join(', ')})`);
    lines.push(`  validation report: ${relative(cwd, reportFile)}`);
  }
  for (const file of ['integration-inventory.md', 'integration-inventory.json']) {
    const path = join(assembly.directory, file);
    if (existsSync(path)) lines.push(`  inventory report: ${relative(cwd, path)}`);
  }
  return lines.join('\n') + '\n';
}
