// The redrive history: who moved how many messages out of an integration's dead-letter queue, and
// when. One item per integration (`REDRIVE#<integrationId>` / `HISTORY`, see table-design.ts),
// apart from the record so that deploy-time writes and event updates, which put whole record
// items, never touch it. Written only by the CLI's `redrive`, conditional on the version it read
// like every record write; bounded to the newest MAX_REDRIVE_HISTORY entries.
//
// Append-only as far as the CLI goes: a write keeps every stored entry (the same id, who started
// it, queues, rate and request time; a finished entry unchanged) except the oldest ones the bound
// drops, and a stored item the CLI cannot read is refused rather than overwritten. IAM cannot ask
// that of a PutItem, so an operator with the grant can still rewrite the item with other tools:
// the history is a convenience; CloudTrail's StartMessageMoveTask and CancelMessageMoveTask events
// (with the caller's identity) are the authoritative audit trail.
import { ConditionalCheckFailedException, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { REDRIVE_HISTORY_ATTRIBUTES, redriveHistoryKey } from './table-design';

/** Entries kept per integration, newest first: about 1 KB each, far under DynamoDB's 400 KB item limit. */
export const MAX_REDRIVE_HISTORY = 50;
/** The longest text kept from a failure reason or an operator name. */
export const MAX_REDRIVE_TEXT = 500;

/** Where a redrive stands: SQS's message move task statuses, and STARTING before SQS answered. */
export type RedriveStatus = 'STARTING' | 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

/** Statuses after which a move task changes no more. */
export const FINAL_REDRIVE_STATUSES: readonly RedriveStatus[] = ['COMPLETED', 'CANCELLED', 'FAILED'];

/** Who did something: the STS caller identity and, when given, the name the operator gave (`--operator`, not verified). */
export interface RedriveActor {
  /** The caller's ARN from STS GetCallerIdentity. */
  readonly arn?: string;
  /** The name given with `--operator`, as given. */
  readonly operator?: string;
}

/** One redrive: a message move task out of a dead-letter queue. */
export interface RedriveEntry {
  /** Chosen by the CLI (a UUID); stable across updates. */
  readonly id: string;
  /** ISO 8601 time the CLI asked SQS to start the task. */
  readonly requestedAt: string;
  /** Who started it; absent for a task started elsewhere (the console) that `--cancel` stopped. */
  readonly startedBy?: RedriveActor;
  /** The dead-letter queue's ARN. */
  readonly sourceArn: string;
  /** The queue the messages go back to. */
  readonly destinationArn: string;
  /** The rate asked for, when one was. */
  readonly maxNumberOfMessagesPerSecond?: number;
  readonly status: RedriveStatus;
  /** SQS's handle of the task (only RUNNING tasks can be cancelled with it). */
  readonly taskHandle?: string;
  /** The task's StartedTimestamp as ISO 8601: how the CLI finds the task again in ListMessageMoveTasks. */
  readonly taskStartedAt?: string;
  /** ApproximateNumberOfMessagesToMove, as SQS counted them when the task started. */
  readonly messagesToMove?: number;
  /** ApproximateNumberOfMessagesMoved, as last seen. */
  readonly messagesMoved?: number;
  /** ISO 8601 time the CLI saw the task end (absent when it learnt the outcome later). */
  readonly endedAt?: string;
  readonly failureReason?: string;
  readonly cancelledBy?: RedriveActor;
  readonly cancelledAt?: string;
}

/** The history as stored, with the version its next write is conditional on. */
export interface RedriveHistory {
  readonly entries: RedriveEntry[];
  /** Absent before the first write. */
  readonly version?: number;
}

/** Another writer changed the history between the read and the write, more times than the retries allow. */
export class RedriveHistoryConflictError extends Error {
  constructor(integrationId: string) {
    super(`the redrive history of ${integrationId} kept changing concurrently; try again`);
    this.name = 'RedriveHistoryConflictError';
  }
}

/** A write that would drop or rewrite a recorded entry: the CLI only appends and updates unfinished entries. */
export class RedriveHistoryRewriteError extends Error {
  constructor(integrationId: string, reason: string) {
    super(`not writing the redrive history of ${integrationId}: the write ${reason}, and the history is append-only`);
    this.name = 'RedriveHistoryRewriteError';
  }
}

/** A stored history item this CLI did not write (no list of entries, no version): refused, never overwritten. */
export class RedriveHistoryUnreadableError extends Error {
  constructor(integrationId: string, reason: string) {
    super(
      `the redrive history item of ${integrationId} cannot be read (${reason}): not overwriting it. ` +
        'Look at who wrote it (CloudTrail has the redrives themselves: StartMessageMoveTask events), then repair or delete it',
    );
    this.name = 'RedriveHistoryUnreadableError';
  }
}

/** Text cut to MAX_REDRIVE_TEXT characters. */
export function boundedText(text: string): string {
  return text.length > MAX_REDRIVE_TEXT ? `${text.slice(0, MAX_REDRIVE_TEXT - 1)}…` : text;
}

const isEntry = (e: unknown): e is RedriveEntry =>
  typeof e === 'object' && e !== null && typeof (e as RedriveEntry).id === 'string' && typeof (e as RedriveEntry).requestedAt === 'string' && typeof (e as RedriveEntry).status === 'string';

/**
 * Reads an integration's redrive history (strongly consistent); empty when there is none.
 * @throws RedriveHistoryUnreadableError when the item holds no list of entries or no version
 */
export async function readRedriveHistory(ddb: DynamoDBClient, tableName: string, integrationId: string): Promise<RedriveHistory> {
  const out = await ddb.send(new GetItemCommand({ TableName: tableName, Key: marshall(redriveHistoryKey(integrationId)), ConsistentRead: true }));
  if (!out.Item) return { entries: [] };
  const item = unmarshall(out.Item) as { entries?: unknown; version?: unknown };
  if (!Array.isArray(item.entries) || !item.entries.every(isEntry)) throw new RedriveHistoryUnreadableError(integrationId, 'no list of entries');
  if (typeof item.version !== 'number') throw new RedriveHistoryUnreadableError(integrationId, 'no version');
  return { entries: item.entries, version: item.version };
}

/** What an entry keeps once recorded. */
const FIXED_FIELDS = ['requestedAt', 'startedBy', 'sourceArn', 'destinationArn', 'maxNumberOfMessagesPerSecond'] as const;

/** JSON with sorted keys: DynamoDB does not keep a map's key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Why `next` is not an append-only successor of `stored`, or undefined when it is: every stored
 * entry stays, with the same fixed fields and, once finished, unchanged; only when the result is
 * full may the oldest entries go (none newer than an entry kept).
 */
export function appendOnlyViolation(stored: readonly RedriveEntry[], next: readonly RedriveEntry[]): string | undefined {
  const after = new Map(next.map((e) => [e.id, e]));
  const dropped = stored.filter((e) => !after.has(e.id));
  if (dropped.length > 0) {
    if (next.length < MAX_REDRIVE_HISTORY) return `drops entry ${dropped[0].id} from a history of ${next.length} (under ${MAX_REDRIVE_HISTORY})`;
    const oldestKept = Math.min(...next.map((e) => Date.parse(e.requestedAt)));
    const newer = dropped.find((e) => Date.parse(e.requestedAt) > oldestKept);
    if (newer) return `drops entry ${newer.id} (requested ${newer.requestedAt}) and keeps older ones`;
  }
  for (const before of stored) {
    const now = after.get(before.id);
    if (!now) continue;
    const changed = FIXED_FIELDS.find((f) => canonical(before[f]) !== canonical(now[f]));
    if (changed) return `changes ${changed} of entry ${before.id}`;
    if ((FINAL_REDRIVE_STATUSES as readonly string[]).includes(before.status) && canonical(before) !== canonical(now)) return `changes entry ${before.id}, which had ended ${before.status}`;
  }
  return undefined;
}

/** The entries with `entry` in place of the one with its id (or added), newest request first, at most MAX_REDRIVE_HISTORY. */
export function withEntry(entries: readonly RedriveEntry[], entry: RedriveEntry): RedriveEntry[] {
  const others = entries.filter((e) => e.id !== entry.id);
  return [entry, ...others].sort((a, b) => Date.parse(b.requestedAt) - Date.parse(a.requestedAt)).slice(0, MAX_REDRIVE_HISTORY);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Applies `change` to the stored entries and writes the result, conditional on the version read;
 * reads again and reapplies when another writer won (at most `maxAttempts` times). `change`
 * returns undefined when there is nothing to write. Returns the entries as stored.
 * @throws RedriveHistoryRewriteError when the result drops or rewrites a stored entry ({@link appendOnlyViolation})
 * @throws RedriveHistoryUnreadableError when the stored item is not one this CLI wrote
 */
export async function updateRedriveHistory(
  ddb: DynamoDBClient,
  tableName: string,
  integrationId: string,
  change: (entries: readonly RedriveEntry[]) => RedriveEntry[] | undefined,
  now: Date,
  maxAttempts = 5,
): Promise<RedriveEntry[]> {
  for (let attempt = 1; ; attempt++) {
    const stored = await readRedriveHistory(ddb, tableName, integrationId);
    const entries = change(stored.entries);
    if (!entries) return stored.entries;
    const bounded = entries.slice(0, MAX_REDRIVE_HISTORY);
    const violation = appendOnlyViolation(stored.entries, bounded);
    if (violation) throw new RedriveHistoryRewriteError(integrationId, violation);
    const condition =
      stored.version === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: marshall({ ':expected': stored.version }) };
    // Exactly REDRIVE_HISTORY_ATTRIBUTES: the operator's grant allows no other attribute (dynamodb:Attributes).
    const item: Record<(typeof REDRIVE_HISTORY_ATTRIBUTES)[number], unknown> = {
      ...redriveHistoryKey(integrationId),
      integrationId,
      entries: bounded,
      version: (stored.version ?? 0) + 1,
      updatedAt: now.toISOString(),
    };
    try {
      await ddb.send(new PutItemCommand({ TableName: tableName, Item: marshall(item, { removeUndefinedValues: true }), ...condition }));
      return bounded;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (attempt >= maxAttempts) throw new RedriveHistoryConflictError(integrationId);
      await sleep(Math.round(20 * attempt + Math.random() * 40 * attempt));
    }
  }
}
