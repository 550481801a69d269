// Reads and conditional writes of inventory items, shared by the registration custom resource and
// the event updater. Every record write is conditional on the version read before it.
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { InventoryRecord } from '../../lib/inventory/inventory-record';
import { migrateRecord, type MigratedRecord, type MigrationFailure } from '../../lib/inventory/migrate';
import { itemToRaw, recordToItem, type RecordItemMeta } from '../../lib/inventory/record-item';
import { type InventoryKey, recordKey } from '../../lib/inventory/table-design';

/** A record item as read: its metadata, and the record (migrated) or why it cannot be read. */
export interface StoredRecord {
  readonly meta: RecordItemMeta;
  readonly read: MigratedRecord | MigrationFailure;
  readonly raw: Record<string, unknown>;
}

/** A conditional write lost to a concurrent writer: read again and retry. */
export class VersionConflictError extends Error {
  constructor(integrationId: string, expected: number | undefined) {
    super(`inventory record ${integrationId} changed concurrently (expected version ${expected ?? 'none'})`);
    this.name = 'VersionConflictError';
  }
}

/** Reads an integration's record item (strongly consistent), or undefined when there is none. */
export async function readRecord(ddb: DynamoDBClient, tableName: string, integrationId: string): Promise<StoredRecord | undefined> {
  const out = await ddb.send(new GetItemCommand({ TableName: tableName, Key: marshall(recordKey(integrationId)), ConsistentRead: true }));
  if (!out.Item) return undefined;
  const { raw, meta } = itemToRaw(out.Item);
  return { meta, raw, read: migrateRecord(raw) };
}

/**
 * The condition on a record write: no item yet (`absent`), an item without a version (records
 * written before versioning), or the version read.
 */
function versionCondition(expected: number | 'absent' | undefined) {
  if (expected === 'absent') return { ConditionExpression: 'attribute_not_exists(pk)' };
  if (expected === undefined) return { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#version)', ExpressionAttributeNames: { '#version': 'version' } };
  return { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: marshall({ ':expected': expected }) };
}

/** Puts a record if the stored version is still `expected`; throws VersionConflictError otherwise. */
export async function writeRecord(
  ddb: DynamoDBClient,
  tableName: string,
  record: InventoryRecord,
  expected: number | 'absent' | undefined,
  registeredBy?: string,
): Promise<void> {
  try {
    await ddb.send(new PutItemCommand({ TableName: tableName, Item: recordToItem(record, registeredBy), ...versionCondition(expected) }));
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(record.integrationId, expected === 'absent' ? undefined : expected);
    throw error;
  }
}

/** The integration a lookup item points at, or undefined when there is none. */
export async function readLookup(ddb: DynamoDBClient, tableName: string, key: InventoryKey): Promise<string | undefined> {
  const out = await ddb.send(new GetItemCommand({ TableName: tableName, Key: marshall(key), ProjectionExpression: 'integrationId' }));
  const id = out.Item?.integrationId?.S;
  return id && id.length > 0 ? id : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes lookup items pointing at `integrationId`, in batches of 25, retrying unprocessed items. */
export async function putLookups(ddb: DynamoDBClient, tableName: string, keys: InventoryKey[], integrationId: string, maxAttempts = 6): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let requests: WriteRequest[] = keys.slice(i, i + 25).map((key) => ({ PutRequest: { Item: marshall({ ...key, integrationId }) } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > maxAttempts) throw new Error(`inventory: ${requests.length} lookup item(s) of ${integrationId} still unprocessed after ${maxAttempts} attempts`);
      const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
      requests = out.UnprocessedItems?.[tableName] ?? [];
      if (requests.length > 0) await sleep(50 * 2 ** attempt);
    }
  }
}

/** Deletes a lookup item if it still points at `integrationId` (another integration may have claimed it since). */
export async function deleteLookup(ddb: DynamoDBClient, tableName: string, key: InventoryKey, integrationId: string): Promise<boolean> {
  try {
    await ddb.send(
      new DeleteItemCommand({ TableName: tableName, Key: marshall(key), ConditionExpression: 'integrationId = :id', ExpressionAttributeValues: marshall({ ':id': integrationId }) }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Runs `attempt` until it does not raise a VersionConflictError, at most `maxAttempts` times, with jittered backoff. */
export async function withVersionRetry<T>(maxAttempts: number, attempt: (n: number) => Promise<T>, onConflict?: (n: number, error: VersionConflictError) => void): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof VersionConflictError) || n >= maxAttempts) throw error;
      onConflict?.(n, error);
      await sleep(Math.round(20 * n + Math.random() * 40 * n));
    }
  }
}
