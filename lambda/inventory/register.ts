// The registration custom resource: writes an integration's inventory record at deploy.
//
// Properties: `TableName` (optional when INVENTORY_TABLE_NAME is set) and `Record`, the record as
// synthesized with deploy-time values resolved. `Record` is best passed as one JSON string
// (`Stack.of(this).toJsonString(record)`), which keeps numbers numbers; an object works too, its
// scalars (which CloudFormation turns into strings) are converted back by the schema.
//
// - Create / Update put the record: conditional on the version read (no lost update with concurrent
//   deploys or event updates; a lost race is retried), rejecting an Update when the stored
//   contentHash is neither the old nor the new one (someone else changed the record since: stale).
//   createdAt and the run-time fields (last rotation, alarm states) are kept; status is ACTIVE.
// - Delete marks the record DECOMMISSIONED with decommissionedAt and keeps it, its lookups too.
// - Physical id `inventory:<integrationId>`, the same on every Update, so CloudFormation never
//   issues a Delete for a replacement (a renamed integration is a new id: the old one is decommissioned).
// - Failures throw; the caller reports them to CloudFormation.
import type { CustomResourceResult, Log } from '../shared/cfn-response';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { InventoryAlarm, InventoryCredential, InventoryRecord } from '../../lib/inventory/inventory-record';
import { alarmLookupKey, type InventoryKey, secretLookupKey } from '../../lib/inventory/table-design';
import { coerceRecord } from '../../lib/inventory/validate-record';
import { deleteLookup, putLookups, readRecord, withVersionRetry, writeRecord } from './record-store';

/** The physical id prefix; the rest is the integration id. */
export const PHYSICAL_ID_PREFIX = 'inventory:';
/** The physical id reported for a Create that failed; its later Delete does nothing. */
export const CREATE_FAILED_PHYSICAL_ID = 'inventory:CREATE_FAILED';

/** What the handler returns, and CloudFormation receives (Data is readable with Fn::GetAtt). */
export type RegisterResult = CustomResourceResult;
export type { Log };

export interface RegisterDependencies {
  readonly ddb: DynamoDBClient;
  /** The table when the properties name none (INVENTORY_TABLE_NAME). */
  readonly defaultTableName?: string;
  readonly now?: () => Date;
  readonly log: Log;
  /** Attempts when a concurrent writer wins the version race. @default 5 */
  readonly maxAttempts?: number;
}

/** An Update found a record someone else changed since this stack last wrote it. */
export class StaleRecordError extends Error {
  constructor(integrationId: string, stored: string, old: string | undefined, next: string) {
    super(
      `inventory record ${integrationId} is stale: the table holds content ${stored.slice(0, 12)}, neither this stack's previous ` +
        `(${(old ?? 'none').slice(0, 12)}) nor its new one (${next.slice(0, 12)}). Another deployment changed it; deploy again once it is done.`,
    );
    this.name = 'StaleRecordError';
  }
}

type Properties = Record<string, unknown>;

function tableNameOf(props: Properties, deps: RegisterDependencies): string {
  const name = typeof props.TableName === 'string' && props.TableName.length > 0 ? props.TableName : deps.defaultTableName;
  if (!name) throw new Error('inventory custom resource: no TableName property and INVENTORY_TABLE_NAME is not set');
  return name;
}

/** The record the properties declare, typed and validated. */
export function declaredRecord(props: Properties): InventoryRecord {
  let raw: unknown = props.Record;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (error) {
      throw new Error(`inventory custom resource: the Record property is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  if (raw === undefined) throw new Error('inventory custom resource: the Record property is missing');
  const checked = coerceRecord(raw);
  if (checked.errors) throw new Error(`inventory custom resource: the Record property does not match the record schema: ${checked.errors.join('; ')}`);
  return checked.value;
}

function oldContentHash(props: Properties | undefined): string | undefined {
  if (!props) return undefined;
  try {
    const raw: unknown = typeof props.Record === 'string' ? JSON.parse(props.Record) : props.Record;
    const hash = (raw as { contentHash?: unknown } | undefined)?.contentHash;
    return typeof hash === 'string' ? hash : undefined;
  } catch {
    return undefined;
  }
}

function sameCredential(a: InventoryCredential, b: InventoryCredential): boolean {
  return a.secretArn && b.secretArn ? a.secretArn === b.secretArn : a.name === b.name;
}

/** The record to store: the declared content, with what the table knows that a synth cannot (history, run-time state). */
export function mergeRecord(declared: InventoryRecord, stored: InventoryRecord | undefined, now: string, storedVersion: number | undefined): InventoryRecord {
  const credentials = declared.credentials.map((c): InventoryCredential => {
    const prev = stored?.credentials.find((p) => sameCredential(p, c));
    return {
      ...c,
      lastRotated: prev?.lastRotated ?? c.lastRotated,
      lastRotationStatus: prev?.lastRotationStatus ?? c.lastRotationStatus,
      lastRotationAttemptAt: prev?.lastRotationAttemptAt ?? c.lastRotationAttemptAt,
    };
  });
  const alarms = declared.alarms.map((a): InventoryAlarm => {
    const prev = stored?.alarms.find((p) => p.name === a.name);
    return { ...a, state: prev?.state ?? a.state, stateUpdatedAt: prev?.stateUpdatedAt ?? a.stateUpdatedAt };
  });
  const merged: InventoryRecord = {
    ...declared,
    credentials,
    alarms,
    status: 'ACTIVE',
    createdAt: stored?.createdAt ?? now,
    updatedAt: now,
    decommissionedAt: undefined,
    version: (storedVersion ?? 0) + 1,
  };
  return JSON.parse(JSON.stringify(merged)) as InventoryRecord; // drops undefined fields
}

/** The lookup items a record needs: one per credential secret ARN, one per alarm. */
export function lookupKeysOf(record: InventoryRecord): InventoryKey[] {
  return [
    ...record.credentials.filter((c) => c.secretArn).map((c) => secretLookupKey(c.secretArn!)),
    ...record.alarms.map((a) => alarmLookupKey(record.account, record.region, a.name)),
  ];
}

async function putRecord(event: CloudFormationCustomResourceEvent, deps: RegisterDependencies): Promise<RegisterResult> {
  const props = event.ResourceProperties as Properties;
  const tableName = tableNameOf(props, deps);
  const declared = declaredRecord(props);
  const id = declared.integrationId;
  const registeredBy = `${event.StackId}/${event.LogicalResourceId}`;
  const previousHash = event.RequestType === 'Update' ? oldContentHash(event.OldResourceProperties as Properties) : undefined;
  const now = (deps.now ?? (() => new Date()))().toISOString();

  const { written, previous } = await withVersionRetry(
    deps.maxAttempts ?? 5,
    async () => {
      const stored = await readRecord(deps.ddb, tableName, id);
      if (stored?.read.error) deps.log.warn('stored inventory record cannot be read; overwriting it with the declared one', { integrationId: id, error: stored.read.error });
      const storedRecord = stored?.read.record;
      if (event.RequestType === 'Update' && storedRecord && stored.read.migratedFrom === undefined) {
        const hash = storedRecord.contentHash;
        if (hash !== previousHash && hash !== declared.contentHash) throw new StaleRecordError(id, hash, previousHash, declared.contentHash);
      }
      const record = mergeRecord(declared, storedRecord, now, stored?.meta.version);
      await writeRecord(deps.ddb, tableName, record, stored ? stored.meta.version : 'absent', registeredBy);
      return { written: record, previous: storedRecord };
    },
    (attempt) => deps.log.info('inventory record changed concurrently; reading it again', { integrationId: id, attempt }),
  );

  const wanted = lookupKeysOf(written);
  await putLookups(deps.ddb, tableName, wanted, id);
  const wantedPks = new Set(wanted.map((k) => k.pk));
  for (const key of previous ? lookupKeysOf(previous) : []) {
    if (!wantedPks.has(key.pk)) await deleteLookup(deps.ddb, tableName, key, id);
  }
  deps.log.info('inventory record registered', { integrationId: id, version: written.version, requestType: event.RequestType, reactivated: previous?.status === 'DECOMMISSIONED' });
  return { PhysicalResourceId: `${PHYSICAL_ID_PREFIX}${id}`, Data: { IntegrationId: id, Version: String(written.version), ContentHash: written.contentHash } };
}

async function decommission(event: CloudFormationCustomResourceEvent & { RequestType: 'Delete' }, deps: RegisterDependencies): Promise<RegisterResult> {
  const physicalId = event.PhysicalResourceId;
  const done = { PhysicalResourceId: physicalId, Data: {} };
  if (!physicalId.startsWith(PHYSICAL_ID_PREFIX) || physicalId === CREATE_FAILED_PHYSICAL_ID) {
    deps.log.info('nothing registered under this physical id; nothing to decommission', { physicalId });
    return done;
  }
  const id = physicalId.slice(PHYSICAL_ID_PREFIX.length);
  const tableName = tableNameOf(event.ResourceProperties as Properties, deps);
  const registeredBy = `${event.StackId}/${event.LogicalResourceId}`;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  await withVersionRetry(deps.maxAttempts ?? 5, async () => {
    const stored = await readRecord(deps.ddb, tableName, id);
    if (!stored) return deps.log.warn('no inventory record to decommission', { integrationId: id });
    if (stored.meta.registeredBy && stored.meta.registeredBy !== registeredBy) {
      // Another custom resource registered it since (a logical id change creates the new resource before deleting the old).
      return deps.log.warn('inventory record is registered by another resource; left as it is', { integrationId: id, registeredBy: stored.meta.registeredBy });
    }
    if (stored.raw.status === 'DECOMMISSIONED') return deps.log.info('inventory record already decommissioned', { integrationId: id });
    // Decommissioning works on any stored shape, so even a record that cannot be read is kept and marked.
    const record = stored.read.record
      ? { ...stored.read.record, status: 'DECOMMISSIONED' as const, decommissionedAt: now, updatedAt: now, version: (stored.meta.version ?? 0) + 1 }
      : ({ ...stored.raw, status: 'DECOMMISSIONED', decommissionedAt: now, updatedAt: now, version: (stored.meta.version ?? 0) + 1 } as unknown as InventoryRecord);
    await writeRecord(deps.ddb, tableName, record, stored.meta.version, stored.meta.registeredBy);
    deps.log.info('inventory record decommissioned', { integrationId: id, version: record.version });
  });
  return done;
}

/** Handles one CloudFormation custom resource request; throws on failure. */
export async function register(event: CloudFormationCustomResourceEvent, deps: RegisterDependencies): Promise<RegisterResult> {
  if (event.RequestType === 'Delete') return decommission(event, deps);
  return putRecord(event, deps);
}
