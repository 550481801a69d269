// What the hourly credential sweep (lambda/rotation/sweep.ts) reports, logs and publishes, at the
// exact edges of its thresholds, and when Secrets Manager or a strategy fails. moto sets a version's
// CreatedDate itself and cannot fail a call on demand, so these tests give the sweep a small
// in-memory Secrets Manager whose versions have the creation times a test chooses and which records
// every request. credential-sweep.test.ts covers the same sweep end to end against moto_server.
import { ResourceNotFoundException, SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import type { ResolvedBinding } from '../../../lambda/rotation/bindings';
import { CURRENT_SINCE_TAG } from '../../../lambda/rotation/current-since';
import type { RotationStrategy, StrategyContext } from '../../../lambda/rotation/strategy';
import { FIRST_ROTATION_GRACE_MS, STUCK_ROTATION_MS, sweep, type SweepMetrics } from '../../../lambda/rotation/sweep';
import { ROTATION_LABELS } from '../../../lib/secrets/rotation-config';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const T = NOW.getTime();
const HOUR = 3600 * 1000;
const ARN = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;

interface FakeVersion {
  id: string;
  stages: string[];
  createdAt: number;
  value?: string;
}
interface FakeSecret {
  name: string;
  /** The ARN DescribeSecret answers; `null` for an answer without one. */
  arn?: string | null;
  versions: FakeVersion[];
  /** The current-since record (see current-since.ts), as `version@ISO@source`. */
  since?: string;
  /** What DescribeSecret says the stages are, when it disagrees with the listing (a move in between). */
  describedStages?: Record<string, string[]>;
}

const throttled = () => new SecretsManagerServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} });
const denied = () =>
  new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized to perform: secretsmanager:GetSecretValue', $metadata: {} });

/** An in-memory Secrets Manager holding `secrets`; `fail` throws for an operation on a secret. */
function fakeSm(secrets: FakeSecret[], fail: (op: string, input: Record<string, unknown>) => Error | undefined = () => undefined) {
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const op = command.constructor.name.replace(/Command$/, '');
    const input = command.input;
    sent.push({ command: op, input });
    const error = fail(op, input);
    if (error) throw error;
    const s = secrets.find((x) => x.name === input.SecretId || (x.arn ?? ARN(x.name)) === input.SecretId);
    if (!s) throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });
    const arn = s.arn === null ? undefined : (s.arn ?? ARN(s.name));
    switch (op) {
      case 'DescribeSecret':
        return {
          ARN: arn,
          Name: s.name,
          RotationEnabled: true,
          VersionIdsToStages: s.describedStages ?? Object.fromEntries(s.versions.map((v) => [v.id, [...v.stages]])),
          Tags: s.since === undefined ? [] : [{ Key: CURRENT_SINCE_TAG, Value: s.since }],
        };
      case 'ListSecretVersionIds':
        return { Versions: s.versions.map((v) => ({ VersionId: v.id, VersionStages: [...v.stages], CreatedDate: new Date(v.createdAt) })) };
      case 'GetSecretValue': {
        const v = s.versions.find((x) => (input.VersionId === undefined || x.id === input.VersionId) && (input.VersionStage === undefined || x.stages.includes(String(input.VersionStage))));
        if (v?.value === undefined) throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value", $metadata: {} });
        return { SecretString: v.value, VersionId: v.id };
      }
      case 'UpdateSecretVersionStage': {
        for (const v of s.versions) if (v.id === input.RemoveFromVersionId) v.stages = v.stages.filter((x) => x !== input.VersionStage);
        for (const v of s.versions) if (v.id === input.MoveToVersionId && !v.stages.includes(String(input.VersionStage))) v.stages.push(String(input.VersionStage));
        return {};
      }
      case 'TagResource': {
        s.since = (input.Tags as Array<{ Value: string }>)[0].Value;
        return {};
      }
      default:
        throw new Error(`unexpected ${op}`);
    }
  };
  return { sm: { send } as unknown as SecretsManagerClient, sent, ops: () => sent.map((x) => x.command) };
}

/** A strategy whose revoke records what it was given (and the history it read), or fails with `error`. */
function revoker(error?: Error) {
  const revoked: Array<{ token: string; secretArn: string; previousValue: string; currentValue: string; now: Date; overlapEndsAt?: Date }> = [];
  const strategy: RotationStrategy = {
    create: () => Promise.reject(new Error('unused')),
    test: () => Promise.reject(new Error('unused')),
    revoke: async (ctx: StrategyContext & { previousValue: string; currentValue: string }) => {
      if (error) throw error;
      const history = await ctx.history();
      revoked.push({ token: ctx.token, secretArn: ctx.secretArn, previousValue: ctx.previousValue, currentValue: ctx.currentValue, now: ctx.now, overlapEndsAt: history.overlapEndsAt });
    },
  };
  return { strategy, revoked };
}

const CUSTOM = { strategy: 'custom', hookFunction: 'arn:aws:lambda:us-east-1:123456789012:function:hook' } as const;
/** A rotated credential: due after 100 s, overdue after 200 s (small numbers, to test the edges). */
const rotatedBinding = (over: Partial<ResolvedBinding> = {}): ResolvedBinding => ({ integration: 'Crm', credential: 'api-key', rotation: CUSTOM, overlapSeconds: 0, ticketAfterSeconds: 100, pageAfterSeconds: 200, ...over });
const partnerHeld = (over: Partial<ResolvedBinding> = {}): ResolvedBinding => rotatedBinding({ credential: 'webhook-signing-secret', rotation: undefined, ...over });
/** The record a finishSecret writes when it moves AWSCURRENT. */
const moved = (id: string, at: number) => `${id}@${new Date(at).toISOString()}@moved`;

async function run(secrets: FakeSecret[], bindings: Array<[string, ResolvedBinding]>, options: { fail?: Parameters<typeof fakeSm>[1]; strategy?: RotationStrategy; now?: Date | null } = {}) {
  const fake = fakeSm(secrets, options.fail);
  const lines: Array<{ level: string; msg: string; extra?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, extra?: Record<string, unknown>) => lines.push({ level, msg, extra });
  const published: SweepMetrics[] = [];
  const strategies: unknown[] = [];
  const reports = await sweep({
    secretsManager: fake.sm,
    bindings: new Map(bindings),
    strategyFor: (r) => (strategies.push(r), options.strategy ?? revoker().strategy),
    log: { info: at('info'), warn: at('warn'), error: at('error') },
    publish: (m) => published.push(m),
    ...(options.now === null ? {} : { now: () => options.now ?? NOW }),
  });
  return { reports, published, lines, strategies, ...fake };
}

describe("a credential's age against its policy age (ticket) and its classification's limit (page)", () => {
  const aged = (seconds: number): FakeSecret => ({ name: 'integrations/stripe', versions: [{ id: 'v1', stages: ['AWSCURRENT'], createdAt: T - seconds * 1000, value: 'whsec' }] });
  const at = async (seconds: number) => (await run([aged(seconds)], [['integrations/stripe', partnerHeld()]])).reports[0];

  test('is in whole seconds, rounded down', async () => {
    expect((await at(90.9)).ageSeconds).toBe(90);
  });

  test('is 0, never negative, for a version the function clock sees as created in the future (clock skew)', async () => {
    expect((await at(-5)).ageSeconds).toBe(0);
  });

  test('is due only past the policy age, and overdue only past the limit', async () => {
    const base = { secretName: 'integrations/stripe', integration: 'Crm', credential: 'webhook-signing-secret', revoked: [] };
    expect(await at(100)).toStrictEqual({ ...base, ageSeconds: 100, due: false, overdue: false });
    expect(await at(101)).toStrictEqual({ ...base, ageSeconds: 101, due: true, overdue: false });
    expect(await at(200)).toStrictEqual({ ...base, ageSeconds: 200, due: true, overdue: false });
    expect(await at(201)).toStrictEqual({ ...base, ageSeconds: 201, due: true, overdue: true });
  });

  test('is logged at the level of what it needs: info when fine, warn when due (ticket), error when overdue (page), with the report', async () => {
    const levels = async (seconds: number) => (await run([aged(seconds)], [['integrations/stripe', partnerHeld()]])).lines;
    expect(await levels(10)).toEqual([{ level: 'info', msg: 'credential checked', extra: expect.objectContaining({ secretName: 'integrations/stripe', ageSeconds: 10, due: false }) }]);
    expect(await levels(150)).toEqual([{ level: 'warn', msg: 'credential past its policy age', extra: expect.objectContaining({ ageSeconds: 150, due: true, overdue: false }) }]);
    expect(await levels(250)).toEqual([{ level: 'error', msg: "credential past its classification's limit", extra: expect.objectContaining({ ageSeconds: 250, overdue: true }) }]);
  });

  test('is measured against the real clock when the sweep is given none', async () => {
    const { reports } = await run([{ name: 'integrations/stripe', versions: [{ id: 'v1', stages: ['AWSCURRENT'], createdAt: Date.now() - 150_000, value: 'whsec' }] }], [['integrations/stripe', partnerHeld()]], { now: null });
    expect(reports[0].ageSeconds).toBeGreaterThanOrEqual(150);
    expect(reports[0].due).toBe(true);
  });
});

describe('what the sweep asks Secrets Manager', () => {
  test("a credential is described by its name, then read by the ARN DescribeSecret gives; a partner-held one is only listed", async () => {
    const name = 'integrations/stripe';
    const { sent, strategies } = await run([{ name, versions: [{ id: 'v1', stages: ['AWSCURRENT'], createdAt: T, value: 'whsec' }] }], [[name, partnerHeld()]]);
    expect(sent).toEqual([
      { command: 'DescribeSecret', input: { SecretId: name } },
      { command: 'ListSecretVersionIds', input: { SecretId: ARN(name), IncludeDeprecated: true, NextToken: undefined } },
    ]);
    expect(strategies).toEqual([]);
  });

  test('without an ARN in the answer (a binding without an ARN suffix), the name is used throughout', async () => {
    const name = 'integrations/crm';
    const { sent, strategies } = await run([{ name, arn: null, versions: [{ id: 'v1', stages: ['AWSCURRENT'], createdAt: T, value: 'k' }], since: moved('v1', T) }], [[name, rotatedBinding()]]);
    expect(new Set(sent.map((s) => s.input.SecretId))).toEqual(new Set([name]));
    expect(strategies).toEqual([CUSTOM]);
  });

  test("a secret whose ARN is not the deployed one (deleted and re-created) is a failure naming its ARN, and nothing else is read", async () => {
    const name = 'integrations/crm';
    const { reports, sent, published } = await run([{ name, versions: [{ id: 'v1', stages: ['AWSCURRENT'], createdAt: T, value: 'k' }] }], [[name, rotatedBinding({ arnSuffix: 'XyZ123' })]]);
    expect(reports).toStrictEqual([
      { secretName: name, integration: 'Crm', credential: 'api-key', due: false, overdue: false, revoked: [], error: `secret ${ARN(name)} has the credential's name but not its deployed ARN (deleted and re-created?): it is not swept` },
    ]);
    expect(sent.map((s) => s.command)).toEqual(['DescribeSecret']);
    expect(published).toEqual([{ credentials: [], integrations: [{ integration: 'Crm', due: 0, overdue: 0 }], failures: 1 }]);
  });
});

describe('rotations that never happened or never finished', () => {
  const deployed = (createdAt: number, since?: string): FakeSecret => ({ name: 'integrations/crm', versions: [{ id: 'v0', stages: ['AWSCURRENT'], createdAt, value: 'placeholder' }], since });
  const sweepOf = async (s: FakeSecret, b = rotatedBinding({ ticketAfterSeconds: 1e9, pageAfterSeconds: 1e9 })) => (await run([s], [['integrations/crm', b]])).reports[0];
  const NOT_ROTATED =
    "not rotated: AWSCURRENT holds a value no rotation put there (the value written at deploy, after a failed first rotation, or one moved there by hand); see the rotation function's log";

  test('the value written at deploy is not a problem for the first hour, and pages (overdue) from the hour on', async () => {
    const inGrace = await sweepOf(deployed(T - FIRST_ROTATION_GRACE_MS));
    expect([inGrace.due, inGrace.overdue, inGrace.problems]).toEqual([false, false, undefined]);
    expect(await sweepOf(deployed(T - FIRST_ROTATION_GRACE_MS - 1))).toEqual(expect.objectContaining({ due: true, overdue: true, problems: [NOT_ROTATED] }));
    expect(FIRST_ROTATION_GRACE_MS).toBe(HOUR);
  });

  test("a value a finishSecret recorded moving there is rotated; one merely seen by a sweep is not", async () => {
    expect(await sweepOf(deployed(T - 2 * HOUR, moved('v0', T - 2 * HOUR)))).toEqual(expect.objectContaining({ due: false, overdue: false }));
    expect(await sweepOf(deployed(T - 2 * HOUR, `v0@${new Date(T - 2 * HOUR).toISOString()}@seen`))).toEqual(expect.objectContaining({ overdue: true, problems: [NOT_ROTATED] }));
  });

  test('a partner-held secret is never expected to rotate', async () => {
    const report = await sweepOf(deployed(T - 2 * HOUR), partnerHeld({ ticketAfterSeconds: 1e9, pageAfterSeconds: 1e9 }));
    expect(report).toStrictEqual({ secretName: 'integrations/crm', integration: 'Crm', credential: 'webhook-signing-secret', ageSeconds: 7200, due: false, overdue: false, revoked: [] });
  });

  test('when AWSCURRENT moved between DescribeSecret and the listing (a finishSecret in between), the new one is not judged on the old record', async () => {
    const s: FakeSecret = {
      name: 'integrations/crm',
      versions: [
        { id: 'v0', stages: ['AWSPREVIOUS'], createdAt: T - 3 * HOUR, value: 'placeholder' },
        { id: 'v1', stages: ['AWSCURRENT'], createdAt: T - 2 * HOUR, value: 'k1' },
      ],
      describedStages: { v0: ['AWSCURRENT'], v1: ['AWSPENDING'] },
    };
    const strategy = revoker();
    const { reports } = await run([s], [['integrations/crm', rotatedBinding({ ticketAfterSeconds: 1e9, pageAfterSeconds: 1e9 })]], { strategy: strategy.strategy });
    expect(reports[0]).toEqual(expect.objectContaining({ due: false, overdue: false, revoked: [] }));
    expect(strategy.revoked).toEqual([]);
  });

  test('a rotation pending for exactly 6 hours is not yet stuck; past that it is due (a ticket), naming the version and since when', async () => {
    const pendingSince = (ms: number): FakeSecret => ({
      name: 'integrations/crm',
      versions: [
        { id: 'v1', stages: ['AWSCURRENT'], createdAt: T - 7 * HOUR, value: 'k1' },
        { id: 'v2', stages: ['AWSPENDING'], createdAt: T - ms },
      ],
      since: moved('v1', T - 7 * HOUR),
    });
    expect(STUCK_ROTATION_MS).toBe(6 * HOUR);
    const notYet = await sweepOf(pendingSince(STUCK_ROTATION_MS));
    expect([notYet.due, notYet.overdue, notYet.problems]).toEqual([false, false, undefined]);
    expect(await sweepOf(pendingSince(STUCK_ROTATION_MS + 1))).toEqual(
      expect.objectContaining({
        due: true,
        overdue: false,
        problems: [`a rotation has been pending since ${new Date(T - STUCK_ROTATION_MS - 1).toISOString()} (version v2): Secrets Manager refuses new rotations until it completes or AWSPENDING is removed`],
      }),
    );
  });

  test('AWSPENDING on the AWSCURRENT version is not a pending rotation, and a partner-held secret is not checked for one', async () => {
    const s: FakeSecret = { name: 'integrations/crm', versions: [{ id: 'v1', stages: ['AWSCURRENT', 'AWSPENDING'], createdAt: T - 7 * HOUR, value: 'k1' }], since: moved('v1', T - 7 * HOUR) };
    expect((await sweepOf(s)).problems).toBeUndefined();
    const partner: FakeSecret = { ...s, versions: [{ id: 'v1', stages: ['AWSCURRENT'], createdAt: T - 7 * HOUR, value: 'k1' }, { id: 'v2', stages: ['AWSPENDING'], createdAt: T - 7 * HOUR }] };
    expect((await sweepOf(partner, partnerHeld({ ticketAfterSeconds: 1e9, pageAfterSeconds: 1e9 }))).problems).toBeUndefined();
  });

  test('a secret with no AWSCURRENT version is reported (and counted) as a failure, with no age', async () => {
    const { reports, published, lines } = await run([{ name: 'integrations/crm', versions: [{ id: 'v1', stages: ['AWSPREVIOUS'], createdAt: T, value: 'k' }] }], [['integrations/crm', partnerHeld()]]);
    const failure = { secretName: 'integrations/crm', integration: 'Crm', credential: 'webhook-signing-secret', due: false, overdue: false, revoked: [], error: 'the secret has no AWSCURRENT version' };
    expect(reports).toStrictEqual([failure]);
    expect(published).toEqual([{ credentials: [], integrations: [{ integration: 'Crm', due: 0, overdue: 0 }], failures: 1 }]);
    // Logged as the failure it is counted as, not as "credential checked" at info.
    expect(lines).toStrictEqual([{ level: 'error', msg: 'credential sweep failed for a credential', extra: failure }]);
  });
});

describe('deferred revocation in the sweep', () => {
  const rotatedOnce = (movedAt: number): FakeSecret => ({
    name: 'integrations/crm',
    versions: [
      { id: 'v1', stages: ['AWSPREVIOUS'], createdAt: T - 5 * HOUR, value: 'key-1' },
      { id: 'v2', stages: ['AWSCURRENT'], createdAt: T - 4 * HOUR, value: 'key-2' },
    ],
    since: moved('v2', movedAt),
  });

  test('the superseded credential is revoked once the overlap after AWSCURRENT moved has ended, with the values, the clock and the history of this sweep', async () => {
    const strategy = revoker();
    const { reports } = await run([rotatedOnce(T - 2 * HOUR)], [['integrations/crm', rotatedBinding({ overlapSeconds: 3600, ticketAfterSeconds: 1e9, pageAfterSeconds: 1e9 })]], { strategy: strategy.strategy });
    expect(strategy.revoked).toEqual([{ token: 'v1', secretArn: ARN('integrations/crm'), previousValue: 'key-1', currentValue: 'key-2', now: NOW, overlapEndsAt: new Date(T - HOUR) }]);
    expect(reports[0].revoked).toEqual(['v1']);
  });

  test('inside the overlap nothing is revoked', async () => {
    const strategy = revoker();
    const { reports } = await run([rotatedOnce(T - 30 * 60 * 1000)], [['integrations/crm', rotatedBinding({ overlapSeconds: 3600 })]], { strategy: strategy.strategy });
    expect(strategy.revoked).toEqual([]);
    expect(reports[0].revoked).toEqual([]);
  });

  test('a revocation that fails (the hook refused) is a failure of that credential, logged, and the watermark stays', async () => {
    const secret = rotatedOnce(T - 2 * HOUR);
    const { reports, lines, published } = await run([secret], [['integrations/crm', rotatedBinding()]], { strategy: revoker(new Error("hook function h answered 'revoke' without ok: true")).strategy });
    expect(reports).toStrictEqual([{ secretName: 'integrations/crm', integration: 'Crm', credential: 'api-key', due: false, overdue: false, revoked: [], error: "hook function h answered 'revoke' without ok: true" }]);
    expect(lines).toEqual([
      { level: 'error', msg: 'credential sweep failed for a credential', extra: { secretName: 'integrations/crm', integration: 'Crm', credential: 'api-key', error: "hook function h answered 'revoke' without ok: true" } },
    ]);
    expect(published[0].failures).toBe(1);
    expect(secret.versions.flatMap((v) => v.stages)).not.toContain(ROTATION_LABELS.REVOKED);
  });
});

describe('Secrets Manager failing', () => {
  const fine = (name: string): FakeSecret => ({ name, versions: [{ id: 'v1', stages: ['AWSCURRENT'], createdAt: T - 150_000, value: 'k' }], since: moved('v1', T - 150_000) });

  test('a throttled DescribeSecret fails that credential only: the others are still swept, and the failure is counted', async () => {
    const { reports, published } = await run(
      [fine('integrations/a'), fine('integrations/b')],
      [
        ['integrations/a', rotatedBinding({ integration: 'A' })],
        ['integrations/b', rotatedBinding({ integration: 'B' })],
      ],
      { fail: (op, input) => (op === 'DescribeSecret' && input.SecretId === 'integrations/a' ? throttled() : undefined) },
    );
    expect(reports.map((r) => [r.secretName, r.error, r.ageSeconds])).toEqual([
      ['integrations/a', 'Rate exceeded', undefined],
      ['integrations/b', undefined, 150],
    ]);
    expect(published).toEqual([{ credentials: [{ integration: 'B', credential: 'api-key', ageSeconds: 150 }], integrations: [{ integration: 'A', due: 0, overdue: 0 }, { integration: 'B', due: 1, overdue: 0 }], failures: 1 }]);
  });

  test('a denied GetSecretValue during revocation fails that credential, naming the denial', async () => {
    const secret: FakeSecret = { ...fine('integrations/a'), versions: [{ id: 'v0', stages: ['AWSPREVIOUS'], createdAt: T - 300_000, value: 'k0' }, ...fine('integrations/a').versions] };
    const { reports } = await run([secret], [['integrations/a', rotatedBinding()]], { fail: (op) => (op === 'GetSecretValue' ? denied() : undefined) });
    expect(reports[0].error).toBe('not authorized to perform: secretsmanager:GetSecretValue');
  });
});

test('what is published: each measured age, the due and overdue counts per integration in order, and the failures', async () => {
  const secret = (name: string, ageSeconds: number): FakeSecret => ({ name, versions: [{ id: 'v1', stages: ['AWSCURRENT'], createdAt: T - ageSeconds * 1000, value: 'k' }] });
  const { published } = await run(
    [secret('s/fine', 10), secret('s/due', 150), secret('s/overdue', 250), secret('s/other', 10)],
    [
      ['s/fine', partnerHeld({ integration: 'Erp', credential: 'a' })],
      ['s/due', partnerHeld({ integration: 'Erp', credential: 'b' })],
      ['s/overdue', partnerHeld({ integration: 'Erp', credential: 'c' })],
      ['s/other', partnerHeld({ integration: 'Hr', credential: 'd' })],
      ['s/missing', partnerHeld({ integration: 'Hr', credential: 'e' })],
    ],
  );
  expect(published).toStrictEqual([
    {
      credentials: [
        { integration: 'Erp', credential: 'a', ageSeconds: 10 },
        { integration: 'Erp', credential: 'b', ageSeconds: 150 },
        { integration: 'Erp', credential: 'c', ageSeconds: 250 },
        { integration: 'Hr', credential: 'd', ageSeconds: 10 },
      ],
      integrations: [
        { integration: 'Erp', due: 2, overdue: 1 },
        { integration: 'Hr', due: 0, overdue: 0 },
      ],
      failures: 1,
    },
  ]);
});
