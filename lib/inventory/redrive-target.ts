// What `redrive` works on: the integration named on the command line, found in the inventory
// table, and the dead-letter queue its record names, with the queue it feeds.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InventoryRecord } from './inventory-record';
import { recordsFromTable } from './report-source';

/** A refusal: nothing was moved or recorded. Exit 1: what was asked cannot be identified or done (usage, IO, AWS errors); exit 2: refused by the queue's state. */
export class RedriveRefused extends Error {
  constructor(
    message: string,
    public readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = 'RedriveRefused';
  }
}

/** An SQS queue ARN's parts. */
export interface QueueArn {
  readonly arn: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

/** The parts of `arn:<partition>:sqs:<region>:<account>:<name>`. */
export function parseQueueArn(arn: string): QueueArn {
  const match = /^arn:[^:]+:sqs:([^:]+):(\d{12}):([^:]+)$/.exec(arn);
  if (!match) throw new RedriveRefused(`${arn} is not an SQS queue ARN`, 1);
  return { arn, region: match[1], account: match[2], name: match[3] };
}

/** The integration and the queue pair to redrive. */
export interface RedriveTarget {
  readonly record: InventoryRecord;
  /** The queue's entry in the record's `targets`. */
  readonly target: string;
  readonly deadLetterQueue: QueueArn;
  readonly queue: QueueArn;
}

/**
 * The integration whose record has `integrationId` or `name` equal to `integration`, and its
 * dead-letter queue (the one whose target, queue path or ARN is `queue`, when it has several).
 */
export async function findRedriveTarget(ddb: DynamoDBClient, tableName: string, integration: string, queue?: string): Promise<RedriveTarget> {
  let records: InventoryRecord[];
  try {
    records = (await recordsFromTable(ddb, tableName)).records;
  } catch (error) {
    throw new RedriveRefused(`cannot read table ${tableName}: ${(error as Error).name}: ${(error as Error).message}`, 1);
  }
  const byId = records.filter((r) => r.integrationId === integration);
  const matches = byId.length > 0 ? byId : records.filter((r) => r.name === integration);
  if (matches.length === 0) {
    const known = [...new Set(records.map((r) => r.name))].sort();
    throw new RedriveRefused(`table ${tableName} has no integration named ${integration}${known.length > 0 ? ` (it has: ${known.join(', ')})` : ''}`, 1);
  }
  if (matches.length > 1) {
    throw new RedriveRefused(`${matches.length} integrations are named ${integration}: give one of their ids with --integration (${matches.map((r) => r.integrationId).join(', ')})`, 1);
  }
  const record = matches[0];
  if (record.status === 'DECOMMISSIONED') {
    throw new RedriveRefused(`${record.name} was decommissioned${record.decommissionedAt ? ` on ${record.decommissionedAt}` : ''}: nothing consumes its queue any more, so nothing is redriven to it`, 2);
  }
  const queues = record.deadLetterQueues ?? [];
  if (queues.length === 0) {
    const sqsTargets = record.targets.filter((t) => t.startsWith('sqs:'));
    throw new RedriveRefused(
      `${record.name} has no dead-letter queue in its record (targets: ${record.targets.join(', ') || 'none'})` +
        (sqsTargets.length > 0 && record.deadLetterQueues === undefined
          ? '. Records written before redrive support list none: deploy the stack with this version of cdk-secure-integrations, then try again'
          : ''),
      1,
    );
  }
  const chosen = queue === undefined ? queues : queues.filter((q) => q.target === queue || q.target === `sqs:${queue}` || q.queueArn === queue);
  if (chosen.length !== 1) {
    const list = queues.map((q) => q.target).join(', ');
    throw new RedriveRefused(
      queue === undefined ? `${record.name} has ${queues.length} queues with a dead-letter queue: choose one with --queue (${list})` : `${record.name} has no queue ${queue} with a dead-letter queue (it has: ${list})`,
      1,
    );
  }
  const { target, queueArn, deadLetterQueueArn } = chosen[0];
  if (!queueArn || !deadLetterQueueArn) throw new RedriveRefused(`the record of ${record.name} names no ARN for ${target}'s queues (a synth-time record?)`, 1);
  return { record, target, queue: parseQueueArn(queueArn), deadLetterQueue: parseQueueArn(deadLetterQueueArn) };
}
