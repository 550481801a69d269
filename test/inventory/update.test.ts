import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { register } from '../../lambda/inventory/register';
import { applyChange, parseEvent, updateFromEvent } from '../../lambda/inventory/update';
import { ALARM_STATE_CHANGE_EVENT_PATTERN, alarmStateChangePattern, ROTATION_OUTCOME_EVENT_PATTERN, rotationOutcomePattern } from '../../lib/inventory/event-patterns';
import {
  alarmEvent,
  captureLog,
  cfnEvent,
  createInventoryTable,
  declaredRecord,
  getRecordItem,
  motoDynamoDb,
  rotationEvent,
  secretArn,
} from './inventory-fixtures';
import { motoClientConfig, uniqueName } from '../support/aws-env';

const ddb = motoDynamoDb();
let table: string;

async function registered(name: string) {
  const record = declaredRecord(name);
  await register(cfnEvent('Create', table, record), { ddb, log: captureLog().log, now: () => new Date('2026-03-01T00:00:00Z') });
  return record;
}

beforeAll(async () => {
  table = await createInventoryTable(ddb);
});

describe('event updater: Secrets Manager rotation outcomes', () => {
  test('RotationSucceeded sets lastRotated and lastRotationStatus on the credential of the right record', async () => {
    // GIVEN two integrations
    const orders = await registered('RotOrders');
    const billing = await registered('RotBilling');
    // WHEN
    const outcome = await updateFromEvent(rotationEvent('RotationSucceeded', orders.credentials[0].secretArn!, '2026-03-10T04:12:09Z'), { ddb, tableName: table, log: captureLog().log });
    // THEN
    expect(outcome).toEqual({ result: 'updated', integrationId: orders.integrationId, version: 2 });
    const stored = await getRecordItem(ddb, table, orders.integrationId);
    expect(stored?.credentials[0]).toEqual(
      expect.objectContaining({ lastRotated: '2026-03-10T04:12:09.000Z', lastRotationStatus: 'SUCCEEDED', lastRotationAttemptAt: '2026-03-10T04:12:09.000Z' }),
    );
    expect((await getRecordItem(ddb, table, billing.integrationId))?.credentials[0]).not.toHaveProperty('lastRotated');
  });

  test('RotationFailed records the failure and keeps the last successful rotation', async () => {
    const record = await registered('RotFailed');
    const arn = record.credentials[0].secretArn!;
    await updateFromEvent(rotationEvent('RotationSucceeded', arn, '2026-03-10T04:00:00Z'), { ddb, tableName: table, log: captureLog().log });
    await updateFromEvent(rotationEvent('RotationFailed', arn, '2026-04-09T04:00:00Z'), { ddb, tableName: table, log: captureLog().log });
    expect((await getRecordItem(ddb, table, record.integrationId))?.credentials[0]).toEqual(
      expect.objectContaining({ lastRotated: '2026-03-10T04:00:00.000Z', lastRotationStatus: 'FAILED', lastRotationAttemptAt: '2026-04-09T04:00:00.000Z' }),
    );
  });

  test('a late event (older than what the record holds) changes nothing; a redelivered one neither', async () => {
    const record = await registered('RotLate');
    const arn = record.credentials[0].secretArn!;
    await updateFromEvent(rotationEvent('RotationSucceeded', arn, '2026-04-09T04:00:00Z'), { ddb, tableName: table, log: captureLog().log });
    const late = await updateFromEvent(rotationEvent('RotationFailed', arn, '2026-03-10T04:00:00Z'), { ddb, tableName: table, log: captureLog().log });
    const again = await updateFromEvent(rotationEvent('RotationSucceeded', arn, '2026-04-09T04:00:00Z'), { ddb, tableName: table, log: captureLog().log });
    expect(late).toEqual(expect.objectContaining({ result: 'ignored', reason: expect.stringContaining('newer one') }));
    expect(again).toEqual(expect.objectContaining({ result: 'ignored' }));
    expect(await getRecordItem(ddb, table, record.integrationId)).toEqual(
      expect.objectContaining({ version: 2, credentials: [expect.objectContaining({ lastRotationStatus: 'SUCCEEDED', lastRotated: '2026-04-09T04:00:00.000Z' })] }),
    );
  });

  test('a rotation event of a secret the register does not know is ignored and logged', async () => {
    const { lines, log } = captureLog();
    const outcome = await updateFromEvent(rotationEvent('RotationSucceeded', secretArn('someone-elses/secret'), '2026-03-10T04:00:00Z'), { ddb, tableName: table, log });
    expect(outcome).toEqual({ result: 'ignored', reason: 'unknown resource' });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: expect.stringContaining('does not know'), extra: expect.objectContaining({ secretArn: secretArn('someone-elses/secret') }) }));
  });

  test('a rotation event of a decommissioned integration is ignored and logged', async () => {
    const record = await registered('RotDecommissioned');
    await register(cfnEvent('Delete', table, record), { ddb, log: captureLog().log });
    const { lines, log } = captureLog();
    const outcome = await updateFromEvent(rotationEvent('RotationSucceeded', record.credentials[0].secretArn!, '2026-05-10T04:00:00Z'), { ddb, tableName: table, log });
    expect(outcome).toEqual({ result: 'ignored', reason: 'the integration is decommissioned', integrationId: record.integrationId });
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'event ignored' }));
  });

  test('RotationStarted is not an outcome: ignored', () => {
    expect(parseEvent(rotationEvent('RotationStarted', secretArn('x'), '2026-03-10T04:00:00Z'))).toEqual({ ignored: expect.stringContaining('not a rotation outcome') });
  });

  test('the secret is also found where other event variants carry it (serviceEventDetails, responseElements.aRN, resources)', () => {
    const base = rotationEvent('RotationSucceeded', 'unused', '2026-03-10T04:00:00Z');
    const arn = secretArn('variant');
    const variants = [
      { ...base, detail: { ...base.detail, additionalEventData: undefined, serviceEventDetails: { secretId: arn } } },
      { ...base, detail: { ...base.detail, additionalEventData: undefined, responseElements: { aRN: arn } } },
      { ...base, resources: [arn], detail: { ...base.detail, additionalEventData: undefined } },
    ];
    for (const event of variants) expect(parseEvent(event)).toEqual(expect.objectContaining({ kind: 'rotation', secretArn: arn }));
  });
});

describe('event updater: CloudWatch alarm state changes', () => {
  test('a state change sets the alarm state and its time on the right record', async () => {
    const record = await registered('AlarmOrders');
    const outcome = await updateFromEvent(alarmEvent(record.alarms[0].name, 'ALARM', '2026-03-11T17:04:40.985Z'), { ddb, tableName: table, log: captureLog().log });
    expect(outcome).toEqual({ result: 'updated', integrationId: record.integrationId, version: 2 });
    const stored = await getRecordItem(ddb, table, record.integrationId);
    expect(stored?.alarms).toEqual([
      { ...record.alarms[0], state: 'ALARM', stateUpdatedAt: '2026-03-11T17:04:40.985Z' },
      record.alarms[1],
    ]);
  });

  test('an older state change arriving late does not overwrite a newer state', async () => {
    const record = await registered('AlarmLate');
    const name = record.alarms[1].name;
    await updateFromEvent(alarmEvent(name, 'OK', '2026-03-11T18:00:00.000Z', 'ALARM'), { ddb, tableName: table, log: captureLog().log });
    const late = await updateFromEvent(alarmEvent(name, 'ALARM', '2026-03-11T17:00:00.000Z'), { ddb, tableName: table, log: captureLog().log });
    expect(late.result).toBe('ignored');
    expect((await getRecordItem(ddb, table, record.integrationId))?.alarms[1]).toEqual(expect.objectContaining({ state: 'OK', stateUpdatedAt: '2026-03-11T18:00:00.000Z' }));
  });

  test('a state change of an alarm the register does not know is ignored and logged', async () => {
    const { lines, log } = captureLog();
    const outcome = await updateFromEvent(alarmEvent('ServerCpuTooHigh', 'ALARM', '2026-03-11T17:04:40.985Z'), { ddb, tableName: table, log });
    expect(outcome).toEqual({ result: 'ignored', reason: 'unknown resource' });
    expect(lines).toContainEqual(expect.objectContaining({ extra: expect.objectContaining({ alarmName: 'ServerCpuTooHigh', kind: 'alarm' }) }));
  });

  test('the same alarm name in another account is another alarm', async () => {
    const record = await registered('AlarmOtherAccount');
    const event = { ...alarmEvent(record.alarms[0].name, 'ALARM', '2026-03-11T17:04:40.985Z'), account: '210987654321' };
    expect(await updateFromEvent(event, { ddb, tableName: table, log: captureLog().log })).toEqual({ result: 'ignored', reason: 'unknown resource' });
  });

  test('events of other sources are ignored', async () => {
    const outcome = await updateFromEvent({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} }, { ddb, tableName: table, log: captureLog().log });
    expect(outcome).toEqual(expect.objectContaining({ result: 'ignored' }));
  });
});

describe('event updater: pure parts', () => {
  test('applyChange leaves the record alone when it holds no such credential', () => {
    const record = declaredRecord('Pure');
    expect(applyChange(record, { kind: 'rotation', secretArn: secretArn('other'), outcome: 'SUCCEEDED', at: '2026-01-01T00:00:00.000Z' })).toEqual({
      unchanged: expect.stringContaining('no credential'),
    });
  });

  test('the exported event patterns match the events the updater reads', () => {
    const rotation = rotationEvent('RotationFailed', secretArn('p'), '2026-01-01T00:00:00Z');
    expect(ROTATION_OUTCOME_EVENT_PATTERN.source).toEqual([rotation.source]);
    expect(ROTATION_OUTCOME_EVENT_PATTERN.detailType).toEqual([rotation['detail-type']]);
    expect(ROTATION_OUTCOME_EVENT_PATTERN.detail).toEqual({ eventSource: ['secretsmanager.amazonaws.com'], eventName: ['RotationSucceeded', 'RotationFailed'] });
    const alarm = alarmEvent('a', 'OK', '2026-01-01T00:00:00Z');
    expect(ALARM_STATE_CHANGE_EVENT_PATTERN).toEqual({ source: [alarm.source], detailType: [alarm['detail-type']] });
    expect(rotationOutcomePattern(['arn:1']).detail).toEqual(expect.objectContaining({ additionalEventData: { SecretId: ['arn:1'] } }));
    expect(alarmStateChangePattern({ alarmNamePrefix: 'Integrations-' }).detail).toEqual({ alarmName: [{ prefix: 'Integrations-' }] });
  });
});

describe('event patterns against EventBridge rule matching in moto', () => {
  const events = new EventBridgeClient(motoClientConfig());
  const sqs = new SQSClient(motoClientConfig());
  /** aws-cdk-lib's EventPattern spells `detail-type` as `detailType`; EventBridge's JSON does not. */
  const asJson = ({ detailType, ...rest }: { detailType: string[] }) => JSON.stringify({ ...rest, 'detail-type': detailType });

  /** Whether a rule with `pattern` on a fresh bus delivers `event` to its target. */
  async function delivers(pattern: { detailType: string[] }, event: ReturnType<typeof rotationEvent> | ReturnType<typeof alarmEvent>): Promise<boolean> {
    const bus = uniqueName('inventory-bus');
    await events.send(new CreateEventBusCommand({ Name: bus }));
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('inventory-sink') }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    await events.send(new PutRuleCommand({ Name: 'inventory', EventBusName: bus, EventPattern: asJson(pattern) }));
    await events.send(new PutTargetsCommand({ Rule: 'inventory', EventBusName: bus, Targets: [{ Id: 'sink', Arn: queueArn }] }));
    await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: bus, Source: event.source, DetailType: event['detail-type'], Resources: event.resources, Detail: JSON.stringify(event.detail) }],
      }),
    );
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    return (out.Messages ?? []).length > 0;
  }

  test('the rotation pattern takes RotationSucceeded and RotationFailed, not RotationStarted; scoped to ARNs, only those', async () => {
    const arn = secretArn('pattern');
    expect(await delivers(ROTATION_OUTCOME_EVENT_PATTERN, rotationEvent('RotationSucceeded', arn, '2026-01-01T00:00:00Z'))).toBe(true);
    expect(await delivers(ROTATION_OUTCOME_EVENT_PATTERN, rotationEvent('RotationFailed', arn, '2026-01-01T00:00:00Z'))).toBe(true);
    expect(await delivers(ROTATION_OUTCOME_EVENT_PATTERN, rotationEvent('RotationStarted', arn, '2026-01-01T00:00:00Z'))).toBe(false);
    expect(await delivers(rotationOutcomePattern([arn]), rotationEvent('RotationSucceeded', arn, '2026-01-01T00:00:00Z'))).toBe(true);
    expect(await delivers(rotationOutcomePattern([secretArn('other')]), rotationEvent('RotationSucceeded', arn, '2026-01-01T00:00:00Z'))).toBe(false);
  });

  test('the alarm pattern takes state changes, scoped by name prefix when given one', async () => {
    const event = alarmEvent('Integrations-Orders-availability', 'ALARM', '2026-01-01T00:00:00Z');
    expect(await delivers(ALARM_STATE_CHANGE_EVENT_PATTERN, event)).toBe(true);
    expect(await delivers(alarmStateChangePattern({ alarmNamePrefix: 'Integrations-' }), event)).toBe(true);
    expect(await delivers(alarmStateChangePattern({ alarmNamePrefix: 'Other-' }), event)).toBe(false);
  });
});
