// The main job's summary: what `npx cdk synth` prints instead of a template.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addExampleStacks } from '../../bin/example-app';
import { mainJobSummary } from '../../bin/main-job-summary';
import { addComplianceChecks } from '../../lib';

test('the summary names each stack with its resources and integrations, the findings, and where the reports are', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-si-summary-'));
  try {
    const app = new App({ outdir, context: { '@aws-cdk/core:validationReportJson': true } });
    addComplianceChecks(app);
    addExampleStacks(app, { mainId: 'Example', mtlsId: 'ExampleMtls' });
    const summary = mainJobSummary(app.synth(), outdir);
    expect(summary).toMatch(/Example: \d+ resources, 8 integration\(s\)/);
    expect(summary).toMatch(/ExampleMtls: \d+ resources, 1 integration\(s\)/);
    expect(summary).toMatch(/2 stack\(s\), 9 integration\(s\), \d+ resources/);
    expect(summary).toMatch(/findings: 0 unacknowledged, \d+ acknowledged with a reason \(AwsSolutions, .*IntegrationSecurity\)/);
    expect(summary).toContain('inventory report: integration-inventory.md');
    expect(summary).not.toContain('Resources:');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}, 60_000);
