import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ExamplePlatformStack } from '../../bin/example-stack';
import { INVENTORY_REPORT_JSON, INVENTORY_REPORT_MARKDOWN, InventoryReportDocument, SecureIntegration } from '../../lib';

describe('synth-time inventory report', () => {
  const app = new App();
  const stack = new ExamplePlatformStack(app, 'Example');
  const assembly = app.synth();
  const document: InventoryReportDocument = JSON.parse(readFileSync(join(assembly.directory, INVENTORY_REPORT_JSON), 'utf8'));
  const markdown = readFileSync(join(assembly.directory, INVENTORY_REPORT_MARKDOWN), 'utf8');
  const integrations = stack.node.findAll().filter((c): c is SecureIntegration => c instanceof SecureIntegration);

  test('lists every integration of the app, with owner, classification, routes, credentials and PII fields', () => {
    expect(document.schemaVersion).toBe(1);
    expect(document.records.map((r) => r.name).sort()).toEqual(integrations.map((i) => i.integrationName).sort());
    const orders = document.records.find((r) => r.name === 'PartnerOrders')!;
    expect(orders).toEqual(
      expect.objectContaining({
        owner: 'order-management@example.com',
        dataClassification: 'CONFIDENTIAL',
        stack: 'Example',
        status: 'ACTIVE',
        piiFields: ['buyer.contact.*'],
      }),
    );
    expect(orders.inbound.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /orders', 'GET /orders/{orderId}']);
    // The partner's OAuth 2.0 client secret, rotated every 14 days (bin/example-stack.ts).
    expect(orders.credentials).toEqual([
      expect.objectContaining({ name: 'oauth2-client-secret', rotationSchedule: 'rate(14 days)', rotationPeriodDays: 14, maxRotationIntervalDays: 14 }),
    ]);
    expect(orders.contentHash).toMatch(/^[0-9a-f]{64}$/);
    // GitHub's signing secret is partner-held: changed with GitHub, within INTERNAL's 90 days.
    expect(document.records.find((r) => r.name === 'GitHubEvents')!.credentials).toEqual([
      expect.objectContaining({ name: 'webhook-signing-secret', rotationSchedule: 'partner-managed', maxRotationIntervalDays: 90 }),
    ]);
  });

  test('holds no deploy-time tokens', () => {
    expect(JSON.stringify(document)).not.toMatch(/\$\{Token\[/);
  });

  test('the Markdown table has a row per integration', () => {
    for (const integration of integrations) expect(markdown).toMatch(new RegExp(`^\\| ${integration.integrationName} \\| Example \\| ${integration.owner.replace('.', '\\.')} \\|`, 'm'));
  });

  test('the content hash changes when the declared content does, and only then', () => {
    const again = new App();
    new ExamplePlatformStack(again, 'Example');
    const second: InventoryReportDocument = JSON.parse(readFileSync(join(again.synth().directory, INVENTORY_REPORT_JSON), 'utf8'));
    expect(second.records.map((r) => r.contentHash)).toEqual(document.records.map((r) => r.contentHash));
  });
});
