// Conversion between inventory records and DynamoDB items (see table-design.ts for the layout).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { InventoryRecord } from './inventory-record';
import { RECORD_ITEM_INTERNAL_ATTRIBUTES, recordKey } from './table-design';

/** A DynamoDB item in its wire form. */
export type DynamoItem = Record<string, AttributeValue>;

/** What a record item holds besides the record. */
export interface RecordItemMeta {
  /** The table key's partition value, for reports on items that are not valid records. */
  readonly pk?: string;
  /** `<StackId>/<LogicalResourceId>` of the custom resource that registered the record. */
  readonly registeredBy?: string;
  /** The item's `version`, read without validating the rest. */
  readonly version?: number;
}

/** The item of a record: key, every record field at the top level, and `registeredBy`. */
export function recordToItem(record: InventoryRecord, registeredBy?: string): DynamoItem {
  return marshall({ ...recordKey(record.integrationId), ...record, ...(registeredBy ? { registeredBy } : {}) }, { removeUndefinedValues: true });
}

/** The record fields of an item (not yet validated: pass them to migrateRecord) and its metadata. */
export function itemToRaw(item: DynamoItem): { raw: Record<string, unknown>; meta: RecordItemMeta } {
  const plain = unmarshall(item) as Record<string, unknown>;
  const raw: Record<string, unknown> = { ...plain };
  for (const attribute of RECORD_ITEM_INTERNAL_ATTRIBUTES) delete raw[attribute];
  return {
    raw,
    meta: {
      pk: typeof plain.pk === 'string' ? plain.pk : undefined,
      registeredBy: typeof plain.registeredBy === 'string' ? plain.registeredBy : undefined,
      version: typeof plain.version === 'number' ? plain.version : undefined,
    },
  };
}
