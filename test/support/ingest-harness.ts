// What the ingest's tests against moto share: a log that records what the function says, and a
// drain of a target queue.
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface LoggedLine {
  readonly level: string;
  readonly msg: string;
  readonly extra: Record<string, unknown>;
}

/** A log for the ingest's dependencies, and the lines it recorded (clear with `logs.length = 0`). */
export function recordingLog(): { logs: LoggedLine[]; log: { info: (msg: string, extra: Record<string, unknown>) => void; warn: (msg: string, extra: Record<string, unknown>) => void; error: (msg: string, extra: Record<string, unknown>) => void } } {
  const logs: LoggedLine[] = [];
  const line = (level: string) => (msg: string, extra: Record<string, unknown>) => void logs.push({ level, msg, extra });
  return { logs, log: { info: line('info'), warn: line('warn'), error: line('error') } };
}

/** Every message waiting in a queue, parsed, until it is empty. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (;;) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!res.Messages?.length) return out;
    out.push(...res.Messages.map((m) => JSON.parse(m.Body!) as Record<string, unknown>));
  }
}
