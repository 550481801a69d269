import { App, CfnResource, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { addExampleStacks } from '../../bin/example-app';
import { ExamplePlatformStack } from '../../bin/example-stack';
import { compliancePacks, recordedAcknowledgements, unacknowledgedFindings } from '../../lib';
import { MIN_REASON_LENGTH } from '../../lib/compliance/acknowledgements';

const app = new App();
const { main, mtls } = addExampleStacks(app, { env: { account: '111111111111', region: 'eu-west-1' }, mainId: 'Example', mtlsId: 'ExampleMtls' });

describe.each([
  ['main platform', main],
  ['mutual TLS platform', mtls],
])('compliance of the example app: %s', (_name, stack) => {
  test('no finding of the five packs is left unacknowledged', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  test('every acknowledgement is pack-qualified, has a specific reason and targets one CloudFormation resource', () => {
    const acks = recordedAcknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^((AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|Serverless|IntegrationSecurity)::\2-[A-Za-z0-9]+(\[.+\])?|cdk-validator-cfnguard::[a-z0-9_]+)$/);
      expect(ack.reason.length).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
      const construct = stack.node.findAll().find((c) => c.node.path === ack.path);
      expect(construct && CfnResource.isCfnResource(construct)).toBe(true);
    }
  });

  test('every acknowledgement suppresses a real finding (none is stale)', () => {
    const raw = new Set<string>();
    for (const pack of compliancePacks()) {
      for (const v of pack.validateScope(stack).violations) {
        for (const r of v.violatingResources) raw.add(`${pack.name}::${v.ruleName}@${r.constructPath}`);
      }
    }
    // The cfn-guard plugin's acknowledgements are checked against its own report (test/compliance/guard.test.ts).
    const stale = recordedAcknowledgements(stack).filter((a) => !a.id.startsWith('cdk-validator-cfnguard::') && !raw.has(`${a.id}@${a.path}`));
    expect(stale).toEqual([]);
  });

  test('every acknowledgement lives in the compliance module', () => {
    const acks = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY));
    for (const entry of acks) {
      expect((entry.trace ?? []).join('\n')).toMatch(/lib[/\\]compliance[/\\]acknowledgements/);
    }
  });

  test('a finding that is not acknowledged is reported', () => {
    // GIVEN an app whose function is granted a wildcard on purpose
    const other = new App();
    const s = new ExamplePlatformStack(other, 'Broken');
    const fn = s.node.findAll().find((c) => c.node.path === 'Broken/PartnerOrdersHandler') as import('../../lib').IntegrationFunction;
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    // THEN the helper sees it, as synth would
    const findings = unacknowledgedFindings(s);
    expect(findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['AwsSolutions-IAM5[Action::s3:*]', 'AwsSolutions-IAM5[Resource::*]']));
  });
});
