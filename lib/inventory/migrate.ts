// Migration of inventory records on read. Every reader (the CLI, the custom resource, the event
// updater) passes what it read through migrateRecord: a current record is validated, an older one
// is migrated and then validated, anything else comes back as an error to report. A record is
// never dropped silently.
//
// Schema history
// - v0 (before the contract of 3995d51): no `schemaVersion`; `classification` where v1 has
//   `dataClassification`; `credentials` a map from credential name to
//   `{ secretArn?, rotationDays, strategy?, lastRotated?, lastRotationStatus? }`; `alarms` a list of
//   names or of `{ name, severity?, state? }`; `stack`, `account`, `region`, `inbound`, `targets`,
//   `piiFields` and `status` optional; `contentHash` optional.
// - v1: lib/inventory/inventory-record.ts.
import { createHash } from 'node:crypto';
import { INVENTORY_SCHEMA_VERSION, type InventoryAlarm, type InventoryCredential, type InventoryRecord } from './inventory-record';
import { validateRecord } from './validate-record';

/** A record read, migrated where needed, and valid. */
export interface MigratedRecord {
  readonly record: InventoryRecord;
  /** The schema version the record was stored in, when it was not the current one. */
  readonly migratedFrom?: number;
  readonly error?: undefined;
}

/** A record that cannot be read: why, and which integration it claims to be when that is known. */
export interface MigrationFailure {
  readonly error: string;
  readonly integrationId?: string;
  readonly record?: undefined;
  readonly migratedFrom?: undefined;
}

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** JSON with sorted keys, so a hash does not depend on key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function migrateV0Credentials(credentials: unknown): InventoryCredential[] | string {
  if (credentials === undefined) return [];
  if (!isObject(credentials)) return '`credentials` of a v0 record must be a map from name to credential';
  const out: InventoryCredential[] = [];
  for (const [name, value] of Object.entries(credentials)) {
    if (!isObject(value)) return `credential '${name}' is not an object`;
    const days = value.rotationDays;
    if (typeof days !== 'number' || !(days > 0)) return `credential '${name}' has no positive \`rotationDays\``;
    out.push({
      name,
      ...(stringOf(value.secretArn) ? { secretArn: stringOf(value.secretArn) } : {}),
      rotationPeriodDays: days,
      rotationSchedule: `rate(${days} ${days === 1 ? 'day' : 'days'})`,
      maxRotationIntervalDays: days,
      strategy: stringOf(value.strategy) ?? 'unknown',
      ...(stringOf(value.lastRotated) ? { lastRotated: stringOf(value.lastRotated) } : {}),
      ...(value.lastRotationStatus === 'SUCCEEDED' || value.lastRotationStatus === 'FAILED' ? { lastRotationStatus: value.lastRotationStatus } : {}),
    });
  }
  return out;
}

function migrateV0Alarms(alarms: unknown): InventoryAlarm[] | string {
  if (alarms === undefined) return [];
  if (!Array.isArray(alarms)) return '`alarms` must be a list';
  const out: InventoryAlarm[] = [];
  for (const alarm of alarms) {
    if (typeof alarm === 'string') out.push({ name: alarm, severity: 'unknown' });
    else if (isObject(alarm) && stringOf(alarm.name)) {
      out.push({
        name: stringOf(alarm.name)!,
        severity: stringOf(alarm.severity) ?? 'unknown',
        ...(stringOf(alarm.state) ? { state: stringOf(alarm.state) } : {}),
        ...(stringOf(alarm.stateUpdatedAt) ? { stateUpdatedAt: stringOf(alarm.stateUpdatedAt) } : {}),
      });
    } else return `alarm ${JSON.stringify(alarm)} has no name`;
  }
  return out;
}

/** v0 to v1. Returns the v1 candidate (still to be validated) or why it cannot be migrated. */
function fromV0(raw: Raw): Raw | string {
  const integrationId = stringOf(raw.integrationId);
  if (!integrationId) return 'no `integrationId`';
  if (raw.dataClassification === undefined && raw.classification === undefined) return 'no `classification` (v0) or `dataClassification`';
  // `<account>:<region>:<stack>:<integration>`: v0 records without stack, account or region take them from the id.
  const parts = integrationId.split(':');
  const [account, region, stack] = parts.length === 4 ? parts : [];
  const credentials = migrateV0Credentials(raw.credentials);
  if (typeof credentials === 'string') return credentials;
  const alarms = migrateV0Alarms(raw.alarms);
  if (typeof alarms === 'string') return alarms;
  const { classification, ...rest } = raw;
  const candidate: Raw = {
    ...rest,
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    dataClassification: raw.dataClassification ?? classification,
    stack: raw.stack ?? stack,
    account: raw.account ?? account,
    region: raw.region ?? region,
    inbound: raw.inbound ?? [],
    targets: raw.targets ?? [],
    credentials,
    piiFields: raw.piiFields ?? [],
    alarms,
    status: raw.status ?? 'ACTIVE',
  };
  // A v0 writer may not have hashed its content; the hash of what it stored stands in (the custom
  // resource skips its staleness check for migrated records, as no deploy could have produced it).
  if (candidate.contentHash === undefined) candidate.contentHash = createHash('sha256').update(canonicalJson(raw)).digest('hex');
  return candidate;
}

/**
 * Reads a stored or reported record of any known schema version: `{ record }` (with `migratedFrom`
 * when it was older), or `{ error }` saying why it cannot be read.
 */
export function migrateRecord(raw: unknown): MigratedRecord | MigrationFailure {
  if (!isObject(raw)) return { error: `not a record: ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw}` };
  const integrationId = stringOf(raw.integrationId);
  const version = raw.schemaVersion;
  let candidate: unknown = raw;
  let migratedFrom: number | undefined;
  if (version === undefined) {
    const migrated = fromV0(raw);
    if (typeof migrated === 'string') return { error: `schema v0 record cannot be migrated: ${migrated}`, integrationId };
    candidate = migrated;
    migratedFrom = 0;
  } else if (typeof version === 'number' && Number.isInteger(version) && version > INVENTORY_SCHEMA_VERSION) {
    return { error: `schema version ${version} is newer than this reader (${INVENTORY_SCHEMA_VERSION}): upgrade cdk-secure-integrations`, integrationId };
  } else if (version !== INVENTORY_SCHEMA_VERSION) {
    return { error: `unknown schema version ${JSON.stringify(version)}`, integrationId };
  }
  const checked = validateRecord(candidate);
  if (checked.errors) {
    const prefix = migratedFrom === undefined ? 'does not match schema version 1' : `migrated from v${migratedFrom} but does not match schema version 1`;
    return { error: `${prefix}: ${checked.errors.join('; ')}`, integrationId };
  }
  return migratedFrom === undefined ? { record: checked.value } : { record: checked.value, migratedFrom };
}
