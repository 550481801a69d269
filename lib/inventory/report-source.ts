// Where the inventory report reads records from: the DynamoDB table (records only, lookup and
// history items skipped; a `RECORD` item outside its `INTEGRATION#<integrationId>` partition is
// unreadable, never a record) or a JSON file (the synth-time `integration-inventory.json`, a CLI
// `--format json` output, or a plain array of records). Every record is migrated on read; one that
// cannot be is returned as unreadable, never dropped.
import { readFile } from 'node:fs/promises';
import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import type { InventoryRecord } from './inventory-record';
import { migrateRecord } from './migrate';
import { itemToRaw } from './record-item';
import type { UnreadableRecord } from './report-findings';
import { RECORD_PARTITION_PREFIX, RECORD_SORT_KEY, recordKey } from './table-design';

/** Records read, those that could not be read, and how many were migrated from an older schema. */
export interface LoadedRecords {
  readonly records: InventoryRecord[];
  readonly unreadable: UnreadableRecord[];
  readonly migrated: number;
}

/** A file that is not an inventory at all (not JSON, or no list of records): a usage or IO error, not a finding. */
export class InventorySourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InventorySourceError';
  }
}

function collect(entries: Array<{ raw: unknown; source: string; refused?: UnreadableRecord }>): LoadedRecords {
  const records: InventoryRecord[] = [];
  const unreadable: UnreadableRecord[] = [];
  let migrated = 0;
  for (const { raw, source, refused } of entries) {
    if (refused) {
      unreadable.push(refused);
      continue;
    }
    const read = migrateRecord(raw);
    if (read.error !== undefined) unreadable.push({ source, error: read.error, ...(read.integrationId ? { integrationId: read.integrationId } : {}) });
    else {
      records.push(read.record);
      if (read.migratedFrom !== undefined) migrated++;
    }
  }
  return { records, unreadable, migrated };
}

/** The records of a parsed JSON document: an array, or an object with a `records` array. */
export function recordsFromJson(document: unknown, name = 'file'): LoadedRecords {
  const list = Array.isArray(document) ? document : (document as { records?: unknown } | null)?.records;
  if (!Array.isArray(list)) throw new InventorySourceError(`${name} holds no inventory: expected a list of records or an object with a "records" list`);
  const loaded = collect(list.map((raw, i) => ({ raw, source: `${name} records[${i}]` })));
  // A report of this CLI (--format json) lists the records it could not read apart from `records`: carry them on.
  const earlier = (document as { findings?: { unreadable?: unknown } } | null)?.findings?.unreadable;
  const carried = (Array.isArray(earlier) ? earlier : []).filter(
    (u): u is UnreadableRecord => typeof u === 'object' && u !== null && typeof (u as UnreadableRecord).source === 'string' && typeof (u as UnreadableRecord).error === 'string',
  );
  return { ...loaded, unreadable: [...loaded.unreadable, ...carried] };
}

/** Reads a JSON inventory file. */
export async function recordsFromFile(path: string): Promise<LoadedRecords> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InventorySourceError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InventorySourceError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return recordsFromJson(document, path);
}

/**
 * Why an item with sort key `RECORD` is not a record of the register, or undefined when it may be:
 * the registration writes a record only at `INTEGRATION#<its integrationId>`. Anything else (an
 * item planted in a redrive history partition, `REDRIVE#x`/`RECORD`, or a record copied to another
 * key) would otherwise pass for an integration: choose the queues `redrive` moves, make a name
 * ambiguous, land in the owner and classification indexes.
 */
function notARecord(pk: string | undefined, raw: Record<string, unknown>): string | undefined {
  if (pk === undefined || !pk.startsWith(RECORD_PARTITION_PREFIX)) {
    return `not a record: its partition key ${pk === undefined ? '(none)' : JSON.stringify(pk)} is not ${RECORD_PARTITION_PREFIX}<integrationId> (an item the registration did not write)`;
  }
  if (typeof raw.integrationId === 'string' && recordKey(raw.integrationId).pk !== pk) {
    return `not a record: its partition key ${JSON.stringify(pk)} is not that of its integrationId (${recordKey(raw.integrationId).pk})`;
  }
  return undefined;
}

/**
 * Reads every record item of the table (a filtered scan: lookup and history items are not
 * returned). An item with sort key `RECORD` outside its `INTEGRATION#<integrationId>` partition is
 * returned as unreadable, never as a record.
 */
export async function recordsFromTable(ddb: DynamoDBClient, tableName: string): Promise<LoadedRecords> {
  const entries: Array<{ raw: unknown; source: string; refused?: UnreadableRecord }> = [];
  const pages = paginateScan(
    { client: ddb, pageSize: 100 },
    { TableName: tableName, FilterExpression: '#sk = :record', ExpressionAttributeNames: { '#sk': 'sk' }, ExpressionAttributeValues: { ':record': { S: RECORD_SORT_KEY } } },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const { raw, meta } = itemToRaw(item);
      const source = `${tableName} ${meta.pk ?? '(no pk)'}`;
      // A refused item's integrationId is not shown: it is a claim, and may name a real integration.
      const refusal = notARecord(meta.pk, raw);
      entries.push({ raw, source, ...(refusal ? { refused: { source, error: refusal } } : {}) });
    }
  }
  return collect(entries);
}
