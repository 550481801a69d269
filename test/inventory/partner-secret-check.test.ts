import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { register } from '../../lambda/inventory/register';
import { updateFromEvent } from '../../lambda/inventory/update';
import { EXIT_CHECK_FAILED, EXIT_OK, main } from '../../lib/inventory/cli';
import { validateReport } from '../../lib/inventory/validate-record';
import { motoClientConfig } from '../support/aws-env';
import { captureLog, cfnEvent, createInventoryTable, motoDynamoDb, secretValueEvent, webhookRecord } from './inventory-fixtures';

/**
 * `inventory --check` on partner-held signing secrets, against the register in moto as the event
 * updater keeps it: a signing secret's age runs from the last new value put in it that became
 * current (or from its record's creation), against its classification's limit.
 */
const NOW = '2026-06-01T00:00:00Z';
const ddb = motoDynamoDb();
const log = captureLog().log;

async function run(...args: string[]) {
  let stdout = '';
  const code = await main(['inventory', ...args, '--now', NOW], { stdout: (t) => (stdout += t), stderr: () => undefined, dynamoDb: () => new DynamoDBClient(motoClientConfig()) });
  return { code, stdout };
}

/** A table holding one webhook integration registered on 1 January 2026, whose operator put the partner's new secret at `changedAt`. */
async function registerWithChange(name: string, changedAt: string, overrides: Parameters<typeof webhookRecord>[1] = {}) {
  const table = await createInventoryTable(ddb, 'inventory-partner');
  const record = webhookRecord(name, overrides);
  await register(cfnEvent('Create', table, record), { ddb, log, now: () => new Date('2026-01-01T00:00:00Z') });
  await updateFromEvent(secretValueEvent('PutSecretValue', record.credentials[0].secretArn!, changedAt), { ddb, tableName: table, log });
  return table;
}

describe('inventory --check on partner-held signing secrets', () => {
  test('a signing secret changed with the partner within its limit passes, though its record is older than the limit', async () => {
    // GIVEN a CONFIDENTIAL webhook (60 days) registered 151 days ago whose secret was changed 22 days ago
    const table = await registerWithChange('HooksFresh', '2026-05-10T08:00:00Z');
    // WHEN
    const { code, stdout } = await run('--table', table, '--check');
    // THEN
    expect(stdout).toContain('1 integration(s): 1 active, 0 decommissioned. Check passed.');
    expect(code).toBe(EXIT_OK);
  });

  test('a signing secret past its classification\'s limit fails the check (exit 2), to be changed with the partner, not rotated', async () => {
    // GIVEN a RESTRICTED webhook (30 days) whose secret was changed 35 days ago
    const table = await registerWithChange('HooksStale', '2026-04-27T00:00:00Z', {
      dataClassification: 'RESTRICTED',
      credentials: [{ ...webhookRecord('HooksStale').credentials[0], maxRotationIntervalDays: 30 }],
    });
    // WHEN
    const { code, stdout } = await run('--table', table, '--check');
    // THEN
    expect(code).toBe(EXIT_CHECK_FAILED);
    expect(stdout).toMatch(
      /Partner-held secrets past their classification's limit: change each with the partner, then put the new value in Secrets Manager \(PutSecretValue\)\n(.*\n){3}│ HooksStale\s+│ team-payments\s+│ webhook-signing-secret\s+│ 30\s+│ 2026-04-27\s+│ 35\s+│/,
    );
    expect(stdout).toMatch(/Credentials past their rotation period\n {2}none\n/);
    expect(stdout).toContain('Check found 1 problem(s).');
  });

  test('as JSON, the finding says partner-held; the document is schema-valid and reads back with the same result', async () => {
    // GIVEN a CONFIDENTIAL webhook whose secret was changed 92 days ago
    const table = await registerWithChange('HooksJson', '2026-03-01T00:00:00Z');
    // WHEN
    const { code, stdout } = await run('--table', table, '--check', '--format', 'json');
    // THEN
    expect(code).toBe(EXIT_CHECK_FAILED);
    const report = JSON.parse(stdout);
    const finding = {
      integration: 'HooksJson',
      credential: 'webhook-signing-secret',
      partnerHeld: true,
      maxRotationIntervalDays: 60,
      lastRotated: '2026-03-01T00:00:00.000Z',
      since: '2026-03-01T00:00:00.000Z',
      daysSince: 92,
    };
    expect(report.findings.overdueCredentials).toEqual([expect.objectContaining(finding)]);
    expect(validateReport(report).errors).toBeUndefined();
    const file = join(mkdtempSync(join(tmpdir(), 'inventory-partner-')), 'report.json');
    writeFileSync(file, stdout);
    const again = await run('--file', file, '--check', '--format', 'json');
    expect(again.code).toBe(EXIT_CHECK_FAILED);
    expect(JSON.parse(again.stdout).findings.overdueCredentials).toEqual([expect.objectContaining(finding)]);
  });
});
