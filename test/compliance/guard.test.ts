// An outside judge: AWS Control Tower's proactive controls (cfn-guard rules shipped by
// @cdklabs/cdk-validator-cfnguard, run offline) over every template the example app synthesizes.
// Every violation is fixed or acknowledged in lib/compliance/acknowledgements.ts with its reason,
// and every acknowledgement of the plugin's rules suppresses a violation it really reports.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { addExampleStacks } from '../../bin/example-app';
import { recordedAcknowledgements } from '../../lib';

interface GuardViolation {
  readonly ruleName: string;
  readonly violatingConstructs: Array<{ readonly constructPath: string }>;
  readonly reason?: string;
}

describe('AWS Control Tower proactive controls (cfn-guard) on the example app', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-si-guard-'));
  let report: { violations: GuardViolation[]; suppressedViolations?: GuardViolation[] };
  let acknowledged: Array<{ id: string; path: string; reason: string }>;

  beforeAll(() => {
    const app = new App({ outdir, context: { '@aws-cdk/core:validationReportJson': true } });
    Validations.of(app).addPlugins(new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 }));
    const { main, mtls } = addExampleStacks(app);
    app.synth();
    const reports = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')).pluginReports as Array<typeof report & { pluginName: string }>;
    report = reports.find((r) => r.pluginName === 'cdk-validator-cfnguard')!;
    acknowledged = [main, mtls].flatMap((s) => recordedAcknowledgements(s)).filter((a) => a.id.startsWith('cdk-validator-cfnguard::'));
  }, 240_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('no violation is left', () => {
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`)).toEqual([]);
  });

  test('every acknowledged control suppresses a violation the plugin reports on that resource (none is stale)', () => {
    const suppressed = new Set((report.suppressedViolations ?? []).flatMap((v) => v.violatingConstructs.map((c) => `cdk-validator-cfnguard::${v.ruleName}@${c.constructPath}`)));
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(acknowledged.filter((a) => !suppressed.has(`${a.id}@${a.path}`)).map((a) => `${a.id}@${a.path}`)).toEqual([]);
  });

  test('the controls acknowledged, and how often', () => {
    const counts: Record<string, number> = {};
    for (const a of acknowledged) counts[a.id] = (counts[a.id] ?? 0) + 1;
    expect(counts).toEqual({
      'cdk-validator-cfnguard::cloudwatch_alarm_action_check': 42,
      'cdk-validator-cfnguard::lambda_inside_vpc_check': 10,
      'cdk-validator-cfnguard::sqs_dlq_check': 8,
      'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check': 4,
      'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check': 1,
      'cdk-validator-cfnguard::s3_bucket_logging_enabled_check': 1,
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check': 1,
    });
  });
});
