import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import type { ResolvedBinding } from '../../../lambda/rotation/bindings';
import { sdkCognitoClientSecretApi } from '../../../lambda/rotation/cognito-client-secret';
import { type HookInvoker, lambdaHookInvoker } from '../../../lambda/rotation/custom-hook';
import { rotationHookHandler } from '../../../lambda/rotation/hook';
import { rotate, type RotationDependencies, type RotationStep } from '../../../lambda/rotation/rotate';
import { strategyFor } from '../../../lambda/rotation/strategies';
import { BindingMismatchError, CredentialTestError } from '../../../lambda/rotation/strategy';
import { sweep } from '../../../lambda/rotation/sweep';
import type { CognitoClientSecretValue, CredentialRotationHook, CredentialRotationHookResponse } from '../../../lib/secrets/rotation-config';
import { ROTATION_LABELS } from '../../../lib/secrets/rotation-config';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { CognitoStandIn } from '../../support/cognito-stand-in';
import { binding, createMotoRotationFunction, createRotatingSecret, startRotation } from '../../support/rotation-fixtures';

// The Cognito and custom strategies, with their four steps run against moto_server's Secrets
// Manager (real version stages) and moto's Cognito user pools and app clients. Cognito's
// two-active-secrets API and token endpoint come from the stand-in in test/support/cognito-stand-in.ts
// (moto 5.2.1 has neither); the rotation talks to it through the real AWS SDK client.
//
// Every secret is BOUND as the platform binds it at deploy (test/support/rotation-fixtures.ts
// `binding`): the tests attack the secret's value, never the binding, which only a deployment changes.

const sm = new SecretsManagerClient(motoClientConfig());
const logs: Array<{ level: string; msg: string; extra?: Record<string, unknown> }> = [];
const log = {
  info: (msg: string, extra?: Record<string, unknown>) => logs.push({ level: 'info', msg, extra }),
  warn: (msg: string, extra?: Record<string, unknown>) => logs.push({ level: 'warn', msg, extra }),
  error: (msg: string, extra?: Record<string, unknown>) => logs.push({ level: 'error', msg, extra }),
};
const HOUR = 3600 * 1000;
const bindings = new Map<string, ResolvedBinding>();

let rotationFunctionArn: string;
beforeAll(async () => {
  rotationFunctionArn = await createMotoRotationFunction();
});
beforeEach(() => {
  logs.length = 0;
});

const stages = async (arn: string) => (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
const valueAt = async (arn: string, VersionStage: string) => (await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage }))).SecretString!;
const pendingOf = async (arn: string, token: string) => JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString!) as CognitoClientSecretValue;
/** A bound secret with rotation started (AWSPENDING on a version without a value). */
async function boundSecret(value: string, b: ResolvedBinding) {
  const secret = await createRotatingSecret(sm, rotationFunctionArn, { value });
  bindings.set(secret.name, b);
  return secret;
}

describe('cognito-client-secret strategy (moto Secrets Manager and user pools, stand-in client-secret API)', () => {
  const cognito = new CognitoStandIn();
  let idp: CognitoIdentityProviderClient;
  let userPoolId: string;
  beforeAll(async () => {
    idp = new CognitoIdentityProviderClient({ ...motoClientConfig(), endpoint: await cognito.start() });
    userPoolId = (await idp.send(new CreateUserPoolCommand({ PoolName: uniqueName('integrations') }))).UserPool!.Id!;
  });
  afterAll(() => cognito.stop());

  /** An app client as the platform creates it: named after the integration, with a generated secret. */
  async function appClient(name = uniqueName('Crm')) {
    const client = (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: name, GenerateSecret: true }))).UserPoolClient!;
    return { name, clientId: client.ClientId!, generated: client.ClientSecret! };
  }
  /** The binding the platform writes for an integration's own client. */
  const boundTo = (name: string, overlapSeconds = 0) =>
    binding({ strategy: 'cognito-client-secret', userPoolId, client: { name }, tokenEndpoint: cognito.tokenEndpoint }, { overlapSeconds });
  const deps = (now = new Date()): RotationDependencies => {
    const api = sdkCognitoClientSecretApi(idp);
    return { secretsManager: sm, bindings, strategyFor: (r) => strategyFor(r, { secretsManager: sm, cognito: api, invokeHook: () => Promise.reject(new Error('unused')) }), log, now: () => now };
  };
  const step = (arn: string, token: string, Step: RotationStep, now?: Date) => {
    cognito.phase = Step;
    return rotate({ SecretId: arn, ClientRequestToken: token, Step }, deps(now));
  };
  const rotation = async (arn: string, token: string, now?: Date) => {
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await step(arn, token, s, now);
  };
  /** The hourly sweep, for one secret, at a given time. */
  const sweepAt = async (name: string, now: Date) => {
    cognito.phase = 'sweep';
    const api = sdkCognitoClientSecretApi(idp);
    return sweep({ secretsManager: sm, bindings: new Map([[name, bindings.get(name)!]]), strategyFor: (r) => strategyFor(r, { secretsManager: sm, cognito: api, invokeHook: () => Promise.reject(new Error('unused')) }), log, publish: () => undefined, now: () => now });
  };
  /** The value the construct writes before the first rotation: pool and client, no secret. */
  const synthesized = (clientId: string) => JSON.stringify({ userPoolId, clientId });

  test('the first rotation adopts the secret Cognito generated, from the value the construct writes, and it works at once', async () => {
    const client = await appClient();
    const { arn, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name));
    await rotation(arn, token);
    const current = JSON.parse(await valueAt(arn, 'AWSCURRENT')) as CognitoClientSecretValue;
    expect(current).toEqual({ userPoolId, clientId: client.clientId, clientSecret: client.generated, clientSecretId: cognito.ids(userPoolId, client.clientId)[0] });
    expect(cognito.ids(userPoolId, client.clientId)).toHaveLength(1); // nothing added, nothing deleted
    expect(cognito.accepts(userPoolId, client.clientId, current.clientSecret!)).toBe(true);
    // Cognito's own secret needs no token to prove it (and the domain may not resolve yet at deploy).
    expect(cognito.calls.filter((c) => c.clientId === client.clientId && c.op === 'token')).toEqual([]);
  });

  test('a secret the rotation added is proven with a client-credentials token in testSecret', async () => {
    const client = await appClient();
    const { arn, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name));
    await rotation(arn, token);
    const next = await startRotation(sm, rotationFunctionArn, arn);
    await rotation(arn, next);
    expect(cognito.calls.filter((c) => c.clientId === client.clientId && c.op === 'token')).toEqual([{ op: 'token', phase: 'testSecret', clientId: client.clientId }]);
  });

  test('the value an earlier version of the library wrote ("clientSecret": "") is adopted the same way', async () => {
    const client = await appClient();
    const { arn, token } = await boundSecret(JSON.stringify({ userPoolId, clientId: client.clientId, clientSecret: '' }), boundTo(client.name));
    await rotation(arn, token);
    expect(JSON.parse(await valueAt(arn, 'AWSCURRENT')).clientSecret).toBe(client.generated);
  });

  test('later rotations add a secret; the previous one keeps working for the overlap, then the sweep deletes it', async () => {
    const client = await appClient();
    const { arn, name, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name, 24 * 3600));
    await rotation(arn, token);
    const first = JSON.parse(await valueAt(arn, 'AWSCURRENT')) as CognitoClientSecretValue;
    const next = await startRotation(sm, rotationFunctionArn, arn);
    await rotation(arn, next);
    const second = JSON.parse(await valueAt(arn, 'AWSCURRENT')) as CognitoClientSecretValue;
    expect(second.clientSecretId).not.toBe(first.clientSecretId);
    // Both work: a partner that cached the first secret is not cut off.
    expect(cognito.accepts(userPoolId, client.clientId, first.clientSecret!)).toBe(true);
    expect(cognito.accepts(userPoolId, client.clientId, second.clientSecret!)).toBe(true);
    expect(cognito.calls.filter((c) => c.clientId === client.clientId && c.op === 'DeleteUserPoolClientSecret')).toEqual([]);

    await sweepAt(name, new Date(Date.now() + 23 * HOUR)); // within the overlap
    expect(cognito.ids(userPoolId, client.clientId)).toEqual([first.clientSecretId, second.clientSecretId]);
    await sweepAt(name, new Date(Date.now() + 25 * HOUR)); // past it
    expect(cognito.ids(userPoolId, client.clientId)).toEqual([second.clientSecretId]);
    expect(cognito.calls.filter((c) => c.clientId === client.clientId && c.op === 'DeleteUserPoolClientSecret')).toEqual([
      { op: 'DeleteUserPoolClientSecret', phase: 'sweep', clientId: client.clientId, clientSecretId: first.clientSecretId },
    ]);
    // Once revoked, the watermark moved: the next sweep deletes nothing more.
    await sweepAt(name, new Date(Date.now() + 26 * HOUR));
    expect(cognito.calls.filter((c) => c.op === 'DeleteUserPoolClientSecret' && c.clientId === client.clientId)).toHaveLength(1);
  });

  test('two full rotations of the synthesized value, each at its scheduled time, keep exactly one working secret between overlaps', async () => {
    const client = await appClient();
    const { arn, name, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name, 3600));
    await rotation(arn, token);
    for (let i = 1; i <= 2; i++) {
      const t = await startRotation(sm, rotationFunctionArn, arn);
      await rotation(arn, t, new Date(Date.now() + (i - 1) * 2 * HOUR));
      await sweepAt(name, new Date(Date.now() + (i * 2 - 1) * HOUR + 10 * 60 * 1000));
      const current = JSON.parse(await valueAt(arn, 'AWSCURRENT')) as CognitoClientSecretValue;
      expect(cognito.ids(userPoolId, client.clientId)).toEqual([current.clientSecretId]);
      expect(cognito.accepts(userPoolId, client.clientId, current.clientSecret!)).toBe(true);
    }
  });

  describe('the value cannot choose the client (cross-integration takeover)', () => {
    test("a value naming another integration's client fails createSecret and touches neither client", async () => {
      const mine = await appClient('Alpha-' + uniqueName('a'));
      const theirs = await appClient('Beta-' + uniqueName('b'));
      const { arn, token } = await boundSecret(synthesized(mine.clientId), boundTo(mine.name));
      await rotation(arn, token);
      // Someone allowed PutSecretValue on this credential (the resource policy now denies it) writes the other client's id.
      await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ userPoolId, clientId: theirs.clientId, clientSecret: 'x'.repeat(40), clientSecretId: 'x' }) }));
      const theirIds = cognito.ids(userPoolId, theirs.clientId);
      const next = await startRotation(sm, rotationFunctionArn, arn);
      await expect(step(arn, next, 'createSecret')).rejects.toThrow(BindingMismatchError);
      await expect(step(arn, next, 'createSecret')).rejects.toThrow(/bound to the app client named 'Alpha-/);
      expect(cognito.ids(userPoolId, theirs.clientId)).toEqual(theirIds); // their secrets untouched
      expect(cognito.calls.filter((c) => c.clientId === theirs.clientId && ['AddUserPoolClientSecret', 'DeleteUserPoolClientSecret'].includes(c.op))).toEqual([]);
      expect((await stages(arn))[next]).toEqual(['AWSPENDING']); // nothing stored for the writer
    });

    test('a value naming another user pool fails before any Cognito call', async () => {
      const mine = await appClient();
      const { arn, token } = await boundSecret(JSON.stringify({ userPoolId: 'us-east-1_Elsewhere1', clientId: mine.clientId }), boundTo(mine.name));
      const before = cognito.calls.length;
      await expect(step(arn, token, 'createSecret')).rejects.toThrow(/names user pool us-east-1_Elsewhere1, but this credential is bound to user pool/);
      expect(cognito.calls.slice(before)).toEqual([]);
    });

    test("a superseded value naming another client is never revoked: its secret is not this rotation's to delete", async () => {
      const mine = await appClient();
      const theirs = await appClient();
      const { arn, name, token } = await boundSecret(synthesized(mine.clientId), boundTo(mine.name));
      await rotation(arn, token);
      const theirIds = await sdkCognitoClientSecretApi(idp).list(userPoolId, theirs.clientId);
      expect(theirIds).toHaveLength(1);
      // A planted version naming their client, then (as if) superseded by a genuine rotation.
      await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ userPoolId, clientId: theirs.clientId, clientSecret: 'x'.repeat(40), clientSecretId: theirIds[0] }), VersionStages: ['PLANTED'] }));
      const next = await startRotation(sm, rotationFunctionArn, arn);
      for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) await step(arn, next, s);
      // The finish (overlap 0) revokes what AWSCURRENT superseded, and refuses the planted value; the sweep keeps refusing it.
      await expect(step(arn, next, 'finishSecret')).rejects.toThrow(/not the bound client: its secret is not this rotation's to delete/);
      await expect(sweepAt(name, new Date(Date.now() + HOUR))).resolves.toEqual([expect.objectContaining({ error: expect.stringMatching(/not the bound client: its secret is not this rotation's to delete/) })]);
      expect(cognito.ids(userPoolId, theirs.clientId)).toEqual(theirIds);
    });
  });

  describe('createSecret never revokes a live credential', () => {
    test("a secret an operator added is not deleted: the rotation fails and says why", async () => {
      const client = await appClient();
      const { arn, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name));
      await rotation(arn, token);
      const operators = await cognito.addByOperator(userPoolId, client.clientId);
      const next = await startRotation(sm, rotationFunctionArn, arn);
      await expect(step(arn, next, 'createSecret')).rejects.toThrow(new RegExp(`holds client secret ${operators.id}, which no version of this credential names`));
      expect(cognito.ids(userPoolId, client.clientId)).toContain(operators.id);
      expect(cognito.accepts(userPoolId, client.clientId, JSON.parse(await valueAt(arn, 'AWSCURRENT')).clientSecret)).toBe(true);
    });

    test('a secret left by a createSecret that crashed after adding it is not deleted either (its value is lost; a person decides)', async () => {
      const client = await appClient();
      const { arn, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name));
      await rotation(arn, token);
      const next = await startRotation(sm, rotationFunctionArn, arn);
      const orphan = await sdkCognitoClientSecretApi(idp).add(userPoolId, client.clientId); // the crashed attempt's AddUserPoolClientSecret
      await expect(step(arn, next, 'createSecret')).rejects.toThrow(/left by a createSecret that crashed after adding it/);
      expect(cognito.ids(userPoolId, client.clientId)).toContain(orphan.id);
    });

    test('the previous secret is not deleted while its overlap runs: a rotation inside the overlap is refused', async () => {
      const client = await appClient();
      const { arn, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name, 24 * 3600));
      await rotation(arn, token);
      const second = await startRotation(sm, rotationFunctionArn, arn);
      await rotation(arn, second);
      const previous = JSON.parse(await valueAt(arn, 'AWSPREVIOUS')) as CognitoClientSecretValue;
      const third = await startRotation(sm, rotationFunctionArn, arn);
      await expect(step(arn, third, 'createSecret', new Date(Date.now() + HOUR))).rejects.toThrow(/stays valid until .* \(the overlap\)/);
      expect(cognito.accepts(userPoolId, client.clientId, previous.clientSecret!)).toBe(true);
      // After the overlap the same rotation goes through, deleting the previous secret first.
      await rotation(arn, third, new Date(Date.now() + 25 * HOUR));
      expect(cognito.accepts(userPoolId, client.clientId, previous.clientSecret!)).toBe(false);
    });

    test("a secret an abandoned rotation issued (never current) is the rotation's own and is deleted to make room", async () => {
      const client = await appClient();
      const { arn, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name));
      await rotation(arn, token);
      const abandoned = await startRotation(sm, rotationFunctionArn, arn);
      await step(arn, abandoned, 'createSecret');
      const abandonedValue = await pendingOf(arn, abandoned);
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: abandoned })); // an operator unblocks rotation
      const next = await startRotation(sm, rotationFunctionArn, arn);
      await rotation(arn, next);
      expect(cognito.ids(userPoolId, client.clientId)).not.toContain(abandonedValue.clientSecretId);
    });
  });

  test('createSecret replayed adds no third secret', async () => {
    const client = await appClient();
    const { arn, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name));
    await rotation(arn, token);
    const next = await startRotation(sm, rotationFunctionArn, arn);
    await step(arn, next, 'createSecret');
    await step(arn, next, 'createSecret');
    expect(cognito.calls.filter((c) => c.clientId === client.clientId && c.op === 'AddUserPoolClientSecret')).toHaveLength(1);
    expect(cognito.ids(userPoolId, client.clientId)).toHaveLength(2);
  });

  test('a pending secret the token endpoint refuses fails testSecret, and finishSecret then refuses to promote it', async () => {
    const client = await appClient();
    const { arn, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name));
    await rotation(arn, token);
    const next = await startRotation(sm, rotationFunctionArn, arn);
    await step(arn, next, 'createSecret');
    const pending = await pendingOf(arn, next);
    cognito.secrets.get(`${userPoolId}/${client.clientId}`)!.find((s) => s.id === pending.clientSecretId)!.value = 'rotated-behind-our-back';
    await expect(step(arn, next, 'testSecret')).rejects.toThrow(CredentialTestError);
    await expect(step(arn, next, 'testSecret')).rejects.toThrow(/token endpoint refused the pending client secret: HTTP 400/);
    await expect(step(arn, next, 'finishSecret')).rejects.toThrow(/has not passed testSecret/);
    expect((await stages(arn))[token]).toEqual([ROTATION_LABELS.TESTED, 'AWSCURRENT']);
  });

  test("a pending secret that is not one of the client's secrets fails testSecret", async () => {
    const client = await appClient();
    const { arn, token } = await boundSecret(synthesized(client.clientId), boundTo(client.name));
    await rotation(arn, token);
    const next = await startRotation(sm, rotationFunctionArn, arn);
    await step(arn, next, 'createSecret');
    await sdkCognitoClientSecretApi(idp).delete(userPoolId, client.clientId, (await pendingOf(arn, next)).clientSecretId!);
    await expect(step(arn, next, 'testSecret')).rejects.toThrow(/is not one of app client .*'s secrets/);
  });

  test('a client bound by id (Rotation.cognitoClientSecret({ client })) rejects a value naming another id', async () => {
    const mine = await appClient();
    const theirs = await appClient();
    const b = binding({ strategy: 'cognito-client-secret', userPoolId, client: { id: mine.clientId } });
    const { arn, token } = await boundSecret(synthesized(theirs.clientId), b);
    await expect(step(arn, token, 'createSecret')).rejects.toThrow(new RegExp(`names app client ${theirs.clientId}, but this credential is bound to app client ${mine.clientId}`));
  });
});

describe('custom strategy (moto Secrets Manager, in-process hook)', () => {
  /** A third party that issues API keys, and a hook for it that records what it was asked. */
  function partner(options: { overlapSeconds?: number; answer?: Partial<Record<'test' | 'revoke', CredentialRotationHookResponse>> } = {}) {
    const live = new Set<string>(['key-initial']);
    const calls: Array<{ action: string; phase: string; value?: string }> = [];
    const state = { phase: '', failTest: false };
    const hook: CredentialRotationHook = {
      issue: ({ token }) => {
        calls.push({ action: 'issue', phase: state.phase });
        live.add(`key-${token}`);
        return { value: `key-${token}` };
      },
      test: async ({ pendingValue }) => {
        calls.push({ action: 'test', phase: state.phase, value: pendingValue });
        if (state.failTest || !live.has(pendingValue)) throw new Error('the partner API refused the key');
      },
      revoke: async ({ previousValue }) => {
        calls.push({ action: 'revoke', phase: state.phase, value: previousValue });
        live.delete(previousValue);
      },
    };
    const handler = rotationHookHandler(hook);
    // Through JSON, as Lambda would carry the request and the response; `answer` replaces what a (broken) hook returns.
    const invokeHook: HookInvoker = async (_fn, request) => {
      const out = JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(request)))));
      return (request.action !== 'issue' && options.answer?.[request.action]) || out;
    };
    const b = binding({ strategy: 'custom', hookFunction: 'arn:aws:lambda:us-east-1:123456789012:function:partner-key-rotation' }, { overlapSeconds: options.overlapSeconds ?? 0 });
    const services = { secretsManager: sm, cognito: sdkCognitoClientSecretApi(new CognitoIdentityProviderClient({})), invokeHook };
    const deps = (now = new Date()): RotationDependencies => ({ secretsManager: sm, bindings, strategyFor: (r) => strategyFor(r, services), log, now: () => now });
    const step = (arn: string, token: string, Step: RotationStep, now?: Date) => {
      state.phase = Step;
      return rotate({ SecretId: arn, ClientRequestToken: token, Step }, deps(now));
    };
    const sweepAt = (name: string, now: Date) => {
      state.phase = 'sweep';
      return sweep({ secretsManager: sm, bindings: new Map([[name, bindings.get(name)!]]), strategyFor: (r) => strategyFor(r, services), log, publish: () => undefined, now: () => now });
    };
    const secret = () => boundSecret('key-initial', b);
    return { live, calls, state, step, sweepAt, secret };
  }
  const ALL = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

  test('with no overlap: issue in createSecret, test in testSecret, revoke of the previous value in finishSecret', async () => {
    const p = partner();
    const { arn, token } = await p.secret();
    for (const s of ALL) await p.step(arn, token, s);
    expect(p.calls).toEqual([
      { action: 'issue', phase: 'createSecret' },
      { action: 'test', phase: 'testSecret', value: `key-${token}` },
      { action: 'revoke', phase: 'finishSecret', value: 'key-initial' },
    ]);
    expect(await valueAt(arn, 'AWSCURRENT')).toBe(`key-${token}`);
    expect([...p.live]).toEqual([`key-${token}`]);
  });

  test('with an overlap: the previous key stays live through finishSecret and is revoked by the first sweep after the overlap', async () => {
    const p = partner({ overlapSeconds: 6 * 3600 });
    const { arn, name, token } = await p.secret();
    for (const s of ALL) await p.step(arn, token, s);
    expect(p.live.has('key-initial')).toBe(true);
    await p.sweepAt(name, new Date(Date.now() + 5 * HOUR));
    expect(p.live.has('key-initial')).toBe(true);
    await p.sweepAt(name, new Date(Date.now() + 7 * HOUR));
    expect(p.live.has('key-initial')).toBe(false);
    expect(p.calls.filter((c) => c.action === 'revoke')).toEqual([{ action: 'revoke', phase: 'sweep', value: 'key-initial' }]);
    expect((await stages(arn))[token]).toEqual(expect.arrayContaining(['AWSCURRENT']));
  });

  test('a finishSecret invoked long after createSecret (a retried rotation, or a direct invocation) starts the overlap when AWSCURRENT moved, not at the version\'s creation', async () => {
    const p = partner({ overlapSeconds: 6 * 3600 });
    const { arn, name, token } = await p.secret();
    for (const s of ALL.slice(0, 3)) await p.step(arn, token, s);
    const later = Date.now() + 2 * 24 * HOUR;
    await p.step(arn, token, 'finishSecret', new Date(later)); // two days after the new key was created
    const tag = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).Tags?.find((t) => t.Key === 'cdk-secure-integrations:current-since')?.Value;
    expect(tag).toBe(`${token}@${new Date(later).toISOString()}@moved`);
    await p.sweepAt(name, new Date(later + HOUR));
    expect(p.live.has('key-initial')).toBe(true); // callers that cached it have their 6 hours
    await p.sweepAt(name, new Date(later + 7 * HOUR));
    expect(p.live.has('key-initial')).toBe(false);
  });

  test('createSecret replayed issues once and never revokes', async () => {
    const p = partner();
    const { arn, token } = await p.secret();
    await p.step(arn, token, 'createSecret');
    await p.step(arn, token, 'createSecret');
    expect(p.calls).toEqual([{ action: 'issue', phase: 'createSecret' }]);
    expect(p.live.has('key-initial')).toBe(true);
  });

  test('a failing test leaves AWSCURRENT on the working key and revokes nothing', async () => {
    const p = partner();
    const { arn, token, firstVersion } = await p.secret();
    p.state.failTest = true;
    await p.step(arn, token, 'createSecret');
    await p.step(arn, token, 'setSecret');
    await expect(p.step(arn, token, 'testSecret')).rejects.toThrow(/the pending credential failed its test: .*the partner API refused the key/);
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    expect(await valueAt(arn, 'AWSCURRENT')).toBe('key-initial');
    expect(p.calls.map((c) => c.action)).not.toContain('revoke');
  });

  test("a hook answering { action: 'test', ok: false } fails testSecret: the broken key never becomes AWSCURRENT and the working one is not revoked", async () => {
    const p = partner({ answer: { test: { action: 'test', ok: false } as unknown as CredentialRotationHookResponse } });
    const { arn, token, firstVersion } = await p.secret();
    await p.step(arn, token, 'createSecret');
    await p.step(arn, token, 'setSecret');
    await expect(p.step(arn, token, 'testSecret')).rejects.toThrow(/answered 'test' without ok: true/);
    await expect(p.step(arn, token, 'finishSecret')).rejects.toThrow(/has not passed testSecret/);
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    expect(p.live.has('key-initial')).toBe(true);
  });

  test("a hook answering { action: 'revoke', ok: false } has not revoked: the revocation fails and is retried by the next sweep", async () => {
    const p = partner({ answer: { revoke: { action: 'revoke' } as unknown as CredentialRotationHookResponse } });
    const { arn, token } = await p.secret();
    for (const s of ALL.slice(0, 3)) await p.step(arn, token, s);
    await expect(p.step(arn, token, 'finishSecret')).rejects.toThrow(/answered 'revoke' without ok: true/);
    expect(Object.values(await stages(arn)).flat()).not.toContain(ROTATION_LABELS.REVOKED); // the watermark did not move
  });

  test('a finishSecret replayed does not revoke again, and never revokes the current one', async () => {
    const p = partner();
    const { arn, token } = await p.secret();
    for (const s of ALL) await p.step(arn, token, s);
    await p.step(arn, token, 'finishSecret');
    expect(p.calls.filter((c) => c.action === 'revoke').map((c) => c.value)).toEqual(['key-initial']);
    expect(p.live.has(`key-${token}`)).toBe(true);
  });
});

describe('custom hook over Lambda Invoke (local stand-in for the Lambda service; moto runs no function code)', () => {
  const read = (req: IncomingMessage) =>
    new Promise<string>((r) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => r(data));
    });
  const calls: Array<{ path?: string; payload: unknown }> = [];
  const hookHandler = rotationHookHandler({
    issue: ({ token }) => ({ value: `key-${token}` }),
    test: () => {
      throw new Error('partner says no');
    },
    revoke: () => undefined,
  });
  const server = createServer(async (req, res) => {
    const payload = JSON.parse(await read(req));
    calls.push({ path: req.url, payload });
    try {
      const out = await hookHandler(payload);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    } catch (error) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: 'Error', errorMessage: (error as Error).message }));
    }
  });
  let invoke: HookInvoker;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    invoke = lambdaHookInvoker(new LambdaClient({ ...motoClientConfig(), endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('the request reaches the bound function and its typed answer comes back', async () => {
    const res = await invoke('arn:aws:lambda:us-east-1:123456789012:function:partner-hook', { action: 'issue', secretId: 'arn:s', token: 't-1', currentValue: 'old' });
    expect(res).toEqual({ action: 'issue', value: 'key-t-1' });
    expect(calls.at(-1)).toEqual({ path: expect.stringContaining('/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Apartner-hook/invocations'), payload: { action: 'issue', secretId: 'arn:s', token: 't-1', currentValue: 'old' } });
  });

  test('a function error becomes an error naming the function, the action and the message', async () => {
    await expect(invoke('partner-hook', { action: 'test', secretId: 'arn:s', token: 't-1', pendingValue: 'new' })).rejects.toThrow(
      "hook function partner-hook failed on 'test': Error: partner says no",
    );
  });

  test('the hook handler rejects an unknown action and an empty issued value', async () => {
    await expect(hookHandler({ action: 'rotate' } as never)).rejects.toThrow(/unknown rotation hook action 'rotate'/);
    const empty = rotationHookHandler({ issue: () => ({ value: '' }), test: () => undefined, revoke: () => undefined });
    await expect(empty({ action: 'issue', secretId: 's', token: 't', currentValue: 'c' })).rejects.toThrow(/issued no value/);
  });
});
