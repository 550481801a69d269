import { respondToCloudFormation } from '../../lambda/shared/cfn-response';
import { CREATE_FAILED_PHYSICAL_ID } from '../../lambda/inventory/register';
import { captureLog, cfnEvent, declaredRecord, fakeResponseBucket } from './inventory-fixtures';

const record = declaredRecord('Response');

describe('CloudFormation response of the Lambda-backed custom resource', () => {
  const bucket = fakeResponseBucket();
  let url: string;
  beforeAll(async () => {
    url = await bucket.start();
  });
  afterAll(() => bucket.stop());
  beforeEach(() => bucket.received.splice(0));

  test('a result is sent as SUCCESS, PUT without a content type, with the physical id and data', async () => {
    const event = { ...cfnEvent('Create', 'table', record), ResponseURL: url };
    await respondToCloudFormation(event, async () => ({ PhysicalResourceId: 'inventory:x', Data: { Version: '1' } }), { log: captureLog().log, createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID });
    expect(bucket.received).toHaveLength(1);
    const [put] = bucket.received;
    expect(put.method).toBe('PUT');
    expect(put.url).toBe('/cfn-response?X-Amz-Signature=abc');
    expect(put.headers['content-type']).toBe('');
    expect(put.body).toEqual({
      Status: 'SUCCESS',
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      PhysicalResourceId: 'inventory:x',
      Data: { Version: '1' },
    });
  });

  test('a failed Create is sent as FAILED with the reason, the log stream and the create-failed physical id', async () => {
    const event = { ...cfnEvent('Create', 'table', record), ResponseURL: url };
    const { lines, log } = captureLog();
    await respondToCloudFormation(event, () => Promise.reject(new Error('the Record property is missing')), { log, logStreamName: '2026/03/01/[$LATEST]abc', createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID });
    expect(bucket.received[0].body).toEqual(
      expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID, Reason: 'the Record property is missing (log stream 2026/03/01/[$LATEST]abc)' }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'custom resource request failed' }));
  });

  test('a failed Update keeps the physical id, so CloudFormation sees no replacement', async () => {
    const event = { ...cfnEvent('Update', 'table', record), ResponseURL: url };
    await respondToCloudFormation(event, () => Promise.reject(new Error('stale')), { log: captureLog().log, createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID });
    expect(bucket.received[0].body).toEqual(expect.objectContaining({ Status: 'FAILED', PhysicalResourceId: `inventory:${record.integrationId}` }));
  });

  test('work that outlasts the function is answered FAILED before the timeout', async () => {
    const event = { ...cfnEvent('Update', 'table', record), ResponseURL: url };
    const started = Date.now();
    await respondToCloudFormation(event, () => new Promise(() => undefined), { log: captureLog().log, remainingTimeMs: () => 5_200, createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(bucket.received[0].body).toEqual(expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('about to time out') }));
  });

  test('a response the bucket rejects raises, so Lambda retries the invocation', async () => {
    const rejecting = fakeResponseBucket(403);
    const rejectingUrl = await rejecting.start();
    try {
      const event = { ...cfnEvent('Create', 'table', record), ResponseURL: rejectingUrl };
      await expect(respondToCloudFormation(event, async () => ({ PhysicalResourceId: 'p', Data: {} }), { log: captureLog().log, createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID })).rejects.toThrow(/HTTP 403/);
    } finally {
      await rejecting.stop();
    }
  });
});
