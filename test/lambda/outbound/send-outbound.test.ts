import { SQSClient } from '@aws-sdk/client-sqs';
import { outboundQueueUrlEnv } from '../../../lambda/shared/outbound-env';
import { MAX_OUTBOUND_MESSAGE_BYTES, OutboundPayloadError, sendOutbound } from '../../../lambda/shared/runtime';
import { motoClientConfig } from '../../support/aws-env';
import { createQueue, receiveAll, type TestQueue } from '../../support/outbound-harness';

describe('the outbound queue variable of an integration', () => {
  test.each([
    ['CrmContacts', 'OUTBOUND_QUEUE_URL_CRMCONTACTS'],
    ['erp-sync.v2', 'OUTBOUND_QUEUE_URL_ERP_SYNC_V2'],
    ['Partner Orders', 'OUTBOUND_QUEUE_URL_PARTNER_ORDERS'],
    ['9lives', 'OUTBOUND_QUEUE_URL_9LIVES'],
    ['Zahlungsströme', 'OUTBOUND_QUEUE_URL_ZAHLUNGSSTR_ME'],
  ])('%s reads %s', (integration, variable) => {
    expect(outboundQueueUrlEnv(integration)).toBe(variable);
    // A valid Lambda environment variable name.
    expect(variable).toMatch(/^[a-zA-Z][a-zA-Z0-9_]+$/);
  });

  test('an empty name is refused', () => {
    expect(() => outboundQueueUrlEnv('')).toThrow('non-empty string');
    expect(() => outboundQueueUrlEnv(undefined as unknown as string)).toThrow('non-empty string');
  });
});

describe('sendOutbound (moto SQS)', () => {
  const sqs = new SQSClient(motoClientConfig());
  const saved = { ...process.env };
  let queue: TestQueue;

  beforeAll(async () => {
    queue = await createQueue(sqs, 'outbound-producer');
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  test("puts an envelope on the queue named by the integration's variable, with a traceparent continuing the function's X-Ray trace", async () => {
    process.env.OUTBOUND_QUEUE_URL_PARTNER_ORDERS = queue.url;
    process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1';
    const payload = { orderId: 'PO-1', lines: [{ sku: 'A-1', quantity: 2 }] };
    const { messageId } = await sendOutbound('Partner-Orders', payload, { sqs });
    const [message] = await receiveAll(sqs, queue.url, 1);
    expect(message.MessageId).toBe(messageId);
    expect(JSON.parse(message.Body!)).toEqual({ payload, traceparent: '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01', idempotencyKey: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
    expect(message.MessageAttributes?.integration?.StringValue).toBe('Partner-Orders');
    // X-Ray follows the record to the sender.
    expect(message.Attributes?.AWSTraceHeader).toBe(process.env._X_AMZN_TRACE_ID);
  });

  test('without an X-Ray trace the envelope has no traceparent; queueUrl overrides the variable', async () => {
    delete process.env._X_AMZN_TRACE_ID;
    await sendOutbound('NotGranted', [1, 'two', null], { sqs, queueUrl: queue.url });
    const [message] = await receiveAll(sqs, queue.url, 1);
    expect(JSON.parse(message.Body!)).toEqual({ payload: [1, 'two', null], idempotencyKey: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
  });

  test('a function that was not granted gets an error naming the variable and the grant', async () => {
    delete process.env.OUTBOUND_QUEUE_URL_ERP_SYNC;
    await expect(sendOutbound('erp-sync', { a: 1 }, { sqs })).rejects.toThrow(/OUTBOUND_QUEUE_URL_ERP_SYNC is not set.*grantSendOutbound/);
  });

  test('a payload that is not JSON is refused before anything is sent', async () => {
    await expect(sendOutbound('PartnerOrders', undefined, { sqs, queueUrl: queue.url })).rejects.toThrow(OutboundPayloadError);
    await expect(sendOutbound('PartnerOrders', { n: BigInt(1) }, { sqs, queueUrl: queue.url })).rejects.toThrow('not JSON');
    expect(await receiveAll(sqs, queue.url)).toEqual([]);
  });

  test("a record over SQS's 256 KiB, less room for the dead-letter attributes, is refused; one at the limit is sent", async () => {
    delete process.env._X_AMZN_TRACE_ID;
    // The envelope {"payload":"<text>"} plus the `integration` attribute (name, type and value).
    const overhead = '{"payload":"","idempotencyKey":"00000000-0000-4000-8000-000000000000"}'.length + 'integration'.length + 'String'.length + 'PartnerOrders'.length;
    const atLimit = 'x'.repeat(MAX_OUTBOUND_MESSAGE_BYTES - overhead);
    await sendOutbound('PartnerOrders', atLimit, { sqs, queueUrl: queue.url });
    expect(await receiveAll(sqs, queue.url, 1)).toHaveLength(1);
    await expect(sendOutbound('PartnerOrders', `${atLimit}x`, { sqs, queueUrl: queue.url })).rejects.toThrow(OutboundPayloadError);
    // Bytes, not characters: the same length in two-byte characters is twice over.
    await expect(sendOutbound('PartnerOrders', 'é'.repeat(atLimit.length), { sqs, queueUrl: queue.url })).rejects.toThrow(/over the 258048/);
    expect(MAX_OUTBOUND_MESSAGE_BYTES).toBeLessThan(256 * 1024);
  });
});
