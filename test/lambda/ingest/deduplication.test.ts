// Deduplication against a real DynamoDB API (moto_server): the table Powertools' idempotency
// utility writes, with the ingest's rules on what is kept and what a duplicate is told.
import { createHash } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  PutItemCommand,
  ProvisionedThroughputExceededException,
  ScanCommand,
  ThrottlingException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { type Answer, DeduplicationStoreError, Deduplicator, isKept, MAX_KEPT_BODY_BYTES, REPLAYED_HEADER } from '../../../lambda/ingest/deduplication';
import { motoClientConfig, uniqueName } from '../../support/aws-env';

const ddb = new DynamoDBClient(motoClientConfig());

async function table(): Promise<string> {
  const name = uniqueName('dedup');
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}

// A sender's id keeps 2xx answers only; a client's key (it has a fingerprint) keeps its final answers.
const key = (deliveryId: string, fingerprint?: string, scope = 'Payments#POST /stripe#') => ({ scope, deliveryId, fingerprint, windowSeconds: 3600, keep: (fingerprint === undefined ? 'success' : 'final') as 'success' | 'final' });
const ok = (n: number): Answer => ({ statusCode: 202, body: JSON.stringify({ accepted: true, messageId: `m-${n}` }) });

describe('Deduplicator (Powertools idempotency on DynamoDB)', () => {
  test('the first delivery runs; a retry gets the first answer, marked as replayed, and does not run', async () => {
    const dedup = new Deduplicator(await table(), ddb);
    let runs = 0;
    const first = await dedup.once(key('evt_1'), async () => ok(++runs));
    expect(first).toEqual({ kind: 'first', answer: ok(1) });
    const again = await dedup.once(key('evt_1'), async () => ok(++runs));
    expect(again.kind).toBe('duplicate');
    expect(runs).toBe(1);
    const answer = (again as { answer: Answer }).answer;
    expect(answer.statusCode).toBe(202);
    expect(JSON.parse(answer.body)).toEqual({ accepted: true, messageId: 'm-1' });
    expect(answer.headers?.[REPLAYED_HEADER]).toBe('true');
  });

  test('a failed first delivery (5xx, 429) is not kept: the retry is delivered', async () => {
    const dedup = new Deduplicator(await table(), ddb);
    let runs = 0;
    // The key was freed (nothing is `stuck`): the sender's answer is the target's, as it was.
    expect(await dedup.once(key('evt_2'), async () => (++runs, { statusCode: 502, body: '{}' }))).toEqual({ kind: 'not-kept', answer: { statusCode: 502, body: '{}' } });
    expect(await dedup.once(key('evt_2'), async () => (++runs, { statusCode: 429, body: '{}' }))).toEqual({ kind: 'not-kept', answer: { statusCode: 429, body: '{}' } });
    expect((await dedup.once(key('evt_2'), async () => ok(++runs))).kind).toBe('first');
    expect((await dedup.once(key('evt_2'), async () => ok(++runs))).kind).toBe('duplicate');
    expect(runs).toBe(3);
  });

  test('a webhook whose target answered 404 is not remembered: the sender\'s retry reaches the target once it knows the order', async () => {
    const dedup = new Deduplicator(await table(), ddb);
    let runs = 0;
    expect((await dedup.once(key('evt_404'), async () => (++runs, { statusCode: 404, body: '{"message":"customer not found yet"}' }))).kind).toBe('not-kept');
    expect(await dedup.once(key('evt_404'), async () => ok(++runs))).toEqual({ kind: 'first', answer: ok(2) });
  });

  test('a client key keeps a final 4xx (400, 404) but not a retriable one (408, 409, 423, 425)', async () => {
    const dedup = new Deduplicator(await table(), ddb);
    await dedup.once(key('k-400', 'fp'), async () => ({ statusCode: 400, body: '{}' }));
    expect((await dedup.once(key('k-400', 'fp'), async () => ok(1))).kind).toBe('duplicate');
    for (const status of [408, 409, 423, 425]) {
      expect((await dedup.once(key(`k-${status}`, 'fp'), async () => ({ statusCode: status, body: '{}' }))).kind).toBe('not-kept');
      expect((await dedup.once(key(`k-${status}`, 'fp'), async () => ok(2))).kind).toBe('first');
    }
  });

  test('a thrown first delivery frees the key, and the error reaches the caller as it was thrown, not as a table failure', async () => {
    const dedup = new Deduplicator(await table(), ddb);
    const bug = new TypeError('bug');
    await expect(dedup.once(key('evt_3'), async () => Promise.reject(bug))).rejects.toBe(bug);
    expect((await dedup.once(key('evt_3'), async () => ok(1))).kind).toBe('first');
  });

  test('a duplicate arriving while the first is still being delivered is told it is in flight', async () => {
    const dedup = new Deduplicator(await table(), ddb);
    let release!: () => void;
    const slow = dedup.once(key('evt_4'), () => new Promise<Answer>((resolve) => (release = () => resolve(ok(1)))), () => 20_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(await dedup.once(key('evt_4'), async () => ok(2), () => 20_000)).toEqual({ kind: 'in-flight' });
    release();
    expect((await slow).kind).toBe('first');
  });

  test('a client key with another fingerprint is a conflict, never the first answer; a sender id without one is the same delivery', async () => {
    const dedup = new Deduplicator(await table(), ddb);
    await dedup.once(key('k-5', 'fp-amount-1'), async () => ok(1));
    expect(await dedup.once(key('k-5', 'fp-amount-1000'), async () => ok(2))).toEqual({ kind: 'conflict' });
    expect((await dedup.once(key('k-5', 'fp-amount-1'), async () => ok(3))).kind).toBe('duplicate');
    // Stripe's retries of one event differ in pending_webhooks: a signed id names the delivery whatever its body.
    await dedup.once(key('evt_5'), async () => ok(4));
    expect((await dedup.once(key('evt_5'), async () => ok(5))).kind).toBe('duplicate');
  });

  test('ids are scoped: the same id in another integration or for another client is another delivery', async () => {
    const dedup = new Deduplicator(await table(), ddb);
    let runs = 0;
    await dedup.once(key('k-1', 'fp', 'Orders#POST /orders#client-a'), async () => ok(++runs));
    expect((await dedup.once(key('k-1', 'fp', 'Orders#POST /orders#client-b'), async () => ok(++runs))).kind).toBe('first');
    expect((await dedup.once(key('k-1', 'fp', 'Billing#POST /orders#client-a'), async () => ok(++runs))).kind).toBe('first');
    expect(runs).toBe(3);
  });

  test('a first answer too large to keep is kept without its body: a duplicate gets its status and {"duplicate":true}', async () => {
    const dedup = new Deduplicator(await table(), ddb);
    const big: Answer = { statusCode: 200, body: JSON.stringify({ data: 'x'.repeat(MAX_KEPT_BODY_BYTES) }) };
    expect((await dedup.once(key('evt_6'), async () => big)).kind).toBe('first');
    const again = (await dedup.once(key('evt_6'), async () => big)) as { kind: string; answer: Answer };
    expect(again.kind).toBe('duplicate');
    expect(again.answer.statusCode).toBe(200);
    expect(JSON.parse(again.answer.body)).toEqual({ duplicate: true });
  });

  test(`a body of exactly ${MAX_KEPT_BODY_BYTES} bytes (counted in UTF-8, not characters) is kept; one byte more is not`, async () => {
    const dedup = new Deduplicator(await table(), ddb);
    // 'é' is two bytes in UTF-8: the largest body kept is half as many characters.
    const largest = 'é'.repeat(MAX_KEPT_BODY_BYTES / 2);
    expect(Buffer.byteLength(largest, 'utf8')).toBe(MAX_KEPT_BODY_BYTES);
    await dedup.once(key('evt_6a'), async () => ({ statusCode: 200, body: largest }));
    expect(((await dedup.once(key('evt_6a'), async () => ok(1))) as { answer: Answer }).answer.body).toBe(largest);
    await dedup.once(key('evt_6b'), async () => ({ statusCode: 200, body: `${largest}x` }));
    expect(((await dedup.once(key('evt_6b'), async () => ok(1))) as { answer: Answer }).answer.body).toBe('{"duplicate":true}');
  });

  test("a first answer's headers (a target Lambda's Location, say) come back on a duplicate, with Idempotent-Replayed: true added", async () => {
    const dedup = new Deduplicator(await table(), ddb);
    const created: Answer = { statusCode: 201, headers: { 'content-type': 'application/json', location: '/orders/o-1' }, body: '{"id":"o-1"}' };
    expect(await dedup.once(key('k-hdr', 'fp'), async () => created)).toEqual({ kind: 'first', answer: created });
    expect(await dedup.once(key('k-hdr', 'fp'), async () => ok(2))).toEqual({
      kind: 'duplicate',
      // Stripe's header name for a replayed answer.
      answer: { statusCode: 201, headers: { 'content-type': 'application/json', location: '/orders/o-1', 'idempotent-replayed': 'true' }, body: '{"id":"o-1"}' },
    });
  });

  test('the kept item carries its expiry (TTL attribute) at the end of the window', async () => {
    const name = await table();
    const dedup = new Deduplicator(name, ddb);
    const before = Math.floor(Date.now() / 1000);
    await dedup.once({ ...key('evt_7'), windowSeconds: 7200 }, async () => ok(1));
    const { Items } = await ddb.send(new ScanCommand({ TableName: name }));
    expect(Items).toHaveLength(1);
    const expiration = Number(Items![0].expiration.N);
    expect(expiration).toBeGreaterThanOrEqual(before + 7200);
    expect(expiration).toBeLessThanOrEqual(before + 7200 + 5);
    expect(Items![0].status.S).toBe('COMPLETED');
  });

  test('concurrent copies of one delivery (a sender retrying on a timeout) reach the target once', async () => {
    // DynamoDB applies each conditional write atomically; moto_server, serving requests on threads,
    // may check two concurrent writes' conditions before either lands. The writes go one at a time,
    // as DynamoDB orders them; everything else stays concurrent.
    const atomic = new DynamoDBClient(motoClientConfig());
    const send = atomic.send.bind(atomic) as (command: unknown) => Promise<unknown>;
    let writes: Promise<unknown> = Promise.resolve();
    (atomic as unknown as { send: (c: unknown) => Promise<unknown> }).send = (command: unknown) => {
      if (!(command instanceof PutItemCommand || command instanceof UpdateItemCommand)) return send(command);
      const result = writes.then(() => send(command));
      writes = result.catch(() => undefined);
      return result;
    };
    const dedup = new Deduplicator(await table(), atomic);
    let runs = 0;
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => dedup.once(key('evt_8'), async () => (++runs, await new Promise((r) => setTimeout(r, 100)), ok(runs)), () => 20_000)),
    );
    expect(runs).toBe(1);
    expect(outcomes.filter((o) => o.kind === 'first')).toHaveLength(1);
    expect(outcomes.every((o) => o.kind === 'first' || o.kind === 'in-flight')).toBe(true);
  });

  test('a table that cannot be written is a DeduplicationStoreError before anything is delivered, naming the AWS error', async () => {
    const dedup = new Deduplicator(uniqueName('no-such-table'), ddb);
    let runs = 0;
    const failure = dedup.once(key('evt_9'), async () => ok(++runs));
    await expect(failure).rejects.toBeInstanceOf(DeduplicationStoreError);
    await expect(failure).rejects.toMatchObject({
      name: 'DeduplicationStoreError',
      message: expect.stringMatching(/^the deduplication table failed: IdempotencyPersistenceLayerError: Failed to save in progress record to idempotency store <- ResourceNotFoundException: /),
      // The AWS error stays reachable through the causes, for the log and for a debugger.
      cause: { name: 'IdempotencyPersistenceLayerError', cause: { name: 'ResourceNotFoundException' } },
    });
    expect(runs).toBe(0);
  });

  test('property: any sequence of deliveries and retries of the same events, some failing, reaches the target exactly once per event', async () => {
    const name = await table();
    // Each run keys its events apart: fast-check's strings repeat ("caller", "apply"...), and a run
    // reusing an earlier run's keys would meet its deliveries in the table (found in CI, seed 1042804499).
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ event: fc.integer({ min: 0, max: 3 }), fails: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        fc.string({ minLength: 4, maxLength: 8 }),
        async (attempts, label) => {
          const run = `${++runs}-${label}`;
          const dedup = new Deduplicator(name, ddb);
          const delivered = new Map<number, number>();
          for (const { event, fails } of attempts) {
            const outcome = await dedup.once(key(`${run}-${event}`), async () => {
              if (fails) return { statusCode: 502, body: '{}' };
              delivered.set(event, (delivered.get(event) ?? 0) + 1);
              return ok(event);
            });
            expect(['first', 'duplicate', 'not-kept']).toContain(outcome.kind);
          }
          // Every event some attempt delivered reached the target exactly once.
          for (const count of delivered.values()) expect(count).toBe(1);
          const succeeded = new Set(attempts.filter((a) => !a.fails).map((a) => a.event));
          expect(new Set(delivered.keys())).toEqual(succeeded);
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('which answers are kept for duplicates', () => {
  test('a webhook sender id keeps 2xx answers only: not a 1xx, nor a 3xx a target redirected with', () => {
    const kept = (statusCode: number) => isKept({ statusCode, body: '' }, 'success');
    expect([199, 200, 202, 299, 300, 302, 400, 500].filter(kept)).toEqual([200, 202, 299]);
  });

  test("a client's Idempotency-Key keeps final answers, 4xx included, but no retriable 4xx and no 5xx", () => {
    const kept = (statusCode: number) => isKept({ statusCode, body: '' }, 'final');
    expect([200, 201, 302, 400, 404, 408, 409, 422, 423, 425, 429, 499, 500, 503].filter(kept)).toEqual([200, 201, 302, 400, 404, 422, 499]);
  });
});

/** The moto client, with every command it is sent recorded and `fail` deciding which are answered with an AWS error instead. */
function recordingClient(fail: (command: unknown) => Error | undefined = () => undefined) {
  const client = new DynamoDBClient(motoClientConfig());
  const sent: unknown[] = [];
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  (client as unknown as { send: (c: unknown) => Promise<unknown> }).send = (command: unknown) => {
    sent.push(command);
    const error = fail(command);
    return error ? Promise.reject(error) : send(command);
  };
  return { client, sent };
}

/** Powertools' digest: SHA-256 of the JSON text, in base64. */
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');
const metadata = { httpStatusCode: 400, requestId: 'R4N5GDEQ8HV1LTQ2C0MUNVKOJVVV4KQNSO5AEMVJF66Q9ASUAAJG', attempts: 1, totalRetryDelay: 0 };
const accessDenied = (action: string) =>
  new DynamoDBServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: metadata,
    message: `User: arn:aws:sts::123456789012:assumed-role/ingest/fn is not authorized to perform: dynamodb:${action}`,
  });

describe('the requests sent to the deduplication table', () => {
  test('a first delivery writes an INPROGRESS record only where none is live (conditional PutItem), then completes it with the answer and the TTL', async () => {
    const name = await table();
    const { client, sent } = recordingClient();
    const dedup = new Deduplicator(name, client);
    const before = Date.now();
    await dedup.once({ ...key('evt_req'), windowSeconds: 600 }, async () => ok(1), () => 30_000);
    const after = Date.now();

    const [put, update] = sent as [PutItemCommand, UpdateItemCommand];
    expect(sent).toHaveLength(2);
    expect(put).toBeInstanceOf(PutItemCommand);
    // The item is keyed by a hash of the scoped id alone, under a fixed prefix (never the function's name).
    const id = `delivery#${sha256(JSON.stringify('Payments#POST /stripe##evt_req'))}`;
    expect(put.input).toMatchObject({ TableName: name, Item: { id: { S: id }, status: { S: 'INPROGRESS' } } });
    // Written only when no record exists, the record expired, or its first delivery ran out of time.
    expect(put.input.ConditionExpression).toBe(
      'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
    );
    expect(put.input.ExpressionAttributeNames).toEqual({ '#id': 'id', '#expiry': 'expiration', '#in_progress_expiry': 'in_progress_expiration', '#status': 'status' });
    // TTL (seconds) at the end of the window; a crashed first delivery frees the key when the function's time is up (ms).
    const expiry = Number(put.input.Item!.expiration.N);
    expect(expiry).toBeGreaterThanOrEqual(Math.round(before / 1000 + 600));
    expect(expiry).toBeLessThanOrEqual(Math.round(after / 1000 + 600));
    const inProgressExpiry = Number(put.input.Item!.in_progress_expiration.N);
    expect(inProgressExpiry).toBeGreaterThanOrEqual(before + 30_000);
    expect(inProgressExpiry).toBeLessThanOrEqual(after + 30_000);
    // A sender's id has no fingerprint: no validation hash is stored.
    expect(put.input.Item!.validation).toBeUndefined();

    expect(update).toBeInstanceOf(UpdateItemCommand);
    expect(update.input).toMatchObject({ TableName: name, Key: { id: { S: id } }, UpdateExpression: 'SET #expiry = :expiry, #status = :status, #response_data = :response_data' });
    expect(update.input.ExpressionAttributeValues![':status']).toEqual({ S: 'COMPLETED' });
    expect(update.input.ExpressionAttributeValues![':response_data']).toEqual({ M: { statusCode: { N: '202' }, body: { S: ok(1).body } } });
  });

  test("a client key's record stores the hash of its fingerprint, so that the same key with another request is a conflict", async () => {
    const name = await table();
    const { client, sent } = recordingClient();
    await new Deduplicator(name, client).once(key('k-req', 'fp-1'), async () => ok(1), () => 30_000);
    const put = sent[0] as PutItemCommand;
    expect(put.input.Item!.validation).toEqual({ S: sha256(JSON.stringify('fp-1')) });
  });

  test('the key does not depend on the function: a retry that reaches a redeployed function (another name) is still a duplicate', async () => {
    const name = await table();
    const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
    try {
      process.env.AWS_LAMBDA_FUNCTION_NAME = 'Platform-IngestFunction-1A2B3C';
      expect((await new Deduplicator(name, ddb).once(key('evt_redeploy'), async () => ok(1))).kind).toBe('first');
      process.env.AWS_LAMBDA_FUNCTION_NAME = 'Platform-IngestFunction-9Z8Y7X';
      expect((await new Deduplicator(name, ddb).once(key('evt_redeploy'), async () => ok(2))).kind).toBe('duplicate');
    } finally {
      if (functionName === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      else process.env.AWS_LAMBDA_FUNCTION_NAME = functionName;
    }
  });

  test("one table serves routes with different windows and key kinds: each record gets its own route's TTL, and client keys stay checked", async () => {
    const name = await table();
    const dedup = new Deduplicator(name, ddb);
    const before = Math.floor(Date.now() / 1000);
    await dedup.once({ ...key('evt_short'), windowSeconds: 60 }, async () => ok(1));
    await dedup.once({ ...key('evt_long'), windowSeconds: 7 * 86_400 }, async () => ok(2));
    await dedup.once({ ...key('k-long', 'fp-a'), windowSeconds: 7 * 86_400 }, async () => ok(3));
    const { Items } = await ddb.send(new ScanCommand({ TableName: name }));
    const ttls = Items!.map((item) => Number(item.expiration.N) - before).sort((a, b) => a - b);
    expect(ttls[0]).toBeGreaterThanOrEqual(60);
    expect(ttls[0]).toBeLessThanOrEqual(65);
    expect(ttls[1]).toBeGreaterThanOrEqual(7 * 86_400);
    expect(ttls[2]).toBeLessThanOrEqual(7 * 86_400 + 5);
    // The client key, after a sender id of the same window: another fingerprint is still a conflict.
    expect(await dedup.once({ ...key('k-long', 'fp-b'), windowSeconds: 7 * 86_400 }, async () => ok(4))).toEqual({ kind: 'conflict' });
  });
});

describe('a deduplication table that fails mid-way', () => {
  test('a throttled first write is a DeduplicationStoreError naming the throttling, and nothing is delivered', async () => {
    const name = await table();
    const throttled = new ProvisionedThroughputExceededException({ $metadata: metadata, message: 'The level of configured provisioned throughput for the table was exceeded.' });
    const { client } = recordingClient((command) => (command instanceof PutItemCommand ? throttled : undefined));
    let runs = 0;
    await expect(new Deduplicator(name, client).once(key('evt_throttled'), async () => ok(++runs), () => 30_000)).rejects.toMatchObject({
      name: 'DeduplicationStoreError',
      message:
        'the deduplication table failed: IdempotencyPersistenceLayerError: Failed to save in progress record to idempotency store <- ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded.',
    });
    expect(runs).toBe(0);
  });

  test('a delivered answer that cannot be completed (UpdateItem throttled) is still the first answer, says why it was not kept, and a retry is told to wait, not delivered again', async () => {
    const name = await table();
    const throttled = new ThrottlingException({ $metadata: metadata, message: 'Throughput exceeds the current capacity of your table or index.' });
    const { client } = recordingClient((command) => (command instanceof UpdateItemCommand ? throttled : undefined));
    let runs = 0;
    expect(await new Deduplicator(name, client).once(key('evt_unsaved'), async () => ok(++runs), () => 30_000)).toEqual({
      kind: 'first',
      answer: ok(1),
      notKept: 'IdempotencyPersistenceLayerError: Failed to update success record to idempotency store <- ThrottlingException: Throughput exceeds the current capacity of your table or index.',
    });
    expect(await new Deduplicator(name, ddb).once(key('evt_unsaved'), async () => ok(++runs), () => 30_000)).toEqual({ kind: 'in-flight' });
    expect(runs).toBe(1);
  });

  test('a failed delivery whose record cannot be deleted (DeleteItem denied) is answered as it failed, says why the key is stuck, and a retry waits', async () => {
    const name = await table();
    const { client } = recordingClient((command) => (command instanceof DeleteItemCommand ? accessDenied('DeleteItem') : undefined));
    const failed: Answer = { statusCode: 503, body: '{"message":"target unavailable"}' };
    expect(await new Deduplicator(name, client).once(key('evt_stuck'), async () => failed, () => 30_000)).toEqual({
      kind: 'not-kept',
      answer: failed,
      stuck:
        'IdempotencyPersistenceLayerError: Failed to delete record from idempotency store <- AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ingest/fn is not authorized to perform: dynamodb:DeleteItem',
    });
    expect(await new Deduplicator(name, ddb).once(key('evt_stuck'), async () => ok(1), () => 30_000)).toEqual({ kind: 'in-flight' });
  });

  test('a thrown delivery whose record cannot be deleted is a DeduplicationStoreError, never a success', async () => {
    const name = await table();
    const { client } = recordingClient((command) => (command instanceof DeleteItemCommand ? accessDenied('DeleteItem') : undefined));
    await expect(new Deduplicator(name, client).once(key('evt_thrown'), async () => Promise.reject(new TypeError('bug')), () => 30_000)).rejects.toMatchObject({
      name: 'DeduplicationStoreError',
      message: expect.stringContaining('Failed to delete record from idempotency store <- AccessDeniedException'),
    });
  });

  test('an error with a long chain of causes is described to four levels, so that the log line stays bounded', async () => {
    const name = await table();
    // A credentials failure, as the SDK wraps it: four levels under Powertools' own error.
    const chain = ['CredentialsProviderError', 'TimeoutError', 'SocketError', 'ECONNRESET'].reduceRight<Error | undefined>(
      (cause, errorName) => Object.assign(new Error(`${errorName} happened`, { cause }), { name: errorName }),
      undefined,
    )!;
    const { client } = recordingClient(() => chain);
    await expect(new Deduplicator(name, client).once(key('evt_chain'), async () => ok(1), () => 30_000)).rejects.toMatchObject({
      message:
        'the deduplication table failed: IdempotencyPersistenceLayerError: Failed to save in progress record to idempotency store <- CredentialsProviderError: CredentialsProviderError happened <- TimeoutError: TimeoutError happened <- SocketError: SocketError happened',
    });
  });
});
