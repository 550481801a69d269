// The parts of the rotation protocol on their own: the generated-token strategy (generated-token.ts),
// the secret's versions and label moves (versions.ts) and deferred revocation (revocation.ts). The
// requests go to moto where its answers are the service's; where a case needs an answer moto cannot
// give (a NextToken page, a binary value, versions created milliseconds apart, a label on two
// versions), they go to a small in-memory Secrets Manager, and the tests assert the requests sent.
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { CURRENT_SINCE_TAG, type CurrentSince } from '../../../lambda/rotation/current-since';
import { generatedTokenStrategy, generateToken, tokenShapeProblem } from '../../../lambda/rotation/generated-token';
import { overlapEnd, type RevocationContext, revokeDue } from '../../../lambda/rotation/revocation';
import { CredentialTestError, type RotationStrategy, type StrategyContext } from '../../../lambda/rotation/strategy';
import { listVersions, moveLabel, versionValue, versionWith } from '../../../lambda/rotation/versions';
import { ROTATION_LABELS } from '../../../lib/secrets/rotation-config';
import { motoClientConfig, uniqueName } from '../../support/aws-env';

const REVOKED = ROTATION_LABELS.REVOKED;
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:integrations/x-AbCdEf';

interface FakeVersion {
  id: string;
  stages: string[];
  createdAt?: number;
  value?: string;
  binary?: boolean;
}

/** An in-memory Secrets Manager for one secret: records each request (command name and input). */
function fakeSm(versions: FakeVersion[], options: { pageSize?: number; emptyNextToken?: boolean } = {}) {
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  const notFound = (message: string) => new ResourceNotFoundException({ message, $metadata: {} });
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const input = command.input;
    sent.push({ command: command.constructor.name, input });
    switch (command.constructor.name) {
      case 'ListSecretVersionIdsCommand': {
        const size = options.pageSize ?? versions.length;
        const start = Number(input.NextToken ?? 0);
        const page = versions.slice(start, start + size);
        const next = start + size < versions.length ? String(start + size) : options.emptyNextToken ? '' : undefined;
        return {
          Versions: page.map((v) => ({ VersionId: v.id, VersionStages: v.stages, ...(v.createdAt === undefined ? {} : { CreatedDate: new Date(v.createdAt) }) })),
          NextToken: next,
        };
      }
      case 'GetSecretValueCommand': {
        const v = versions.find((x) => (input.VersionId === undefined || x.id === input.VersionId) && (input.VersionStage === undefined || x.stages.includes(String(input.VersionStage))));
        if (!v || (v.value === undefined && !v.binary)) throw notFound("Secrets Manager can't find the specified secret value");
        return v.binary ? { SecretBinary: new Uint8Array([1]) } : { SecretString: v.value };
      }
      case 'UpdateSecretVersionStageCommand': {
        const label = String(input.VersionStage);
        if (input.RemoveFromVersionId) {
          const from = versions.find((x) => x.id === input.RemoveFromVersionId)!;
          from.stages = from.stages.filter((s) => s !== label);
        }
        if (input.MoveToVersionId) {
          if (!input.RemoveFromVersionId && versions.some((x) => x.id !== input.MoveToVersionId && x.stages.includes(label))) throw new Error(`${label} is attached to another version: RemoveFromVersionId is required`);
          const to = versions.find((x) => x.id === input.MoveToVersionId)!;
          if (!to.stages.includes(label)) to.stages.push(label);
        }
        return {};
      }
      case 'TagResourceCommand':
      case 'DescribeSecretCommand':
        return {};
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  };
  return { sm: { send } as unknown as SecretsManagerClient, sent, versions, names: () => sent.map((s) => s.command) };
}

const log = () => {
  const lines: Array<{ level: string; msg: string; extra?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, extra?: Record<string, unknown>) => lines.push({ level, msg, extra });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
};

describe('generated tokens', () => {
  const sm = new SecretsManagerClient(motoClientConfig());

  test.each([
    ['hex', 1, /^[0-9a-f]$/],
    ['hex', 7, /^[0-9a-f]{7}$/],
    ['hex', 64, /^[0-9a-f]{64}$/],
    ['base64url', 1, /^[A-Za-z0-9_-]$/],
    ['base64url', 5, /^[A-Za-z0-9_-]{5}$/],
    ['base64url', 43, /^[A-Za-z0-9_-]{43}$/],
    ['whsec', 38, /^whsec_[A-Za-z0-9+/]{32}$/],
    ['whsec', 50, /^whsec_[A-Za-z0-9+/]{44}$/],
  ] as const)('%s of %i characters is exactly that long and of that alphabet, and passes the shape check', async (charset, length, shape) => {
    const values = await Promise.all(Array.from({ length: 8 }, () => generateToken(sm, length, charset)));
    for (const v of values) {
      expect(v).toMatch(shape);
      expect(tokenShapeProblem(v, length, charset)).toBeUndefined();
    }
    if (length > 4) expect(new Set(values).size).toBe(8);
  });

  test('hex and base64url tokens use the whole alphabet (not a fixed or truncated one)', async () => {
    const hex = (await Promise.all(Array.from({ length: 20 }, () => generateToken(sm, 64, 'hex')))).join('');
    expect(new Set(hex).size).toBe(16);
    const b64 = (await Promise.all(Array.from({ length: 20 }, () => generateToken(sm, 64, 'base64url')))).join('');
    expect(new Set(b64).size).toBeGreaterThan(60);
  });

  test('password-like charsets come from GetRandomPassword: punctuation only for ascii-printable, never a space, each type required', async () => {
    const client = new SecretsManagerClient(motoClientConfig());
    const inputs: unknown[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetRandomPasswordCommand') inputs.push(args.input);
        return next(args);
      },
      { step: 'initialize' },
    );
    const alphanumeric = await generateToken(client, 40, 'alphanumeric');
    const printable = await generateToken(client, 41, 'ascii-printable');
    expect(alphanumeric).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(printable).toMatch(/^[\x21-\x7e]{41}$/);
    expect(inputs).toStrictEqual([
      { PasswordLength: 40, ExcludePunctuation: true, IncludeSpace: false, RequireEachIncludedType: true },
      { PasswordLength: 41, ExcludePunctuation: false, IncludeSpace: false, RequireEachIncludedType: true },
    ]);
  });

  test('an answer without a password is an error', async () => {
    const sent: unknown[] = [];
    const empty = { send: async (c: unknown) => (sent.push(c), {}) } as unknown as SecretsManagerClient;
    await expect(generateToken(empty, 40, 'alphanumeric')).rejects.toThrow('GetRandomPassword returned no password');
    expect(sent[0]).toBeInstanceOf(GetRandomPasswordCommand);
  });

  describe('the shape check', () => {
    test('a wrong length is named with both lengths, before the alphabet', () => {
      expect(tokenShapeProblem('abc', 4, 'alphanumeric')).toBe('the token has 3 characters, the configuration says 4');
      expect(tokenShapeProblem('abc$!', 4, 'hex')).toBe('the token has 5 characters, the configuration says 4');
    });

    test.each([
      ['alphanumeric', ['AZaz09xy'], ['abc$', '$abc', 'ab_c', 'ab-c', 'ab c']],
      ['ascii-printable', ['!~AZ09{}', '"#$%&\'()'], ['ab c', ' abc', 'abc ', 'ab\u007fc', 'ab\tc', 'abé!']],
      ['hex', ['0123456789abcdef'], ['ABCD', 'abcg', 'gabc', 'abc-', '-abc']],
      ['base64url', ['AZaz09-_'], ['ab+c', 'ab/c', 'abc=', '=abc', 'ab.c']],
      ['whsec', ['whsec_AZaz09+/'], ['whsec_AZaz09-_', 'WHSEC_AZaz09+/', 'xwhsec_Aaz09+/', 'whsec_AZaz09+=', 'whsec-AZaz09+/']],
    ] as const)('%s: accepts its alphabet only', (charset, good, bad) => {
      for (const v of good) expect(tokenShapeProblem(v, v.length, charset)).toBeUndefined();
      for (const v of bad) expect(tokenShapeProblem(v, v.length, charset)).toBe(`the token has characters outside the ${charset} charset`);
    });
  });

  describe('the strategy', () => {
    const ctx = (extra: object) => ({ secretArn: ARN, token: 'v1', log: log(), now: new Date(), history: () => Promise.reject(new Error('unused')), ...extra }) as never;

    test('create issues a token of the binding; test accepts only that shape, with the reason', async () => {
      const strategy = generatedTokenStrategy(sm, 32, 'hex');
      const value = await strategy.create(ctx({ currentValue: 'x' }));
      expect(value).toMatch(/^[0-9a-f]{32}$/);
      await expect(strategy.test(ctx({ pendingValue: value }))).resolves.toBeUndefined();
      await expect(strategy.test(ctx({ pendingValue: `${value}0` }))).rejects.toThrow(new CredentialTestError('pending generated token rejected: the token has 33 characters, the configuration says 32'));
      await expect(strategy.test(ctx({ pendingValue: value.toUpperCase().replace(/[0-9]/g, 'A') }))).rejects.toThrow(CredentialTestError);
    });

    test('revoke removes AWSPREVIOUS from the superseded version (moto), and logs it', async () => {
      const name = uniqueName('integrations/token');
      const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'first' }));
      await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'second' }));
      const stagesNow = async () => (await sm.send(new DescribeSecretCommand({ SecretId: created.ARN }))).VersionIdsToStages ?? {};
      expect((await stagesNow())[created.VersionId!]).toEqual(['AWSPREVIOUS']);
      const logged = log();
      await generatedTokenStrategy(sm, 6, 'hex').revoke!(ctx({ secretArn: created.ARN, token: created.VersionId, log: logged, previousValue: 'first', currentValue: 'second' }));
      expect((await stagesNow())[created.VersionId!] ?? []).toEqual([]);
      expect(await versionValue(sm, created.ARN!, { VersionStage: 'AWSPREVIOUS' })).toBeUndefined();
      expect(logged.lines).toEqual([{ level: 'info', msg: 'the superseded token is no longer AWSPREVIOUS: verifiers stop accepting it', extra: { versionId: created.VersionId } }]);
    });

    test('revoke of a version that is no longer AWSPREVIOUS changes nothing and logs nothing', async () => {
      for (const stages of [{ v1: ['AWSCURRENT'] }, { v1: [] }, {}, undefined]) {
        const sent: Array<{ constructor: unknown; input: unknown }> = [];
        const client = { send: async (c: { constructor: unknown; input: unknown }) => (sent.push(c), { VersionIdsToStages: stages }) } as unknown as SecretsManagerClient;
        const logged = log();
        await generatedTokenStrategy(client, 6, 'hex').revoke!(ctx({ token: 'v1', log: logged }));
        expect(sent.map((c) => c.constructor)).toEqual([DescribeSecretCommand]);
        expect(sent[0].input).toEqual({ SecretId: ARN });
        expect(logged.lines).toEqual([]);
      }
    });

    test('revoke sends exactly the removal of AWSPREVIOUS from that version', async () => {
      const sent: Array<{ constructor: unknown; input: unknown }> = [];
      const client = { send: async (c: { constructor: unknown; input: unknown }) => (sent.push(c), { VersionIdsToStages: { v1: ['AWSPREVIOUS', 'X'], v2: ['AWSCURRENT'] } }) } as unknown as SecretsManagerClient;
      await generatedTokenStrategy(client, 6, 'hex').revoke!(ctx({ token: 'v1' }));
      expect(sent.map((c) => c.constructor)).toEqual([DescribeSecretCommand, UpdateSecretVersionStageCommand]);
      expect(sent[1].input).toStrictEqual({ SecretId: ARN, VersionStage: 'AWSPREVIOUS', RemoveFromVersionId: 'v1' });
    });
  });
});

describe('versions', () => {
  test('versionWith names the version holding a label', () => {
    const stages = { a: ['AWSPREVIOUS'], b: ['X', 'AWSCURRENT'] };
    expect(versionWith(stages, 'AWSCURRENT')).toBe('b');
    expect(versionWith(stages, 'AWSPREVIOUS')).toBe('a');
    expect(versionWith(stages, 'AWSPENDING')).toBeUndefined();
  });

  test('listVersions reads every page, deprecated versions included, oldest first', async () => {
    const fake = fakeSm(
      [
        { id: 'c', stages: ['AWSCURRENT'], createdAt: 3000 },
        { id: 'a', stages: [], createdAt: 1000 },
        { id: 'd', stages: ['AWSPENDING'], createdAt: 4000 },
        { id: 'b', stages: ['AWSPREVIOUS'], createdAt: 2000 },
        { id: 'e', stages: ['X'] },
      ],
      { pageSize: 2 },
    );
    expect(await listVersions(fake.sm, ARN)).toStrictEqual([
      { id: 'e', stages: ['X'], createdAt: 0 },
      { id: 'a', stages: [], createdAt: 1000 },
      { id: 'b', stages: ['AWSPREVIOUS'], createdAt: 2000 },
      { id: 'c', stages: ['AWSCURRENT'], createdAt: 3000 },
      { id: 'd', stages: ['AWSPENDING'], createdAt: 4000 },
    ]);
    expect(fake.sent.map((s) => s.input)).toStrictEqual([
      { SecretId: ARN, IncludeDeprecated: true, NextToken: undefined },
      { SecretId: ARN, IncludeDeprecated: true, NextToken: '2' },
      { SecretId: ARN, IncludeDeprecated: true, NextToken: '4' },
    ]);
  });

  test('an empty NextToken ends the listing; entries without an id or stages are read as far as they go', async () => {
    const answers = [{ Versions: [{ VersionId: 'a', CreatedDate: new Date(5) }, { VersionStages: ['AWSPREVIOUS'] }], NextToken: '' }, { Versions: [{ VersionId: 'z' }] }];
    let calls = 0;
    const sm = { send: async () => answers[calls++] } as unknown as SecretsManagerClient;
    expect(await listVersions(sm, ARN)).toStrictEqual([{ id: 'a', stages: [], createdAt: 5 }]);
    expect(calls).toBe(1);
    const noVersions = { send: async () => ({}) } as unknown as SecretsManagerClient;
    expect(await listVersions(noVersions, ARN)).toStrictEqual([]);
  });

  test('listVersions on moto: the secret versions with their stages, oldest first', async () => {
    const sm = new SecretsManagerClient(motoClientConfig());
    const created = await sm.send(new CreateSecretCommand({ Name: uniqueName('integrations/versions'), SecretString: 'one' }));
    const second = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'two' }));
    const versions = await listVersions(sm, created.ARN!);
    expect(versions.map((v) => [v.id, v.stages])).toEqual([
      [created.VersionId, ['AWSPREVIOUS']],
      [second.VersionId, ['AWSCURRENT']],
    ]);
    expect(versions[0].createdAt).toBeGreaterThan(Date.now() - 600_000);
    expect(await versionValue(sm, created.ARN!, { VersionId: created.VersionId })).toBe('one');
    expect(await versionValue(sm, created.ARN!, { VersionStage: 'AWSCURRENT' })).toBe('two');
    expect(await versionValue(sm, created.ARN!, { VersionStage: 'AWSPENDING' })).toBeUndefined();
  });

  test('versionValue: the string, undefined when not found, an error for a binary value, other errors passed on', async () => {
    const fake = fakeSm([
      { id: 'a', stages: ['AWSCURRENT'], value: 'v' },
      { id: 'b', stages: [], binary: true },
      { id: 'c', stages: [] },
    ]);
    expect(await versionValue(fake.sm, ARN, { VersionId: 'a', VersionStage: 'AWSCURRENT' })).toBe('v');
    expect(fake.sent[0]).toStrictEqual({ command: 'GetSecretValueCommand', input: { SecretId: ARN, VersionId: 'a', VersionStage: 'AWSCURRENT' } });
    expect(await versionValue(fake.sm, ARN, { VersionId: 'c' })).toBeUndefined();
    await expect(versionValue(fake.sm, ARN, { VersionId: 'b' })).rejects.toThrow(`secret ${ARN} holds a binary value: rotation supports SecretString only`);
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    await expect(versionValue({ send: () => Promise.reject(denied) } as unknown as SecretsManagerClient, ARN, {})).rejects.toBe(denied);
  });

  describe('moveLabel', () => {
    test('to a version that alone holds it already: no request', async () => {
      const fake = fakeSm([{ id: 'a', stages: ['L'] }]);
      await moveLabel(fake.sm, ARN, 'L', 'a', { a: ['L'], b: [] });
      expect(fake.sent).toEqual([]);
    });

    test('from the version holding it, or onto a version when none holds it', async () => {
      const fake = fakeSm([
        { id: 'a', stages: ['L'] },
        { id: 'b', stages: [] },
      ]);
      await moveLabel(fake.sm, ARN, 'L', 'b', { a: ['L'], b: [] });
      await moveLabel(fake.sm, ARN, 'M', 'a', { a: ['L'], b: ['L'] });
      expect(fake.sent.map((s) => s.input)).toStrictEqual([
        { SecretId: ARN, VersionStage: 'L', MoveToVersionId: 'b', RemoveFromVersionId: 'a' },
        { SecretId: ARN, VersionStage: 'M', MoveToVersionId: 'a' },
      ]);
      expect(fake.versions).toEqual([
        { id: 'a', stages: ['M'] },
        { id: 'b', stages: ['L'] },
      ]);
    });

    test('to a version that holds it while another does too: only the other loses it', async () => {
      const fake = fakeSm([
        { id: 'a', stages: ['L'] },
        { id: 'b', stages: ['L'] },
      ]);
      await moveLabel(fake.sm, ARN, 'L', 'a', { a: ['L'], b: ['L'] });
      expect(fake.sent.map((s) => s.input)).toStrictEqual([{ SecretId: ARN, VersionStage: 'L', MoveToVersionId: 'a', RemoveFromVersionId: 'b' }]);
      expect(fake.versions).toEqual([
        { id: 'a', stages: ['L'] },
        { id: 'b', stages: [] },
      ]);
    });

    test('a label a looser backend left on several versions ends on the target alone', async () => {
      const fake = fakeSm([
        { id: 'a', stages: ['L'] },
        { id: 'b', stages: ['X', 'L'] },
        { id: 'c', stages: ['L'] },
        { id: 'd', stages: ['L'] },
      ]);
      await moveLabel(fake.sm, ARN, 'L', 'c', { a: ['L'], b: ['X', 'L'], c: ['L'], d: ['L'] });
      expect(fake.sent.map((s) => s.input)).toStrictEqual([
        { SecretId: ARN, VersionStage: 'L', MoveToVersionId: 'c', RemoveFromVersionId: 'a' },
        { SecretId: ARN, VersionStage: 'L', RemoveFromVersionId: 'b' },
        { SecretId: ARN, VersionStage: 'L', RemoveFromVersionId: 'd' },
      ]);
      expect(fake.versions.map((v) => v.stages)).toEqual([[], ['X'], ['L'], []]);
    });
  });
});

describe('deferred revocation', () => {
  const HOUR = 3600 * 1000;
  const T = Date.UTC(2026, 0, 1);

  /** REVOKED on v1; v2 (the previous credential) and v3 (AWSCURRENT) after it; a newer rotation's AWSPENDING on v4. */
  function secret(extra: FakeVersion[] = []) {
    return fakeSm([
      { id: 'v1', stages: [REVOKED], createdAt: T, value: 'one' },
      { id: 'v2', stages: ['AWSPREVIOUS'], createdAt: T + 1000, value: 'two' },
      { id: 'v3', stages: ['AWSCURRENT'], createdAt: T + 2000, value: 'three' },
      { id: 'v4', stages: ['AWSPENDING'], createdAt: T + 1500, value: 'four' },
      ...extra,
    ]);
  }

  function revoker() {
    const calls: Array<Parameters<NonNullable<RotationStrategy['revoke']>>[0]> = [];
    const strategy: RotationStrategy = { create: async () => 'x', test: async () => undefined, revoke: async (c) => void calls.push(c) };
    return { strategy, calls, revokedIds: () => calls.map((c) => c.token) };
  }

  const moved = (at: number, versionId = 'v3'): CurrentSince => ({ versionId, at, source: 'moved' });
  const history: StrategyContext['history'] = () => Promise.reject(new Error('unused'));

  function context(fake: ReturnType<typeof fakeSm>, strategy: RotationStrategy, extra: Partial<Omit<RevocationContext, 'log'>> = {}): RevocationContext & { log: ReturnType<typeof log> } {
    return { sm: fake.sm, arn: ARN, strategy, overlapSeconds: 3600, currentSince: moved(T + 3000), currentVersionId: 'v3', now: new Date(T + 3000 + HOUR), log: log(), history, ...extra };
  }

  test('overlapEnd: the overlap after the recorded move, or undefined when the move is not recorded', () => {
    const current = { id: 'v3', stages: ['AWSCURRENT'], createdAt: T };
    expect(overlapEnd(current, 60, moved(T + 5000), new Date(T + HOUR))).toStrictEqual(new Date(T + 5000 + 60_000));
    expect(overlapEnd(current, 0, moved(T + 5000), new Date(T + HOUR))).toStrictEqual(new Date(T + 5000));
    expect(overlapEnd(current, 60, undefined, new Date(T + HOUR))).toBeUndefined();
    expect(overlapEnd(current, 60, moved(T + 5000, 'other'), new Date(T + HOUR))).toBeUndefined();
  });

  test('once the overlap has ended: the previous credential is revoked with its value, and the watermark moves to it', async () => {
    const fake = secret();
    const { strategy, calls } = revoker();
    const ctx = context(fake, strategy);
    expect(await revokeDue(ctx)).toStrictEqual({ revoked: ['v2'] });
    expect(calls).toStrictEqual([{ secretArn: ARN, token: 'v2', log: ctx.log, now: ctx.now, history, previousValue: 'two', currentValue: 'three' }]);
    expect(fake.sent.filter((s) => s.command === 'UpdateSecretVersionStageCommand').map((s) => s.input)).toStrictEqual([
      { SecretId: ARN, VersionStage: REVOKED, MoveToVersionId: 'v2', RemoveFromVersionId: 'v1' },
    ]);
    expect(fake.sent.filter((s) => s.command === 'GetSecretValueCommand').map((s) => s.input)).toStrictEqual([
      { SecretId: ARN, VersionId: 'v3', VersionStage: 'AWSCURRENT' },
      { SecretId: ARN, VersionId: 'v2' },
    ]);
    expect(ctx.log.lines).toStrictEqual([{ level: 'info', msg: 'revoked a superseded credential', extra: { versionId: 'v2' } }]);
    expect(fake.names()).not.toContain('TagResourceCommand');
  });

  test('exactly at the end of the overlap it is due; a millisecond before, nothing is revoked and the end is given', async () => {
    const early = secret();
    const first = revoker();
    expect(await revokeDue(context(early, first.strategy, { now: new Date(T + 3000 + HOUR - 1) }))).toStrictEqual({ revoked: [], waitingUntil: new Date(T + 3000 + HOUR) });
    expect(first.calls).toEqual([]);
    expect(early.names()).toEqual(['ListSecretVersionIdsCommand']);
    const due = revoker();
    expect(await revokeDue(context(secret(), due.strategy, { now: new Date(T + 3000 + HOUR) }))).toStrictEqual({ revoked: ['v2'] });
  });

  test('with no overlap, the previous credential is due as soon as AWSCURRENT moved', async () => {
    const { strategy, revokedIds } = revoker();
    expect(await revokeDue(context(secret(), strategy, { overlapSeconds: 0, now: new Date(T + 3000) }))).toStrictEqual({ revoked: ['v2'] });
    expect(revokedIds()).toEqual(['v2']);
  });

  test('when the move is not recorded, it is recorded as seen now and the overlap counts from now', async () => {
    const fake = secret();
    const { strategy, calls } = revoker();
    const now = new Date(T + 10 * HOUR);
    const ctx = context(fake, strategy, { currentSince: undefined, now });
    expect(await revokeDue(ctx)).toStrictEqual({ revoked: [], waitingUntil: new Date(now.getTime() + HOUR) });
    expect(calls).toEqual([]);
    expect(fake.sent.filter((s) => s.command === 'TagResourceCommand').map((s) => s.input)).toStrictEqual([
      { SecretId: ARN, Tags: [{ Key: CURRENT_SINCE_TAG, Value: `v3@${now.toISOString()}@seen` }] },
    ]);
    expect(ctx.log.lines).toStrictEqual([{ level: 'info', msg: 'when AWSCURRENT moved was not recorded: its overlap counts from now', extra: { versionId: 'v3' } }]);
  });

  test("a finishSecret's `moving` record of the current version is completed as moved; one of another version is replaced by seen", async () => {
    const now = new Date(T + 10 * HOUR);
    const tagOf = async (record: CurrentSince) => {
      const fake = secret();
      await revokeDue(context(fake, revoker().strategy, { currentSince: record, now }));
      return fake.sent.find((s) => s.command === 'TagResourceCommand')?.input;
    };
    expect(await tagOf({ versionId: 'v3', at: T, source: 'moving' })).toStrictEqual({ SecretId: ARN, Tags: [{ Key: CURRENT_SINCE_TAG, Value: `v3@${now.toISOString()}@moved` }] });
    expect(await tagOf({ versionId: 'v2', at: T, source: 'moved' })).toStrictEqual({ SecretId: ARN, Tags: [{ Key: CURRENT_SINCE_TAG, Value: `v3@${now.toISOString()}@seen` }] });
  });

  test('when the move is not recorded and there is no overlap, it is recorded and the credential is revoked in the same pass', async () => {
    const fake = secret();
    const { strategy, revokedIds } = revoker();
    expect(await revokeDue(context(fake, strategy, { currentSince: undefined, overlapSeconds: 0 }))).toStrictEqual({ revoked: ['v2'] });
    expect(revokedIds()).toEqual(['v2']);
    expect(fake.names().filter((n) => n === 'TagResourceCommand')).toHaveLength(1);
  });

  test('every version after the watermark up to AWSCURRENT is revoked, oldest first; the watermark ends on the newest', async () => {
    const fake = fakeSm([
      { id: 'old', stages: [], createdAt: T - 1000, value: 'old' },
      { id: 'w', stages: [REVOKED], createdAt: T, value: 'w' },
      { id: 'same-instant', stages: [], createdAt: T, value: 'si' },
      { id: 'abandoned', stages: [], createdAt: T + 500, value: 'ab' },
      { id: 'prev', stages: ['AWSPREVIOUS'], createdAt: T + 1000, value: 'prev' },
      { id: 'cur', stages: ['AWSCURRENT'], createdAt: T + 2000, value: 'cur' },
      { id: 'later', stages: [], createdAt: T + 2001, value: 'later' },
      { id: 'pending', stages: ['AWSPENDING'], createdAt: T + 1800, value: 'p' },
    ]);
    const { strategy, revokedIds, calls } = revoker();
    const ctx = context(fake, strategy, { currentSince: moved(T + 3000, 'cur'), currentVersionId: 'cur' });
    expect(await revokeDue(ctx)).toStrictEqual({ revoked: ['same-instant', 'abandoned', 'prev'] });
    expect(revokedIds()).toEqual(['same-instant', 'abandoned', 'prev']);
    expect(calls.map((c) => c.previousValue)).toEqual(['si', 'ab', 'prev']);
    expect(fake.sent.filter((s) => s.command === 'UpdateSecretVersionStageCommand').map((s) => s.input)).toStrictEqual([
      { SecretId: ARN, VersionStage: REVOKED, MoveToVersionId: 'same-instant', RemoveFromVersionId: 'w' },
      { SecretId: ARN, VersionStage: REVOKED, MoveToVersionId: 'abandoned', RemoveFromVersionId: 'same-instant' },
      { SecretId: ARN, VersionStage: REVOKED, MoveToVersionId: 'prev', RemoveFromVersionId: 'abandoned' },
    ]);
    expect(versionWith(Object.fromEntries(fake.versions.map((v) => [v.id, v.stages])), REVOKED)).toBe('prev');
  });

  test('without a watermark every version before AWSCURRENT is a candidate', async () => {
    const fake = fakeSm([
      { id: 'a', stages: [], createdAt: T, value: 'a' },
      { id: 'b', stages: ['AWSPREVIOUS'], createdAt: T + 1, value: 'b' },
      { id: 'c', stages: ['AWSCURRENT'], createdAt: T + 2, value: 'c' },
    ]);
    const { strategy, revokedIds } = revoker();
    expect(await revokeDue(context(fake, strategy, { currentSince: moved(T + 3000, 'c'), currentVersionId: 'c' }))).toStrictEqual({ revoked: ['a', 'b'] });
    expect(revokedIds()).toEqual(['a', 'b']);
    expect(fake.sent.filter((s) => s.command === 'UpdateSecretVersionStageCommand').map((s) => s.input)).toStrictEqual([
      { SecretId: ARN, VersionStage: REVOKED, MoveToVersionId: 'a' },
      { SecretId: ARN, VersionStage: REVOKED, MoveToVersionId: 'b', RemoveFromVersionId: 'a' },
    ]);
  });

  test('a version without a value, or holding the current value, issued nothing: the watermark passes it without a revoke', async () => {
    const fake = fakeSm([
      { id: 'empty', stages: [], createdAt: T },
      { id: 'copy', stages: ['AWSPREVIOUS'], createdAt: T + 1, value: 'cur' },
      { id: 'cur', stages: ['AWSCURRENT'], createdAt: T + 2, value: 'cur' },
    ]);
    const ctx = context(fake, revoker().strategy, { currentSince: moved(T + 3000, 'cur'), currentVersionId: 'cur' });
    const { strategy, calls } = revoker();
    expect(await revokeDue({ ...ctx, strategy })).toStrictEqual({ revoked: ['empty', 'copy'] });
    expect(calls).toEqual([]);
    expect(ctx.log.lines).toEqual([]);
    expect(versionWith(Object.fromEntries(fake.versions.map((v) => [v.id, v.stages])), REVOKED)).toBe('copy');
  });

  test('nothing to revoke: no candidate, a strategy without revoke, AWSCURRENT missing or moved since it was read, or no current value', async () => {
    const cases: Array<[ReturnType<typeof fakeSm>, Partial<Omit<RevocationContext, 'log'>>, RotationStrategy | undefined]> = [
      [fakeSm([{ id: 'v3', stages: ['AWSCURRENT'], createdAt: T, value: 'x' }]), { currentSince: undefined }, undefined],
      [secret(), {}, { create: async () => 'x', test: async () => undefined }],
      [fakeSm([{ id: 'v2', stages: ['AWSPREVIOUS'], createdAt: T, value: 'x' }]), {}, undefined],
      [secret(), { currentVersionId: 'v2' }, undefined],
      [fakeSm([{ id: 'v2', stages: [], createdAt: T, value: 'x' }, { id: 'v3', stages: ['AWSCURRENT'], createdAt: T + 1 }]), {}, undefined],
    ];
    for (const [fake, extra, given] of cases) {
      const { strategy, calls } = revoker();
      expect(await revokeDue(context(fake, given ?? strategy, extra))).toStrictEqual({ revoked: [] });
      expect(calls).toEqual([]);
      expect(fake.names().filter((n) => n === 'TagResourceCommand' || n === 'UpdateSecretVersionStageCommand')).toEqual([]);
    }
    // The strategy without revoke is not even asked for the versions.
    const fake = secret();
    await revokeDue(context(fake, { create: async () => 'x', test: async () => undefined }));
    expect(fake.sent).toEqual([]);
  });

  test('without the version DescribeSecret named, the current version is taken as found', async () => {
    const { strategy, revokedIds } = revoker();
    expect(await revokeDue(context(secret(), strategy, { currentVersionId: undefined }))).toStrictEqual({ revoked: ['v2'] });
    expect(revokedIds()).toEqual(['v2']);
  });

  test('a revocation that fails stops the walk there: the watermark stays before it', async () => {
    const fake = fakeSm([
      { id: 'a', stages: [], createdAt: T, value: 'a' },
      { id: 'b', stages: [], createdAt: T + 1, value: 'b' },
      { id: 'c', stages: ['AWSCURRENT'], createdAt: T + 2, value: 'c' },
    ]);
    const tried: string[] = [];
    const strategy: RotationStrategy = {
      create: async () => 'x',
      test: async () => undefined,
      revoke: async ({ token }) => {
        tried.push(token);
        if (token === 'b') throw new Error('the service is down');
      },
    };
    await expect(revokeDue(context(fake, strategy, { currentSince: moved(T + 3000, 'c'), currentVersionId: 'c' }))).rejects.toThrow('the service is down');
    expect(tried).toEqual(['a', 'b']);
    expect(versionWith(Object.fromEntries(fake.versions.map((v) => [v.id, v.stages])), REVOKED)).toBe('a');
  });

  test('on moto: a superseded generated token loses AWSPREVIOUS and carries the watermark', async () => {
    const sm = new SecretsManagerClient(motoClientConfig());
    const created = await sm.send(new CreateSecretCommand({ Name: uniqueName('integrations/revoke'), SecretString: 'first' }));
    const second = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'second' }));
    const strategy = generatedTokenStrategy(sm, 6, 'hex');
    const now = new Date(Date.now() + 2 * HOUR);
    const outcome = await revokeDue({ sm, arn: created.ARN!, strategy, overlapSeconds: 3600, currentSince: moved(Date.now(), second.VersionId!), currentVersionId: second.VersionId, now, log: log(), history });
    expect(outcome).toStrictEqual({ revoked: [created.VersionId] });
    const stages = (await sm.send(new DescribeSecretCommand({ SecretId: created.ARN }))).VersionIdsToStages;
    expect(stages).toEqual({ [created.VersionId!]: [REVOKED], [second.VersionId!]: ['AWSCURRENT'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: created.ARN, VersionStage: REVOKED }))).SecretString).toBe('first');
    expect(await versionValue(sm, created.ARN!, { VersionStage: 'AWSPREVIOUS' })).toBeUndefined();
  });
});
