// The redrive history: who moved how many messages out of an integration's dead-letter queue, and
// when. One item per integration (`REDRIVE#<integrationId>` / `HISTORY`, see table-design.ts),
// apart from the record so that deploy-time writes and event updates, which put whole record
// items, never touch it. Written only by the CLI's `redrive`, conditional on the version it read
// like every record write; bounded to the newest MAX_REDRIVE_HISTORY entries.
import { ConditionalCheckFailedException, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { redriveHistoryKey } from './table-design';

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

/** Text cut to MAX_REDRIVE_TEXT characters. */
export function boundedText(text: string): string {
  return text.length > MAX_REDRIVE_TEXT ? `${text.slice(0, MAX_REDRIVE_TEXT - 1)}…` : text;
}

/** Reads an integration's redrive history (strongly consistent); empty when there is none. */
export async function readRedriveHistory(ddb: DynamoDBClient, tableName: string, integrationId: string): Promise<RedriveHistory> {
  const out = await ddb.send(new GetItemCommand({ TableName: tableName, Key: marshall(redriveHistoryKey(integrationId)), ConsistentRead: true }));
  if (!out.Item) return { entries: [] };
  const item = unmarshall(out.Item) as { entries?: unknown; version?: unknown };
  return { entries: Array.isArray(item.entries) ? (item.entries as RedriveEntry[]) : [], version: typeof item.version === 'number' ? item.version : 0 };
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
    const condition =
      stored.version === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: marshall({ ':expected': stored.version }) };
    try {
      await ddb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: marshall({ ...redriveHistoryKey(integrationId), integrationId, entries: bounded, version: (stored.version ?? 0) + 1, updatedAt: now.toISOString() }, { removeUndefinedValues: true }),
          ...condition,
        }),
      );
      return bounded;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if (attempt >= maxAttempts) throw new RedriveHistoryConflictError(integrationId);
      await sleep(Math.round(20 * attempt + Math.random() * 40 * attempt));
    }
  }
}
