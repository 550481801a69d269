// CLEARLY MARKED STAND-IN for the part of SQS that moto 5.2.1 lacks: message move tasks
// (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask; moto's SQSResponse has no
// such action). An HTTP endpoint speaking SQS's JSON protocol: those three operations are answered
// here, every other request is forwarded to moto_server unchanged, so queues, redrive policies,
// dead-letter moves and messages are real moto resources, and a task moves real messages (receive
// from the dead-letter queue, send to the destination with their attributes, delete).
//
// What the stand-in does, from SQS's API reference and developer guide:
//  - the source must be the dead-letter queue of another SQS queue (moto's ListDeadLetterSourceQueues);
//    without DestinationArn, messages go back to that source queue;
//  - one active (RUNNING or CANCELLING) task per source queue;
//  - MaxNumberOfMessagesPerSecond from 1 to 500; ListMessageMoveTasks' MaxResults from 1 to 10,
//    default 1, newest first;
//  - ApproximateNumberOfMessagesToMove is the source's count when the task starts; TaskHandle is
//    listed only for RUNNING tasks; DestinationArn and MaxNumberOfMessagesPerSecond only when given;
//  - only a RUNNING task can be cancelled; the answer carries ApproximateNumberOfMessagesMoved; what
//    moved stays moved; the task is CANCELLING, then CANCELLED.
// ASSUMPTIONS (not documented): the error codes of refused calls (InvalidParameterValue,
// UnsupportedOperation, ResourceNotFoundException); the rate without MaxNumberOfMessagesPerSecond
// (SQS "optimizes" it; here 100 a second); a task moves messages only when it is listed or
// cancelled, as many as its rate allows for the time since it started on the stand-in's clock
// (tests give it theirs), and CANCELLING becomes CANCELLED at the next listing.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { motoClientConfig, motoEndpoint } from '../support/aws-env';

/** The stand-in's rate when a task names none (SQS chooses its own). */
export const STAND_IN_SYSTEM_RATE = 100;

interface Task {
  readonly handle: string;
  readonly sourceArn: string;
  readonly destinationArn?: string;
  readonly resolvedDestinationArn: string;
  readonly rate?: number;
  readonly startedMs: number;
  readonly toMove: number;
  moved: number;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  failureReason?: string;
}

class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });

function arnParts(arn: string): { account: string; name: string } {
  const [, , , , account, name] = arn.split(':');
  if (!account || !name) throw new SqsError('InvalidAddress', `${arn} is not a queue ARN`);
  return { account, name };
}

/** The stand-in's state and server. */
export class SqsMoveTaskStandIn {
  /** Every task, oldest first. */
  readonly tasks: Task[] = [];
  /** Every emulated call, in order (`StartMessageMoveTask`, ...). */
  readonly calls: string[] = [];
  private readonly moto = new SQSClient(motoClientConfig());
  private readonly server: Server;

  /** `now` gives the stand-in's clock in ms (tests share theirs with the CLI). */
  constructor(private readonly now: () => number = Date.now) {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, headers, body }) => {
          res.writeHead(status, headers);
          res.end(body);
        },
        (error: Error) => {
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: error.message }));
        },
      );
    });
  }

  /** Starts listening on 127.0.0.1; returns the endpoint. */
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.moto.destroy();
    // Keep-alive sockets of the SDK clients would hold the server (and the jest worker) open.
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const body = await read(req);
    const op = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    if (op === 'StartMessageMoveTask' || op === 'ListMessageMoveTasks' || op === 'CancelMessageMoveTask') {
      this.calls.push(op);
      try {
        const input = JSON.parse(body || '{}') as Record<string, unknown>;
        const out = op === 'StartMessageMoveTask' ? await this.startTask(input) : op === 'ListMessageMoveTasks' ? await this.listTasks(input) : await this.cancelTask(input);
        return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(out) };
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        return {
          status: 400,
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${error.code};Sender` },
          body: JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }),
        };
      }
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>;
    const res = await fetch(`${motoEndpoint()}${req.url ?? '/'}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
    const out: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(key)) out[key] = value;
    });
    return { status: res.status, headers: out, body: await res.text() };
  }

  private async urlOf(arn: string): Promise<string> {
    const { account, name } = arnParts(arn);
    try {
      return (await this.moto.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))).QueueUrl!;
    } catch {
      throw new SqsError('ResourceNotFoundException', `queue ${arn} does not exist`);
    }
  }

  private async visibleCount(url: string): Promise<number> {
    const out = await this.moto.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
  }

  private async startTask(input: Record<string, unknown>) {
    const sourceArn = String(input.SourceArn ?? '');
    const destinationArn = input.DestinationArn === undefined ? undefined : String(input.DestinationArn);
    const rate = input.MaxNumberOfMessagesPerSecond === undefined ? undefined : Number(input.MaxNumberOfMessagesPerSecond);
    if (rate !== undefined && (!Number.isInteger(rate) || rate < 1 || rate > 500)) throw new SqsError('InvalidParameterValue', 'MaxNumberOfMessagesPerSecond must be from 1 to 500');
    const sourceUrl = await this.urlOf(sourceArn);
    const sources = (await this.moto.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: sourceUrl }))).queueUrls ?? [];
    if (sources.length === 0) throw new SqsError('UnsupportedOperation', `${sourceArn} is not the dead-letter queue of an SQS queue`);
    if (this.tasks.some((t) => t.sourceArn === sourceArn && (t.status === 'RUNNING' || t.status === 'CANCELLING'))) {
      throw new SqsError('UnsupportedOperation', `a message move task is already active on ${sourceArn}`);
    }
    let resolved = destinationArn;
    if (resolved === undefined) {
      const attributes = await this.moto.send(new GetQueueAttributesCommand({ QueueUrl: sources[0], AttributeNames: ['QueueArn'] }));
      resolved = attributes.Attributes!.QueueArn!;
    } else {
      await this.urlOf(resolved);
    }
    const task: Task = {
      handle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString('base64'),
      sourceArn,
      destinationArn,
      resolvedDestinationArn: resolved,
      rate,
      startedMs: this.now(),
      toMove: await this.visibleCount(sourceUrl),
      moved: 0,
      status: 'RUNNING',
    };
    this.tasks.push(task);
    return { TaskHandle: task.handle };
  }

  /** Moves what the task's rate allows since it started. */
  private async advance(task: Task): Promise<void> {
    if (task.status === 'CANCELLING') {
      task.status = 'CANCELLED';
      return;
    }
    if (task.status !== 'RUNNING') return;
    const allowed = Math.min(task.toMove, Math.floor(((task.rate ?? STAND_IN_SYSTEM_RATE) * (this.now() - task.startedMs)) / 1000));
    const sourceUrl = await this.urlOf(task.sourceArn);
    const destinationUrl = await this.urlOf(task.resolvedDestinationArn);
    while (task.moved < allowed) {
      const received = await this.moto.send(
        new ReceiveMessageCommand({ QueueUrl: sourceUrl, MaxNumberOfMessages: Math.min(10, allowed - task.moved), VisibilityTimeout: 30, MessageAttributeNames: ['All'] }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) break;
      for (const m of messages) {
        await this.moto.send(new SendMessageCommand({ QueueUrl: destinationUrl, MessageBody: m.Body!, MessageAttributes: m.MessageAttributes }));
        await this.moto.send(new DeleteMessageCommand({ QueueUrl: sourceUrl, ReceiptHandle: m.ReceiptHandle! }));
        task.moved++;
      }
    }
    if (task.moved >= task.toMove || (await this.visibleCount(sourceUrl)) === 0) task.status = 'COMPLETED';
  }

  private async listTasks(input: Record<string, unknown>) {
    const sourceArn = String(input.SourceArn ?? '');
    const max = input.MaxResults === undefined ? 1 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > 10) throw new SqsError('InvalidParameterValue', 'MaxResults must be from 1 to 10');
    await this.urlOf(sourceArn);
    const tasks = this.tasks.filter((t) => t.sourceArn === sourceArn);
    for (const t of tasks) await this.advance(t);
    return {
      Results: tasks
        .slice()
        .reverse()
        .slice(0, max)
        .map((t) => ({
          ...(t.status === 'RUNNING' ? { TaskHandle: t.handle } : {}),
          Status: t.status,
          SourceArn: t.sourceArn,
          ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
          ...(t.rate === undefined ? {} : { MaxNumberOfMessagesPerSecond: t.rate }),
          ApproximateNumberOfMessagesMoved: t.moved,
          ApproximateNumberOfMessagesToMove: t.toMove,
          ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
          StartedTimestamp: t.startedMs,
        })),
    };
  }

  private async cancelTask(input: Record<string, unknown>) {
    const task = this.tasks.find((t) => t.handle === input.TaskHandle);
    if (!task) throw new SqsError('ResourceNotFoundException', 'no message move task has this handle');
    await this.advance(task);
    if (task.status !== 'RUNNING') throw new SqsError('ResourceNotFoundException', `the task is ${task.status}: only a RUNNING task can be cancelled`);
    task.status = 'CANCELLING';
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }
}
