// `cdk-secure-integrations redrive`: moves an integration's dead-letter queue's messages back to
// its queue with an SQS message move task, shows its progress, and records who redrove how many
// messages when in the inventory table (redrive-history.ts).
//
// SQS's rules (API reference, StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask):
// the source must be a queue configured as another SQS queue's dead-letter queue; one active task
// per queue; MaxNumberOfMessagesPerSecond at most 500 (without it SQS picks the rate); a task runs at
// most 36 hours; only a RUNNING task can be cancelled, and what moved stays moved. ListMessageMoveTasks
// shows a task's handle only while it runs, so the CLI finds its task again by StartedTimestamp.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import {
  boundedText,
  FINAL_REDRIVE_STATUSES,
  readRedriveHistory,
  type RedriveActor,
  type RedriveEntry,
  type RedriveStatus,
  updateRedriveHistory,
  withEntry,
} from './redrive-history';
import { stsCallerArn } from './redrive-identity';
import { findRedriveTarget, type QueueArn, RedriveRefused, type RedriveTarget } from './redrive-target';

export { stsCallerArn } from './redrive-identity';
export { RedriveRefused } from './redrive-target';

/** SQS's highest MaxNumberOfMessagesPerSecond. */
export const MAX_MESSAGES_PER_SECOND = 500;
/** How often the CLI asks SQS for the task's progress. */
export const DEFAULT_POLL_INTERVAL_MS = 5000;

/** How `redrive` reaches AWS and time; every member has a default, tests replace them. */
export interface RedriveClients {
  /** Builds the SQS client for a queue's region. @default - the SDK's (standard credential chain, AWS_ENDPOINT_URL honoured) */
  readonly sqs?: (region: string) => SQSClient;
  /** The caller's ARN; a failure refuses the redrive. @default - STS GetCallerIdentity ({@link stsCallerArn}) */
  readonly callerIdentity?: (region: string) => Promise<string>;
  /** @default - setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default - the system clock */
  readonly now?: () => Date;
  /** @default DEFAULT_POLL_INTERVAL_MS */
  readonly pollIntervalMs?: number;
}

/** What `redrive` needs of the CLI's IO. */
export interface RedriveIo extends RedriveClients {
  readonly stdout: (text: string) => void;
  readonly dynamoDb?: (region?: string) => DynamoDBClient;
}

/** The command's options, as commander parses them. */
export interface RedriveOptions {
  readonly integration: string;
  readonly table: string;
  readonly region?: string;
  readonly queue?: string;
  readonly maxPerSecond?: string;
  readonly dryRun?: boolean;
  readonly cancel?: boolean;
  readonly history?: boolean;
  readonly operator?: string;
}

/** Runs an AWS call; its failure becomes a refusal (exit 1) that says which call failed. */
async function aws<T>(what: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof RedriveRefused) throw error;
    throw new RedriveRefused(`${what} failed: ${(error as Error).name}: ${(error as Error).message}`, 1);
  }
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const isActive = (t: ListMessageMoveTasksResultEntry) => t.Status === 'RUNNING' || t.Status === 'CANCELLING';
const isFinal = (status: string | undefined) => (FINAL_REDRIVE_STATUSES as readonly string[]).includes(status ?? '');
const who = (actor: RedriveActor | undefined) => (actor ? [actor.arn, actor.operator && `operator "${actor.operator}"`].filter(Boolean).join(', ') : 'someone outside this CLI');

function progressOf(t: ListMessageMoveTasksResultEntry): string {
  const moved = t.ApproximateNumberOfMessagesMoved ?? 0;
  if (t.ApproximateNumberOfMessagesToMove === undefined) return `  ${t.Status}: ${moved} message(s) moved; SQS has not counted the messages to move yet\n`;
  const total = t.ApproximateNumberOfMessagesToMove;
  const percent = total > 0 ? Math.min(100, Math.round((100 * moved) / total)) : 100;
  return `  ${t.Status}: ${moved} of ${total} message(s) moved (${percent}%)\n`;
}

/** The entry updated with what a listing says about its task. */
function observed(entry: RedriveEntry, t: ListMessageMoveTasksResultEntry): RedriveEntry {
  return {
    ...entry,
    status: (t.Status as RedriveStatus | undefined) ?? entry.status,
    messagesMoved: t.ApproximateNumberOfMessagesMoved ?? entry.messagesMoved,
    messagesToMove: t.ApproximateNumberOfMessagesToMove ?? entry.messagesToMove,
    ...(t.FailureReason ? { failureReason: boundedText(t.FailureReason) } : {}),
  };
}

/** Entries of unfinished tasks updated from a listing (a run that was interrupted learns its outcome here). */
function reconciled(entries: readonly RedriveEntry[], tasks: ListMessageMoveTasksResultEntry[], sourceArn: string): RedriveEntry[] {
  return entries.map((e) => {
    if (e.sourceArn !== sourceArn || isFinal(e.status) || !e.taskStartedAt) return e;
    const t = tasks.find((task) => iso(task.StartedTimestamp) === e.taskStartedAt);
    return t ? observed(e, t) : e;
  });
}

class Redrive {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private readonly queueUrls = new Map<string, string>();

  constructor(
    private readonly options: RedriveOptions,
    private readonly io: RedriveIo,
    private readonly ddb: DynamoDBClient,
    private readonly sqs: SQSClient,
    private readonly target: RedriveTarget,
  ) {
    this.sleep = io.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = io.now ?? (() => new Date());
  }

  private get dlq(): QueueArn {
    return this.target.deadLetterQueue;
  }

  private get name(): string {
    return this.target.record.name;
  }

  private async queueUrl(queue: QueueArn): Promise<string> {
    let url = this.queueUrls.get(queue.arn);
    if (!url) {
      const out = await aws(`GetQueueUrl of ${queue.arn}`, this.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name, QueueOwnerAWSAccountId: queue.account })));
      url = out.QueueUrl!;
      this.queueUrls.set(queue.arn, url);
    }
    return url;
  }

  private async tasks(): Promise<ListMessageMoveTasksResultEntry[]> {
    const out = await aws(`ListMessageMoveTasks of ${this.dlq.arn}`, this.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: this.dlq.arn, MaxResults: 10 })));
    return out.Results ?? [];
  }

  private history(change: (entries: readonly RedriveEntry[]) => RedriveEntry[] | undefined): Promise<RedriveEntry[]> {
    return aws(`recording the redrive in table ${this.options.table}`, updateRedriveHistory(this.ddb, this.options.table, this.target.record.integrationId, change, this.now()));
  }

  /**
   * Who acts: the STS caller identity, always (an unverified --operator name is only a note beside
   * it). Without it nothing is started or cancelled: the history records who, and CloudTrail's
   * StartMessageMoveTask and CancelMessageMoveTask events name the same ARN.
   */
  private async actor(): Promise<RedriveActor> {
    const operator = this.options.operator?.trim();
    let arn: string | undefined;
    try {
      arn = await (this.io.callerIdentity ?? stsCallerArn)(this.dlq.region);
    } catch (error) {
      throw new RedriveRefused(
        `cannot tell who is redriving (STS GetCallerIdentity failed: ${(error as Error).name}: ${(error as Error).message}), and the redrive must be recorded: ` +
          'nothing was started or cancelled. --operator is a note beside the STS identity, not a replacement',
        1,
      );
    }
    if (!arn) throw new RedriveRefused('cannot tell who is redriving (STS GetCallerIdentity named no caller), and the redrive must be recorded: nothing was started or cancelled', 1);
    return { arn, ...(operator ? { operator: boundedText(operator) } : {}) };
  }

  /** Refuses when the queue's redrive policy does not name the dead-letter queue (a stale record). */
  private async checkRedrivePolicy(): Promise<void> {
    const queue = this.target.queue;
    const out = await aws(`GetQueueAttributes of ${queue.arn}`, this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: await this.queueUrl(queue), AttributeNames: ['RedrivePolicy'] })));
    let named: string | undefined;
    try {
      named = (JSON.parse(out.Attributes?.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    } catch {
      named = undefined;
    }
    if (named !== this.dlq.arn) {
      throw new RedriveRefused(
        `${queue.arn} does not send its dead letters to ${this.dlq.arn} (its redrive policy names ${named ?? 'none'}): the record of ${this.name} is stale; deploy its stack again`,
        1,
      );
    }
  }

  private refuseIfActive(tasks: ListMessageMoveTasksResultEntry[]): void {
    const active = tasks.find(isActive);
    if (!active) return;
    throw new RedriveRefused(
      `a message move task is already ${active.Status === 'CANCELLING' ? 'being cancelled' : 'running'} on ${this.dlq.arn} ` +
        `(started ${iso(active.StartedTimestamp) ?? 'at an unknown time'}; ${progressOf(active).trim().replace(/^[A-Z]+: /, '')}). ` +
        'SQS runs one task per queue at a time: wait for it to end, or stop it with --cancel',
      2,
    );
  }

  /** Polls the task that started at `startedAt` until it ends, printing its progress when it changes. */
  private async watch(startedAt: string): Promise<ListMessageMoveTasksResultEntry> {
    let last = '';
    for (;;) {
      const task = (await this.tasks()).find((t) => iso(t.StartedTimestamp) === startedAt);
      if (!task) throw new RedriveRefused(`the move task started at ${startedAt} is no longer listed by SQS`, 1);
      const line = progressOf(task);
      if (line !== last) this.io.stdout(line);
      last = line;
      if (isFinal(task.Status)) return task;
      await this.sleep(this.io.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    }
  }

  private describeTarget(visible: number, inFlight: number): void {
    this.io.stdout(
      `${this.name} (${this.target.record.integrationId})\n` +
        `  dead-letter queue  ${this.dlq.arn}: ${visible} message(s) visible${inFlight > 0 ? `, ${inFlight} received and not yet visible again` : ''}\n` +
        `  back to            ${this.target.queue.arn}\n`,
    );
  }

  async start(maxPerSecond: number | undefined): Promise<number> {
    const tasks = await this.tasks();
    this.refuseIfActive(tasks);
    await this.checkRedrivePolicy();
    const attributes = await aws(
      `GetQueueAttributes of ${this.dlq.arn}`,
      this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: await this.queueUrl(this.dlq), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })),
    );
    const visible = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    if (visible === 0) {
      throw new RedriveRefused(
        `the dead-letter queue ${this.dlq.arn} of ${this.name} is empty: nothing to redrive` + (inFlight > 0 ? ` (${inFlight} message(s) are being received by someone and not visible)` : ''),
        2,
      );
    }
    this.describeTarget(visible, inFlight);
    const rate = maxPerSecond === undefined ? 'at the rate SQS chooses' : `at most ${maxPerSecond} message(s)/s, about ${Math.ceil(visible / maxPerSecond)} s`;
    if (this.options.dryRun) {
      this.io.stdout(`Dry run: would move about ${visible} message(s) back to ${this.target.queue.name} (${rate}). No task started, nothing recorded.\n`);
      return 0;
    }

    const startedBy = await this.actor();
    const requestedAt = this.now().toISOString();
    const starting: RedriveEntry = {
      id: randomUUID(),
      requestedAt,
      startedBy,
      sourceArn: this.dlq.arn,
      destinationArn: this.target.queue.arn,
      ...(maxPerSecond === undefined ? {} : { maxNumberOfMessagesPerSecond: maxPerSecond }),
      status: 'STARTING',
      messagesToMove: visible,
    };
    // Recorded before anything moves: without the right to record, nothing is redriven.
    await this.history((entries) => withEntry(reconciled(entries, tasks, this.dlq.arn), starting));

    let handle: string;
    try {
      const out = await this.sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: this.dlq.arn, DestinationArn: this.target.queue.arn, ...(maxPerSecond === undefined ? {} : { MaxNumberOfMessagesPerSecond: maxPerSecond }) }),
      );
      handle = out.TaskHandle!;
    } catch (error) {
      const reason = `StartMessageMoveTask failed: ${(error as Error).name}: ${(error as Error).message}`;
      await this.history((entries) => withEntry(entries, { ...starting, status: 'FAILED', failureReason: boundedText(reason), endedAt: this.now().toISOString() }));
      throw new RedriveRefused(reason, 1);
    }
    const listed = await this.tasks();
    const task = listed.find((t) => t.TaskHandle === handle) ?? listed[0];
    const running: RedriveEntry = observed({ ...starting, status: 'RUNNING', taskHandle: handle, taskStartedAt: iso(task?.StartedTimestamp) ?? requestedAt }, task ?? {});
    await this.history((entries) => withEntry(entries, running));
    this.io.stdout(
      `Started a message move task at ${running.taskStartedAt} (${rate}) as ${who(startedBy)}.\n` +
        'Interrupting this command does not stop the task; run it again with --cancel to stop it.\n',
    );

    const ended = await this.watch(running.taskStartedAt!);
    const final = { ...observed(running, ended), endedAt: this.now().toISOString() };
    await this.history((entries) => withEntry(entries, final));
    const seconds = Math.max(0, Math.round((Date.parse(final.endedAt) - Date.parse(running.taskStartedAt!)) / 1000));
    const summary = `${final.messagesMoved ?? 0} of ${final.messagesToMove ?? '?'} message(s) moved back to ${this.target.queue.name} in ${seconds} s`;
    const recorded = `Recorded in ${this.options.table} (redrive ${final.id}).`;
    if (final.status === 'COMPLETED') {
      this.io.stdout(`COMPLETED: ${summary}. ${recorded}\n`);
      return 0;
    }
    this.io.stdout(`${final.status}: ${summary}${final.failureReason ? `: ${final.failureReason}` : ''}. ${recorded}\n`);
    return final.status === 'CANCELLED' ? 2 : 1;
  }

  async cancel(): Promise<number> {
    const tasks = await this.tasks();
    const running = tasks.find((t) => t.Status === 'RUNNING' && t.TaskHandle);
    if (!running) {
      const cancelling = tasks.find((t) => t.Status === 'CANCELLING');
      throw new RedriveRefused(cancelling ? `the move task on ${this.dlq.arn} is already being cancelled` : `no message move task is running on ${this.dlq.arn}: nothing to cancel`, 2);
    }
    const cancelledBy = await this.actor();
    const startedAt = iso(running.StartedTimestamp)!;
    const stored = await aws(`reading table ${this.options.table}`, readRedriveHistory(this.ddb, this.options.table, this.target.record.integrationId));
    const known = stored.entries.find((e) => e.sourceArn === this.dlq.arn && e.taskStartedAt === startedAt);
    const out = await aws('CancelMessageMoveTask', this.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: running.TaskHandle })));
    const cancelledAt = this.now().toISOString();
    const base: RedriveEntry = known ?? {
      id: randomUUID(),
      requestedAt: startedAt,
      sourceArn: this.dlq.arn,
      destinationArn: running.DestinationArn ?? this.target.queue.arn,
      ...(running.MaxNumberOfMessagesPerSecond === undefined ? {} : { maxNumberOfMessagesPerSecond: running.MaxNumberOfMessagesPerSecond }),
      status: 'RUNNING',
      taskHandle: running.TaskHandle,
      taskStartedAt: startedAt,
    };
    const entry: RedriveEntry = {
      ...observed(base, running),
      status: 'CANCELLING',
      messagesMoved: out.ApproximateNumberOfMessagesMoved ?? running.ApproximateNumberOfMessagesMoved,
      cancelledBy,
      cancelledAt,
    };
    await this.history((entries) => withEntry(reconciled(entries, tasks, this.dlq.arn), entry));
    this.io.stdout(`Cancelling the move task on ${this.dlq.arn} started ${startedAt} by ${who(entry.startedBy)}, as ${who(cancelledBy)}. What moved stays moved.\n`);
    const ended = await this.watch(startedAt);
    const final = { ...observed(entry, ended), endedAt: this.now().toISOString() };
    await this.history((entries) => withEntry(entries, final));
    this.io.stdout(`${final.status}: ${final.messagesMoved ?? 0} of ${final.messagesToMove ?? '?'} message(s) had moved. Recorded in ${this.options.table} (redrive ${final.id}).\n`);
    return 0;
  }

  async showHistory(): Promise<number> {
    const stored = await aws(`reading table ${this.options.table}`, readRedriveHistory(this.ddb, this.options.table, this.target.record.integrationId));
    if (stored.entries.length === 0) {
      this.io.stdout(`No redrive of ${this.name} is recorded in ${this.options.table}.\n`);
      return 0;
    }
    // Shows what SQS says now about unfinished tasks, without writing (a reader may not write).
    const entries = reconciled(stored.entries, await this.tasks(), this.dlq.arn);
    this.io.stdout(`Redrives of ${this.name} (${this.target.record.integrationId}), newest first:\n`);
    for (const e of entries) {
      const counts = `${e.messagesMoved ?? 0} of ${e.messagesToMove ?? '?'} moved`;
      const rate = e.maxNumberOfMessagesPerSecond === undefined ? '' : `, at most ${e.maxNumberOfMessagesPerSecond}/s`;
      const cancelled = e.cancelledBy ? `; cancelled ${e.cancelledAt} by ${who(e.cancelledBy)}` : '';
      const failure = e.failureReason ? `; ${e.failureReason}` : '';
      this.io.stdout(`  ${e.requestedAt}  ${e.status.padEnd(10)} ${counts}${rate}, by ${who(e.startedBy)}${cancelled}${failure}\n`);
    }
    return 0;
  }
}

function parseRate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const rate = Number(value);
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_MESSAGES_PER_SECOND) {
    throw new RedriveRefused(`--max-per-second ${value} is not a whole number from 1 to ${MAX_MESSAGES_PER_SECOND} (SQS's limit for a message move task)`, 1);
  }
  return rate;
}

/** Runs `redrive`; returns the exit code, throws RedriveRefused for refusals. */
export async function redrive(options: RedriveOptions, io: RedriveIo): Promise<number> {
  const modes = [options.dryRun && '--dry-run', options.cancel && '--cancel', options.history && '--history'].filter(Boolean);
  if (modes.length > 1) throw new RedriveRefused(`${modes.join(' and ')} do not go together`, 1);
  if (options.maxPerSecond !== undefined && (options.cancel || options.history)) throw new RedriveRefused('--max-per-second applies to a redrive only', 1);
  const maxPerSecond = parseRate(options.maxPerSecond);
  if (options.operator !== undefined && options.operator.trim().length === 0) throw new RedriveRefused('--operator needs a name', 1);

  const ddb = io.dynamoDb ? io.dynamoDb(options.region) : new DynamoDBClient(options.region ? { region: options.region } : {});
  try {
    const target = await findRedriveTarget(ddb, options.table, options.integration, options.queue);
    const sqs = io.sqs ? io.sqs(target.deadLetterQueue.region) : new SQSClient({ region: target.deadLetterQueue.region });
    try {
      const run = new Redrive(options, io, ddb, sqs, target);
      if (options.history) return await run.showHistory();
      if (options.cancel) return await run.cancel();
      return await run.start(maxPerSecond);
    } finally {
      if (!io.sqs) sqs.destroy();
    }
  } finally {
    if (!io.dynamoDb) ddb.destroy();
  }
}
