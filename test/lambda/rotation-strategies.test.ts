import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { sdkCognitoClientSecretApi } from '../../lambda/rotation/cognito-client-secret';
import { type HookInvoker, lambdaHookInvoker } from '../../lambda/rotation/custom-hook';
import { rotationHookHandler } from '../../lambda/rotation/hook';
import { rotate, type RotationDependencies, type RotationStep } from '../../lambda/rotation/rotate';
import { strategyFor } from '../../lambda/rotation/strategies';
import { CredentialTestError } from '../../lambda/rotation/strategy';
import type { CognitoClientSecretValue, CredentialRotationHook, RotationTags } from '../../lib/secrets/rotation-config';
import { motoClientConfig } from '../support/aws-env';
import { createMotoRotationFunction, createRotatingSecret, startRotation } from '../support/rotation-fixtures';

// The Cognito and custom strategies, with their four steps run against moto_server's Secrets
// Manager (real version stages).
//
// CLEARLY MARKED STAND-IN: moto 5.2.1 does not implement Cognito's two-active-secrets API
// (AddUserPoolClientSecret, ListUserPoolClientSecrets, DeleteUserPoolClientSecret) nor a token
// endpoint, so `fakeCognito` below is a local HTTP server speaking that API's JSON 1.1 protocol
// (at most 2 secrets per app client, LimitExceededException beyond) and an OAuth 2.0 token
// endpoint; the rotation talks to it through the real AWS SDK client.

const sm = new SecretsManagerClient(motoClientConfig());
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

let rotationFunctionArn: string;
beforeAll(async () => {
  rotationFunctionArn = await createMotoRotationFunction();
});

/** A secret with rotation enabled and AWSPENDING on a version without a value (moto's RotateSecret, no code run). */
const rotatingSecret = (tags: object, value: string) => createRotatingSecret(sm, rotationFunctionArn, { tags, value });
const stages = async (arn: string) => (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
const valueAt = async (arn: string, VersionStage: string) => (await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage }))).SecretString!;
const read = (req: IncomingMessage) => new Promise<string>((r) => {
  let data = '';
  req.on('data', (c) => (data += c));
  req.on('end', () => r(data));
});
const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/** STAND-IN for Cognito's app-client secret API and token endpoint (moto lacks both); see the top of the file. */
function fakeCognito() {
  const secrets = new Map<string, Array<{ id: string; value: string }>>(); // by `${userPoolId}/${clientId}`
  const calls: Array<{ op: string; phase: string; clientSecretId?: string }> = [];
  const state = { phase: '' };
  let clock = 1764400000;
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const reply = (status: number, out: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(out));
    };
    if (req.url === '/oauth2/token') {
      const [clientId, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
      const ok = new URLSearchParams(body).get('grant_type') === 'client_credentials' && [...secrets.entries()].some(([k, list]) => k.endsWith(`/${clientId}`) && list.some((s) => s.value === secret));
      calls.push({ op: 'token', phase: state.phase });
      return ok ? reply(200, { access_token: 'at', token_type: 'Bearer', expires_in: 3600 }) : reply(400, { error: 'invalid_client' });
    }
    const op = String(req.headers['x-amz-target']).split('.')[1];
    const input = JSON.parse(body) as { UserPoolId: string; ClientId: string; ClientSecretId?: string };
    const list = secrets.get(`${input.UserPoolId}/${input.ClientId}`);
    if (!list) return reply(400, { __type: 'ResourceNotFoundException', message: 'app client not found' });
    calls.push({ op, phase: state.phase, clientSecretId: input.ClientSecretId });
    if (op === 'AddUserPoolClientSecret') {
      if (list.length >= 2) return reply(400, { __type: 'LimitExceededException', message: 'an app client can have at most 2 secrets' });
      const added = { id: `${input.ClientId}--${clock++}`, value: randomBytes(32).toString('base64url') };
      list.push(added);
      return reply(200, { ClientSecretDescriptor: { ClientSecretId: added.id, ClientSecretValue: added.value, ClientSecretCreateDate: clock } });
    }
    if (op === 'ListUserPoolClientSecrets') return reply(200, { ClientSecrets: list.map((s) => ({ ClientSecretId: s.id, ClientSecretCreateDate: clock })) });
    if (op === 'DeleteUserPoolClientSecret') {
      const i = list.findIndex((s) => s.id === input.ClientSecretId);
      if (i < 0) return reply(400, { __type: 'ResourceNotFoundException', message: 'no such client secret' });
      list.splice(i, 1);
      return reply(200, {});
    }
    return reply(400, { __type: 'UnknownOperationException', message: op });
  });
  /** An app client with one secret, as CreateUserPoolClient(GenerateSecret) leaves it. */
  const appClient = (): CognitoClientSecretValue => {
    const userPoolId = 'us-east-1_Fake12345';
    const clientId = `client${randomBytes(6).toString('hex')}`;
    const first = { id: `${clientId}--${clock++}`, value: randomBytes(32).toString('base64url') };
    secrets.set(`${userPoolId}/${clientId}`, [first]);
    return { userPoolId, clientId, clientSecret: first.value, clientSecretId: first.id };
  };
  const idsOf = (v: CognitoClientSecretValue) => (secrets.get(`${v.userPoolId}/${v.clientId}`) ?? []).map((s) => s.id);
  return { server, calls, state, appClient, idsOf, secrets };
}

describe('cognito-client-secret strategy (moto Secrets Manager, stand-in Cognito)', () => {
  const cognito = fakeCognito();
  let endpoint: string;
  let deps: RotationDependencies;
  const makeDeps = (): RotationDependencies => {
    const api = sdkCognitoClientSecretApi(new CognitoIdentityProviderClient({ ...motoClientConfig(), endpoint }));
    return { secretsManager: sm, strategyFor: (config) => strategyFor(config, { secretsManager: sm, cognito: api, invokeHook: () => Promise.reject(new Error('unused')) }), log };
  };
  beforeAll(async () => {
    endpoint = await listen(cognito.server);
    deps = makeDeps();
  });
  afterAll(() => new Promise<void>((r) => cognito.server.close(() => r())));

  const TAGS: RotationTags = { 'cdk-secure-integrations:rotation-strategy': 'cognito-client-secret' };
  const step = (arn: string, token: string, Step: RotationStep, d = deps) => {
    cognito.state.phase = Step;
    return rotate({ SecretId: arn, ClientRequestToken: token, Step }, d);
  };

  test('a full rotation adds a second client secret, moves AWSCURRENT to it, and deletes the old one only in finishSecret', async () => {
    const initial = cognito.appClient();
    const { arn, token } = await rotatingSecret(TAGS, JSON.stringify(initial));
    cognito.calls.length = 0;

    await step(arn, token, 'createSecret');
    const pending = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString!) as CognitoClientSecretValue;
    expect(pending).toEqual({ userPoolId: initial.userPoolId, clientId: initial.clientId, clientSecret: expect.any(String), clientSecretId: expect.stringMatching(new RegExp(`^${initial.clientId}--`)) });
    expect(cognito.idsOf(initial)).toEqual([initial.clientSecretId, pending.clientSecretId]); // both work during the overlap
    await step(arn, token, 'setSecret');
    await step(arn, token, 'testSecret');
    await step(arn, token, 'finishSecret');

    expect(JSON.parse(await valueAt(arn, 'AWSCURRENT'))).toEqual(pending);
    expect(cognito.idsOf(initial)).toEqual([pending.clientSecretId]);
    expect(cognito.calls.filter((c) => c.op !== 'ListUserPoolClientSecrets')).toEqual([
      { op: 'AddUserPoolClientSecret', phase: 'createSecret', clientSecretId: undefined },
      { op: 'DeleteUserPoolClientSecret', phase: 'finishSecret', clientSecretId: initial.clientSecretId },
    ]);
  });

  test('createSecret replayed adds no third secret', async () => {
    const initial = cognito.appClient();
    const { arn, token } = await rotatingSecret(TAGS, JSON.stringify(initial));
    cognito.calls.length = 0;
    await step(arn, token, 'createSecret');
    await step(arn, token, 'createSecret');
    expect(cognito.calls.filter((c) => c.op === 'AddUserPoolClientSecret')).toHaveLength(1);
    expect(cognito.idsOf(initial)).toHaveLength(2);
  });

  test('a createSecret that crashed after AddUserPoolClientSecret converges: the orphan is deleted, then one secret added', async () => {
    const initial = cognito.appClient();
    const { arn, token } = await rotatingSecret(TAGS, JSON.stringify(initial));
    const orphan = await sdkCognitoClientSecretApi(new CognitoIdentityProviderClient({ ...motoClientConfig(), endpoint })).add(initial.userPoolId, initial.clientId); // the crashed attempt
    await step(arn, token, 'createSecret');
    const pending = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString!) as CognitoClientSecretValue;
    expect(cognito.idsOf(initial)).toEqual([initial.clientSecretId, pending.clientSecretId]);
    expect(cognito.idsOf(initial)).not.toContain(orphan.id);
  });

  test('a finishSecret that crashed before deleting the old secret deletes it when retried', async () => {
    const initial = cognito.appClient();
    const { arn, token, firstVersion } = await rotatingSecret(TAGS, JSON.stringify(initial));
    for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) await step(arn, token, s);
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: firstVersion }));
    expect(cognito.idsOf(initial)).toHaveLength(2);
    expect(await step(arn, token, 'finishSecret')).toBe('finish-resumed');
    expect(cognito.idsOf(initial)).toEqual([JSON.parse(await valueAt(arn, 'AWSCURRENT')).clientSecretId]);
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
  });

  test('a first value without clientSecretId works when the app client has one secret', async () => {
    const named = cognito.appClient();
    const initial = { userPoolId: named.userPoolId, clientId: named.clientId, clientSecret: named.clientSecret }; // no clientSecretId
    const { arn, token } = await rotatingSecret(TAGS, JSON.stringify(initial));
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await step(arn, token, s);
    expect(cognito.idsOf(initial as CognitoClientSecretValue)).toHaveLength(2); // the unnamed first secret is kept (logged), deleted by the next createSecret
    const next = await startRotation(sm, rotationFunctionArn, arn);
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await step(arn, next, s);
    expect(cognito.idsOf(initial as CognitoClientSecretValue)).toEqual([JSON.parse(await valueAt(arn, 'AWSCURRENT')).clientSecretId]);
  });

  test('with a token endpoint configured, testSecret obtains a token with the pending secret', async () => {
    const initial = cognito.appClient();
    const { arn, token } = await rotatingSecret({ ...TAGS, 'cdk-secure-integrations:cognito-token-endpoint': `${endpoint}/oauth2/token` }, JSON.stringify(initial));
    cognito.calls.length = 0;
    for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) await step(arn, token, s);
    expect(cognito.calls.filter((c) => c.op === 'token')).toEqual([{ op: 'token', phase: 'testSecret' }]);
  });

  test('a pending secret the token endpoint refuses fails testSecret and AWSCURRENT stays', async () => {
    const initial = cognito.appClient();
    const { arn, token, firstVersion } = await rotatingSecret({ ...TAGS, 'cdk-secure-integrations:cognito-token-endpoint': `${endpoint}/oauth2/token` }, JSON.stringify(initial));
    await step(arn, token, 'createSecret');
    const pending = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString!) as CognitoClientSecretValue;
    cognito.secrets.get(`${initial.userPoolId}/${initial.clientId}`)!.find((s) => s.id === pending.clientSecretId)!.value = 'rotated-behind-our-back';
    await expect(step(arn, token, 'testSecret')).rejects.toThrow(CredentialTestError);
    await expect(step(arn, token, 'testSecret')).rejects.toThrow(/token endpoint refused the pending client secret: HTTP 400/);
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    expect(JSON.parse(await valueAt(arn, 'AWSCURRENT'))).toEqual(initial);
  });

  test('a pending secret that is not one of the client\'s secrets fails testSecret', async () => {
    const initial = cognito.appClient();
    const { arn, token } = await rotatingSecret(TAGS, JSON.stringify(initial));
    await step(arn, token, 'createSecret');
    const pending = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString!) as CognitoClientSecretValue;
    await sdkCognitoClientSecretApi(new CognitoIdentityProviderClient({ ...motoClientConfig(), endpoint })).delete(initial.userPoolId, initial.clientId, pending.clientSecretId!);
    await expect(step(arn, token, 'testSecret')).rejects.toThrow(/is not one of app client .*'s secrets/);
  });
});

describe('custom strategy (moto Secrets Manager, in-process hook)', () => {
  /** A third party that issues API keys, and a hook for it that records what it was asked. */
  function partner() {
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
    // Through JSON, as Lambda would carry the request and the response.
    const invokeHook: HookInvoker = async (_fn, request) => JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(request)))));
    const deps: RotationDependencies = {
      secretsManager: sm,
      strategyFor: (config) => strategyFor(config, { secretsManager: sm, cognito: sdkCognitoClientSecretApi(new CognitoIdentityProviderClient({})), invokeHook }),
      log,
    };
    const step = (arn: string, token: string, Step: RotationStep) => {
      state.phase = Step;
      return rotate({ SecretId: arn, ClientRequestToken: token, Step }, deps);
    };
    return { live, calls, state, step };
  }
  const TAGS: RotationTags = { 'cdk-secure-integrations:rotation-strategy': 'custom', 'cdk-secure-integrations:custom-hook-function': 'partner-key-rotation' };

  test('issue in createSecret, test in testSecret, revoke of the previous value in finishSecret only', async () => {
    const p = partner();
    const { arn, token } = await rotatingSecret(TAGS, 'key-initial');
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await p.step(arn, token, s);
    expect(p.calls).toEqual([
      { action: 'issue', phase: 'createSecret' },
      { action: 'test', phase: 'testSecret', value: `key-${token}` },
      { action: 'revoke', phase: 'finishSecret', value: 'key-initial' },
    ]);
    expect(await valueAt(arn, 'AWSCURRENT')).toBe(`key-${token}`);
    expect([...p.live]).toEqual([`key-${token}`]);
  });

  test('createSecret replayed issues once and never revokes', async () => {
    const p = partner();
    const { arn, token } = await rotatingSecret(TAGS, 'key-initial');
    await p.step(arn, token, 'createSecret');
    await p.step(arn, token, 'createSecret');
    expect(p.calls).toEqual([{ action: 'issue', phase: 'createSecret' }]);
    expect(p.live.has('key-initial')).toBe(true);
  });

  test('a failing test leaves AWSCURRENT on the working key and revokes nothing', async () => {
    const p = partner();
    const { arn, token, firstVersion } = await rotatingSecret(TAGS, 'key-initial');
    p.state.failTest = true;
    await p.step(arn, token, 'createSecret');
    await p.step(arn, token, 'setSecret');
    await expect(p.step(arn, token, 'testSecret')).rejects.toThrow(/the pending credential failed its test: the partner API refused the key/);
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    expect(await valueAt(arn, 'AWSCURRENT')).toBe('key-initial');
    expect(p.calls.map((c) => c.action)).not.toContain('revoke');
  });

  test('a finishSecret replayed does not revoke again, and never revokes the current one', async () => {
    const p = partner();
    const { arn, token } = await rotatingSecret(TAGS, 'key-initial');
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await p.step(arn, token, s);
    await p.step(arn, token, 'finishSecret');
    // The secret's last-revoked tag makes the replay skip what was revoked already.
    expect(p.calls.filter((c) => c.action === 'revoke').map((c) => c.value)).toEqual(['key-initial']);
    expect(p.live.has(`key-${token}`)).toBe(true);
  });
});

describe('custom hook over Lambda Invoke (local stand-in for the Lambda service; moto runs no function code)', () => {
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
    invoke = lambdaHookInvoker(new LambdaClient({ ...motoClientConfig(), endpoint: await listen(server) }));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('the request reaches the named function and its typed answer comes back', async () => {
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
