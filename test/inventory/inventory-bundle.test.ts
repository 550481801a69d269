import { join } from 'node:path';
import { motoEndpoint } from '../support/aws-env';
import { cfnEvent, createInventoryTable, declaredRecord, fakeResponseBucket, getRecordItem, motoDynamoDb, rotationEvent, secretValueEvent, webhookRecord } from './inventory-fixtures';

/**
 * The bundle the platform deploys (dist/handlers/inventory/index.js, built by `npm run build`),
 * loaded as Lambda loads it: one function answering both custom resource requests (responding on
 * the ResponseURL itself) and EventBridge events, its table from INVENTORY_TABLE_NAME and its
 * client from the environment (AWS_ENDPOINT_URL pointing at moto_server).
 */
describe('inventory bundle', () => {
  const ddb = motoDynamoDb();
  const bucket = fakeResponseBucket();
  let table: string;
  let responseUrl: string;
  let handler: (event: unknown, context?: unknown) => Promise<unknown>;
  const context = {
    functionName: 'inventory',
    awsRequestId: 'lambda-req',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:inventory',
    logStreamName: '2026/03/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
  };

  beforeAll(async () => {
    table = await createInventoryTable(ddb, 'inventory-bundle');
    responseUrl = await bucket.start();
    Object.assign(process.env, {
      INVENTORY_TABLE_NAME: table,
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(join(__dirname, '..', '..', 'dist', 'handlers', 'inventory', 'index.js')).handler;
  });
  afterAll(() => bucket.stop());

  test('answers a custom resource Create on its ResponseURL and registers the record', async () => {
    const record = declaredRecord('BundleOrders');
    const event = { ...cfnEvent('Create', table, record), ResponseURL: responseUrl };
    delete (event.ResourceProperties as Record<string, unknown>).TableName; // the function's own table
    await expect(handler(event, context)).resolves.toEqual({ Status: 'SUCCESS' });
    expect(bucket.received.at(-1)?.body).toEqual(expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: `inventory:${record.integrationId}`, Data: expect.objectContaining({ Version: '1' }) }));
    expect(await getRecordItem(ddb, table, record.integrationId)).toEqual(expect.objectContaining({ status: 'ACTIVE', version: 1 }));
  });

  test('answers FAILED (and does not throw) when the request is bad', async () => {
    const event = { ...cfnEvent('Create', table, declaredRecord('BundleBad')), ResponseURL: responseUrl };
    (event.ResourceProperties as Record<string, unknown>).Record = '{not json';
    await expect(handler(event, context)).resolves.toEqual({ Status: 'FAILED' });
    expect(bucket.received.at(-1)?.body).toEqual(expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('not valid JSON') }));
  });

  test('records a rotation event', async () => {
    const record = declaredRecord('BundleOrders');
    await expect(handler(rotationEvent('RotationSucceeded', record.credentials[0].secretArn!, '2026-03-10T04:00:00Z'), context)).resolves.toEqual(
      expect.objectContaining({ result: 'updated', version: 2 }),
    );
    expect((await getRecordItem(ddb, table, record.integrationId))?.credentials[0].lastRotationStatus).toBe('SUCCEEDED');
  });

  test('records a new value put in a signing secret', async () => {
    const record = webhookRecord('BundleHooks');
    await handler({ ...cfnEvent('Create', table, record), ResponseURL: responseUrl }, context);
    await expect(handler(secretValueEvent('PutSecretValue', record.credentials[0].secretArn!, '2026-03-10T04:00:00Z'), context)).resolves.toEqual(
      expect.objectContaining({ result: 'updated', version: 2 }),
    );
    expect((await getRecordItem(ddb, table, record.integrationId))?.credentials[0].lastRotated).toBe('2026-03-10T04:00:00.000Z');
  });

  test('ignores an event of an unknown shape', async () => {
    await expect(handler({ hello: 'world' }, context)).resolves.toEqual({ result: 'ignored', reason: 'unknown event shape' });
  });
});
