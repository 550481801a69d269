import { createHash } from 'node:crypto';
import { Stack, Token } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { INVENTORY_SCHEMA_VERSION, InventoryAlarm, InventoryCredential, InventoryDeadLetterQueue, InventoryRecord, InventoryRoute } from './inventory-record';

/** What an integration tells the inventory about itself. */
export interface InventorySource {
  readonly construct: IConstruct;
  /** Where the integration's resources and its record's writer are, when not under `construct` (a spill stack). */
  readonly home?: IConstruct;
  readonly name: string;
  readonly description?: string;
  readonly owner: string;
  readonly dataClassification: string;
  readonly routes: InventoryRoute[];
  readonly credentials: InventoryCredential[];
  readonly piiFields: string[];
  readonly slo?: InventoryRecord['slo'];
  readonly heartbeat?: InventoryRecord['heartbeat'];
  readonly alarms: InventoryAlarm[];
  readonly outbound?: InventoryRecord['outbound'];
}

/** Drops values known only at deploy time (tokens), for the synth-time report and the content hash. */
function staticOnly<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v) => (typeof v === 'string' && Token.isUnresolved(v) ? undefined : v)));
}

/** SHA-256 (hex) of the declared content: what the synth decides, without deploy-time values. */
export function contentHash(record: Omit<InventoryRecord, 'contentHash'>): string {
  const { createdAt: _c, updatedAt: _u, decommissionedAt: _d, version: _v, ...declared } = staticOnly(record) as InventoryRecord;
  return createHash('sha256').update(stableStringify(declared)).digest('hex');
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The construct at an absolute construct path (`Stack/Integration/Queue/Resource`), if any. */
function constructAt(root: IConstruct, path: string): IConstruct | undefined {
  let node: IConstruct | undefined = root;
  for (const id of path.split('/')) node = node?.node.tryFindChild(id);
  return node;
}

/**
 * The queue targets (`sqs:<path>`) that are queues of this stack with a dead-letter queue of this
 * stack: what `redrive` moves messages between. Queues elsewhere (imported, or in another stack,
 * which would add a cross-stack reference) are left out.
 */
function deadLetterQueuesOf(stack: Stack, targets: string[]): InventoryDeadLetterQueue[] {
  const found: InventoryDeadLetterQueue[] = [];
  for (const target of targets) {
    if (!target.startsWith('sqs:')) continue;
    const queue = constructAt(stack.node.root, target.slice('sqs:'.length));
    if (!(queue instanceof sqs.Queue) || !queue.deadLetterQueue) continue;
    const dlq = queue.deadLetterQueue;
    if (Stack.of(queue) !== stack || Stack.of(dlq.queue) !== stack) continue;
    found.push({ target, queueArn: queue.queueArn, deadLetterQueueArn: dlq.queue.queueArn, maxReceiveCount: dlq.maxReceiveCount });
  }
  return found;
}

/**
 * The integration's inventory record. With `resolveTokens: false` (the synth-time report) values
 * known only at deploy time are left out; otherwise they stay as tokens for the custom resource.
 */
export function buildInventoryRecord(source: InventorySource, options: { readonly deployTime: boolean }): InventoryRecord {
  // The record is written in the stack that holds the integration's resources (a nested stack, for a
  // spilled one); it names the top-level stack users deploy, which keeps its id when it spills.
  const home = Stack.of(source.home ?? source.construct);
  let stack = home;
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  const account = Token.isUnresolved(stack.account) ? '${AWS::AccountId}' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '${AWS::Region}' : stack.region;
  const targets = [...new Set(source.routes.map((r) => r.target))];
  const deadLetterQueues = deadLetterQueuesOf(home, targets);
  const base: Omit<InventoryRecord, 'contentHash'> = {
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    integrationId: `${options.deployTime ? stack.account : account}:${options.deployTime ? stack.region : region}:${stack.stackName}:${source.name}`,
    name: source.name,
    description: source.description,
    owner: source.owner,
    dataClassification: source.dataClassification,
    stack: stack.stackName,
    account: options.deployTime ? stack.account : account,
    region: options.deployTime ? stack.region : region,
    inbound: source.routes,
    targets,
    credentials: source.credentials,
    piiFields: source.piiFields,
    slo: source.slo,
    heartbeat: source.heartbeat,
    alarms: source.alarms,
    ...(source.outbound ? { outbound: source.outbound } : {}),
    ...(deadLetterQueues.length > 0 ? { deadLetterQueues } : {}),
    status: 'ACTIVE',
  };
  const record = { ...base, contentHash: contentHash(base) };
  return options.deployTime ? record : staticOnly(record);
}
