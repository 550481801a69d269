import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { register } from '../../lambda/inventory/register';
import { updateFromEvent } from '../../lambda/inventory/update';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE_OR_IO, main } from '../../lib/inventory/cli';
import { recordKey } from '../../lib/inventory/table-design';
import { motoClientConfig, motoEndpoint } from '../support/aws-env';
import { alarmEvent, captureLog, cfnEvent, createInventoryTable, declaredRecord, motoDynamoDb, rotationEvent } from './inventory-fixtures';

const NOW = '2026-06-01T00:00:00Z';
const ddb = motoDynamoDb();
const dir = mkdtempSync(join(tmpdir(), 'inventory-cli-'));

/** Runs the CLI in-process, capturing its output. */
async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), dynamoDb: () => new DynamoDBClient(motoClientConfig()) });
  return { code, stdout, stderr };
}

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

/**
 * The seeded register: Orders rotated on time; Billing's credential last rotated in March (30-day
 * period: overdue by June); Crm's last rotation failed; Legacy is a v0 item without SLO alarms;
 * Retired is decommissioned; one item cannot be read at all.
 */
let table: string;
beforeAll(async () => {
  table = await createInventoryTable(ddb, 'inventory-cli');
  const log = captureLog().log;
  const deploy = (name: string, at: string, overrides = {}) => register(cfnEvent('Create', table, declaredRecord(name, overrides)), { ddb, log, now: () => new Date(at) });
  await deploy('Orders', '2026-05-01T00:00:00Z');
  await deploy('Billing', '2026-01-01T00:00:00Z', { owner: 'team-finance', dataClassification: 'RESTRICTED' });
  await deploy('Crm', '2026-05-15T00:00:00Z', { owner: 'team-sales', dataClassification: 'INTERNAL' });
  await deploy('Retired', '2025-01-01T00:00:00Z');
  const event = (e: object) => updateFromEvent(e, { ddb, tableName: table, log });
  await event(rotationEvent('RotationSucceeded', declaredRecord('Orders').credentials[0].secretArn!, '2026-05-20T00:00:00Z'));
  await event(rotationEvent('RotationSucceeded', declaredRecord('Billing').credentials[0].secretArn!, '2026-03-01T00:00:00Z'));
  await event(rotationEvent('RotationFailed', declaredRecord('Crm').credentials[0].secretArn!, '2026-05-30T00:00:00Z'));
  await event(alarmEvent(declaredRecord('Orders').alarms[0].name, 'ALARM', '2026-05-31T00:00:00.000Z'));
  await register(cfnEvent('Delete', table, declaredRecord('Retired')), { ddb, log, now: () => new Date('2026-02-01T00:00:00Z') });
  const legacyId = '123456789012:us-east-1:LegacyStack:Legacy';
  await ddb.send(
    new PutItemCommand({
      TableName: table,
      Item: marshall({
        ...recordKey(legacyId),
        integrationId: legacyId,
        name: 'Legacy',
        owner: 'team-erp',
        classification: 'CONFIDENTIAL',
        credentials: { Token: { rotationDays: 90, lastRotated: '2026-05-01T00:00:00Z' } },
        alarms: ['Legacy-rotation'],
        createdAt: '2024-01-01T00:00:00Z',
      }),
    }),
  );
  await ddb.send(new PutItemCommand({ TableName: table, Item: marshall({ ...recordKey('broken'), schemaVersion: 9, name: 'Broken' }) }));
});

describe('inventory CLI against a seeded table', () => {
  test('table output: integrations by owner and classification, overdue and failed credentials, unmonitored, decommissioned, unreadable', async () => {
    const { code, stdout, stderr } = await run('inventory', '--table', table, '--now', NOW);
    expect(code).toBe(EXIT_OK); // without --check, findings do not change the exit code
    expect(stdout).toMatch(/│ team-finance\s+│ RESTRICTED\s+│ Billing\s+│ ACTIVE/);
    expect(stdout).toMatch(/Credentials past their rotation period\n.*\n.*\n.*\n│ Billing\s+│ team-finance\s+│ ApiKey\s+│ 30\s+│ 2026-03-01\s+│ 92\s+│/);
    expect(stdout).toMatch(/Credentials whose last rotation failed\n(.*\n){3}│ Crm\s+│ team-sales\s+│ ApiKey\s+│ 2026-05-30/);
    expect(stdout).toMatch(/Integrations without SLO or heartbeat alarms\n(.*\n){3}│ Legacy\s+│ team-erp\s+│ Legacy-rotation \(unknown\)/);
    expect(stdout).toMatch(/Decommissioned integrations\n(.*\n){3}│ Retired\s+│ team-payments\s+│ 2026-02-01/);
    expect(stdout).toMatch(/INTEGRATION#broken\s+│ -\s+│ schema version 9 is newer/);
    expect(stdout).toContain('5 integration(s): 4 active, 1 decommissioned, 1 migrated from an older schema. Check found 4 problem(s).');
    expect(stderr).toContain(`warning: cannot read ${table} INTEGRATION#broken`);
  });

  test('--check exits 2 on findings', async () => {
    expect((await run('inventory', '--table', table, '--now', NOW, '--check')).code).toBe(EXIT_CHECK_FAILED);
  });

  test('JSON output reads back with --file and finds the same', async () => {
    const { code, stdout } = await run('inventory', '--table', table, '--now', NOW, '--format', 'json');
    expect(code).toBe(EXIT_OK);
    const report = JSON.parse(stdout);
    expect(report.summary).toEqual({ integrations: 5, active: 4, decommissioned: 1, migrated: 1, overdueCredentials: 1, failedRotations: 1, unmonitored: 1, expiringTruststoreCas: 0, unreadable: 1 });
    expect(report.findings.overdueCredentials).toEqual([expect.objectContaining({ integration: 'Billing', credential: 'ApiKey', daysSince: 92 })]);
    const orders = report.records.find((r: { name: string }) => r.name === 'Orders');
    expect(orders.alarms[0]).toEqual(expect.objectContaining({ state: 'ALARM', stateUpdatedAt: '2026-05-31T00:00:00.000Z' }));
    const again = JSON.parse((await run('inventory', '--file', writeJson('snapshot.json', report), '--now', NOW, '--format', 'json')).stdout);
    expect(again.findings.overdueCredentials).toEqual(report.findings.overdueCredentials);
    expect(again.findings.failedRotations).toEqual(report.findings.failedRotations);
    // The record that could not be read is not in `records`, but it is still reported.
    expect(again.summary).toEqual(expect.objectContaining({ integrations: 5, unreadable: 1 }));
    expect(again.findings.unreadable).toEqual(report.findings.unreadable);
  });

  test('a real process: node dist/bin/cli.js against moto via AWS_ENDPOINT_URL', () => {
    const cli = join(__dirname, '..', '..', 'dist', 'bin', 'cli.js');
    const env = { ...process.env, AWS_ENDPOINT_URL: motoEndpoint(), AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: '' };
    const json = spawnSync(process.execPath, [cli, 'inventory', '--table', table, '--region', 'us-east-1', '--now', NOW, '--format', 'json', '--check'], { env, encoding: 'utf8' });
    expect(json.status).toBe(EXIT_CHECK_FAILED);
    expect(JSON.parse(json.stdout).check).toEqual({ passed: false, problems: 4 });
    const text = spawnSync(process.execPath, [cli, 'inventory', '--table', table, '--region', 'us-east-1', '--now', NOW], { env, encoding: 'utf8' });
    expect(text.status).toBe(EXIT_OK);
    expect(text.stdout).toContain('Credentials past their rotation period');
    const missing = spawnSync(process.execPath, [cli, 'inventory', '--table', 'no-such-table', '--region', 'us-east-1'], { env, encoding: 'utf8' });
    expect(missing.status).toBe(EXIT_USAGE_OR_IO);
    expect(missing.stderr).toMatch(/cannot read table no-such-table: ResourceNotFoundException/);
  });
});

describe('inventory CLI against a JSON inventory', () => {
  const healthy = declaredRecord('Healthy', { createdAt: '2026-01-01T00:00:00Z', credentials: [{ ...declaredRecord('Healthy').credentials[0], lastRotated: '2026-05-25T00:00:00Z' }] });
  const overdue = declaredRecord('Overdue', { createdAt: '2026-01-01T00:00:00Z', credentials: [{ ...declaredRecord('Overdue').credentials[0], lastRotated: '2026-02-01T00:00:00Z' }] });

  test('a synth-style report `{ schemaVersion, generatedAt, records }` with an overdue credential: found, --check exits 2', async () => {
    const file = writeJson('integration-inventory.json', { schemaVersion: 1, generatedAt: '2026-06-01T00:00:00Z', records: [healthy, overdue] });
    const { code, stdout } = await run('inventory', '--file', file, '--now', NOW, '--check');
    expect(code).toBe(EXIT_CHECK_FAILED);
    expect(stdout).toMatch(/│ Overdue\s+│ team-payments\s+│ ApiKey\s+│ 30\s+│ 2026-02-01\s+│ 120\s+│/);
  });

  test('a healthy inventory passes --check (exit 0), in both formats', async () => {
    const file = writeJson('healthy.json', [healthy]);
    const text = await run('inventory', '--file', file, '--now', NOW, '--check');
    expect(text.code).toBe(EXIT_OK);
    expect(text.stdout).toContain('Check passed.');
    const json = await run('inventory', '--file', file, '--now', NOW, '--check', '--format', 'json');
    expect(json.code).toBe(EXIT_OK);
    expect(JSON.parse(json.stdout).check).toEqual({ passed: true, problems: 0 });
  });

  test('an unmonitored ACTIVE integration fails --check', async () => {
    const file = writeJson('unmonitored.json', [{ ...healthy, alarms: [] }]);
    expect((await run('inventory', '--file', file, '--now', NOW, '--check')).code).toBe(EXIT_CHECK_FAILED);
  });

  test.each([
    [['inventory'], /either --table NAME or --file PATH/],
    [['inventory', '--table', 't', '--file', 'f'], /either --table NAME or --file PATH/],
    [['inventory', '--file', 'f', '--region', 'eu-west-1'], /--region applies to --table only/],
    [['inventory', '--file', 'f', '--format', 'yaml'], /argument 'yaml' is invalid. Allowed choices are table, json/],
    [['inventory', '--file', 'f', '--now', 'yesterday'], /--now yesterday is not an ISO 8601 time/],
    [['inventory', '--file', join(tmpdir(), 'no-such-inventory.json')], /cannot read .*no-such-inventory.json/],
    [['inventory', '--bogus'], /unknown option '--bogus'/],
  ])('usage and IO errors exit 1: %j', async (args, message) => {
    const { code, stderr } = await run(...args);
    expect(code).toBe(EXIT_USAGE_OR_IO);
    expect(stderr).toMatch(message);
  });

  test('a file that is not an inventory exits 1', async () => {
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'records: []');
    expect(await run('inventory', '--file', notJson)).toEqual(expect.objectContaining({ code: EXIT_USAGE_OR_IO, stderr: expect.stringContaining('is not JSON') }));
    expect(await run('inventory', '--file', writeJson('object.json', { integrations: [] }))).toEqual(
      expect.objectContaining({ code: EXIT_USAGE_OR_IO, stderr: expect.stringContaining('expected a list of records') }),
    );
  });

  test('--help exits 0', async () => {
    const { code, stdout } = await run('inventory', '--help');
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain('Usage: cdk-secure-integrations inventory [options]');
  });
});
