// Every example of examples/ synthesizes with every check and no finding.
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existingApp } from '../../examples/existing-app';
import { githubWebhook } from '../../examples/github-webhook';
import { largeCatalog } from '../../examples/large-catalog';
import { mtlsPartners } from '../../examples/mtls-partners';
import { nightlyErpSync } from '../../examples/nightly-erp-sync';
import { SecureIntegration, unacknowledgedFindings } from '../../lib';

const examples: Array<[string, (app: App) => Stack]> = [
  ['existing-app', existingApp],
  ['mtls-partners', mtlsPartners],
  ['nightly-erp-sync', nightlyErpSync],
  ['github-webhook', githubWebhook],
  ['large-catalog', largeCatalog],
];

test.each(examples)('%s synthesizes with no finding', (_name, build) => {
  const app = new App();
  const stack = build(app);
  app.synth();
  const nested = stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack);
  for (const s of [stack, ...nested]) expect({ stack: s.node.path, findings: unacknowledgedFindings(s) }).toEqual({ stack: s.node.path, findings: [] });
  // Every integration it declares is in the register.
  const records = [stack, ...nested].reduce((n, s) => n + Object.keys(Template.fromStack(s).findResources('Custom::IntegrationInventoryRecord')).length, 0);
  expect(records).toBe(stack.node.findAll().filter((c) => c instanceof SecureIntegration).length);
  expect(records).toBeGreaterThan(0);
}, 120_000);

test('the large catalog spills into nested stacks', () => {
  const app = new App();
  const stack = largeCatalog(app);
  expect(stack.node.findAll().filter((c) => c instanceof NestedStack).length).toBeGreaterThanOrEqual(2);
}, 60_000);
