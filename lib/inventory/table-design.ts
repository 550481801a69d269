// The inventory table's key design, shared by the table construct, the registration custom
// resource, the event updater and the CLI. Plain constants: the Lambda bundle and the CLI import
// this file, so it must not import aws-cdk-lib.
//
// One table, single-table design, three item kinds:
//
//   item                   pk                                       sk         other attributes
//   ---------------------  ---------------------------------------  ---------  ------------------------------------------
//   record (one per        INTEGRATION#<integrationId>              RECORD     every InventoryRecord field at the top
//   integration)                                                               level (owner, name, dataClassification,
//                                                                              credentials, alarms, version, ...) and
//                                                                              `registeredBy` (which custom resource owns it)
//   secret lookup          SECRET#<secret ARN>                      LOOKUP     integrationId
//   alarm lookup           ALARM#<account>:<region>:<alarm name>    LOOKUP     integrationId
//   redrive history (one   REDRIVE#<integrationId>                  HISTORY    integrationId, entries (newest first, at
//   per integration that                                                       most 50: who moved how many messages
//   was ever redriven)                                                         out of a dead-letter queue, when), version
//
// - integrationId is `<account>:<region>:<stack>:<integration>`, unique across stacks sharing a table.
// - Events name a secret (its ARN) or an alarm (its name, with the event's account and region), never
//   an integration: the lookup items turn one GetItem into the integration id, a second GetItem reads
//   the record. No scan, no index on nested lists.
// - Alarm lookups carry account and region because an alarm name is unique only within one account
//   and region (secret ARNs are globally unique already). The alarm event carries both (`account`,
//   `region`), and so does the record the custom resource writes.
// - GSIs `byOwner` (pk `owner`, sk `name`) and `byClassification` (pk `dataClassification`, sk
//   `name`), projection ALL: lookup items carry none of these attributes, so both indexes are sparse
//   and hold records only. `name` is not unique (two stacks may hold `Orders`); GSI keys need not be.
// - Records are never deleted: decommissioning sets `status` and `decommissionedAt`. Lookup items
//   stay too, so late rotation or alarm events of a decommissioned integration still resolve to its
//   record and are ignored on purpose (and logged) rather than reported as unknown. A lookup whose
//   secret or alarm left the record on an update is removed by that update.
// - Optimistic concurrency: every write of a record is conditional on the `version` it read
//   (`attribute_not_exists(pk)` for the first write) and stores version + 1. So is every write of a
//   redrive history.
// - The redrive history is an item of its own, written only by the CLI's `redrive`: the
//   registration and the event updater put whole record items (the record schema admits no other
//   attribute), so history kept on the record would be erased by the next deploy. Its own
//   partition (`REDRIVE#<integrationId>`) lets an operator's policy (IntegrationQueue.grantRedrive)
//   allow PutItem on that one integration's partition only (`dynamodb:LeadingKeys`
//   ForAllValues:StringEquals) and with the history's attributes only (`dynamodb:Attributes`,
//   REDRIVE_HISTORY_ATTRIBUTES), so it carries no `owner`, `name` or `dataClassification` and the
//   GSIs stay records-only. IAM cannot limit the sort key, so an operator may still put an item
//   with sk `RECORD` in that partition: readers take records from `INTEGRATION#` partitions only
//   (RECORD_PARTITION_PREFIX), and report any other `RECORD` item as unreadable. Nor can IAM
//   require the write to keep earlier entries: the CLI only appends and updates its own entries,
//   but an operator with the grant can rewrite the item with other tools. CloudTrail's
//   StartMessageMoveTask and CancelMessageMoveTask events are the audit trail;
//   the history is a convenience.

/** The table's partition key (string). */
export const INVENTORY_PARTITION_KEY = 'pk';
/** The table's sort key (string). */
export const INVENTORY_SORT_KEY = 'sk';
/** The sort key of a record item. */
export const RECORD_SORT_KEY = 'RECORD';
/** The sort key of a lookup item. */
export const LOOKUP_SORT_KEY = 'LOOKUP';
/** The sort key of a redrive history item. */
export const REDRIVE_HISTORY_SORT_KEY = 'HISTORY';
/** The partition key prefix of record items: a record is read only from a partition `INTEGRATION#<its integrationId>`. */
export const RECORD_PARTITION_PREFIX = 'INTEGRATION#';
/** The partition key prefix of redrive history items (`REDRIVE#<integrationId>`). */
export const REDRIVE_HISTORY_PREFIX = 'REDRIVE#';
/** Every attribute of a redrive history item: what an operator's PutItem may carry (`dynamodb:Attributes`). */
export const REDRIVE_HISTORY_ATTRIBUTES = [INVENTORY_PARTITION_KEY, INVENTORY_SORT_KEY, 'integrationId', 'entries', 'version', 'updatedAt'] as const;

/** A global secondary index of the table. */
export interface InventoryIndexDesign {
  readonly indexName: string;
  /** Partition key attribute (string). */
  readonly partitionKey: string;
  /** Sort key attribute (string). */
  readonly sortKey: string;
}

/** Records by owner, sorted by name. */
export const BY_OWNER_INDEX: InventoryIndexDesign = { indexName: 'byOwner', partitionKey: 'owner', sortKey: 'name' };
/** Records by data classification, sorted by name. */
export const BY_CLASSIFICATION_INDEX: InventoryIndexDesign = { indexName: 'byClassification', partitionKey: 'dataClassification', sortKey: 'name' };
/** Every GSI of the table (projection ALL). */
export const INVENTORY_INDEXES: readonly InventoryIndexDesign[] = [BY_OWNER_INDEX, BY_CLASSIFICATION_INDEX];

/** Attributes of a record item that are not fields of the InventoryRecord. */
export const RECORD_ITEM_INTERNAL_ATTRIBUTES = [INVENTORY_PARTITION_KEY, INVENTORY_SORT_KEY, 'registeredBy'] as const;

/** A table key. */
export interface InventoryKey {
  readonly pk: string;
  readonly sk: string;
}

/** The key of an integration's record. */
export function recordKey(integrationId: string): InventoryKey {
  return { pk: `${RECORD_PARTITION_PREFIX}${integrationId}`, sk: RECORD_SORT_KEY };
}

/** The key of the lookup item of a credential's secret. */
export function secretLookupKey(secretArn: string): InventoryKey {
  return { pk: `SECRET#${secretArn}`, sk: LOOKUP_SORT_KEY };
}

/** The key of the lookup item of an alarm (alarm names are unique per account and region). */
export function alarmLookupKey(account: string, region: string, alarmName: string): InventoryKey {
  return { pk: `ALARM#${account}:${region}:${alarmName}`, sk: LOOKUP_SORT_KEY };
}

/** The key of an integration's redrive history. */
export function redriveHistoryKey(integrationId: string): InventoryKey {
  return { pk: `${REDRIVE_HISTORY_PREFIX}${integrationId}`, sk: REDRIVE_HISTORY_SORT_KEY };
}

/** A lookup item: which integration a secret or an alarm belongs to. */
export interface InventoryLookupItem extends InventoryKey {
  readonly integrationId: string;
}

/** The environment variable naming the table, read by the inventory function. */
export const INVENTORY_TABLE_ENV = 'INVENTORY_TABLE_NAME';
