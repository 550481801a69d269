import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { CREATE_FAILED_PHYSICAL_ID, register, StaleRecordError } from '../../lambda/inventory/register';
import { updateFromEvent } from '../../lambda/inventory/update';
import { alarmLookupKey, recordKey, secretLookupKey } from '../../lib/inventory/table-design';
import {
  ACCOUNT,
  captureLog,
  cfnEvent,
  createInventoryTable,
  declaredRecord,
  getItem,
  getRecordItem,
  hashOf,
  motoDynamoDb,
  REGION,
  rotationEvent,
  STACK_ID,
} from './inventory-fixtures';

const ddb = motoDynamoDb();
let table: string;
let clock: Date;
const now = () => clock;

/**
 * A client whose record writes wait until `readers` record reads have been answered: every
 * concurrent writer then reads the same version, so all but one lose the conditional write.
 */
function raceClient(readers: number): DynamoDBClient {
  let reads = 0;
  let release!: () => void;
  const allRead = new Promise<void>((r) => (release = r));
  const client = motoDynamoDb();
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  let racing = true;
  // DynamoDB applies each conditional write atomically; moto_server, which serves requests on
  // threads, may check two concurrent writes' conditions before either lands (seen in CI under
  // load: both Updates "won"). The writes go one at a time, as DynamoDB would order them.
  let writes: Promise<unknown> = Promise.resolve();
  (client as unknown as { send: (c: unknown) => Promise<unknown> }).send = async (command: unknown) => {
    if (racing && command instanceof PutItemCommand) await allRead;
    if (command instanceof PutItemCommand) {
      const result = writes.then(() => send(command));
      writes = result.catch(() => undefined);
      return result;
    }
    const out = await send(command);
    if (racing && command instanceof GetItemCommand && (command.input.Key?.sk?.S ?? '') === 'RECORD' && ++reads === readers) {
      release();
      racing = false;
    }
    return out;
  };
  return client;
}

beforeAll(async () => {
  table = await createInventoryTable(ddb);
});

beforeEach(() => {
  clock = new Date('2026-03-01T10:00:00.000Z');
});

describe('registration custom resource: lifecycle', () => {
  test('Create writes the record, version 1, and a lookup item per secret and alarm', async () => {
    // GIVEN
    const record = declaredRecord('OrdersCreate');
    const { log } = captureLog();
    // WHEN
    const result = await register(cfnEvent('Create', table, record), { ddb, log, now });
    // THEN
    expect(result).toEqual({
      PhysicalResourceId: `inventory:${record.integrationId}`,
      Data: { IntegrationId: record.integrationId, Version: '1', ContentHash: record.contentHash },
    });
    const stored = await getRecordItem(ddb, table, record.integrationId);
    expect(stored).toEqual(
      expect.objectContaining({
        ...record,
        status: 'ACTIVE',
        version: 1,
        createdAt: '2026-03-01T10:00:00.000Z',
        updatedAt: '2026-03-01T10:00:00.000Z',
        registeredBy: `${STACK_ID}/InventoryOrdersCreate`,
      }),
    );
    expect(await getItem(ddb, table, secretLookupKey(record.credentials[0].secretArn!))).toEqual(expect.objectContaining({ integrationId: record.integrationId }));
    for (const alarm of record.alarms) {
      expect(await getItem(ddb, table, alarmLookupKey(ACCOUNT, REGION, alarm.name))).toEqual(expect.objectContaining({ integrationId: record.integrationId }));
    }
  });

  test('a Record property given as an object, every scalar a string as CloudFormation sends it, is stored with its types', async () => {
    const record = declaredRecord('OrdersStrings');
    await register(cfnEvent('Create', table, record, { recordAsObject: true }), { ddb, log: captureLog().log, now });
    const stored = await getRecordItem(ddb, table, record.integrationId);
    expect(stored?.schemaVersion).toBe(1);
    expect(stored?.slo).toEqual({ availabilityPercent: 99.9, latencyP95Ms: 500, windowDays: 30 });
    expect(stored?.credentials[0].maxRotationIntervalDays).toBe(30);
  });

  test('Update writes the new content, keeps createdAt and run-time state, keeps the physical id, drops lookups of removed alarms', async () => {
    // GIVEN a registered record whose secret has rotated since
    const v1 = declaredRecord('OrdersUpdate');
    await register(cfnEvent('Create', table, v1), { ddb, log: captureLog().log, now });
    await updateFromEvent(rotationEvent('RotationSucceeded', v1.credentials[0].secretArn!, '2026-03-02T02:00:00Z'), { ddb, tableName: table, log: captureLog().log });
    const v2 = declaredRecord('OrdersUpdate', { owner: 'team-orders', alarms: [v1.alarms[0]], contentHash: hashOf('OrdersUpdate:v2') });
    clock = new Date('2026-03-05T10:00:00.000Z');
    // WHEN
    const result = await register(cfnEvent('Update', table, v2, { old: v1 }), { ddb, log: captureLog().log, now });
    // THEN
    expect(result.PhysicalResourceId).toBe(`inventory:${v1.integrationId}`);
    expect(result.Data.Version).toBe('3');
    const stored = await getRecordItem(ddb, table, v1.integrationId);
    expect(stored).toEqual(
      expect.objectContaining({ owner: 'team-orders', contentHash: v2.contentHash, createdAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-03-05T10:00:00.000Z', version: 3 }),
    );
    expect(stored?.credentials[0]).toEqual(expect.objectContaining({ lastRotated: '2026-03-02T02:00:00.000Z', lastRotationStatus: 'SUCCEEDED' }));
    expect(await getItem(ddb, table, alarmLookupKey(ACCOUNT, REGION, v1.alarms[1].name))).toBeUndefined();
    expect(await getItem(ddb, table, alarmLookupKey(ACCOUNT, REGION, v1.alarms[0].name))).toBeDefined();
  });

  test('Update is rejected when the stored content is neither the old nor the new one (stale), and the record is left alone', async () => {
    // GIVEN another deployment wrote content this stack never saw
    const v1 = declaredRecord('OrdersStale');
    await register(cfnEvent('Create', table, v1), { ddb, log: captureLog().log, now });
    const theirs = declaredRecord('OrdersStale', { owner: 'someone-else', contentHash: hashOf('theirs') });
    await register(cfnEvent('Update', table, theirs, { old: v1 }), { ddb, log: captureLog().log, now });
    // WHEN this stack updates from v1 to v2
    const v2 = declaredRecord('OrdersStale', { contentHash: hashOf('OrdersStale:v2') });
    const update = register(cfnEvent('Update', table, v2, { old: v1 }), { ddb, log: captureLog().log, now });
    // THEN
    await expect(update).rejects.toThrow(StaleRecordError);
    await expect(update).rejects.toThrow(/is stale: .* Another deployment changed it/);
    const stored = await getRecordItem(ddb, table, v1.integrationId);
    expect(stored).toEqual(expect.objectContaining({ owner: 'someone-else', version: 2 }));
  });

  test('Update of a record already holding the new content succeeds (a retried request)', async () => {
    const v1 = declaredRecord('OrdersRetry');
    const v2 = declaredRecord('OrdersRetry', { contentHash: hashOf('OrdersRetry:v2') });
    await register(cfnEvent('Create', table, v1), { ddb, log: captureLog().log, now });
    await register(cfnEvent('Update', table, v2, { old: v1 }), { ddb, log: captureLog().log, now });
    await expect(register(cfnEvent('Update', table, v2, { old: v1 }), { ddb, log: captureLog().log, now })).resolves.toEqual(expect.objectContaining({ Data: expect.objectContaining({ Version: '3' }) }));
  });

  test('Delete marks the record DECOMMISSIONED with a timestamp and keeps it and its lookups', async () => {
    const record = declaredRecord('OrdersDelete');
    await register(cfnEvent('Create', table, record), { ddb, log: captureLog().log, now });
    clock = new Date('2026-04-01T08:00:00.000Z');
    const result = await register(cfnEvent('Delete', table, record), { ddb, log: captureLog().log, now });
    expect(result).toEqual({ PhysicalResourceId: `inventory:${record.integrationId}`, Data: {} });
    const stored = await getRecordItem(ddb, table, record.integrationId);
    expect(stored).toEqual(expect.objectContaining({ status: 'DECOMMISSIONED', decommissionedAt: '2026-04-01T08:00:00.000Z', version: 2, owner: record.owner }));
    expect(await getItem(ddb, table, secretLookupKey(record.credentials[0].secretArn!))).toBeDefined();
    // A repeated Delete changes nothing.
    await register(cfnEvent('Delete', table, record), { ddb, log: captureLog().log, now: () => new Date('2026-05-01T00:00:00Z') });
    expect(await getRecordItem(ddb, table, record.integrationId)).toEqual(expect.objectContaining({ decommissionedAt: '2026-04-01T08:00:00.000Z', version: 2 }));
  });

  test('re-create after decommission: ACTIVE again, decommissionedAt removed, createdAt and rotation history kept', async () => {
    const record = declaredRecord('OrdersRecreate');
    await register(cfnEvent('Create', table, record), { ddb, log: captureLog().log, now });
    await updateFromEvent(rotationEvent('RotationFailed', record.credentials[0].secretArn!, '2026-03-02T02:00:00Z'), { ddb, tableName: table, log: captureLog().log });
    clock = new Date('2026-04-01T00:00:00.000Z');
    await register(cfnEvent('Delete', table, record), { ddb, log: captureLog().log, now });
    clock = new Date('2026-06-01T00:00:00.000Z');
    const { lines, log } = captureLog();
    await register(cfnEvent('Create', table, record), { ddb, log, now });
    const stored = await getRecordItem(ddb, table, record.integrationId);
    expect(stored).toEqual(expect.objectContaining({ status: 'ACTIVE', createdAt: '2026-03-01T10:00:00.000Z', updatedAt: '2026-06-01T00:00:00.000Z', version: 4 }));
    expect(stored).not.toHaveProperty('decommissionedAt');
    expect(stored?.credentials[0]).toEqual(expect.objectContaining({ lastRotationStatus: 'FAILED', lastRotationAttemptAt: '2026-03-02T02:00:00.000Z' }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'inventory record registered', extra: expect.objectContaining({ reactivated: true }) }));
  });

  test('Delete from a resource that no longer owns the record (logical id renamed) leaves it ACTIVE', async () => {
    const record = declaredRecord('OrdersRenamed');
    await register(cfnEvent('Create', table, record, { logicalId: 'OldId' }), { ddb, log: captureLog().log, now });
    await register(cfnEvent('Create', table, record, { logicalId: 'NewId' }), { ddb, log: captureLog().log, now });
    const { lines, log } = captureLog();
    await register(cfnEvent('Delete', table, record, { logicalId: 'OldId' }), { ddb, log, now });
    expect(await getRecordItem(ddb, table, record.integrationId)).toEqual(expect.objectContaining({ status: 'ACTIVE', registeredBy: `${STACK_ID}/NewId` }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringContaining('registered by another resource') }));
  });

  test('Delete after a failed Create does nothing', async () => {
    const record = declaredRecord('OrdersNeverCreated');
    await expect(register(cfnEvent('Delete', table, record, { physicalId: CREATE_FAILED_PHYSICAL_ID }), { ddb, log: captureLog().log, now })).resolves.toEqual({
      PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID,
      Data: {},
    });
    expect(await getRecordItem(ddb, table, record.integrationId)).toBeUndefined();
  });

  test('a record that does not match the schema fails the request and writes nothing', async () => {
    const bad = { ...declaredRecord('OrdersBad'), owner: '' };
    await expect(register(cfnEvent('Create', table, bad), { ddb, log: captureLog().log, now })).rejects.toThrow(/does not match the record schema: \/owner must NOT have fewer than 1 characters/);
    expect(await getRecordItem(ddb, table, bad.integrationId)).toBeUndefined();
  });

  test('without a table name in the properties or the environment, the request fails', async () => {
    const event = cfnEvent('Create', table, declaredRecord('OrdersNoTable'));
    delete (event.ResourceProperties as Record<string, unknown>).TableName;
    await expect(register(event, { ddb, log: captureLog().log, now })).rejects.toThrow(/no TableName property and INVENTORY_TABLE_NAME is not set/);
  });

  test('a stored record that cannot be read is overwritten on Create, with a warning', async () => {
    const record = declaredRecord('OrdersGarbage');
    await ddb.send(new PutItemCommand({ TableName: table, Item: marshall({ ...recordKey(record.integrationId), schemaVersion: 'one', junk: true }) }));
    const { lines, log } = captureLog();
    await register(cfnEvent('Create', table, record), { ddb, log, now });
    expect(await getRecordItem(ddb, table, record.integrationId)).toEqual(expect.objectContaining({ schemaVersion: 1, version: 1, status: 'ACTIVE' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ error: expect.stringContaining('unknown schema version') }) }));
  });
});

describe('registration custom resource: concurrent writers', () => {
  test('two concurrent Updates to different content: one wins, the other retries, finds the record stale and fails; no lost update', async () => {
    // GIVEN
    const v1 = declaredRecord('OrdersRace');
    await register(cfnEvent('Create', table, v1), { ddb, log: captureLog().log, now });
    const a = declaredRecord('OrdersRace', { owner: 'team-a', contentHash: hashOf('a') });
    const b = declaredRecord('OrdersRace', { owner: 'team-b', contentHash: hashOf('b') });
    const client = raceClient(2);
    const logs = [captureLog(), captureLog()];
    // WHEN both read version 1 before either writes
    const results = await Promise.allSettled([
      register(cfnEvent('Update', table, a, { old: v1 }), { ddb: client, log: logs[0].log, now }),
      register(cfnEvent('Update', table, b, { old: v1 }), { ddb: client, log: logs[1].log, now }),
    ]);
    // THEN
    const won = results.findIndex((r) => r.status === 'fulfilled');
    const lost = 1 - won;
    expect(won).toBeGreaterThanOrEqual(0);
    expect(results[lost]).toEqual({ status: 'rejected', reason: expect.any(StaleRecordError) });
    expect(logs[lost].lines).toContainEqual(expect.objectContaining({ msg: expect.stringContaining('changed concurrently') }));
    const stored = await getRecordItem(ddb, table, v1.integrationId);
    expect(stored).toEqual(expect.objectContaining({ version: 2, owner: [a, b][won].owner, contentHash: [a, b][won].contentHash }));
  });

  test('a deploy and a rotation event at once: both land, whichever wrote first', async () => {
    const v1 = declaredRecord('OrdersDeployAndRotate');
    await register(cfnEvent('Create', table, v1), { ddb, log: captureLog().log, now });
    const v2 = declaredRecord('OrdersDeployAndRotate', { description: 'changed', contentHash: hashOf('OrdersDeployAndRotate:v2') });
    const client = raceClient(2);
    await Promise.all([
      register(cfnEvent('Update', table, v2, { old: v1 }), { ddb: client, log: captureLog().log, now }),
      updateFromEvent(rotationEvent('RotationSucceeded', v1.credentials[0].secretArn!, '2026-03-02T02:00:00Z'), { ddb: client, tableName: table, log: captureLog().log }),
    ]);
    const stored = await getRecordItem(ddb, table, v1.integrationId);
    expect(stored).toEqual(expect.objectContaining({ description: 'changed', contentHash: v2.contentHash, version: 3 }));
    expect(stored?.credentials[0].lastRotated).toBe('2026-03-02T02:00:00.000Z');
  });
});
