// Sample outbound sync of the example app: every hour, move the CRM contact updates waiting in the
// CrmContacts integration's queue to the data warehouse's ingestion endpoint. PII fields stay
// encrypted (the warehouse decrypts with its own grant). Reports every run with recordSync, which
// the integration's heartbeat alarm watches.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { recordSync } from '../../shared/signals';

const logger = new Logger({ serviceName: 'warehouse-export' });
const sqs = new SQSClient({});
const QUEUE_URL = process.env.SOURCE_QUEUE_URL!;
const WAREHOUSE_URL = process.env.WAREHOUSE_URL!;
/** Messages moved per run at most, so a run stays within the function's timeout. */
const MAX_PER_RUN = 500;

export const handler = async (event: { integration: string }) => {
  let moved = 0;
  try {
    while (moved < MAX_PER_RUN) {
      const batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      const messages = batch.Messages ?? [];
      if (messages.length === 0) break;
      const response = await fetch(WAREHOUSE_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: messages.map((m) => m.Body).join('\n'),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`warehouse answered ${response.status}`);
      // Delete only what the warehouse took: anything else is received again (and lands in the DLQ after 5 tries).
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: QUEUE_URL, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      moved += messages.length;
    }
    recordSync({ integration: event.integration, succeeded: true, records: moved });
    logger.info('export finished', { moved });
  } catch (error) {
    recordSync({ integration: event.integration, succeeded: false, records: moved });
    logger.error('export failed', { moved, error: (error as Error).message });
    throw error;
  }
};
