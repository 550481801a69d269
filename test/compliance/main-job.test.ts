import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addExampleStacks } from '../../bin/example-app';
import { addComplianceChecks } from '../../lib';

/**
 * The main job as `cdk synth` runs it: the five packs as validation plugins and the built-in
 * CloudFormation validator on (the one test that keeps it on; it costs 4-6 s).
 */
describe('main job: synth of the example app with every check on', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-si-'));
  let templateFiles: string[];
  let report: { pluginReports: Array<{ pluginName: string; violations: unknown[]; suppressedViolations?: Array<{ ruleName: string; reason?: string }> }> };

  beforeAll(() => {
    const saved = process.env.CDK_VALIDATION;
    delete process.env.CDK_VALIDATION;
    try {
      const app = new App({ outdir, builtinCloudFormationValidation: true, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
      addComplianceChecks(app);
      addExampleStacks(app, { mainId: 'Example', mtlsId: 'ExampleMtls' });
      const assembly = app.synth();
      templateFiles = ['Example', 'ExampleMtls'].map((name) => join(assembly.directory, assembly.getStackByName(name).templateFile));
      report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    } finally {
      if (saved !== undefined) process.env.CDK_VALIDATION = saved;
    }
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('synth succeeds and every pack reports no violation', () => {
    expect(report.pluginReports.map((r) => r.pluginName).sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'IntegrationSecurity', 'NIST.800.53.R5', 'PCI.DSS.321', 'Serverless']);
    for (const plugin of report.pluginReports) expect(plugin.violations).toEqual([]);
  });

  test('the validation report records each acknowledged finding with its reason', () => {
    const suppressed = report.pluginReports.flatMap((r) => r.suppressedViolations ?? []);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const s of suppressed) expect((s.reason ?? '').length).toBeGreaterThanOrEqual(20);
  });

  test('cfn-lint finds nothing in the templates', () => {
    // .cfnlintrc.yaml at the repo root holds the (one) ignored check and why.
    expect(() => execFileSync('cfn-lint', ['--', ...templateFiles], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' })).not.toThrow();
  });
});
