// Every example of examples/ synthesizes with every check and no finding.
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existingApp } from '../../examples/existing-app';
import { githubWebhook } from '../../examples/github-webhook';
import { largeCatalog } from '../../examples/large-catalog';
import { mtlsPartners } from '../../examples/mtls-partners';
import { nightlyErpSync } from '../../examples/nightly-erp-sync';
import { unacknowledgedFindings } from '../../lib';

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
  expect(Object.keys(Template.fromStack(stack).findResources('Custom::IntegrationInventoryRecord')).length + nested.length).toBeGreaterThan(0);
}, 120_000);

test('the large catalog spills into nested stacks', () => {
  const app = new App();
  const stack = largeCatalog(app);
  expect(stack.node.findAll().filter((c) => c instanceof NestedStack).length).toBeGreaterThanOrEqual(2);
}, 60_000);
