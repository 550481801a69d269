import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { loadBindings, RotationConfigError, type ResolvedBinding } from '../../../lambda/rotation/bindings';
import { generateToken, tokenShapeProblem } from '../../../lambda/rotation/generated-token';
import { rotate, type RotationDependencies, type RotationStep } from '../../../lambda/rotation/rotate';
import { strategyFor } from '../../../lambda/rotation/strategies';
import { sweep } from '../../../lambda/rotation/sweep';
import { CredentialTestError } from '../../../lambda/rotation/strategy';
import { ROTATION_LABELS } from '../../../lib/secrets/rotation-config';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { binding, createMotoRotationFunction, createRotatingSecret, startRotation as startRotationOf, TOKEN_INITIAL as INITIAL, TOKEN_STRATEGY } from '../../support/rotation-fixtures';

// The four-step protocol and the generated-token strategy against moto_server's Secrets Manager:
// real version stages, real GetRandomPassword. moto's RotateSecret with a function ARN enables
// rotation and creates the AWSPENDING version without a value, as Secrets Manager does; it then
// tries to run the function in Docker, which is absent, so no code runs: the tests drive the steps.
// How each secret rotates is its binding (what the platform writes into the function's config
// layer at synth), keyed by the secret's name.

const sm = new SecretsManagerClient(motoClientConfig());
const logs: Array<{ level: string; msg: string; extra?: Record<string, unknown> }> = [];
const log = {
  info: (msg: string, extra?: Record<string, unknown>) => logs.push({ level: 'info', msg, extra }),
  warn: (msg: string, extra?: Record<string, unknown>) => logs.push({ level: 'warn', msg, extra }),
  error: (msg: string, extra?: Record<string, unknown>) => logs.push({ level: 'error', msg, extra }),
};
const unusedServices = {
  cognito: {
    add: () => Promise.reject(new Error('unused')),
    list: () => Promise.reject(new Error('unused')),
    delete: () => Promise.reject(new Error('unused')),
    describe: () => Promise.reject(new Error('unused')),
  },
  invokeHook: () => Promise.reject(new Error('unused')),
};
/** The bindings of every secret this file creates (the function's config layer, as deployed). */
const bindings = new Map<string, ResolvedBinding>();
/** A generated token with the default day of overlap: its superseded value stays AWSPREVIOUS through these tests. */
const TOKEN_BINDING = binding(TOKEN_STRATEGY, { overlapSeconds: 86400 });
function depsWith(client: SecretsManagerClient = sm): RotationDependencies {
  return { secretsManager: client, bindings, strategyFor: (rotation) => strategyFor(rotation, { secretsManager: client, ...unusedServices }), log };
}
const deps = depsWith();

let rotationFunctionArn: string;
beforeAll(async () => {
  rotationFunctionArn = await createMotoRotationFunction();
});
beforeEach(() => {
  logs.length = 0;
});

/** A secret with rotation enabled and a rotation started: AWSPENDING on a version without a value; bound as a generated token unless said otherwise. */
async function rotatingSecret(options: { binding?: ResolvedBinding | null; tags?: object; value?: string } = {}) {
  const secret = await createRotatingSecret(sm, rotationFunctionArn, { value: options.value ?? INITIAL, tags: options.tags, rotateImmediately: true });
  if (options.binding !== null) bindings.set(secret.name, options.binding ?? TOKEN_BINDING);
  return secret;
}
const startRotation = (arn: string, rotateImmediately = true) => startRotationOf(sm, rotationFunctionArn, arn, rotateImmediately);
async function stages(arn: string) {
  return (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
}
async function valueAt(arn: string, VersionStage: string) {
  return (await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage }))).SecretString;
}
const step = (arn: string, token: string, Step: RotationStep, d = deps, RotationToken?: string) => rotate({ SecretId: arn, ClientRequestToken: token, Step, RotationToken }, d);
async function runAll(arn: string, token: string) {
  for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await step(arn, token, s);
}

describe('rotation protocol with a generated token (moto)', () => {
  test('a full rotation moves AWSCURRENT to a new token of the configured shape and leaves no AWSPENDING', async () => {
    const { arn, token, firstVersion } = await rotatingSecret();
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });

    expect(await step(arn, token, 'createSecret')).toBe('pending-value-created');
    const pending = (await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString!;
    expect(pending).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(pending).not.toBe(INITIAL);
    expect(await valueAt(arn, 'AWSCURRENT')).toBe(INITIAL); // consumers still get the old value
    expect(await step(arn, token, 'setSecret')).toBe('pending-value-set');
    expect(await step(arn, token, 'testSecret')).toBe('pending-value-tested');
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING', ROTATION_LABELS.TESTED] });

    expect(await step(arn, token, 'finishSecret')).toBe('finished');
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSPREVIOUS'], [token]: [ROTATION_LABELS.TESTED, 'AWSCURRENT'] });
    expect(await valueAt(arn, 'AWSCURRENT')).toBe(pending);
    expect(await valueAt(arn, 'AWSPREVIOUS')).toBe(INITIAL);
    // The next rotation is not blocked, and runs the same way.
    const next = await startRotation(arn);
    await runAll(arn, next);
    expect((await stages(arn))[next]).toEqual([ROTATION_LABELS.TESTED, 'AWSCURRENT']); // the TESTED label moved with the new pass
    expect((await stages(arn))[token]).toEqual(['AWSPREVIOUS']);
    expect(await valueAt(arn, 'AWSPREVIOUS')).toBe(pending);
  });

  test('createSecret replayed with the same token keeps the value it stored', async () => {
    const { arn, token } = await rotatingSecret();
    await step(arn, token, 'createSecret');
    const first = (await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString;
    expect(await step(arn, token, 'createSecret')).toBe('pending-value-exists');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString).toBe(first);
  });

  test('setSecret replayed is harmless', async () => {
    const { arn, token, firstVersion } = await rotatingSecret();
    await step(arn, token, 'createSecret');
    await step(arn, token, 'setSecret');
    await step(arn, token, 'setSecret');
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
  });

  test('setSecret and testSecret before createSecret fail: there is no pending value', async () => {
    const { arn, token } = await rotatingSecret();
    await expect(step(arn, token, 'setSecret')).rejects.toThrow(/has no AWSPENDING value: createSecret has not run/);
    await expect(step(arn, token, 'testSecret')).rejects.toThrow(/has no AWSPENDING value/);
  });

  test('a failing testSecret throws and leaves AWSCURRENT on the old value', async () => {
    const { arn, token, firstVersion } = await rotatingSecret();
    // A pending value of the wrong shape (as a buggy or tampered createSecret would leave).
    await sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: 'too-short!', VersionStages: ['AWSPENDING'] }));
    await expect(step(arn, token, 'testSecret')).rejects.toThrow(CredentialTestError);
    await expect(step(arn, token, 'testSecret')).rejects.toThrow(/10 characters, the configuration says 40/);
    expect(await valueAt(arn, 'AWSCURRENT')).toBe(INITIAL);
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    expect(JSON.stringify(logs)).not.toContain('too-short!'); // the value is never logged
  });

  test('finishSecret replayed after success changes nothing', async () => {
    const { arn, token } = await rotatingSecret();
    await runAll(arn, token);
    const after = await stages(arn);
    expect(await step(arn, token, 'finishSecret')).toBe('finish-resumed');
    expect(await stages(arn)).toEqual(after);
  });

  test('a finishSecret that crashed after moving AWSCURRENT converges when retried', async () => {
    const { arn, token, firstVersion } = await rotatingSecret();
    for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) await step(arn, token, s);
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: firstVersion }));
    expect((await stages(arn))[token]).toEqual(['AWSPENDING', ROTATION_LABELS.TESTED, 'AWSCURRENT']); // the crash point
    expect(await step(arn, token, 'finishSecret')).toBe('finish-resumed');
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSPREVIOUS'], [token]: [ROTATION_LABELS.TESTED, 'AWSCURRENT'] });
  });

  test('every step after the rotation completed is done already', async () => {
    const { arn, token } = await rotatingSecret();
    await runAll(arn, token);
    for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) expect(await step(arn, token, s)).toBe('already-current');
  });

  test('a token that is not a version of the secret fails every step', async () => {
    const { arn } = await rotatingSecret();
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await expect(step(arn, randomUUID(), s)).rejects.toThrow(/has no stage for rotation of secret/);
    }
  });

  test('a token that is neither AWSPENDING nor AWSCURRENT fails', async () => {
    const { arn, token, firstVersion } = await rotatingSecret();
    await runAll(arn, token); // firstVersion is now AWSPREVIOUS
    await expect(step(arn, firstVersion, 'createSecret')).rejects.toThrow(/is not set as AWSPENDING for rotation .*AWSPREVIOUS/);
    await expect(step(arn, firstVersion, 'finishSecret')).rejects.toThrow(/is not set as AWSPENDING/);
    expect((await stages(arn))[token]).toEqual([ROTATION_LABELS.TESTED, 'AWSCURRENT']);
  });

  test('a secret whose rotation is disabled fails', async () => {
    const { arn, token } = await rotatingSecret();
    await sm.send(new CancelRotateSecretCommand({ SecretId: arn }));
    await expect(step(arn, token, 'createSecret')).rejects.toThrow(/rotation is not enabled for secret/);
    expect(await valueAt(arn, 'AWSCURRENT')).toBe(INITIAL);
  });

  test('testSecret alone, on a fresh secret whose token is AWSCURRENT, is done', async () => {
    const { arn, firstVersion } = await rotatingSecret();
    const before = await stages(arn);
    expect(await step(arn, firstVersion, 'testSecret')).toBe('already-current');
    expect(await stages(arn)).toEqual(before);
  });

  test('testSecret alone, when rotation is configured without an immediate rotation, tests the copied value', async () => {
    const name = uniqueName('integrations/scheduled');
    const { ARN: arn, VersionId: first } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: INITIAL }));
    bindings.set(name, TOKEN_BINDING);
    const token = await startRotation(arn!, false); // moto copies the current value into the AWSPENDING version
    expect(await step(arn!, token, 'testSecret')).toBe('pending-value-tested');
    expect((await stages(arn!))[first!]).toEqual(['AWSCURRENT']);
  });

  test('RotationToken is passed through to PutSecretValue (seen on the wire; moto ignores it)', async () => {
    const { arn, token } = await rotatingSecret();
    const client = new SecretsManagerClient(motoClientConfig());
    const sent: Array<{ target: string; body: string }> = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { headers: Record<string, string>; body: string | Uint8Array };
        sent.push({ target: req.headers['x-amz-target'], body: typeof req.body === 'string' ? req.body : Buffer.from(req.body).toString('utf8') });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordRequests' },
    );
    await step(arn, token, 'createSecret', depsWith(client), 'rotation-token-from-secrets-manager');
    const put = sent.find((r) => r.target === 'secretsmanager.PutSecretValue');
    expect(JSON.parse(put!.body)).toEqual(expect.objectContaining({ ClientRequestToken: token, VersionStages: ['AWSPENDING'], RotationToken: 'rotation-token-from-secrets-manager' }));
    expect(sent.filter((r) => r.target !== 'secretsmanager.PutSecretValue').every((r) => !r.body.includes('rotation-token-from'))).toBe(true);
    expect(JSON.stringify(logs)).not.toContain('rotation-token-from'); // sensitive: never logged
  });

});

describe('the rotation follows the binding it was deployed with, and nothing else', () => {
  test('a secret the function is not bound to is refused at every step, and nothing is stored', async () => {
    const { arn, token, firstVersion } = await rotatingSecret({ binding: null });
    for (const s of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await expect(step(arn, token, s)).rejects.toThrow(RotationConfigError);
      await expect(step(arn, token, s)).rejects.toThrow(/is not a credential of this platform/);
    }
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
  });

  test('a secret deleted and re-created under a bound name is not the credential: every step refuses it, and nothing is written', async () => {
    // GIVEN a credential bound with its deployed ARN's suffix
    const original = await rotatingSecret();
    bindings.set(original.name, { ...TOKEN_BINDING, arnSuffix: original.arn.slice(-6) });
    // WHEN someone deletes it and creates a secret of the same name (their own value, their rotation)
    await sm.send(new DeleteSecretCommand({ SecretId: original.arn, ForceDeleteWithoutRecovery: true }));
    const impostor = await sm.send(new CreateSecretCommand({ Name: original.name, SecretString: INITIAL }));
    const token = await startRotation(impostor.ARN!);
    // THEN
    expect(impostor.ARN).not.toBe(original.arn);
    for (const s of ['createSecret', 'testSecret', 'finishSecret'] as const) {
      await expect(step(impostor.ARN!, token, s)).rejects.toThrow(/has the name of credential TestIntegration\/test-credential but not its ARN/);
    }
    expect((await stages(impostor.ARN!))[token]).toEqual(['AWSPENDING']);
  });

  test('the secret deployed under the name, with the bound ARN suffix, rotates', async () => {
    const secret = await rotatingSecret();
    bindings.set(secret.name, { ...TOKEN_BINDING, arnSuffix: secret.arn.slice(-6) });
    await runAll(secret.arn, secret.token);
    expect((await stages(secret.arn))[secret.token]).toContain('AWSCURRENT');
  });

  test('a partner-held secret (bound without rotation) is refused', async () => {
    const { arn, token } = await rotatingSecret({ binding: binding(undefined) });
    await expect(step(arn, token, 'createSecret')).rejects.toThrow(/is held with a partner and is not rotated by this function/);
  });

  test('tags that once configured the rotation change nothing: the token keeps the bound length and alphabet', async () => {
    // What anyone with secretsmanager:TagResource could write on the old design.
    const tags = {
      'cdk-secure-integrations:rotation-strategy': 'custom',
      'cdk-secure-integrations:custom-hook-function': 'attacker-hook',
      'cdk-secure-integrations:generated-token-length': '16',
      'cdk-secure-integrations:generated-token-charset': 'hex',
      'cdk-secure-integrations:last-revoked-version': 'everything',
    };
    const { arn, token } = await rotatingSecret({ tags });
    await runAll(arn, token);
    expect(await valueAt(arn, 'AWSCURRENT')).toMatch(/^[A-Za-z0-9]{40}$/);
  });

  test('a tag added mid-rotation changes nothing either', async () => {
    const { arn, token } = await rotatingSecret();
    await step(arn, token, 'createSecret');
    await sm.send(new TagResourceCommand({ SecretId: arn, Tags: [{ Key: 'cdk-secure-integrations:generated-token-length', Value: '16' }] }));
    await step(arn, token, 'setSecret');
    expect(await step(arn, token, 'testSecret')).toBe('pending-value-tested');
  });
});

describe('a superseded generated token', () => {
  test('stays AWSPREVIOUS for the overlap, then the sweep removes the label: verifiers that read AWSPREVIOUS stop accepting it', async () => {
    const { arn, name, token, firstVersion } = await rotatingSecret();
    await runAll(arn, token);
    const sweepAt = (hours: number) =>
      sweep({ secretsManager: sm, bindings: new Map([[name, TOKEN_BINDING]]), strategyFor: (r) => strategyFor(r, { secretsManager: sm, ...unusedServices }), log, publish: () => undefined, now: () => new Date(Date.now() + hours * 3600 * 1000) });
    await sweepAt(23);
    expect(await valueAt(arn, 'AWSPREVIOUS')).toBe(INITIAL);
    await sweepAt(25);
    expect(await stages(arn)).toEqual({ [firstVersion]: [ROTATION_LABELS.REVOKED], [token]: [ROTATION_LABELS.TESTED, 'AWSCURRENT'] });
    // The next rotation makes the token it supersedes AWSPREVIOUS again, for its own overlap.
    const next = await startRotation(arn);
    await runAll(arn, next);
    expect((await stages(arn))[token]).toEqual(['AWSPREVIOUS']);
  });
});

describe('finishSecret moves AWSCURRENT only to a tested value', () => {
  test('a direct finishSecret after a failed testSecret is refused: AWSCURRENT keeps the working value', async () => {
    const { arn, token, firstVersion } = await rotatingSecret();
    // A pending value of the wrong shape (as a buggy or tampered createSecret would leave).
    await sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: 'not-a-40-character-token', VersionStages: ['AWSPENDING'] }));
    await expect(step(arn, token, 'testSecret')).rejects.toThrow(CredentialTestError);
    await expect(step(arn, token, 'finishSecret')).rejects.toThrow(/has not passed testSecret; AWSCURRENT stays where it is/);
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    expect(await valueAt(arn, 'AWSCURRENT')).toBe(INITIAL);
  });

  test('finishSecret for a token whose createSecret never ran is refused (no value to promote)', async () => {
    const { arn, token, firstVersion } = await rotatingSecret();
    await expect(step(arn, token, 'finishSecret')).rejects.toThrow(/has not passed testSecret/);
    expect(await stages(arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
  });

  test('finishSecret after createSecret and setSecret but without testSecret is refused', async () => {
    const { arn, token, firstVersion } = await rotatingSecret();
    await step(arn, token, 'createSecret');
    await step(arn, token, 'setSecret');
    await expect(step(arn, token, 'finishSecret')).rejects.toThrow(/has not passed testSecret/);
    expect((await stages(arn))[firstVersion]).toEqual(['AWSCURRENT']);
  });

  test("an earlier rotation's pass does not count for a new token", async () => {
    const { arn, token } = await rotatingSecret();
    await runAll(arn, token);
    const next = await startRotation(arn);
    await step(arn, next, 'createSecret');
    await expect(step(arn, next, 'finishSecret')).rejects.toThrow(/has not passed testSecret/);
    expect((await stages(arn))[token]).toContain('AWSCURRENT');
  });
});

describe('bindings file (the config layer)', () => {
  const write = (content: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'rotation-config-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(content));
    return join(dir, 'config.json');
  };
  const entry = { integration: 'Crm', credential: 'oauth2-client-secret', overlapSeconds: 86400, ticketAfterSeconds: 1, pageAfterSeconds: 2 };

  test('deploy-time references resolve from the environment', () => {
    const path = write({
      version: 2,
      credentials: {
        'integrations/p/Crm/oauth2-client-secret': { ...entry, rotation: { strategy: 'cognito-client-secret', userPoolId: { env: 'ROTATION_REF_0' }, client: { name: 'Crm' }, tokenEndpoint: { env: 'ROTATION_REF_1' } } },
        'integrations/p/Erp/key': { ...entry, rotation: { strategy: 'custom', hookFunction: { env: 'ROTATION_REF_2' } } },
      },
    });
    const loaded = loadBindings(path, { ROTATION_REF_0: 'us-east-1_Pool', ROTATION_REF_1: 'https://auth.example.com/oauth2/token', ROTATION_REF_2: 'arn:aws:lambda:us-east-1:1:function:hook' });
    expect(loaded.get('integrations/p/Crm/oauth2-client-secret')?.rotation).toEqual({ strategy: 'cognito-client-secret', userPoolId: 'us-east-1_Pool', client: { name: 'Crm' }, tokenEndpoint: 'https://auth.example.com/oauth2/token' });
    expect(loaded.get('integrations/p/Erp/key')?.rotation).toEqual({ strategy: 'custom', hookFunction: 'arn:aws:lambda:us-east-1:1:function:hook' });
  });

  test('an unset reference or another file version fails loudly at load', () => {
    expect(() => loadBindings(write({ version: 2, credentials: { s: { ...entry, rotation: { strategy: 'custom', hookFunction: { env: 'MISSING' } } } } }), {})).toThrow(/environment variable MISSING, which is not set/);
    expect(() => loadBindings(write({ version: 1, routes: [] }), {})).toThrow(/rotation config version 1 is not supported/);
  });
});

describe('generated-token values', () => {
  test.each([
    ['alphanumeric', /^[A-Za-z0-9]{64}$/],
    ['ascii-printable', /^[\x21-\x7e]{64}$/],
    ['hex', /^[0-9a-f]{64}$/],
    ['base64url', /^[A-Za-z0-9_-]{64}$/],
  ] as const)('%s tokens have the configured length and alphabet', async (charset, shape) => {
    const values = await Promise.all([1, 2, 3].map(() => generateToken(sm, 64, charset)));
    for (const v of values) {
      expect(v).toMatch(shape);
      expect(tokenShapeProblem(v, 64, charset)).toBeUndefined();
    }
    expect(new Set(values).size).toBe(3);
  });

  test('the shape check names the problem without the value', () => {
    expect(tokenShapeProblem('abc$', 4, 'alphanumeric')).toBe('the token has characters outside the alphanumeric charset');
    expect(tokenShapeProblem('ABCD', 4, 'hex')).toMatch(/outside the hex charset/);
  });
});
