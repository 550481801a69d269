// `cdk-secure-integrations redrive` in-process against moto_server: the inventory table and the
// queues are moto's, messages reach the dead-letter queue through moto's own redrive policy, and
// the message move tasks moto lacks come from the stand-in (sqs-move-task-stand-in.ts), which moves
// those real messages. The CLI and the stand-in share one clock, advanced by the CLI's polling.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { register } from '../../lambda/inventory/register';
import { updateFromEvent } from '../../lambda/inventory/update';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE_OR_IO, main } from '../../lib/inventory/cli';
import type { InventoryRecord } from '../../lib/inventory/inventory-record';
import { stsCallerArn } from '../../lib/inventory/redrive-identity';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  MAX_REDRIVE_HISTORY,
  readRedriveHistory,
  type RedriveEntry,
  RedriveHistoryRewriteError,
  RedriveHistoryUnreadableError,
  updateRedriveHistory,
  withEntry,
} from '../../lib/inventory/redrive-history';
import { REDRIVE_HISTORY_ATTRIBUTES, recordKey, redriveHistoryKey } from '../../lib/inventory/table-design';
import { motoClientConfig, uniqueName } from '../support/aws-env';
import { ACCOUNT, captureLog, cfnEvent, createInventoryTable, declaredRecord, getItem, hashOf, motoDynamoDb, REGION, rotationEvent } from './inventory-fixtures';
import { SqsMoveTaskStandIn } from './sqs-move-task-stand-in';

const CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/IntegrationOperators/alice`;
let clock = Date.parse('2026-06-01T10:00:00.000Z');
const standIn = new SqsMoveTaskStandIn(() => clock);
const ddb = motoDynamoDb();
const moto = new SQSClient(motoClientConfig());
let endpoint: string;
let table: string;

beforeAll(async () => {
  endpoint = await standIn.start();
  table = await createInventoryTable(ddb, 'redrive');
});
afterAll(async () => {
  await standIn.stop();
  moto.destroy();
});

interface Io {
  /** The caller ARN STS answers. @default CALLER */
  caller?: string;
  /** STS GetCallerIdentity fails with this instead. */
  stsError?: Error;
  /** The CLI's own STS call (no callerIdentity given). */
  defaultSts?: boolean;
  interruptAfterPolls?: number;
}

/** Runs the CLI in-process against moto and the stand-in; each poll advances the shared clock. */
async function run(args: string[], io: Io = {}) {
  let stdout = '';
  let stderr = '';
  let polls = 0;
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    dynamoDb: () => new DynamoDBClient(motoClientConfig()),
    sqs: () => new SQSClient({ ...motoClientConfig(), endpoint }),
    ...(io.defaultSts
      ? {}
      : {
          callerIdentity: async () => {
            if (io.stsError) throw io.stsError;
            return io.caller ?? CALLER;
          },
        }),
    now: () => new Date(clock),
    pollIntervalMs: 1000,
    sleep: async (ms) => {
      if (io.interruptAfterPolls !== undefined && ++polls > io.interruptAfterPolls) throw new Error('interrupted (Ctrl-C)');
      clock += ms;
    },
  });
  return { code, stdout, stderr };
}

const queueUrl = (arn: string) => `${motoClientConfig().endpoint}/${ACCOUNT}/${arn.split(':').pop()}`;

async function visible(arn: string): Promise<number> {
  const out = await moto.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl(arn), AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(out.Attributes!.ApproximateNumberOfMessages);
}

/**
 * A queue whose redrive policy sends to its dead-letter queue after one receive, with `deadLetters`
 * messages that failed there (received twice, never deleted: moto moves them).
 */
async function queuesWithDeadLetters(deadLetters: number) {
  const name = uniqueName('crm');
  const dlqUrl = (await moto.send(new CreateQueueCommand({ QueueName: `${name}-dlq`, Attributes: { MessageRetentionPeriod: '1209600' } }))).QueueUrl!;
  const dlqArn = (await moto.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const url = (
    await moto.send(new CreateQueueCommand({ QueueName: name, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } }))
  ).QueueUrl!;
  const queueArn = (await moto.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  for (let i = 0; i < deadLetters; i++) {
    await moto.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ id: `contact-${i}` }), MessageAttributes: { integration: { DataType: 'String', StringValue: 'Crm' } } }));
  }
  for (let i = 0; i < 10 && (await visible(dlqArn)) < deadLetters; i++) {
    await moto.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
  }
  expect(await visible(dlqArn)).toBe(deadLetters);
  return { queueArn, dlqArn };
}

/** Registers an integration as the deploy does (the registration custom resource), with its queues in the record. */
async function deployed(deadLetters: number, overrides: Partial<InventoryRecord> = {}) {
  const queues = await queuesWithDeadLetters(deadLetters);
  const name = uniqueName('Crm');
  const target = `sqs:IntegrationsStack/${name}/Queue/Resource`;
  const record = declaredRecord(name, {
    inbound: [{ method: 'POST', path: '/contacts', auth: 'oauth2', scopes: ['integrations/contacts.write'], target }],
    targets: [target],
    deadLetterQueues: [{ target, queueArn: queues.queueArn, deadLetterQueueArn: queues.dlqArn, maxReceiveCount: 1 }],
    ...overrides,
  });
  await register(cfnEvent('Create', table, record), { ddb, log: captureLog().log, now: () => new Date(clock) });
  return { ...queues, record, name };
}

const history = async (integrationId: string) => (await readRedriveHistory(ddb, table, integrationId)).entries;

describe('redrive', () => {
  test('moves the dead-letter queue\'s messages back at the rate asked, shows progress, records who moved how many when', async () => {
    const crm = await deployed(6);
    const startedAt = new Date(clock).toISOString();
    const { code, stdout, stderr } = await run(['redrive', '--integration', crm.name, '--table', table, '--max-per-second', '2']);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain(`dead-letter queue  ${crm.dlqArn}: 6 message(s) visible`);
    expect(stdout).toContain(`Started a message move task at ${startedAt} (at most 2 message(s)/s, about 3 s) as ${CALLER}.`);
    expect(stdout.match(/RUNNING: \d of 6 message\(s\) moved/g)).toEqual(['RUNNING: 0 of 6 message(s) moved', 'RUNNING: 2 of 6 message(s) moved', 'RUNNING: 4 of 6 message(s) moved']);
    expect(stdout).toContain('COMPLETED: 6 of 6 message(s) moved (100%)');
    expect(stdout).toMatch(/COMPLETED: 6 of 6 message\(s\) moved back to crm-\S+ in 3 s\. Recorded in redrive-\S+ \(redrive [0-9a-f-]{36}\)\./);
    // The messages are back in the queue, attributes kept; the dead-letter queue is empty.
    expect(await visible(crm.dlqArn)).toBe(0);
    const back = await moto.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(crm.queueArn), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(back.Messages).toHaveLength(6);
    expect(back.Messages![0].MessageAttributes).toEqual({ integration: { DataType: 'String', StringValue: 'Crm' } });
    // SQS was asked to move them to the integration's queue, at 2 a second.
    expect(standIn.tasks.at(-1)).toEqual(expect.objectContaining({ sourceArn: crm.dlqArn, destinationArn: crm.queueArn, rate: 2, status: 'COMPLETED', moved: 6 }));
    expect(await history(crm.record.integrationId)).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        requestedAt: startedAt,
        startedBy: { arn: CALLER },
        sourceArn: crm.dlqArn,
        destinationArn: crm.queueArn,
        maxNumberOfMessagesPerSecond: 2,
        status: 'COMPLETED',
        taskHandle: expect.any(String),
        taskStartedAt: startedAt,
        messagesToMove: 6,
        messagesMoved: 6,
        endedAt: new Date(Date.parse(startedAt) + 3000).toISOString(),
      },
    ]);
    // The item holds only the attributes an operator's grant lets it write (dynamodb:Attributes).
    const item = await getItem(ddb, table, redriveHistoryKey(crm.record.integrationId));
    expect(Object.keys(item!).sort()).toEqual([...REDRIVE_HISTORY_ATTRIBUTES].sort());
  });

  test('a later deploy and event updates of the record keep the redrive history; the inventory report does not see it', async () => {
    const crm = await deployed(2);
    expect((await run(['redrive', '--integration', crm.name, '--table', table])).code).toBe(EXIT_OK);
    const before = await history(crm.record.integrationId);
    expect(before).toHaveLength(1);
    // A deploy that changes the record (a new content hash), then a rotation event.
    const changed = { ...crm.record, owner: 'team-sales', contentHash: hashOf(`${crm.name}:v2`) };
    await register(cfnEvent('Update', table, changed, { old: crm.record }), { ddb, log: captureLog().log, now: () => new Date(clock) });
    const rotated = await updateFromEvent(rotationEvent('RotationSucceeded', crm.record.credentials[0].secretArn!, new Date(clock).toISOString()), { ddb, tableName: table, log: captureLog().log });
    expect(rotated.result).toBe('updated');
    expect(await history(crm.record.integrationId)).toEqual(before);
    // The history is an item of its own, not a record: the report reads every record and no history.
    expect(await getItem(ddb, table, redriveHistoryKey(crm.record.integrationId))).toEqual(expect.objectContaining({ integrationId: crm.record.integrationId, version: 3 }));
    const report = JSON.parse((await run(['inventory', '--table', table, '--format', 'json'])).stdout);
    expect(report.findings.unreadable).toEqual([]);
    expect(report.records.filter((r: InventoryRecord) => r.integrationId === crm.record.integrationId)).toEqual([
      expect.objectContaining({ owner: 'team-sales', deadLetterQueues: crm.record.deadLetterQueues }),
    ]);
  });

  test('--dry-run shows how many would move; starts and records nothing', async () => {
    const crm = await deployed(3);
    const tasksBefore = standIn.tasks.length;
    const { code, stdout } = await run(['redrive', '--integration', crm.record.integrationId, '--table', table, '--dry-run', '--max-per-second', '1']);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain(`Dry run: would move about 3 message(s) back to ${crm.queueArn.split(':').pop()} (at most 1 message(s)/s, about 3 s). No task started, nothing recorded.`);
    expect(standIn.tasks.length).toBe(tasksBefore);
    expect(await visible(crm.dlqArn)).toBe(3);
    expect(await getItem(ddb, table, redriveHistoryKey(crm.record.integrationId))).toBeUndefined();
  });

  test('refuses an empty dead-letter queue with exit 2, in a dry run too', async () => {
    const crm = await deployed(0);
    for (const extra of [[], ['--dry-run']]) {
      const { code, stderr } = await run(['redrive', '--integration', crm.name, '--table', table, ...extra]);
      expect(code).toBe(EXIT_CHECK_FAILED);
      expect(stderr).toBe(`error: the dead-letter queue ${crm.dlqArn} of ${crm.name} is empty: nothing to redrive\n`);
    }
  });

  test('refuses while a move task runs (exit 2); --cancel stops it and records who, and what had moved', async () => {
    const crm = await deployed(5);
    // Someone starts a redrive in the console, at 1 message a second.
    const consoleClient = new SQSClient({ ...motoClientConfig(), endpoint });
    const startedAt = new Date(clock).toISOString();
    await consoleClient.send(new StartMessageMoveTaskCommand({ SourceArn: crm.dlqArn, MaxNumberOfMessagesPerSecond: 1 }));
    consoleClient.destroy();
    clock += 2000;
    const refused = await run(['redrive', '--integration', crm.name, '--table', table]);
    expect(refused.code).toBe(EXIT_CHECK_FAILED);
    expect(refused.stderr).toBe(
      `error: a message move task is already running on ${crm.dlqArn} (started ${startedAt}; 2 of 5 message(s) moved (40%)). ` +
        'SQS runs one task per queue at a time: wait for it to end, or stop it with --cancel\n',
    );
    const cancelled = await run(['redrive', '--integration', crm.name, '--table', table, '--cancel'], { caller: CALLER });
    expect(cancelled.stderr).toBe('');
    expect(cancelled.code).toBe(EXIT_OK);
    expect(cancelled.stdout).toContain(`Cancelling the move task on ${crm.dlqArn} started ${startedAt} by someone outside this CLI, as ${CALLER}. What moved stays moved.`);
    expect(cancelled.stdout).toContain('CANCELLED: 2 of 5 message(s) had moved.');
    expect(await visible(crm.dlqArn)).toBe(3);
    expect(await history(crm.record.integrationId)).toEqual([
      expect.objectContaining({ requestedAt: startedAt, taskStartedAt: startedAt, status: 'CANCELLED', messagesMoved: 2, messagesToMove: 5, cancelledBy: { arn: CALLER }, destinationArn: crm.queueArn }),
    ]);
    expect((await history(crm.record.integrationId))[0].startedBy).toBeUndefined();
    const again = await run(['redrive', '--integration', crm.name, '--table', table, '--cancel']);
    expect(again.code).toBe(EXIT_CHECK_FAILED);
    expect(again.stderr).toBe(`error: no message move task is running on ${crm.dlqArn}: nothing to cancel\n`);
  });

  test('an interrupted run leaves the task running; --history shows its outcome, the next redrive records it', async () => {
    const crm = await deployed(4);
    const interrupted = await run(['redrive', '--integration', crm.name, '--table', table, '--max-per-second', '1'], { interruptAfterPolls: 1 });
    expect(interrupted.code).toBe(EXIT_USAGE_OR_IO);
    expect((await history(crm.record.integrationId))[0]).toEqual(expect.objectContaining({ status: 'RUNNING', messagesMoved: 0 }));
    clock += 10_000; // the task goes on without the CLI
    const shown = await run(['redrive', '--integration', crm.name, '--table', table, '--history']);
    expect(shown.code).toBe(EXIT_OK);
    expect(shown.stdout).toMatch(new RegExp(`^  \\S+  COMPLETED  4 of 4 moved, at most 1/s, by ${CALLER}$`, 'm'));
    expect((await history(crm.record.integrationId))[0].status).toBe('RUNNING'); // --history only reads
    // New dead letters later: the next redrive records the earlier task's outcome as well as its own.
    await moto.send(new SendMessageCommand({ QueueUrl: queueUrl(crm.dlqArn), MessageBody: '{"id":"late"}' }));
    expect((await run(['redrive', '--integration', crm.name, '--table', table])).code).toBe(EXIT_OK);
    expect((await history(crm.record.integrationId)).map((e) => [e.status, e.messagesMoved])).toEqual([
      ['COMPLETED', 1],
      ['COMPLETED', 4],
    ]);
  });

  test('refuses an unknown integration and one without a dead-letter queue with exit 1, naming what is known', async () => {
    const crm = await deployed(1);
    const unknown = await run(['redrive', '--integration', 'NoSuch', '--table', table]);
    expect(unknown.code).toBe(EXIT_USAGE_OR_IO);
    expect(unknown.stderr).toMatch(new RegExp(`^error: table ${table} has no integration named NoSuch \\(it has: .*${crm.name}.*\\)\\n$`));

    const fnName = uniqueName('Fn');
    await register(cfnEvent('Create', table, declaredRecord(fnName, { targets: ['lambda:IntegrationsStack/Fn/Handler'] })), { ddb, log: captureLog().log });
    const noQueue = await run(['redrive', '--integration', fnName, '--table', table]);
    expect(noQueue.code).toBe(EXIT_USAGE_OR_IO);
    expect(noQueue.stderr).toBe(`error: ${fnName} has no dead-letter queue in its record (targets: lambda:IntegrationsStack/Fn/Handler)\n`);

    // A record written before redrive support: an SQS target, no deadLetterQueues.
    const oldName = uniqueName('Old');
    await register(cfnEvent('Create', table, declaredRecord(oldName)), { ddb, log: captureLog().log });
    const old = await run(['redrive', '--integration', oldName, '--table', table]);
    expect(old.code).toBe(EXIT_USAGE_OR_IO);
    expect(old.stderr).toContain('Records written before redrive support list none: deploy the stack with this version of cdk-secure-integrations');
  });

  test('refuses a stale record: the queue\'s redrive policy names another dead-letter queue', async () => {
    const crm = await deployed(1);
    const other = await queuesWithDeadLetters(0);
    const stale = uniqueName('Stale');
    const target = crm.record.targets[0];
    await register(
      cfnEvent('Create', table, declaredRecord(stale, { targets: [target], deadLetterQueues: [{ target, queueArn: crm.queueArn, deadLetterQueueArn: other.dlqArn, maxReceiveCount: 1 }] })),
      { ddb, log: captureLog().log },
    );
    const { code, stderr } = await run(['redrive', '--integration', stale, '--table', table]);
    expect(code).toBe(EXIT_USAGE_OR_IO);
    expect(stderr).toContain(`does not send its dead letters to ${other.dlqArn} (its redrive policy names ${crm.dlqArn}): the record of ${stale} is stale`);
  });

  test('who redrives must be known: when STS cannot tell, nothing moves (exit 1), --operator or not', async () => {
    const crm = await deployed(1);
    const denied = Object.assign(new Error('User is not authorized to perform: sts:GetCallerIdentity'), { name: 'AccessDenied' });
    for (const extra of [[], ['--operator', 'alice@example.com']]) {
      const refused = await run(['redrive', '--integration', crm.name, '--table', table, ...extra], { stsError: denied });
      expect(refused.code).toBe(EXIT_USAGE_OR_IO);
      expect(refused.stderr).toBe(
        'error: cannot tell who is redriving (STS GetCallerIdentity failed: AccessDenied: User is not authorized to perform: sts:GetCallerIdentity), ' +
          'and the redrive must be recorded: nothing was started or cancelled. --operator is a note beside the STS identity, not a replacement\n',
      );
    }
    expect(await visible(crm.dlqArn)).toBe(1);
    expect(standIn.tasks.some((t) => t.sourceArn === crm.dlqArn)).toBe(false);
    expect(await getItem(ddb, table, redriveHistoryKey(crm.record.integrationId))).toBeUndefined();
  });

  test('by default the identity is STS GetCallerIdentity\'s (moto here, through AWS_ENDPOINT_URL_STS); --operator is recorded beside it as given', async () => {
    const crm = await deployed(1);
    const motoCaller = await stsCallerArn(REGION, motoClientConfig());
    expect(motoCaller).toMatch(/^arn:aws:(sts|iam)::\d{12}:/);
    const { endpoint: stsEndpoint, credentials } = motoClientConfig();
    const env = { AWS_ENDPOINT_URL_STS: stsEndpoint, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const named = await run(['redrive', '--integration', crm.name, '--table', table, '--operator', 'alice@example.com'], { defaultSts: true });
      expect(named.stderr).toBe('');
      expect(named.code).toBe(EXIT_OK);
      expect(named.stdout).toContain(`as ${motoCaller}, operator "alice@example.com".`);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect((await history(crm.record.integrationId))[0].startedBy).toEqual({ arn: motoCaller, operator: 'alice@example.com' });
  });

  test('a decommissioned integration is refused with exit 2: nothing consumes its queue', async () => {
    const crm = await deployed(1);
    await register(cfnEvent('Delete', table, crm.record), { ddb, log: captureLog().log, now: () => new Date(clock) });
    const { code, stderr } = await run(['redrive', '--integration', crm.name, '--table', table]);
    expect(code).toBe(EXIT_CHECK_FAILED);
    expect(stderr).toMatch(new RegExp(`^error: ${crm.name} was decommissioned on \\S+: nothing consumes its queue any more, so nothing is redriven to it\\n$`));
    expect(await visible(crm.dlqArn)).toBe(1);
  });

  test('a RECORD item outside its INTEGRATION# partition is not a record: redrive by name still moves to the real queue; the report shows it as unreadable', async () => {
    const crm = await deployed(2);
    const attacker = await queuesWithDeadLetters(0);
    const target = crm.record.targets[0];
    // Items an operator could put with the former grant (PutItem on any REDRIVE#* key): a record of
    // the same name, in a history partition, naming other queues; and a record under another's key.
    const ghost = declaredRecord(crm.name, {
      integrationId: `${ACCOUNT}:${REGION}:GhostStack:${crm.name}`,
      stack: 'GhostStack',
      owner: 'team-ghost',
      targets: [target],
      deadLetterQueues: [{ target, queueArn: attacker.queueArn, deadLetterQueueArn: crm.dlqArn, maxReceiveCount: 1 }],
    });
    await ddb.send(new PutItemCommand({ TableName: table, Item: marshall({ pk: 'REDRIVE#ghost', sk: 'RECORD', ...ghost }, { removeUndefinedValues: true }) }));
    const misplaced = { ...ghost, integrationId: `${ACCOUNT}:${REGION}:OtherStack:${crm.name}` };
    await ddb.send(new PutItemCommand({ TableName: table, Item: marshall({ ...recordKey(`${ACCOUNT}:${REGION}:Elsewhere:${crm.name}`), ...misplaced }, { removeUndefinedValues: true }) }));

    const { code, stderr } = await run(['redrive', '--integration', crm.name, '--table', table]);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);
    expect(standIn.tasks.at(-1)).toEqual(expect.objectContaining({ sourceArn: crm.dlqArn, destinationArn: crm.queueArn, moved: 2 }));
    expect(await visible(attacker.queueArn)).toBe(0);

    const report = await run(['inventory', '--table', table, '--format', 'json']);
    const parsed = JSON.parse(report.stdout) as { records: InventoryRecord[]; findings: { unreadable: Array<{ source: string; error: string; integrationId?: string }> } };
    expect(parsed.records.filter((r) => r.name === crm.name).map((r) => r.integrationId)).toEqual([crm.record.integrationId]);
    expect(parsed.findings.unreadable).toEqual(
      expect.arrayContaining([
        { source: `${table} REDRIVE#ghost`, error: 'not a record: its partition key "REDRIVE#ghost" is not INTEGRATION#<integrationId> (an item the registration did not write)' },
        {
          source: `${table} INTEGRATION#${ACCOUNT}:${REGION}:Elsewhere:${crm.name}`,
          error: `not a record: its partition key "INTEGRATION#${ACCOUNT}:${REGION}:Elsewhere:${crm.name}" is not that of its integrationId (INTEGRATION#${misplaced.integrationId})`,
        },
      ]),
    );
    expect(report.stderr).toContain(`warning: cannot read ${table} REDRIVE#ghost: not a record`);
  });

  test('a history item the CLI did not write is refused, not overwritten: nothing moves (exit 1)', async () => {
    const crm = await deployed(1);
    const wiped = { ...redriveHistoryKey(crm.record.integrationId), integrationId: crm.record.integrationId, entries: 'wiped', version: 7 };
    await ddb.send(new PutItemCommand({ TableName: table, Item: marshall(wiped) }));
    const { code, stderr } = await run(['redrive', '--integration', crm.name, '--table', table]);
    expect(code).toBe(EXIT_USAGE_OR_IO);
    expect(stderr).toContain(`RedriveHistoryUnreadableError: the redrive history item of ${crm.record.integrationId} cannot be read (no list of entries): not overwriting it.`);
    expect(await visible(crm.dlqArn)).toBe(1);
    expect(await getItem(ddb, table, redriveHistoryKey(crm.record.integrationId))).toEqual(wiped);
  });

  test('usage errors: a rate outside 1..500, modes together, missing options (exit 1)', async () => {
    const crm = await deployed(1);
    const cases: Array<[string[], RegExp]> = [
      [['--max-per-second', '501'], /--max-per-second 501 is not a whole number from 1 to 500/],
      [['--max-per-second', '0.5'], /--max-per-second 0.5 is not a whole number/],
      [['--dry-run', '--cancel'], /--dry-run and --cancel do not go together/],
      [['--cancel', '--max-per-second', '5'], /--max-per-second applies to a redrive only/],
    ];
    for (const [extra, message] of cases) {
      const { code, stderr } = await run(['redrive', '--integration', crm.name, '--table', table, ...extra]);
      expect(code).toBe(EXIT_USAGE_OR_IO);
      expect(stderr).toMatch(message);
    }
    const missing = await run(['redrive', '--integration', crm.name]);
    expect(missing.code).toBe(EXIT_USAGE_OR_IO);
    expect(missing.stderr).toContain("required option '--table <name>' not specified");
    expect(standIn.tasks.some((t) => t.sourceArn === crm.dlqArn)).toBe(false);
  });
});

describe('the redrive history item', () => {
  const entry = (i: number): RedriveEntry => ({
    id: `id-${i}`,
    requestedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    sourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dlq`,
    destinationArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:queue`,
    status: 'COMPLETED',
  });

  test(`keeps the newest ${MAX_REDRIVE_HISTORY} entries`, async () => {
    const id = uniqueName('bounded');
    let entries: RedriveEntry[] = [];
    for (let i = 0; i < MAX_REDRIVE_HISTORY + 5; i++) entries = withEntry(entries, entry(i));
    expect(entries).toHaveLength(MAX_REDRIVE_HISTORY);
    expect(entries[0].id).toBe(`id-${MAX_REDRIVE_HISTORY + 4}`);
    await updateRedriveHistory(ddb, table, id, () => [...entries, entry(-1)], new Date(clock));
    expect(await history(id)).toEqual(entries);
  });

  test('append-only: a write that drops an entry, changes who or what, or changes an ended entry is refused; the stored item is untouched', async () => {
    const id = uniqueName('append-only');
    const alice = { arn: CALLER };
    const running: RedriveEntry = { ...entry(2), startedBy: alice, status: 'RUNNING' };
    const stored = await updateRedriveHistory(ddb, table, id, () => [running, { ...entry(1), startedBy: alice }], new Date(clock));
    const rewrites: Array<[string, (entries: readonly RedriveEntry[]) => RedriveEntry[]]> = [
      [`drops entry id-1 from a history of 1 (under ${MAX_REDRIVE_HISTORY})`, (entries) => entries.filter((e) => e.id !== 'id-1')],
      [`drops entry id-2 from a history of 0 (under ${MAX_REDRIVE_HISTORY})`, () => []],
      ['changes startedBy of entry id-1', (entries) => entries.map((e) => (e.id === 'id-1' ? { ...e, startedBy: { operator: 'mallory' } } : e))],
      ['changes sourceArn of entry id-2', (entries) => entries.map((e) => (e.id === 'id-2' ? { ...e, sourceArn: 'arn:aws:sqs:us-east-1:123456789012:other' } : e))],
      ['changes entry id-1, which had ended COMPLETED', (entries) => entries.map((e) => (e.id === 'id-1' ? { ...e, messagesMoved: 0 } : e))],
    ];
    for (const [reason, change] of rewrites) {
      const error = await updateRedriveHistory(ddb, table, id, change, new Date(clock)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedriveHistoryRewriteError);
      expect((error as Error).message).toBe(`not writing the redrive history of ${id}: the write ${reason}, and the history is append-only`);
    }
    expect(await readRedriveHistory(ddb, table, id)).toEqual({ entries: stored, version: 1 });
    // What the CLI does is allowed: an unfinished entry moves on, a new one is added.
    await updateRedriveHistory(ddb, table, id, (entries) => withEntry(entries, { ...running, status: 'COMPLETED', messagesMoved: 3 }), new Date(clock));
    await updateRedriveHistory(ddb, table, id, (entries) => withEntry(entries, entry(3)), new Date(clock));
    expect((await history(id)).map((e) => [e.id, e.status])).toEqual([
      ['id-3', 'COMPLETED'],
      ['id-2', 'COMPLETED'],
      ['id-1', 'COMPLETED'],
    ]);
  });

  test(`append-only: only the bound drops entries, the oldest first, once ${MAX_REDRIVE_HISTORY} are kept`, async () => {
    const id = uniqueName('full');
    const full = Array.from({ length: MAX_REDRIVE_HISTORY }, (_, i) => entry(MAX_REDRIVE_HISTORY - i));
    await updateRedriveHistory(ddb, table, id, () => full, new Date(clock));
    const newer = entry(MAX_REDRIVE_HISTORY + 1);
    const middle = `id-${MAX_REDRIVE_HISTORY / 2}`;
    await expect(updateRedriveHistory(ddb, table, id, (entries) => [newer, ...entries.filter((e) => e.id !== middle)], new Date(clock))).rejects.toThrow(
      `drops entry ${middle}`,
    );
    await updateRedriveHistory(ddb, table, id, (entries) => withEntry(entries, newer), new Date(clock));
    const kept = await history(id);
    expect(kept).toHaveLength(MAX_REDRIVE_HISTORY);
    expect(kept[0].id).toBe(newer.id);
    expect(kept.map((e) => e.id)).not.toContain('id-1');
  });

  test('a stored item the CLI did not write is refused (RedriveHistoryUnreadableError)', async () => {
    const id = uniqueName('unreadable');
    await ddb.send(new PutItemCommand({ TableName: table, Item: marshall({ ...redriveHistoryKey(id), integrationId: id, entries: [{ id: 'x' }], version: 1 }) }));
    await expect(readRedriveHistory(ddb, table, id)).rejects.toThrow(RedriveHistoryUnreadableError);
    await expect(updateRedriveHistory(ddb, table, id, (entries) => withEntry(entries, entry(1)), new Date(clock))).rejects.toThrow(/cannot be read \(no list of entries\)/);
  });

  test('concurrent writers lose no entry (writes are conditional on the version read)', async () => {
    const id = uniqueName('concurrent');
    await Promise.all([0, 1, 2, 3].map((i) => updateRedriveHistory(ddb, table, id, (stored) => withEntry(stored, entry(i)), new Date(clock), 10)));
    expect((await history(id)).map((e) => e.id)).toEqual(['id-3', 'id-2', 'id-1', 'id-0']);
  });
});
