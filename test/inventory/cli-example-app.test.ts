import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ExamplePlatformStack } from '../../bin/example-stack';
import { INVENTORY_REPORT_JSON, InventoryRecord } from '../../lib';
import { main } from '../../lib/inventory/cli';
import { validateReport } from '../../lib/inventory/validate-record';

/** The CLI on the example app's synthesized inventory report. */
describe('inventory CLI on the example app', () => {
  const app = new App();
  new ExamplePlatformStack(app, 'Example');
  const directory = app.synth().directory;
  const file = join(directory, INVENTORY_REPORT_JSON);

  async function run(...args: string[]) {
    let out = '';
    let err = '';
    const code = await main(['inventory', '--file', file, ...args], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
    return { code, out, err };
  }

  test('the synthesized report validates against the record schema', () => {
    const document = JSON.parse(readFileSync(file, 'utf8'));
    expect(validateReport(document)).toEqual({ value: document });
  });

  test('every integration is monitored: --check passes', async () => {
    const { code, out } = await run('--check');
    expect(code).toBe(0);
    expect(out).toMatch(/8 integration\(s\): 8 active, 0 decommissioned\. Check passed\./);
  });

  test('JSON output lists each integration by owner and classification', async () => {
    const { code, out } = await run('--format', 'json');
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(JSON.stringify(parsed)).toContain('order-management@example.com');
    expect(JSON.stringify(parsed)).toContain('CONFIDENTIAL');
  });

  test('an unmonitored integration fails --check with exit code 2', async () => {
    const document = JSON.parse(readFileSync(file, 'utf8')) as { records: InventoryRecord[] };
    const unmonitored = { ...document, records: document.records.map((r, i) => (i === 0 ? { ...r, alarms: [] } : r)) };
    const edited = join(directory, 'edited-inventory.json');
    writeFileSync(edited, JSON.stringify(unmonitored));
    let out = '';
    const code = await main(['inventory', '--file', edited, '--check'], { stdout: (t) => (out += t), stderr: () => undefined });
    expect(code).toBe(2);
    expect(out).toMatch(/Integrations without SLO or heartbeat alarms/);
  });
});
