// The audit of acknowledgements: every one the library makes on the example app (both stacks, all
// packs and the cfn-guard controls) is listed with its pack, rule, resource and reason; it fails
// when one has no real reason, targets more than one resource, is made outside lib/compliance, or
// is missing from README's table of acknowledgements and how to remove them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { addExampleStacks } from '../../bin/example-app';
import { INTEGRATION_RULES, recordedAcknowledgements } from '../../lib';
import { MIN_REASON_LENGTH } from '../../lib/compliance/acknowledgements';

const app = new App();
const stacks = Object.values(addExampleStacks(app, { mainId: 'Example', mtlsId: 'ExampleMtls' }));
const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const section = (title: string) => readme.slice(readme.indexOf(title), readme.indexOf('\n## ', readme.indexOf(title) + 1));

/** Every acknowledgement: pack, rule, resource, reason. */
const listing = stacks.flatMap((stack) =>
  recordedAcknowledgements(stack).map((a) => {
    const cut = a.id.indexOf('::');
    const [pack, rule] = [a.id.slice(0, cut), a.id.slice(cut + 2)];
    return { pack, rule, resource: a.path, reason: a.reason, stack };
  }),
);

test('the listing is not empty and covers every pack that acknowledges', () => {
  expect(new Set(listing.map((a) => a.pack))).toEqual(new Set(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless', 'IntegrationSecurity', 'cdk-validator-cfnguard']));
});

test('each has a reason of its own, and targets exactly one CloudFormation resource', () => {
  for (const a of listing) {
    expect({ rule: a.rule, resource: a.resource, long: a.reason.trim().length >= MIN_REASON_LENGTH }).toEqual({ rule: a.rule, resource: a.resource, long: true });
    const targets = a.stack.node.findAll().filter((c) => c.node.path === a.resource);
    expect({ rule: a.rule, resource: a.resource, targets: targets.length, cfn: targets.every((c) => CfnResource.isCfnResource(c)) }).toEqual({ rule: a.rule, resource: a.resource, targets: 1, cfn: true });
  }
});

test('each is made in lib/compliance/acknowledgements.ts', () => {
  for (const stack of stacks) {
    for (const c of stack.node.findAll()) {
      for (const entry of c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
        expect({ path: c.node.path, made: (entry.trace ?? []).join('\n') }).toEqual({ path: c.node.path, made: expect.stringMatching(/lib[/\\]compliance[/\\]acknowledgements/) });
      }
    }
  }
});

test('README lists each acknowledged rule, and how to remove it', () => {
  const table = section('### Acknowledgements, and how to remove them');
  const rules = new Set(listing.map((a) => a.rule.replace(/\[.*\]$/, '').replace(/^(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|Serverless|AwsSolutions)-/, '')));
  expect([...rules].filter((r) => !table.includes(r))).toEqual([]);
});

test('README lists every rule of IntegrationSecurityChecks', () => {
  const table = section('## Compliance');
  expect(INTEGRATION_RULES.filter((r) => !table.includes(`\`IntegrationSecurity-${r.id}\` | ${r.name} |`)).map((r) => r.id)).toEqual([]);
});
