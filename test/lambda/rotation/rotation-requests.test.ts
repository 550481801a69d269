// The four-step protocol (lambda/rotation/rotate.ts) request by request, against the in-memory
// Secrets Manager of test/support/in-memory-secrets-manager.ts: the exact input of every call a step
// sends (SecretId, VersionId and VersionStage of each read, ClientRequestToken, MoveToVersionId and
// RemoveFromVersionId of each move), and what a step does when Secrets Manager answers with an
// error (throttling, access denied, a conflict) or another caller acts between two of its calls.
// moto cannot inject those errors, and answers some reads differently from AWS (a version without
// labels listed in DescribeSecret, a read without VersionStage); rotation.test.ts runs the same
// protocol against moto.
import { ResourceExistsException } from '@aws-sdk/client-secrets-manager';
import { RotationConfigError, type ResolvedBinding } from '../../../lambda/rotation/bindings';
import { CURRENT_SINCE_TAG } from '../../../lambda/rotation/current-since';
import { bindingOf, historyReader, rotate, RotationProtocolError, type RotationEvent, type RotationStep } from '../../../lambda/rotation/rotate';
import { CredentialTestError, type CredentialHistory, type RotationStrategy } from '../../../lambda/rotation/strategy';
import { ROTATION_LABELS } from '../../../lib/secrets/rotation-config';
import { memorySecretsManager, type MemorySecretsManagerOptions, type MemoryVersion, type SentRequest, serviceError } from '../../support/in-memory-secrets-manager';
import { binding, CUSTOM_STRATEGY } from '../../support/rotation-fixtures';

const NAME = 'integrations/p/Crm/partner-key';
const ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${NAME}-AbCdEf`;
const HOUR = 3_600_000;
const T = Date.parse('2026-11-30T00:00:00.000Z');
const NOW = new Date(T + 5 * HOUR);
const { TESTED, REVOKED } = ROTATION_LABELS;
const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';
const PREVIOUS = 'AWSPREVIOUS';

/** v1 is AWSCURRENT; a rotation started: its token t2 is AWSPENDING on a version without a value. */
const started = (): MemoryVersion[] => [
  { id: 'v1', stages: [CURRENT], createdAt: T, value: 'key-v1' },
  { id: 't2', stages: [PENDING], createdAt: T + HOUR },
];
/** createSecret has run for t2. */
const created = (): MemoryVersion[] => [
  { id: 'v1', stages: [CURRENT], createdAt: T, value: 'key-v1' },
  { id: 't2', stages: [PENDING], createdAt: T + HOUR, value: 'key-t2' },
];
/** testSecret has passed for t2. */
const tested = (): MemoryVersion[] => [
  { id: 'v1', stages: [CURRENT], createdAt: T, value: 'key-v1' },
  { id: 't2', stages: [PENDING, TESTED], createdAt: T + HOUR, value: 'key-t2' },
];
const record = (versionId: string, at: number, source: string) => ({ [CURRENT_SINCE_TAG]: `${versionId}@${new Date(at).toISOString()}@${source}` });

const describe_ = { command: 'DescribeSecretCommand', input: { SecretId: ARN } };
const get = (input: Record<string, unknown>) => ({ command: 'GetSecretValueCommand', input: { SecretId: ARN, ...input } });
const move = (input: Record<string, unknown>) => ({ command: 'UpdateSecretVersionStageCommand', input: { SecretId: ARN, ...input } });
const tagged = (versionId: string, at: Date, source: string) => ({
  command: 'TagResourceCommand',
  input: { SecretId: ARN, Tags: [{ Key: CURRENT_SINCE_TAG, Value: `${versionId}@${at.toISOString()}@${source}` }] },
});
const listed = (NextToken?: string) => ({ command: 'ListSecretVersionIdsCommand', input: { SecretId: ARN, IncludeDeprecated: true, NextToken } });

interface Options {
  readonly versions?: MemoryVersion[];
  readonly tags?: Record<string, string>;
  readonly rotationEnabled?: boolean;
  readonly overlapSeconds?: number;
  /** Replaces methods of the recording strategy (undefined removes one). */
  readonly strategy?: Partial<RotationStrategy>;
  /** The function's binding of the secret; null: none. */
  readonly binding?: ResolvedBinding | null;
  readonly fail?: MemorySecretsManagerOptions['fail'];
  readonly after?: MemorySecretsManagerOptions['after'];
  readonly pageSize?: number;
  /** The function's clock; null: the default (the real clock). */
  readonly now?: Date | null;
}

/** One secret, the function's binding of it, a strategy that records its calls, and the log. */
function rotationOf(options: Options = {}) {
  const fake = memorySecretsManager(
    { arn: ARN, name: NAME, rotationEnabled: options.rotationEnabled, tags: options.tags, versions: options.versions ?? started() },
    { fail: options.fail, after: options.after, pageSize: options.pageSize },
  );
  const logs: Array<{ level: string; msg: string; extra?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, extra?: Record<string, unknown>) => void logs.push(extra === undefined ? { level, msg } : { level, msg, extra });
  const calls: Array<{ method: string; ctx: Record<string, unknown> }> = [];
  const seen = (method: string, ctx: object) => {
    const { log: _log, history: _history, ...rest } = ctx as Record<string, unknown>;
    calls.push({ method, ctx: rest });
  };
  const strategy: RotationStrategy = {
    create: async (ctx) => (seen('create', ctx), 'key-new'),
    set: async (ctx) => void seen('set', ctx),
    test: async (ctx) => void seen('test', ctx),
    revoke: async (ctx) => void seen('revoke', ctx),
    ...options.strategy,
  };
  const bound = options.binding === undefined ? binding(CUSTOM_STRATEGY, { overlapSeconds: options.overlapSeconds ?? 3600, arnSuffix: 'AbCdEf' }) : options.binding;
  const asked: unknown[] = [];
  const deps = {
    secretsManager: fake.sm,
    bindings: new Map(bound === null ? [] : [[NAME, bound]]),
    strategyFor: (rotation: unknown) => (asked.push(rotation), strategy),
    log: { info: at('info'), warn: at('warn'), error: at('error') },
    ...(options.now === null ? {} : { now: () => options.now ?? NOW }),
  };
  const run = (Step: RotationStep, token = 't2', extra: Partial<RotationEvent> = {}) => rotate({ SecretId: ARN, ClientRequestToken: token, Step, ...extra }, deps);
  return { fake, logs, calls, asked, run, version: (id: string) => fake.secret.versions.find((v) => v.id === id)! };
}

const isCall = (command: string, match: Record<string, unknown> = {}) => (request: SentRequest) =>
  request.command === command && Object.entries(match).every(([k, v]) => request.input[k] === v);

describe('the guard, on every step', () => {
  test('the secret is described by the id the event names; every later request names the ARN DescribeSecret answered', async () => {
    const r = rotationOf();
    expect(await r.run('createSecret', 't2', { SecretId: NAME })).toBe('pending-value-created');
    expect(r.fake.sent[0]).toStrictEqual({ command: 'DescribeSecretCommand', input: { SecretId: NAME } });
    expect(r.fake.sent.slice(1).map((s) => s.input.SecretId)).toEqual(r.fake.sent.slice(1).map(() => ARN));
    expect(r.fake.sent.length).toBeGreaterThan(3);
  });

  test('a secret the function has no binding for is refused, naming its ARN, before any strategy or other request', async () => {
    const r = rotationOf({ binding: null });
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await expect(r.run(step)).rejects.toThrow(new RotationConfigError(`secret ${ARN} is not a credential of this platform: this function rotates only the secrets it was deployed with`));
    }
    expect(r.fake.sent).toStrictEqual([describe_, describe_, describe_, describe_]);
    expect(r.asked).toEqual([]);
  });

  test('bindingOf names the secret by its ARN, or by its name when DescribeSecret gave no ARN', () => {
    const bindings = new Map<string, ResolvedBinding>([['other', binding(CUSTOM_STRATEGY)]]);
    expect(() => bindingOf({ ARN, Name: NAME, $metadata: {} }, bindings)).toThrow(`secret ${ARN} is not a credential`);
    expect(() => bindingOf({ Name: NAME, $metadata: {} }, bindings)).toThrow(`secret ${NAME} is not a credential`);
    expect(() => bindingOf({ ARN, $metadata: {} }, bindings)).toThrow(`secret ${ARN} is not a credential`);
    expect(bindingOf({ ARN, Name: 'other', $metadata: {} }, bindings).rotation).toBe(CUSTOM_STRATEGY);
  });

  test('a secret of the bound name but another ARN (deleted and re-created) is refused, and nothing is written', async () => {
    const r = rotationOf({ binding: binding(CUSTOM_STRATEGY, { arnSuffix: 'XyZ123' }) });
    await expect(r.run('createSecret')).rejects.toThrow(
      new RotationConfigError(`secret ${ARN} has the name of credential TestIntegration/test-credential but not its ARN: it is not the secret deployed under that name (deleted and re-created?); nothing was changed`),
    );
    expect(r.fake.sent).toStrictEqual([describe_]);
  });

  test('a partner-held secret (bound without rotation) is refused', async () => {
    const r = rotationOf({ binding: binding(undefined, { arnSuffix: 'AbCdEf' }) });
    await expect(r.run('createSecret')).rejects.toThrow(new RotationConfigError(`secret ${ARN} (TestIntegration/test-credential) is held with a partner and is not rotated by this function`));
    expect(r.fake.sent).toStrictEqual([describe_]);
  });

  test('a secret whose rotation is disabled is refused before the strategy is chosen, with an error named RotationProtocolError (the errorType Secrets Manager reports)', async () => {
    const r = rotationOf({ rotationEnabled: false });
    await expect(r.run('createSecret')).rejects.toThrow(new RotationProtocolError(`rotation is not enabled for secret ${ARN}`));
    await expect(r.run('createSecret')).rejects.toHaveProperty('name', 'RotationProtocolError');
    expect(r.fake.sent).toStrictEqual([describe_, describe_]);
    expect(r.asked).toEqual([]);
  });

  test('a token that is no version of the secret, or a version without labels (which DescribeSecret does not list), has no stage', async () => {
    const r = rotationOf({ versions: [...started(), { id: 't0', stages: [], createdAt: T - HOUR, value: 'key-t0' }] });
    for (const token of ['t9', 't0']) {
      await expect(r.run('createSecret', token)).rejects.toThrow(new RotationProtocolError(`secret version ${token} has no stage for rotation of secret ${ARN}`));
    }
    expect(r.fake.sent).toStrictEqual([describe_, describe_]);
  });

  test('a token that is neither AWSPENDING nor AWSCURRENT is refused at every step, with its stages', async () => {
    const r = rotationOf({ versions: [{ id: 'v0', stages: [PREVIOUS, TESTED], createdAt: T - HOUR, value: 'key-v0' }, ...started()] });
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await expect(r.run(step, 'v0')).rejects.toThrow(
        new RotationProtocolError(`secret version v0 is not set as AWSPENDING for rotation of secret ${ARN} (stages: AWSPREVIOUS, ${TESTED})`),
      );
    }
    expect(r.calls).toEqual([]);
    expect(r.fake.names()).toEqual(['DescribeSecretCommand', 'DescribeSecretCommand', 'DescribeSecretCommand', 'DescribeSecretCommand']);
  });

  test('a version listed with no labels (as moto lists one) is refused with "stages: none"', async () => {
    const answer = { ARN, Name: NAME, RotationEnabled: true, VersionIdsToStages: { v1: [CURRENT], t2: [] } };
    const deps = { secretsManager: { send: async () => answer } as never, bindings: new Map([[NAME, binding(CUSTOM_STRATEGY)]]), strategyFor: () => ({}) as never, log: { info() {}, warn() {}, error() {} } };
    await expect(rotate({ SecretId: ARN, ClientRequestToken: 't2', Step: 'createSecret' }, deps)).rejects.toThrow(
      `secret version t2 is not set as AWSPENDING for rotation of secret ${ARN} (stages: none)`,
    );
  });

  test('a DescribeSecret answer without VersionIdsToStages is a token without a stage', async () => {
    const answer = { ARN, Name: NAME, RotationEnabled: true };
    const deps = { secretsManager: { send: async () => answer } as never, bindings: new Map([[NAME, binding(CUSTOM_STRATEGY)]]), strategyFor: () => ({}) as never, log: { info() {}, warn() {}, error() {} } };
    await expect(rotate({ SecretId: ARN, ClientRequestToken: 't2', Step: 'createSecret' }, deps)).rejects.toThrow(`secret version t2 has no stage for rotation of secret ${ARN}`);
  });

  test('an unknown step is refused and changes nothing', async () => {
    const r = rotationOf();
    await expect(r.run('rollback' as RotationStep)).rejects.toThrow(new RotationProtocolError("unknown rotation step 'rollback'"));
    expect(r.fake.sent).toStrictEqual([describe_]);
    expect(r.calls).toEqual([]);
  });

  test('createSecret, setSecret and testSecret of the AWSCURRENT version are done already: no other request, no strategy call', async () => {
    const r = rotationOf();
    for (const step of ['createSecret', 'setSecret', 'testSecret'] as const) expect(await r.run(step, 'v1')).toBe('already-current');
    expect(r.fake.sent).toStrictEqual([describe_, describe_, describe_]);
    expect(r.calls).toEqual([]);
    expect(r.asked).toEqual([CUSTOM_STRATEGY, CUSTOM_STRATEGY, CUSTOM_STRATEGY]);
  });
});

describe('createSecret', () => {
  test('reads AWSCURRENT, checks the token has no value yet, and stores the new credential as the AWSPENDING value of the token: the exact requests', async () => {
    const r = rotationOf();
    expect(await r.run('createSecret')).toBe('pending-value-created');
    expect(r.fake.sent).toStrictEqual([
      describe_,
      get({ VersionStage: CURRENT }),
      get({ VersionId: 't2', VersionStage: PENDING }),
      listed(undefined), // revocations due before a new credential is issued (none here)
      { command: 'PutSecretValueCommand', input: { SecretId: ARN, ClientRequestToken: 't2', SecretString: 'key-new', VersionStages: [PENDING] } },
    ]);
    expect(r.calls).toStrictEqual([{ method: 'create', ctx: { secretArn: ARN, token: 't2', now: NOW, currentValue: 'key-v1' } }]);
    expect(r.fake.stages()).toStrictEqual({ v1: [CURRENT], t2: [PENDING] });
    expect(r.version('t2').value).toBe('key-new');
    expect(r.logs).toStrictEqual([{ level: 'info', msg: 'createSecret: stored the new value as AWSPENDING' }]);
  });

  test('the RotationToken of the event goes to PutSecretValue only, and is never logged', async () => {
    const r = rotationOf();
    await r.run('createSecret', 't2', { RotationToken: 'rotation-token-of-the-service' });
    expect(r.fake.inputsOf('PutSecretValueCommand')).toStrictEqual([
      { SecretId: ARN, ClientRequestToken: 't2', SecretString: 'key-new', VersionStages: [PENDING], RotationToken: 'rotation-token-of-the-service' },
    ]);
    expect(r.fake.sent.filter((s) => s.command !== 'PutSecretValueCommand').map((s) => JSON.stringify(s.input)).join()).not.toContain('rotation-token');
    expect(JSON.stringify(r.logs)).not.toContain('rotation-token');
  });

  test('a secret without an AWSCURRENT value has nothing to rotate from: no credential is issued', async () => {
    const r = rotationOf({ versions: [{ id: 'v1', stages: [CURRENT], createdAt: T }, { id: 't2', stages: [PENDING], createdAt: T + HOUR }] });
    await expect(r.run('createSecret')).rejects.toThrow(new RotationProtocolError(`secret ${ARN} has no AWSCURRENT value to rotate from`));
    expect(r.fake.sent).toStrictEqual([describe_, get({ VersionStage: CURRENT })]);
    expect(r.calls).toEqual([]);
  });

  test('a replay for a token that has its value already issues no second credential', async () => {
    const r = rotationOf({ versions: created() });
    expect(await r.run('createSecret')).toBe('pending-value-exists');
    expect(r.fake.sent).toStrictEqual([describe_, get({ VersionStage: CURRENT }), get({ VersionId: 't2', VersionStage: PENDING })]);
    expect(r.calls).toEqual([]);
    expect(r.logs).toStrictEqual([{ level: 'info', msg: 'createSecret: the pending version already has a value; nothing to do' }]);
  });

  test.each([
    ['ThrottlingException', serviceError('ThrottlingException', 'Rate exceeded')],
    ['AccessDeniedException', serviceError('AccessDeniedException', 'not authorized to perform: secretsmanager:GetSecretValue')],
    ['InvalidRequestException', serviceError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.")],
  ])('a %s on the read of the pending value fails the step: it is not taken as "no value yet", so no second credential is issued', async (_, error) => {
    const r = rotationOf({ versions: created(), fail: (req) => (isCall('GetSecretValueCommand', { VersionId: 't2' })(req) ? error : undefined) });
    await expect(r.run('createSecret')).rejects.toBe(error);
    expect(r.calls).toEqual([]);
    expect(r.fake.names()).not.toContain('PutSecretValueCommand');
  });

  test('a throttled read of AWSCURRENT fails the step with the throttling error, not as a secret without a value', async () => {
    const error = serviceError('ThrottlingException', 'Rate exceeded');
    const r = rotationOf({ fail: (req) => (isCall('GetSecretValueCommand', { VersionStage: CURRENT })(req) ? error : undefined) });
    await expect(r.run('createSecret')).rejects.toBe(error);
    expect(r.calls).toEqual([]);
  });

  test('a superseded credential whose overlap ended is revoked before the new one is issued', async () => {
    const r = rotationOf({
      versions: [{ id: 'v0', stages: [PREVIOUS], createdAt: T - 48 * HOUR, value: 'key-v0' }, ...started()],
      tags: record('v1', T, 'moved'),
      overlapSeconds: 3600,
    });
    expect(await r.run('createSecret')).toBe('pending-value-created');
    expect(r.calls.map((c) => [c.method, c.ctx.token])).toEqual([
      ['revoke', 'v0'],
      ['create', 't2'],
    ]);
    expect(r.fake.stages()).toStrictEqual({ v0: [PREVIOUS, REVOKED], v1: [CURRENT], t2: [PENDING] });
  });

  test.each([
    ['the versions cannot be listed (throttled)', { fail: (req: SentRequest) => (req.command === 'ListSecretVersionIdsCommand' ? serviceError('ThrottlingException', 'Rate exceeded') : undefined) }, 'Rate exceeded'],
    ['the strategy cannot revoke', { strategy: { revoke: async () => Promise.reject(new Error('the partner is down')) } }, 'the partner is down'],
  ])('when %s, the credential is still issued and the failure is left to the sweep, with a warning', async (_, extra, message) => {
    const r = rotationOf({
      versions: [{ id: 'v0', stages: [PREVIOUS], createdAt: T - 48 * HOUR, value: 'key-v0' }, ...started()],
      tags: record('v1', T, 'moved'),
      ...extra,
    });
    expect(await r.run('createSecret')).toBe('pending-value-created');
    expect(r.logs).toStrictEqual([
      { level: 'warn', msg: 'createSecret: revoking a superseded credential failed; the credential sweep retries it', extra: { error: message } },
      { level: 'info', msg: 'createSecret: stored the new value as AWSPENDING' },
    ]);
    expect(r.version('t2').value).toBe('key-new');
    expect(r.fake.stages().v0).toEqual([PREVIOUS]);
  });

  test('a concurrent invocation for the same token stored its value first (ResourceExistsException): that value is kept, and the step succeeds', async () => {
    const r = rotationOf({
      // The other invocation's PutSecretValue lands between this one's check and its own PutSecretValue.
      after: (req, secret) => {
        if (isCall('GetSecretValueCommand', { VersionId: 't2' })(req)) secret.versions.find((v) => v.id === 't2')!.value = 'key-other';
      },
    });
    expect(await r.run('createSecret')).toBe('pending-value-exists');
    expect(r.fake.names().slice(-2)).toEqual(['PutSecretValueCommand', 'GetSecretValueCommand']);
    expect(r.fake.sent.at(-1)).toStrictEqual(get({ VersionId: 't2', VersionStage: PENDING }));
    expect(r.version('t2').value).toBe('key-other');
    expect(r.logs).toStrictEqual([{ level: 'warn', msg: 'createSecret: another invocation stored the pending value first; keeping it' }]);
  });

  test('a conflict on a token that is no longer AWSPENDING (the rotation was abandoned meanwhile) fails the step', async () => {
    const r = rotationOf({
      after: (req, secret) => {
        if (!isCall('GetSecretValueCommand', { VersionId: 't2' })(req)) return;
        const t2 = secret.versions.find((v) => v.id === 't2')!;
        t2.value = 'key-other';
        t2.stages = [];
      },
    });
    await expect(r.run('createSecret')).rejects.toThrow(ResourceExistsException);
    expect(r.fake.sent.at(-1)).toStrictEqual(get({ VersionId: 't2', VersionStage: PENDING }));
    expect(r.logs.filter((l) => l.level === 'warn')).toEqual([]);
  });

  test.each([
    ['ThrottlingException', serviceError('ThrottlingException', 'Rate exceeded')],
    ['AccessDeniedException', serviceError('AccessDeniedException', 'not authorized to perform: secretsmanager:PutSecretValue')],
  ])('a %s on PutSecretValue fails the step, even when another invocation has stored a value by then: only a conflict means "stored first"', async (_, error) => {
    const r = rotationOf({
      fail: (req) => (req.command === 'PutSecretValueCommand' ? error : undefined),
      after: (req, secret) => {
        if (isCall('GetSecretValueCommand', { VersionId: 't2' })(req)) secret.versions.find((v) => v.id === 't2')!.value = 'key-other';
      },
    });
    await expect(r.run('createSecret')).rejects.toBe(error);
    expect(r.fake.names().at(-1)).toBe('PutSecretValueCommand');
    expect(r.logs).toEqual([]);
  });
});

describe('setSecret', () => {
  test('reads the pending value by token and AWSPENDING, and the current value by AWSCURRENT, for the strategy', async () => {
    const r = rotationOf({ versions: created() });
    expect(await r.run('setSecret')).toBe('pending-value-set');
    expect(r.fake.sent).toStrictEqual([describe_, get({ VersionId: 't2', VersionStage: PENDING }), get({ VersionStage: CURRENT })]);
    expect(r.calls).toStrictEqual([{ method: 'set', ctx: { secretArn: ARN, token: 't2', now: NOW, pendingValue: 'key-t2', currentValue: 'key-v1' } }]);
    expect(r.logs).toStrictEqual([{ level: 'info', msg: 'setSecret: the pending credential is set at the service' }]);
    expect(r.fake.stages()).toStrictEqual({ v1: [CURRENT], t2: [PENDING] });
  });

  test('a strategy without a set step: the pending value is still required, nothing else is read', async () => {
    const r = rotationOf({ versions: created(), strategy: { set: undefined } });
    expect(await r.run('setSecret')).toBe('pending-value-set');
    expect(r.fake.sent).toStrictEqual([describe_, get({ VersionId: 't2', VersionStage: PENDING })]);
  });

  test('before createSecret (no pending value) it fails, and the strategy is not called', async () => {
    const r = rotationOf();
    await expect(r.run('setSecret')).rejects.toThrow(new RotationProtocolError(`secret version t2 of ${ARN} has no AWSPENDING value: createSecret has not run for this token`));
    expect(r.calls).toEqual([]);
  });

  test('an access-denied read of the pending value fails with that error', async () => {
    const error = serviceError('AccessDeniedException', 'not authorized');
    const r = rotationOf({ versions: created(), fail: (req) => (req.command === 'GetSecretValueCommand' ? error : undefined) });
    await expect(r.run('setSecret')).rejects.toBe(error);
    expect(r.calls).toEqual([]);
  });
});

describe('testSecret', () => {
  test('a pass moves TESTED to the token, from the version that held it, after reading the stages again', async () => {
    const r = rotationOf({ versions: [{ id: 'v1', stages: [CURRENT, TESTED], createdAt: T, value: 'key-v1' }, { id: 't2', stages: [PENDING], createdAt: T + HOUR, value: 'key-t2' }] });
    expect(await r.run('testSecret')).toBe('pending-value-tested');
    expect(r.fake.sent).toStrictEqual([
      describe_,
      get({ VersionId: 't2', VersionStage: PENDING }),
      get({ VersionStage: CURRENT }),
      describe_,
      move({ VersionStage: TESTED, MoveToVersionId: 't2', RemoveFromVersionId: 'v1' }),
    ]);
    expect(r.calls).toStrictEqual([{ method: 'test', ctx: { secretArn: ARN, token: 't2', now: NOW, pendingValue: 'key-t2', currentValue: 'key-v1' } }]);
    expect(r.fake.stages()).toStrictEqual({ v1: [CURRENT], t2: [PENDING, TESTED] });
    expect(r.logs).toStrictEqual([{ level: 'info', msg: 'testSecret: the pending credential passed its test' }]);
  });

  test('a failed test is rethrown and logged without the value; TESTED does not move', async () => {
    const failure = new CredentialTestError('the partner rejected the pending key');
    const r = rotationOf({ versions: created(), strategy: { test: async () => Promise.reject(failure) } });
    await expect(r.run('testSecret')).rejects.toBe(failure);
    expect(r.fake.names()).toEqual(['DescribeSecretCommand', 'GetSecretValueCommand', 'GetSecretValueCommand']);
    expect(r.logs).toStrictEqual([
      { level: 'error', msg: 'testSecret: the pending credential failed its test; AWSCURRENT stays on the previous version', extra: { error: 'the partner rejected the pending key' } },
    ]);
    expect(r.fake.stages()).toStrictEqual({ v1: [CURRENT], t2: [PENDING] });
  });

  test.each([
    ['loses every label (DescribeSecret then does not list it)', [] as string[]],
    ['keeps another label only', ['OTHER']],
  ])('a token that %s during its test (the rotation was abandoned) records no pass', async (_, stagesAfter) => {
    const r = rotationOf({
      versions: created(),
      strategy: {
        test: async () => {
          r.version('t2').stages = [...stagesAfter];
          r.version('t3').stages = [PENDING];
        },
      },
    });
    r.fake.secret.versions.push({ id: 't3', stages: [], createdAt: T + 2 * HOUR });
    await expect(r.run('testSecret')).rejects.toThrow(
      new RotationProtocolError(`testSecret: version t2 of ${ARN} stopped being AWSPENDING during its test (the rotation was abandoned); its pass is not recorded`),
    );
    expect(r.fake.names()).not.toContain('UpdateSecretVersionStageCommand');
    expect(r.fake.stages()).toStrictEqual({ v1: [CURRENT], t3: [PENDING], ...(stagesAfter.length ? { t2: stagesAfter } : {}) });
  });
});

describe('finishSecret', () => {
  test('records the move, moves AWSCURRENT (AWSPREVIOUS follows the old version), removes its own AWSPENDING, checks, records the move done: the exact requests', async () => {
    const r = rotationOf({ versions: tested(), overlapSeconds: 3600 });
    expect(await r.run('finishSecret')).toBe('finished');
    expect(r.fake.sent).toStrictEqual([
      describe_,
      tagged('t2', NOW, 'moving'),
      move({ VersionStage: CURRENT, MoveToVersionId: 't2', RemoveFromVersionId: 'v1' }),
      describe_,
      move({ VersionStage: PENDING, RemoveFromVersionId: 't2' }),
      describe_,
      tagged('t2', NOW, 'moved'),
    ]);
    expect(r.fake.stages()).toStrictEqual({ v1: [PREVIOUS], t2: [TESTED, CURRENT] });
    expect(r.fake.secret.tags.get(CURRENT_SINCE_TAG)).toBe(`t2@${NOW.toISOString()}@moved`);
    expect(r.calls).toEqual([]); // the superseded credential stays valid for the overlap
    expect(r.logs).toStrictEqual([
      { level: 'info', msg: 'finishSecret: moved AWSCURRENT to the new version', extra: { previousVersionId: 'v1' } },
      { level: 'info', msg: 'finishSecret: the superseded credential stays valid for the overlap; the credential sweep revokes it after', extra: { overlapSeconds: 3600 } },
    ]);
  });

  test.each([
    ['whose createSecret never ran', started()],
    ['that has not passed testSecret', created()],
  ])('a token %s is refused: nothing is written', async (_, versions) => {
    const r = rotationOf({ versions });
    await expect(r.run('finishSecret')).rejects.toThrow(new RotationProtocolError(`finishSecret: version t2 of ${ARN} has not passed testSecret; AWSCURRENT stays where it is`));
    expect(r.fake.sent).toStrictEqual([describe_]);
  });

  test('with no overlap, the superseded credential is revoked in the same invocation, from the move just recorded', async () => {
    // A stale record of v1 (from the rotation before) must not be the one the revocation reads.
    const r = rotationOf({ versions: tested(), overlapSeconds: 0, tags: record('v1', T, 'moved') });
    expect(await r.run('finishSecret')).toBe('finished');
    expect(r.calls).toStrictEqual([{ method: 'revoke', ctx: { secretArn: ARN, token: 'v1', now: NOW, previousValue: 'key-v1', currentValue: 'key-t2' } }]);
    expect(r.fake.stages()).toStrictEqual({ v1: [PREVIOUS, REVOKED], t2: [TESTED, CURRENT] });
    expect(r.fake.inputsOf('TagResourceCommand').map((i) => (i.Tags as Array<{ Value: string }>)[0].Value)).toEqual([`t2@${NOW.toISOString()}@moving`, `t2@${NOW.toISOString()}@moved`]);
    expect(r.logs.map((l) => l.msg)).toEqual(['finishSecret: moved AWSCURRENT to the new version', 'revoked a superseded credential']);
  });

  test("AWSPENDING already on a newer rotation's version (started once AWSCURRENT moved) is left alone", async () => {
    const r = rotationOf({
      versions: tested(),
      after: (req, secret) => {
        if (!isCall('UpdateSecretVersionStageCommand', { VersionStage: CURRENT })(req)) return;
        // Secrets Manager sees AWSPENDING on AWSCURRENT (the rotation is complete) and starts the next one.
        secret.versions.find((v) => v.id === 't2')!.stages = [TESTED, CURRENT];
        secret.versions.push({ id: 't3', stages: [PENDING], createdAt: T + 2 * HOUR });
      },
    });
    expect(await r.run('finishSecret')).toBe('finished');
    expect(r.fake.inputsOf('UpdateSecretVersionStageCommand')).toStrictEqual([{ SecretId: ARN, VersionStage: CURRENT, MoveToVersionId: 't2', RemoveFromVersionId: 'v1' }]);
    expect(r.fake.stages()).toStrictEqual({ v1: [PREVIOUS], t2: [TESTED, CURRENT], t3: [PENDING] });
    expect(r.logs).toContainEqual({ level: 'info', msg: 'finishSecret: AWSPENDING is on another version (a newer rotation); leaving it', extra: { versionId: 't3' } });
  });

  test.each([
    ['right after AWSCURRENT moved', CURRENT],
    ['right after AWSPENDING was removed', PENDING],
  ])('an operator who rolls AWSCURRENT back %s fails the step: the move is not recorded as done', async (_, label) => {
    const r = rotationOf({
      versions: tested(),
      after: (req, secret) => {
        if (!isCall('UpdateSecretVersionStageCommand', { VersionStage: label })(req)) return;
        for (const v of secret.versions) v.stages = v.id === 'v1' ? [CURRENT] : [];
      },
    });
    await expect(r.run('finishSecret')).rejects.toThrow(new RotationProtocolError(`finishSecret: AWSCURRENT is not on version t2 of ${ARN} after the move`));
    expect(r.fake.secret.tags.get(CURRENT_SINCE_TAG)).toBe(`t2@${NOW.toISOString()}@moving`);
  });

  test('AWSPENDING put back on the version before the check fails the step (the next rotation would be blocked)', async () => {
    const r = rotationOf({
      versions: tested(),
      after: (req, secret) => {
        if (isCall('UpdateSecretVersionStageCommand', { VersionStage: PENDING })(req)) secret.versions.find((v) => v.id === 't2')!.stages.push(PENDING);
      },
    });
    await expect(r.run('finishSecret')).rejects.toThrow(new RotationProtocolError(`finishSecret: AWSPENDING is still on version t2 of ${ARN}; the next rotation would be blocked`));
    expect(r.fake.secret.tags.get(CURRENT_SINCE_TAG)).toBe(`t2@${NOW.toISOString()}@moving`);
  });

  test('a throttled move of AWSCURRENT fails the step after the moving record; the retry completes it', async () => {
    let throttled = false;
    const r = rotationOf({
      versions: tested(),
      fail: (req) => {
        if (throttled || !isCall('UpdateSecretVersionStageCommand', { VersionStage: CURRENT })(req)) return undefined;
        throttled = true;
        return serviceError('ThrottlingException', 'Rate exceeded');
      },
    });
    await expect(r.run('finishSecret')).rejects.toThrow('Rate exceeded');
    expect(r.fake.stages()).toStrictEqual({ v1: [CURRENT], t2: [PENDING, TESTED] });
    expect(r.fake.secret.tags.get(CURRENT_SINCE_TAG)).toBe(`t2@${NOW.toISOString()}@moving`);
    expect(await r.run('finishSecret')).toBe('finished');
    expect(r.fake.stages()).toStrictEqual({ v1: [PREVIOUS], t2: [TESTED, CURRENT] });
  });

  test('resumed after a crash past the move (AWSCURRENT and AWSPENDING on the token): AWSCURRENT is not moved again, AWSPENDING is removed, the move recorded done', async () => {
    const r = rotationOf({
      versions: [{ id: 'v1', stages: [PREVIOUS], createdAt: T, value: 'key-v1' }, { id: 't2', stages: [PENDING, TESTED, CURRENT], createdAt: T + HOUR, value: 'key-t2' }],
      tags: record('t2', T + 4 * HOUR, 'moving'),
    });
    expect(await r.run('finishSecret')).toBe('finish-resumed');
    expect(r.fake.sent).toStrictEqual([describe_, describe_, move({ VersionStage: PENDING, RemoveFromVersionId: 't2' }), describe_, tagged('t2', NOW, 'moved')]);
    expect(r.fake.stages()).toStrictEqual({ v1: [PREVIOUS], t2: [TESTED, CURRENT] });
    expect(r.logs.map((l) => l.msg)).toEqual(['finishSecret: the superseded credential stays valid for the overlap; the credential sweep revokes it after']);
  });

  test.each([
    ['no record', {}, true],
    ['a moving record of the token', record('t2', T + 4 * HOUR, 'moving'), true],
    ['a record of the version before', record('v1', T, 'moved'), true],
    ['a moved record of the token', record('t2', T + 4 * HOUR, 'moved'), false],
    ['a seen record of the token', record('t2', T + 4 * HOUR, 'seen'), false],
  ])('a replay after the rotation completed, with %s: the stages are left as they are, and the move is recorded only if no record says when it moved', async (_, tags, writes) => {
    const r = rotationOf({ versions: [{ id: 'v1', stages: [PREVIOUS], createdAt: T, value: 'key-v1' }, { id: 't2', stages: [TESTED, CURRENT], createdAt: T + HOUR, value: 'key-t2' }], tags });
    expect(await r.run('finishSecret')).toBe('finish-resumed');
    expect(r.fake.sent).toStrictEqual([describe_, describe_, describe_, ...(writes ? [tagged('t2', NOW, 'moved')] : [])]);
    expect(r.fake.stages()).toStrictEqual({ v1: [PREVIOUS], t2: [TESTED, CURRENT] });
  });

  test('a replay with no overlap revokes what is due from the record that was there', async () => {
    const r = rotationOf({
      versions: [{ id: 'v1', stages: [PREVIOUS], createdAt: T, value: 'key-v1' }, { id: 't2', stages: [TESTED, CURRENT], createdAt: T + HOUR, value: 'key-t2' }],
      tags: record('t2', T + 4 * HOUR, 'moved'),
      overlapSeconds: 0,
    });
    expect(await r.run('finishSecret')).toBe('finish-resumed');
    expect(r.calls.map((c) => [c.method, c.ctx.token])).toEqual([['revoke', 'v1']]);
    expect(r.fake.names()).not.toContain('TagResourceCommand');
  });

  test('without a clock in the dependencies, the move is recorded at the time of the invocation', async () => {
    const r = rotationOf({ versions: tested(), now: null });
    const before = Date.now();
    await r.run('finishSecret');
    const after = Date.now();
    const [versionId, iso, source] = r.fake.secret.tags.get(CURRENT_SINCE_TAG)!.split('@');
    expect([versionId, source]).toEqual(['t2', 'moved']);
    expect(Date.parse(iso)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(iso)).toBeLessThanOrEqual(after);
  });
});

describe("the secret's history, for strategies that need it", () => {
  const history = [
    { id: 'v0', stages: [], createdAt: T - 2 * HOUR, value: 'key-v0' }, // deprecated: no label, still a credential that was issued
    { id: 'v1', stages: [CURRENT], createdAt: T, value: 'key-v1' },
    { id: 't2', stages: [PENDING], createdAt: T + HOUR, value: 'key-t2' },
    { id: 't3', stages: ['OTHER'], createdAt: T + 2 * HOUR },
  ];

  test('every version (every page, deprecated ones too) with its value read by version id, read once per invocation, with when the overlap ends', async () => {
    const results: CredentialHistory[] = [];
    const r = rotationOf({
      versions: history.map((v) => ({ ...v, stages: [...v.stages] })),
      pageSize: 1,
      tags: record('v1', T + 30 * 60_000, 'moved'),
      overlapSeconds: 3600,
      strategy: { set: async (ctx) => void results.push(await ctx.history(), await ctx.history()) },
    });
    expect(await r.run('setSecret')).toBe('pending-value-set');
    const current = { id: 'v1', stages: [CURRENT], createdAt: T, value: 'key-v1' };
    expect(results[0]).toStrictEqual({
      versions: [{ id: 'v0', stages: [], createdAt: T - 2 * HOUR, value: 'key-v0' }, current, { id: 't2', stages: [PENDING], createdAt: T + HOUR, value: 'key-t2' }, { id: 't3', stages: ['OTHER'], createdAt: T + 2 * HOUR, value: undefined }],
      current,
      overlapEndsAt: new Date(T + 90 * 60_000),
    });
    expect(results[1]).toBe(results[0]);
    expect(r.fake.sent.slice(3)).toStrictEqual([listed(undefined), listed('1'), listed('2'), listed('3'), get({ VersionId: 'v0' }), get({ VersionId: 'v1' }), get({ VersionId: 't2' }), get({ VersionId: 't3' })]);
  });

  test('without an AWSCURRENT version there is no current credential and no overlap end', async () => {
    const fake = memorySecretsManager({ arn: ARN, name: NAME, versions: [{ id: 'v0', stages: [], createdAt: T, value: 'key-v0' }] });
    expect(await historyReader(fake.sm, ARN, 3600, { versionId: 'v0', at: T, source: 'moved' }, NOW)()).toStrictEqual({
      versions: [{ id: 'v0', stages: [], createdAt: T, value: 'key-v0' }],
      current: undefined,
      overlapEndsAt: undefined,
    });
  });

  test('a value that cannot be read (access denied) fails the history, rather than reading as a version without a value', async () => {
    const error = serviceError('AccessDeniedException', 'not authorized');
    const fake = memorySecretsManager({ arn: ARN, name: NAME, versions: history.map((v) => ({ ...v })) }, { fail: (req) => (isCall('GetSecretValueCommand', { VersionId: 'v0' })(req) ? error : undefined) });
    await expect(historyReader(fake.sm, ARN, 3600, undefined, NOW)()).rejects.toBe(error);
  });
});
