// The event updater: keeps records true after deploy. Secrets Manager rotation outcomes set a
// credential's lastRotated / lastRotationStatus; a new value put in a secret that became AWSCURRENT
// (PutSecretValue, UpdateSecret: how a partner-held signing secret changes) sets its lastRotated;
// CloudWatch alarm state changes set an alarm's state. Each event names a secret or an alarm; its
// lookup item names the integration. Writes are conditional on the record's version and retried
// when a concurrent writer wins. Events about resources the register does not know are ignored
// and logged; late (out-of-order) events never overwrite newer state.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ALARM_STATE_CHANGE_DETAIL_TYPE,
  API_CALL_DETAIL_TYPE,
  ROTATION_EVENT_DETAIL_TYPE,
  ROTATION_EVENT_NAMES,
  VALUE_CHANGE_EVENT_NAMES,
} from '../../lib/inventory/event-patterns';
import type { InventoryRecord } from '../../lib/inventory/inventory-record';
import { alarmLookupKey, type InventoryKey, secretLookupKey } from '../../lib/inventory/table-design';
import { readLookup, readRecord, withVersionRetry, writeRecord } from './record-store';
import type { Log } from './register';

/** The EventBridge envelope, as far as the updater reads it. */
export interface InventoryEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly account?: string;
  readonly region?: string;
  readonly time?: string;
  readonly resources?: string[];
  readonly detail?: unknown;
}

/** What an event says about the register. */
export type InventoryChange =
  | { readonly kind: 'rotation'; readonly secretArn: string; readonly outcome: 'SUCCEEDED' | 'FAILED'; readonly at: string }
  | { readonly kind: 'value'; readonly secretArn: string; readonly eventName: string; readonly at: string }
  | { readonly kind: 'alarm'; readonly account: string; readonly region: string; readonly alarmName: string; readonly state: string; readonly at: string };

export type UpdateOutcome =
  | { readonly result: 'updated'; readonly integrationId: string; readonly version: number }
  | { readonly result: 'ignored'; readonly reason: string; readonly integrationId?: string };

export interface UpdateDependencies {
  readonly ddb: DynamoDBClient;
  readonly tableName: string;
  readonly log: Log;
  readonly now?: () => Date;
  /** Attempts when a concurrent writer wins the version race. @default 5 */
  readonly maxAttempts?: number;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** An ISO 8601 UTC timestamp, or undefined (CloudWatch writes `...+0000`, which the record schema does not take). */
function isoTime(value: unknown): string | undefined {
  const s = str(value);
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Time order of two ISO 8601 timestamps (by instant, not by text: `...00Z` and `...00.000Z` are equal). */
const ms = (iso: string) => Date.parse(iso);

/** Whether an event came from EventBridge. */
export function isEventBridgeEvent(event: unknown): event is InventoryEvent {
  const e = obj(event);
  return typeof e.source === 'string' && typeof e['detail-type'] === 'string' && 'detail' in e;
}

/**
 * The change an event carries, or why there is none. Rotation events name the secret in
 * `detail.additionalEventData.SecretId` (documented); `serviceEventDetails.secretId`,
 * `responseElements.arn` / `aRN` and `resources` are read as fallbacks seen in the wild.
 */
export function parseEvent(event: InventoryEvent): InventoryChange | { readonly ignored: string } {
  const detail = obj(event.detail);
  if (event.source === 'aws.secretsmanager' && event['detail-type'] === ROTATION_EVENT_DETAIL_TYPE) {
    const name = str(detail.eventName);
    if (!name || !(ROTATION_EVENT_NAMES as readonly string[]).includes(name)) return { ignored: `Secrets Manager event ${name ?? '(no eventName)'} is not a rotation outcome` };
    const secretArn =
      str(obj(detail.additionalEventData).SecretId) ??
      str(obj(detail.serviceEventDetails).secretId) ??
      str(obj(detail.responseElements).arn) ??
      str(obj(detail.responseElements).aRN) ??
      str(event.resources?.[0]);
    if (!secretArn) return { ignored: `${name} event names no secret` };
    const at = isoTime(detail.eventTime) ?? isoTime(event.time);
    if (!at) return { ignored: `${name} event has no time` };
    return { kind: 'rotation', secretArn, outcome: name === 'RotationSucceeded' ? 'SUCCEEDED' : 'FAILED', at };
  }
  if (event.source === 'aws.secretsmanager' && event['detail-type'] === API_CALL_DETAIL_TYPE) return parseValueChange(event, detail);
  if (event.source === 'aws.cloudwatch' && event['detail-type'] === ALARM_STATE_CHANGE_DETAIL_TYPE) {
    const alarmName = str(detail.alarmName);
    const state = str(obj(detail.state).value);
    const at = isoTime(obj(detail.state).timestamp) ?? isoTime(event.time);
    if (!alarmName || !state || !at || !event.account || !event.region) return { ignored: 'alarm state change event without alarm name, state, time, account or region' };
    return { kind: 'alarm', account: event.account, region: event.region, alarmName, state, at };
  }
  return { ignored: `event ${String(event.source)} / ${String(event['detail-type'])} is not one the register follows` };
}

/** The staging label of the version a secret's users read. */
const AWSCURRENT = 'AWSCURRENT';

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

/**
 * A successful PutSecretValue or UpdateSecret whose new value became AWSCURRENT. The secret is the
 * full ARN in `responseElements.arn` (`requestParameters.secretId` may be a name or a partial ARN,
 * which the lookup would not find). PutSecretValue attaches AWSCURRENT unless the caller named
 * other stages: `responseElements.versionStages` (else the request's) without AWSCURRENT is a
 * staged value nobody reads yet, such as a rotation function's AWSPENDING. UpdateSecret moves
 * AWSCURRENT to a new version when it carries a value (its response then names the version); a
 * change of description or key alone is no new value.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecret.html
 */
function parseValueChange(event: InventoryEvent, detail: Obj): InventoryChange | { readonly ignored: string } {
  const name = str(detail.eventName);
  if (!name || !(VALUE_CHANGE_EVENT_NAMES as readonly string[]).includes(name)) return { ignored: `Secrets Manager call ${name ?? '(no eventName)'} puts no new value` };
  const errorCode = str(detail.errorCode);
  if (errorCode) return { ignored: `${name} failed (${errorCode}): the secret's value did not change` };
  const request = obj(detail.requestParameters);
  const response = obj(detail.responseElements);
  const secretArn = str(response.arn) ?? str(response.aRN) ?? str(response.ARN);
  if (!secretArn) return { ignored: `${name} event names no secret ARN in its response elements` };
  if (name === 'PutSecretValue') {
    const stages = strings(response.versionStages) ?? strings(request.versionStages);
    if (stages && !stages.includes(AWSCURRENT)) return { ignored: `PutSecretValue staged ${stages.join(', ') || 'no label'}, not ${AWSCURRENT}: the new value is not in use` };
  } else if (!str(response.versionId) && !('secretString' in request) && !('secretBinary' in request)) {
    return { ignored: 'UpdateSecret carried no new value' };
  }
  const at = isoTime(detail.eventTime) ?? isoTime(event.time);
  if (!at) return { ignored: `${name} event has no time` };
  return { kind: 'value', secretArn, eventName: name, at };
}

/** The record with the change applied, or why it does not apply. Pure. */
export function applyChange(record: InventoryRecord, change: InventoryChange): { readonly record: InventoryRecord } | { readonly unchanged: string } {
  if (change.kind === 'rotation') {
    let matched = false;
    const credentials = record.credentials.map((c) => {
      if (c.secretArn !== change.secretArn) return c;
      matched = true;
      const newer = !(c.lastRotationAttemptAt && ms(c.lastRotationAttemptAt) > ms(change.at));
      return {
        ...c,
        ...(change.outcome === 'SUCCEEDED' && !(c.lastRotated && ms(c.lastRotated) >= ms(change.at)) ? { lastRotated: change.at } : {}),
        ...(newer ? { lastRotationStatus: change.outcome, lastRotationAttemptAt: change.at } : {}),
      };
    });
    if (!matched) return { unchanged: `the record holds no credential with secret ${change.secretArn}` };
    if (JSON.stringify(credentials) === JSON.stringify(record.credentials)) return { unchanged: 'the record already holds this rotation outcome or a newer one' };
    return { record: { ...record, credentials } };
  }
  if (change.kind === 'value') {
    // A new current value restarts the credential's age, as a rotation does; the rotation status is a rotation's alone.
    let matched = false;
    const credentials = record.credentials.map((c) => {
      if (c.secretArn !== change.secretArn) return c;
      matched = true;
      return c.lastRotated && ms(c.lastRotated) >= ms(change.at) ? c : { ...c, lastRotated: change.at };
    });
    if (!matched) return { unchanged: `the record holds no credential with secret ${change.secretArn}` };
    if (JSON.stringify(credentials) === JSON.stringify(record.credentials)) return { unchanged: 'the record already holds this value change or a newer one' };
    return { record: { ...record, credentials } };
  }
  let matched = false;
  const alarms = record.alarms.map((a) => {
    if (a.name !== change.alarmName) return a;
    matched = true;
    if (a.stateUpdatedAt && ms(a.stateUpdatedAt) >= ms(change.at)) return a;
    return { ...a, state: change.state, stateUpdatedAt: change.at };
  });
  if (!matched) return { unchanged: `the record holds no alarm ${change.alarmName}` };
  if (JSON.stringify(alarms) === JSON.stringify(record.alarms)) return { unchanged: 'the record already holds this alarm state or a newer one' };
  return { record: { ...record, alarms } };
}

function lookupKeyOf(change: InventoryChange): InventoryKey {
  return change.kind === 'alarm' ? alarmLookupKey(change.account, change.region, change.alarmName) : secretLookupKey(change.secretArn);
}

/** Applies one EventBridge event to the register. Throws only on errors worth a retry (AWS errors, lost races beyond the budget). */
export async function updateFromEvent(event: InventoryEvent, deps: UpdateDependencies): Promise<UpdateOutcome> {
  const change = parseEvent(event);
  if ('ignored' in change) {
    deps.log.info('event ignored', { reason: change.ignored });
    return { result: 'ignored', reason: change.ignored };
  }
  const subject = change.kind === 'alarm' ? { alarmName: change.alarmName } : { secretArn: change.secretArn };
  const integrationId = await readLookup(deps.ddb, deps.tableName, lookupKeyOf(change));
  if (!integrationId) {
    deps.log.info('event about a resource the register does not know; ignored', { ...subject, kind: change.kind });
    return { result: 'ignored', reason: 'unknown resource' };
  }
  return withVersionRetry(
    deps.maxAttempts ?? 5,
    async (): Promise<UpdateOutcome> => {
      const stored = await readRecord(deps.ddb, deps.tableName, integrationId);
      const ignore = (reason: string, level: 'info' | 'error' = 'info'): UpdateOutcome => {
        deps.log[level]('event ignored', { ...subject, integrationId, reason });
        return { result: 'ignored', reason, integrationId };
      };
      if (!stored) return ignore('the lookup names an integration that has no record');
      const read = stored.read;
      if (read.error !== undefined) return ignore(`the stored record cannot be read: ${read.error}`, 'error');
      if (read.record.status === 'DECOMMISSIONED') return ignore('the integration is decommissioned');
      const applied = applyChange(read.record, change);
      if ('unchanged' in applied) return ignore(applied.unchanged);
      const now = (deps.now ?? (() => new Date()))().toISOString();
      const version = (stored.meta.version ?? 0) + 1;
      await writeRecord(deps.ddb, deps.tableName, { ...applied.record, updatedAt: now, version }, stored.meta.version, stored.meta.registeredBy);
      deps.log.info('inventory record updated from event', { ...subject, integrationId, kind: change.kind, at: change.at, version });
      return { result: 'updated', integrationId, version };
    },
    (attempt) => deps.log.info('inventory record changed concurrently; reading it again', { integrationId, attempt }),
  );
}
