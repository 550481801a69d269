// Regressions from the review of Outbound.api (commits 1e0c5ca to 2349de4): each finding of the
// attack, fixed in the commit that added this file, stays a test. The sender, with stub AWS clients and a local HTTPS partner.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, visibilityTimeoutSeconds } from '../../../lambda/outbound/backoff';
import type { ResolvedOutboundConfig } from '../../../lambda/outbound/config';
import { sendToPartner } from '../../../lambda/outbound/http';
import { processBatch } from '../../../lambda/outbound/send';
import { emitPartnerCall } from '../../../lambda/outbound/signals';
import { signalMetrics } from '../../../lambda/shared/signals';
import { envelopeOf } from '../../../lambda/shared/outbound';
import { makeCertificates, removeCertificates, type TestCertificates, TestPartner, trustingAgent } from '../../support/https-partner';
import { recordingLog } from '../../support/ingest-harness';
import { apiDestinationConfig } from '../../support/outbound-harness';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111111111111:TestStack-Partner-OutboundQueue';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/TestStack-Partner-OutboundQueue-dlq';
/** The outbound queue's retention, as bindApiOutbound sets it (IntegrationQueue retentionPeriod). */
const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;

/** An SQS stub that records what the sender asks of it. */
function stubSqs() {
  const visibility: number[] = [];
  const deadLetters: Array<Record<string, unknown>> = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      switch (command.constructor.name) {
        case 'GetQueueUrlCommand':
          return { QueueUrl: `https://sqs.eu-west-1.amazonaws.com/111111111111/${String(command.input.QueueName)}` };
        case 'ChangeMessageVisibilityCommand':
          visibility.push(command.input.VisibilityTimeout as number);
          return {};
        case 'SendMessageCommand':
          deadLetters.push(command.input);
          return { MessageId: 'dlq-1' };
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    },
  };
  return { sqs: client as unknown as SQSClient, visibility, deadLetters };
}

/** A record as the SQS event source hands it over. */
function recordOf(body: string, attributes: { receiveCount?: number; sentAt?: number } = {}): SQSRecord {
  const sentAt = attributes.sentAt ?? Date.now();
  return {
    messageId: '7b1c8a34-0d3e-4a55-9d8e-2f0b6a7c9e10',
    receiptHandle: 'handle',
    body,
    attributes: {
      ApproximateReceiveCount: String(attributes.receiveCount ?? 1),
      SentTimestamp: String(sentAt),
      SenderId: 'AIDATEST',
      ApproximateFirstReceiveTimestamp: String(sentAt),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
  };
}

describe('finding: what the API destination gave up on cannot be redriven', () => {
  test("a dead letter EventBridge wrote to the outbound dead-letter queue (the whole event), redriven to the outbound queue, goes out again with its idempotency key", async () => {
    const { sqs, deadLetters } = stubSqs();
    const puts: Array<{ Entries: Array<{ Detail: string }> }> = [];
    const eventBridge = { send: async (command: { input: { Entries: Array<{ Detail: string }> } }) => (puts.push(command.input), { FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] }) } as unknown as EventBridgeClient;
    const config = apiDestinationConfig(DLQ_URL);
    // The rule's target dead-letter queue is the outbound queue's: after 24 hours of retries (or a
    // 400 at once), EventBridge sends it the event itself (message attributes RULE_ARN, TARGET_ARN,
    // ERROR_CODE, ERROR_MESSAGE), not the producer's envelope. `cdk-secure-integrations redrive` moves
    // it back to the outbound queue as it is.
    const event = {
      version: '0',
      id: '0b7c2a1e-6f3d-4c1a-9a55-1c2d3e4f5a6b',
      'detail-type': 'PartnerOrders',
      source: 'cdk-secure-integrations.outbound',
      account: '111111111111',
      time: '2026-12-03T06:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { payload: { orderId: 'PO-3001' }, traceparent: '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01', idempotencyKey: '9d3c1b7e-2a4f-4e6b-8c0d-1f2e3a4b5c6d' },
    };
    await processBatch({ Records: [recordOf(JSON.stringify(event), { receiveCount: 1 })] }, { config, sqs, eventBridge, log: recordingLog().log });
    // Before the fix: dead-lettered again as "malformed" (the message body has no payload): the redrive loops.
    expect(deadLetters.map((m) => (m.MessageAttributes as Record<string, { StringValue: string }>).reason.StringValue)).toEqual([]);
    expect(puts.map((p) => JSON.parse(p.Entries[0].Detail).idempotencyKey)).toEqual(['9d3c1b7e-2a4f-4e6b-8c0d-1f2e3a4b5c6d']);
  });
});

describe('finding: a partner\'s Retry-After loses records', () => {
  test("a Retry-After past SQS's 12 hours is capped below what ChangeMessageVisibility accepts (12 hours counted from this receive, which was already seconds ago)", () => {
    // SQS refuses a VisibilityTimeout beyond the time left of the 12 hours since the receive
    // ("returns an error ... doesn't automatically recalculate"), and the sender then falls back to the
    // queue's visibility timeout: a partner asking for a day's pause is called again within minutes,
    // and 30 tries are spent in a few hours.
    expect(visibilityTimeoutSeconds(3, 86_400)).toBeLessThan(SQS_MAX_VISIBILITY_TIMEOUT_SECONDS - 900);
  });

  describe('against a partner that throttles: 429 with Retry-After: 36000 (ten hours; a 429 is not an error_count, so the SLO does not burn either)', () => {
    let certificates: TestCertificates;
    let partner: TestPartner;
    beforeAll(async () => {
      certificates = makeCertificates();
      partner = await TestPartner.start(certificates);
      partner.answer = () => ({ status: 429, headers: { 'retry-after': '36000' } });
    });
    afterAll(async () => {
      await partner?.close();
      removeCertificates(certificates);
    });

    test("the 10th attempt of a record (90 hours old, default maxAttempts 30) is not hidden past the queue's 4-day retention: it is dead-lettered with its reason, or retried while it still exists", async () => {
      const { sqs, visibility, deadLetters } = stubSqs();
      const agent = trustingAgent(certificates);
      const sentAt = Date.now() - 90 * 3600 * 1000;
      const config: ResolvedOutboundConfig = { version: 1, integration: 'Partner', mode: 'direct', endpoint: `${partner.url}/in`, method: 'POST', timeoutMs: 2_000, maxAttempts: 30, deadLetterQueueUrl: DLQ_URL };
      const result = await processBatch({ Records: [recordOf(envelopeOf({ orderId: 'PO-1' }, undefined, 'k-1'), { receiveCount: 10, sentAt })] }, { config, sqs, agent, log: recordingLog().log });
      agent.destroy();
      expect(partner.requests).toHaveLength(1);
      const retentionLeft = QUEUE_RETENTION_SECONDS - Math.round((Date.now() - sentAt) / 1000);
      const outcome = { batchItemFailures: result.batchItemFailures.length, deadLettered: deadLetters.length, hiddenForSeconds: visibility[0], retentionLeftSeconds: retentionLeft };
      // Before the fix: hidden for 36,000 s with 21,600 s of retention left; SQS deletes it, no dead letter, no alarm.
      expect(outcome.deadLettered === 1 || outcome.hiddenForSeconds < outcome.retentionLeftSeconds ? 'kept' : outcome).toBe('kept');
    });
  });
});

describe('finding: a partner that accepts the call, then stalls its body, gets it again', () => {
  let certificates: TestCertificates;
  let server: Server;
  beforeAll(async () => {
    certificates = makeCertificates();
    server = createServer({ cert: certificates.cert, key: certificates.key }, (req, res) => {
      req.resume();
      req.on('end', () => {
        // 200 and its headers at once; the promised body never completes.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"accepted":');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    removeCertificates(certificates);
  });

  test('the status line decides ("the sender needs only the status"): a 200 whose body stalls is a 200, not a timeout retried 30 times', async () => {
    const agent = trustingAgent(certificates);
    const outcome = await sendToPartner({ endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}/in`, method: 'POST', headers: {}, body: '{}', timeoutMs: 1_000, agent });
    agent.destroy();
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
  });
});

describe('finding: a partner that refuses every call keeps the SLO green', () => {
  /** The EMF lines Powertools writes to stdout. */
  const captureEmf = (run: () => void): Array<Record<string, unknown>> => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      run();
    } finally {
      spy.mockRestore();
    }
    return lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('_aws')).map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  beforeAll(() => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    delete process.env.POWERTOOLS_DEV;
  });

  // The SLO's availability burn is error_count / request_count. For the ingest a 4xx is the caller's
  // fault; for the sender it is the partner refusing our record, which is then dead-lettered
  // (401, 403, 404, a redirect) or retried for a day (429). A partner that rejects the new signing
  // secret after a rotation nobody handed over answers 401 to every call: the SLO stays at 100 %,
  // no page, only the dead-letter ticket.
  test.each([401, 403, 404, 301, 429])('a call the partner answers %s counts against availability (error_count 1)', (status) => {
    const [emf] = captureEmf(() => emitPartnerCall(signalMetrics(), 'PartnerOrders', { status, latencyMs: 40, at: new Date() }));
    expect(emf).toEqual(expect.objectContaining({ request_count: 1, error_count: 1 }));
  });
});
