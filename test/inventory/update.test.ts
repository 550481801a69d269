import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { register } from '../../lambda/inventory/register';
import { applyChange, parseEvent, updateFromEvent } from '../../lambda/inventory/update';
import {
  ALARM_STATE_CHANGE_EVENT_PATTERN,
  alarmStateChangePattern,
  ROTATION_OUTCOME_EVENT_PATTERN,
  rotationOutcomePattern,
  SECRET_VALUE_CHANGE_EVENT_PATTERN,
  secretValueChangePattern,
} from '../../lib/inventory/event-patterns';
import type { InventoryRecord } from '../../lib/inventory/inventory-record';
import { analyse } from '../../lib/inventory/report-findings';
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
  secretValueEvent,
  signingSecretName,
  webhookRecord,
} from './inventory-fixtures';
import { motoClientConfig, uniqueName } from '../support/aws-env';

const ddb = motoDynamoDb();
let table: string;

async function registered(name: string, record: InventoryRecord = declaredRecord(name), at = '2026-03-01T00:00:00Z') {
  await register(cfnEvent('Create', table, record), { ddb, log: captureLog().log, now: () => new Date(at) });
  return record;
}

/** A webhook integration registered on 1 January 2026: its signing secret's 60-day limit ran out on 2 March. */
const registeredWebhook = (name: string) => registered(name, webhookRecord(name), '2026-01-01T00:00:00Z');

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

describe('event updater: new values put in partner-held signing secrets', () => {
  const update = (event: ReturnType<typeof secretValueEvent>, log = captureLog().log) => updateFromEvent(event, { ddb, tableName: table, log });
  const JUNE = new Date('2026-06-01T00:00:00Z');

  test('a PutSecretValue that became AWSCURRENT moves the signing secret\'s lastRotated and clears its overdue finding', async () => {
    // GIVEN a webhook registered in January whose signing secret was never changed: overdue by June
    const record = await registeredWebhook('HookChanged');
    const arn = record.credentials[0].secretArn!;
    expect(analyse([(await getRecordItem(ddb, table, record.integrationId))!], JUNE).overdueCredentials).toEqual([
      expect.objectContaining({ integration: 'HookChanged', credential: 'webhook-signing-secret', partnerHeld: true, since: '2026-01-01T00:00:00.000Z' }),
    ]);
    // WHEN an operator puts the partner's new secret in May
    const outcome = await update(secretValueEvent('PutSecretValue', arn, '2026-05-20T09:30:00Z'));
    // THEN the register dates the credential from that change, and it is within its limit again
    expect(outcome).toEqual({ result: 'updated', integrationId: record.integrationId, version: 2 });
    const stored = (await getRecordItem(ddb, table, record.integrationId))!;
    expect(stored.credentials[0]).toEqual({ ...record.credentials[0], lastRotated: '2026-05-20T09:30:00.000Z' });
    expect(analyse([stored], JUNE).overdueCredentials).toEqual([]);
  });

  test('a PutSecretValue whose response names no stages counts as AWSCURRENT (PutSecretValue\'s default)', async () => {
    const record = await registeredWebhook('HookDefaultStage');
    const outcome = await update(secretValueEvent('PutSecretValue', record.credentials[0].secretArn!, '2026-05-20T09:30:00Z', { versionStages: null }));
    expect(outcome.result).toBe('updated');
    expect((await getRecordItem(ddb, table, record.integrationId))?.credentials[0].lastRotated).toBe('2026-05-20T09:30:00.000Z');
  });

  test('an UpdateSecret with a new value moves lastRotated; one that changes only the description does not', async () => {
    const record = await registeredWebhook('HookUpdateSecret');
    const arn = record.credentials[0].secretArn!;
    const metadataOnly = await update(secretValueEvent('UpdateSecret', arn, '2026-05-25T00:00:00Z', { newValue: false }));
    expect(metadataOnly).toEqual({ result: 'ignored', reason: 'UpdateSecret carried no new value' });
    expect(await update(secretValueEvent('UpdateSecret', arn, '2026-05-20T00:00:00Z'))).toEqual(expect.objectContaining({ result: 'updated' }));
    expect((await getRecordItem(ddb, table, record.integrationId))?.credentials[0].lastRotated).toBe('2026-05-20T00:00:00.000Z');
  });

  test('a PutSecretValue that only stages AWSPENDING (a rotation function\'s own write) changes nothing', async () => {
    const record = await registeredWebhook('HookPending');
    const arn = record.credentials[0].secretArn!;
    const outcome = await update(secretValueEvent('PutSecretValue', arn, '2026-05-20T09:30:00Z', { versionStages: ['AWSPENDING'], requestedStages: ['AWSPENDING'] }));
    expect(outcome).toEqual({ result: 'ignored', reason: expect.stringContaining('AWSPENDING, not AWSCURRENT') });
    // The request's stages decide when the response names none.
    const requestOnly = await update(secretValueEvent('PutSecretValue', arn, '2026-05-21T09:30:00Z', { versionStages: null, requestedStages: ['AWSPENDING'] }));
    expect(requestOnly.result).toBe('ignored');
    expect(await getRecordItem(ddb, table, record.integrationId)).toEqual(expect.objectContaining({ version: 1, credentials: [record.credentials[0]] }));
  });

  test('a failed PutSecretValue (errorCode) changes nothing', async () => {
    const record = await registeredWebhook('HookDenied');
    const outcome = await update(secretValueEvent('PutSecretValue', record.credentials[0].secretArn!, '2026-05-20T09:30:00Z', { errorCode: 'AccessDenied' }));
    expect(outcome).toEqual({ result: 'ignored', reason: 'PutSecretValue failed (AccessDenied): the secret\'s value did not change' });
    expect(await getRecordItem(ddb, table, record.integrationId)).toEqual(expect.objectContaining({ version: 1, credentials: [record.credentials[0]] }));
  });

  test('an older PutSecretValue arriving after a newer one changes nothing', async () => {
    const record = await registeredWebhook('HookLate');
    const arn = record.credentials[0].secretArn!;
    await update(secretValueEvent('PutSecretValue', arn, '2026-05-20T09:30:00Z'));
    const late = await update(secretValueEvent('PutSecretValue', arn, '2026-04-02T08:00:00Z'));
    const again = await update(secretValueEvent('PutSecretValue', arn, '2026-05-20T09:30:00Z'));
    expect(late).toEqual(expect.objectContaining({ result: 'ignored', reason: 'the record already holds this value change or a newer one' }));
    expect(again.result).toBe('ignored');
    expect(await getRecordItem(ddb, table, record.integrationId)).toEqual(
      expect.objectContaining({ version: 2, credentials: [expect.objectContaining({ lastRotated: '2026-05-20T09:30:00.000Z' })] }),
    );
  });

  test('a PutSecretValue of a secret the register does not know is ignored and logged', async () => {
    const { lines, log } = captureLog();
    const arn = secretArn(signingSecretName('NotRegistered'));
    const outcome = await update(secretValueEvent('PutSecretValue', arn, '2026-05-20T09:30:00Z'), log);
    expect(outcome).toEqual({ result: 'ignored', reason: 'unknown resource' });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: expect.stringContaining('does not know'), extra: { secretArn: arn, kind: 'value' } }));
  });

  test('the secret is the full ARN of the response, whatever name or partial ARN the caller gave', () => {
    const arn = secretArn(signingSecretName('Partial'));
    const partial = arn.slice(0, -'-AbCdEf'.length);
    expect(parseEvent(secretValueEvent('PutSecretValue', arn, '2026-05-20T09:30:00Z', { secretId: partial }))).toEqual({
      kind: 'value',
      secretArn: arn,
      eventName: 'PutSecretValue',
      at: '2026-05-20T09:30:00.000Z',
    });
  });

  test('a value change sets lastRotated only: the rotation status stays a rotation\'s', () => {
    const record = webhookRecord('Pure');
    const arn = record.credentials[0].secretArn!;
    const changed = applyChange(record, { kind: 'value', secretArn: arn, eventName: 'PutSecretValue', at: '2026-05-20T09:30:00.000Z' });
    expect(changed).toEqual({ record: { ...record, credentials: [{ ...record.credentials[0], lastRotated: '2026-05-20T09:30:00.000Z' }] } });
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
    expect(rotationOutcomePattern({ secretArnPrefix: 'arn:p/' }).detail).toEqual(expect.objectContaining({ additionalEventData: { SecretId: [{ prefix: 'arn:p/' }] } }));
    const value = secretValueEvent('PutSecretValue', secretArn('p'), '2026-01-01T00:00:00Z');
    expect(SECRET_VALUE_CHANGE_EVENT_PATTERN).toEqual({
      source: [value.source],
      detailType: [value['detail-type']],
      detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: ['PutSecretValue', 'UpdateSecret'], errorCode: [{ exists: false }] },
    });
  });
});

describe('event patterns against EventBridge rule matching in moto', () => {
  const events = new EventBridgeClient(motoClientConfig());
  const sqs = new SQSClient(motoClientConfig());
  /** aws-cdk-lib's EventPattern spells `detail-type` as `detailType`; EventBridge's JSON does not. */
  const asJson = ({ detailType, ...rest }: { detailType: string[] }) => JSON.stringify({ ...rest, 'detail-type': detailType });

  /** Whether a rule with `pattern` on a fresh bus delivers `event` to its target. */
  async function delivers(
    pattern: { detailType: string[] },
    event: ReturnType<typeof rotationEvent> | ReturnType<typeof alarmEvent> | ReturnType<typeof secretValueEvent>,
  ): Promise<boolean> {
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

  test('the rotation pattern scoped to an ARN prefix takes the secrets under it only', async () => {
    const prefix = `arn:aws:secretsmanager:us-east-1:123456789012:secret:integrations/Platform-1A2B3C4D/`;
    const pattern = rotationOutcomePattern({ secretArnPrefix: prefix });
    expect(await delivers(pattern, rotationEvent('RotationSucceeded', secretArn('integrations/Platform-1A2B3C4D/Orders/api-key'), '2026-01-01T00:00:00Z'))).toBe(true);
    expect(await delivers(pattern, rotationEvent('RotationSucceeded', secretArn('someone-elses/secret'), '2026-01-01T00:00:00Z'))).toBe(false);
  });

  test('the value-change pattern takes successful PutSecretValue and UpdateSecret calls of the secrets under its prefix', async () => {
    const pattern = secretValueChangePattern({ secretArnPrefix: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:integrations/' });
    const signing = secretArn(signingSecretName('Hooks'));
    expect(await delivers(pattern, secretValueEvent('PutSecretValue', signing, '2026-01-01T00:00:00Z'))).toBe(true);
    expect(await delivers(pattern, secretValueEvent('UpdateSecret', signing, '2026-01-01T00:00:00Z'))).toBe(true);
    expect(await delivers(pattern, secretValueEvent('PutSecretValue', signing, '2026-01-01T00:00:00Z', { errorCode: 'AccessDenied' }))).toBe(false);
    expect(await delivers(SECRET_VALUE_CHANGE_EVENT_PATTERN, secretValueEvent('PutSecretValue', signing, '2026-01-01T00:00:00Z'))).toBe(true);
    expect(await delivers(SECRET_VALUE_CHANGE_EVENT_PATTERN, secretValueEvent('PutSecretValue', signing, '2026-01-01T00:00:00Z', { errorCode: 'AccessDenied' }))).toBe(false);
    expect(await delivers(pattern, secretValueEvent('PutSecretValue', secretArn('someone-elses/secret'), '2026-01-01T00:00:00Z'))).toBe(false);
    expect(await delivers(pattern, rotationEvent('RotationSucceeded', signing, '2026-01-01T00:00:00Z'))).toBe(false);
  });

  test('the alarm pattern takes state changes, scoped by name prefix when given one', async () => {
    const event = alarmEvent('Integrations-Orders-availability', 'ALARM', '2026-01-01T00:00:00Z');
    expect(await delivers(ALARM_STATE_CHANGE_EVENT_PATTERN, event)).toBe(true);
    expect(await delivers(alarmStateChangePattern({ alarmNamePrefix: 'Integrations-' }), event)).toBe(true);
    expect(await delivers(alarmStateChangePattern({ alarmNamePrefix: 'Other-' }), event)).toBe(false);
  });
});
