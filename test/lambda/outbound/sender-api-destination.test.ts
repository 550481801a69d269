// The outbound sender in api-destination mode (issue 16): each checked record is put on the
// outbound bus (moto EventBridge), whose rule (here to an SQS queue in place of the API
// destination) receives `{ payload, traceparent, idempotencyKey }` as the event's detail.
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { OutboundEventDetail } from '../../../lib/outbound/outbound-config';
import type { ResolvedOutboundConfig } from '../../../lambda/outbound/config';
import { eventEntrySize, MAX_EVENT_ENTRY_BYTES, processBatch, type SenderDependencies } from '../../../lambda/outbound/send';
import { decryptFields, isEncryptedField } from '../../../lambda/shared/field-encryption';
import { sendOutbound } from '../../../lambda/shared/outbound';
import { RejectionCause } from '../../../lib/observability/signal-names';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { recordingLog } from '../../support/ingest-harness';
import { apiDestinationConfig, createQueue, eventOf, receiveAll, recordingSignals, type TestQueue } from '../../support/outbound-harness';

const EVENT_SOURCE = 'cdk-secure-integrations.outbound';
const PRODUCER_XRAY = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const SENDER_XRAY = 'Root=1-6a1b2c3d-00112233445566778899aabb;Parent=0123456789abcdef;Sampled=1';

describe('the outbound sender hands records to an API destination', () => {
  const sqs = new SQSClient(motoClientConfig());
  const eventBridge = new EventBridgeClient(motoClientConfig());
  const kms = new KMSClient(motoClientConfig());
  let busName: string;
  let source: TestQueue;
  let dlq: TestQueue;
  let delivered: TestQueue;
  let keyId: string;
  let recorded: ReturnType<typeof recordingSignals>;
  let log: ReturnType<typeof recordingLog>;
  const savedTrace = process.env._X_AMZN_TRACE_ID;

  beforeAll(async () => {
    busName = uniqueName('outbound-bus');
    await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
    [source, dlq, delivered] = await Promise.all([createQueue(sqs, 'outbound-api-src'), createQueue(sqs, 'outbound-api-dlq'), createQueue(sqs, 'outbound-api-delivered')]);
    // The rule the construct writes for the integration: its source and its name as detail-type.
    await eventBridge.send(new PutRuleCommand({ Name: 'partner-orders', EventBusName: busName, EventPattern: JSON.stringify({ source: [EVENT_SOURCE], 'detail-type': ['PartnerOrders'] }) }));
    await eventBridge.send(new PutTargetsCommand({ Rule: 'partner-orders', EventBusName: busName, Targets: [{ Id: 'destination', Arn: delivered.arn }] }));
    keyId = (await kms.send(new CreateKeyCommand({ Description: 'platform key' }))).KeyMetadata!.Arn!;
  });
  afterAll(() => {
    process.env._X_AMZN_TRACE_ID = savedTrace;
  });
  beforeEach(async () => {
    recorded = recordingSignals();
    log = recordingLog();
    await Promise.all([receiveAll(sqs, source.url), receiveAll(sqs, dlq.url), receiveAll(sqs, delivered.url)]);
  });

  const config = (extra: Partial<ResolvedOutboundConfig> = {}): ResolvedOutboundConfig => apiDestinationConfig(dlq.url, { eventBusName: busName, eventSource: EVENT_SOURCE, ...extra });
  const deps = (extra: Partial<ResolvedOutboundConfig> = {}, more: Partial<SenderDependencies> = {}): SenderDependencies => ({
    config: config(extra),
    sqs,
    eventBridge,
    kms,
    fieldKeyId: keyId,
    signals: recorded.signals,
    log: log.log,
    xrayTraceHeader: () => SENDER_XRAY,
    ...more,
  });
  const produce = async (...payloads: unknown[]) => {
    process.env._X_AMZN_TRACE_ID = PRODUCER_XRAY;
    try {
      for (const payload of payloads) await sendOutbound('PartnerOrders', payload, { sqs, queueUrl: source.url });
    } finally {
      process.env._X_AMZN_TRACE_ID = savedTrace;
    }
    return eventOf(sqs, source);
  };
  const events = async () => (await receiveAll(sqs, delivered.url)).map((m) => JSON.parse(m.Body!) as { source: string; 'detail-type': string; detail: OutboundEventDetail });

  const order = { orderId: 'PO-2001', customer: { email: 'grace@example.com' } };

  test("the event on the bus carries the payload, the producer's trace continued and the record's idempotency key; no partner call is counted", async () => {
    const event = await produce(order);
    const result = await processBatch(event, deps());
    expect(result).toEqual({ batchItemFailures: [] });
    const [put] = await events();
    expect(put.source).toBe(EVENT_SOURCE);
    expect(put['detail-type']).toBe('PartnerOrders');
    expect(put.detail).toEqual({ payload: order, traceparent: expect.stringMatching(/^00-5759e988bd862e3fe1be46a994272793-[0-9a-f]{16}-01$/), idempotencyKey: JSON.parse(event.Records[0].body).idempotencyKey });
    expect(put.detail.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(put.detail.traceparent).not.toContain('53995c3f42cd8ad8');
    // EventBridge's own metrics count the calls: the sender emits none.
    expect(recorded.calls).toEqual([]);
    expect(log.logs).toEqual([expect.objectContaining({ msg: 'delivered', extra: expect.objectContaining({ outcome: 'delivered', mode: 'api-destination', traceparent: put.detail.traceparent }) })]);
  });

  test('a contract violation is dead-lettered and counted, and nothing reaches the bus', async () => {
    const event = await produce({ orderId: 42 });
    const result = await processBatch(event, deps({ payloadSchema: { type: 'object', properties: { orderId: { type: 'string' } } } }));
    expect(result.batchItemFailures).toEqual([]);
    expect(await events()).toEqual([]);
    const [dead] = await receiveAll(sqs, dlq.url);
    expect(dead.MessageAttributes?.reason?.StringValue).toBe('contract');
    expect(dead.MessageAttributes?.detail?.StringValue).toBe('/orderId must be string');
    expect(recorded.rejections).toEqual([{ integration: 'PartnerOrders', cause: RejectionCause.CONTRACT }]);
  });

  test('PII fields are encrypted before the record reaches the bus', async () => {
    const event = await produce(order);
    await processBatch(event, deps({ pii: { mode: 'encrypt', paths: ['customer.email'] } }));
    const [put] = await events();
    const payload = put.detail.payload as { customer: { email: string } };
    expect(isEncryptedField(payload.customer.email)).toBe(true);
    expect(await decryptFields(payload, ['customer.email'], { integration: 'PartnerOrders', kms, keyId })).toEqual(order);
  });

  test('a bus that does not take the event: the record is retried with the backoff', async () => {
    const event = await produce(order);
    const result = await processBatch(event, deps({ eventBusName: uniqueName('no-such-bus') }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0].messageId }]);
    expect(log.logs.find((l) => l.extra.outcome === 'retry')?.extra).toEqual(expect.objectContaining({ visibilityTimeoutSeconds: 30, why: expect.stringMatching(/^PutEvents/) }));
    expect(await receiveAll(sqs, dlq.url)).toEqual([]);
  });

  test('a throttled PutEvents is retried', async () => {
    const throttled = new EventBridgeClient(motoClientConfig());
    throttled.middlewareStack.add(() => async () => ({ output: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }], $metadata: {} }, response: {} }), { step: 'initialize' });
    const event = await produce(order);
    expect((await processBatch(event, deps({}, { eventBridge: throttled }))).batchItemFailures).toHaveLength(1);
    // Throttling is not an operator's fault: no error-level line.
    expect(log.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  test("an event that would exceed EventBridge's 256 KB (encrypted fields grow) is dead-lettered, not retried for a day", async () => {
    const event = await produce({ note: 'x'.repeat(150_000), customer: { email: 'e'.repeat(100_000) } });
    const result = await processBatch(event, deps({ pii: { mode: 'encrypt', paths: ['customer.email'] } }));
    expect(result.batchItemFailures).toEqual([]);
    const [dead] = await receiveAll(sqs, dlq.url);
    expect(dead.MessageAttributes?.reason?.StringValue).toBe('malformed');
    expect(dead.MessageAttributes?.detail?.StringValue).toMatch(/^the event would be \d+ bytes, over EventBridge's 262144$/);
  });

  test("the entry size is counted as EventBridge does (Source, DetailType, Detail, 14 bytes for Time)", () => {
    expect(eventEntrySize({ Source: 'ab', DetailType: 'cd', Detail: '{"é":1}' })).toBe(2 + 2 + 8);
    expect(eventEntrySize({ Source: 'ab', Time: new Date(), Resources: ['arn:x'] })).toBe(2 + 14 + 5);
    expect(MAX_EVENT_ENTRY_BYTES).toBe(256 * 1024);
  });
});
