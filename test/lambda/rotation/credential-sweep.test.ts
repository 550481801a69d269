import { CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, PutSecretValueCommand, SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import type { ResolvedBinding } from '../../../lambda/rotation/bindings';
import { rotate } from '../../../lambda/rotation/rotate';
import { strategyFor } from '../../../lambda/rotation/strategies';
import { recordCurrentSince } from '../../../lambda/rotation/current-since';
import { sweep, type SweepMetrics } from '../../../lambda/rotation/sweep';
import { credentialAgeThresholds } from '../../../lib/secrets/credential-age';
import { Duration } from 'aws-cdk-lib';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { binding, createMotoRotationFunction, createRotatingSecret, startRotation, TOKEN_INITIAL, TOKEN_STRATEGY } from '../../support/rotation-fixtures';

// The hourly credential sweep (lambda/rotation/sweep.ts) against moto_server's Secrets Manager:
// each credential's age (its AWSCURRENT version's) against its policy age (ticket) and its
// classification's limit (page), counted per integration for the two age alarms; failures counted
// for the sweep's own alarm. The thresholds are the ones the platform computes at synth
// (lib/secrets/credential-age.ts). Time passes through the sweep's `now`.

const sm = new SecretsManagerClient(motoClientConfig());
const DAY = 24 * 3600 * 1000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const unused = {
  cognito: { add: () => Promise.reject(new Error('unused')), list: () => Promise.reject(new Error('unused')), delete: () => Promise.reject(new Error('unused')), describe: () => Promise.reject(new Error('unused')) },
  invokeHook: () => Promise.reject(new Error('unused')),
};
let rotationFunctionArn: string;
beforeAll(async () => {
  rotationFunctionArn = await createMotoRotationFunction();
});

/** Sweeps `bindings` at `now`, collecting what it publishes. */
async function sweepAt(bindings: Map<string, ResolvedBinding>, now: Date) {
  const published: SweepMetrics[] = [];
  const lines: Array<{ level: string; msg: string; extra?: Record<string, unknown> }> = [];
  const log = {
    info: (msg: string, extra?: Record<string, unknown>) => lines.push({ level: 'info', msg, extra }),
    warn: (msg: string, extra?: Record<string, unknown>) => lines.push({ level: 'warn', msg, extra }),
    error: (msg: string, extra?: Record<string, unknown>) => lines.push({ level: 'error', msg, extra }),
  };
  const reports = await sweep({ secretsManager: sm, bindings, strategyFor: (r) => strategyFor(r, { secretsManager: sm, ...unused }), log, publish: (m) => published.push(m), now: () => now });
  return { reports, published: published[0], lines };
}

/** A RESTRICTED integration's credential rotated every 30 days, as the platform binds it. */
const restrictedRotated = (integration: string) => binding(TOKEN_STRATEGY, { integration, credential: 'api-key', ...credentialAgeThresholds({ rotatedEveryHours: 30 * 24, maxAge: Duration.days(30) }) });
/** A RESTRICTED webhook's partner-held signing secret. */
const restrictedPartnerHeld = (integration: string) => binding(undefined, { integration, credential: 'webhook-signing-secret', overlapSeconds: 86400, ...credentialAgeThresholds({ maxAge: Duration.days(30) }) });

async function plainSecret(value: string) {
  const name = uniqueName('integrations/sweep');
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return name;
}

/** A secret that has been rotated once: its AWSCURRENT is a value a finishSecret moved there, and recorded so. */
async function rotatedSecret(value: string) {
  const name = await plainSecret('placeholder-written-at-deploy');
  const { VersionId } = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
  await recordCurrentSince(sm, name, { versionId: VersionId!, at: Date.now(), source: 'moved' });
  return name;
}

describe('credential ages', () => {
  test('a rotated credential is fine until its rotation is a day late, due (ticket) after that, and overdue (page) past its classification limit plus a day', async () => {
    const name = await rotatedSecret(TOKEN_INITIAL);
    const bindings = new Map([[name, restrictedRotated('Payments')]]);
    const at = async (days: number) => (await sweepAt(bindings, new Date(Date.now() + days * DAY))).published.integrations;
    expect(await at(30.5)).toEqual([{ integration: 'Payments', due: 0, overdue: 0 }]);
    expect(await at(31.5)).toEqual([{ integration: 'Payments', due: 1, overdue: 0 }]);
    expect(await at(32.5)).toEqual([{ integration: 'Payments', due: 1, overdue: 1 }]);
  });

  test("a partner-held signing secret is due a week before its classification's limit and overdue at it", async () => {
    const name = await plainSecret('whsec_' + 'a'.repeat(40));
    const bindings = new Map([[name, restrictedPartnerHeld('Stripe')]]);
    const at = async (days: number) => (await sweepAt(bindings, new Date(Date.now() + days * DAY))).published.integrations;
    expect(await at(22)).toEqual([{ integration: 'Stripe', due: 0, overdue: 0 }]);
    expect(await at(24)).toEqual([{ integration: 'Stripe', due: 1, overdue: 0 }]);
    expect(await at(31)).toEqual([{ integration: 'Stripe', due: 1, overdue: 1 }]);
  });

  test("putting the partner's new secret resets its age", async () => {
    const name = await plainSecret('whsec_' + 'a'.repeat(40));
    const bindings = new Map([[name, restrictedPartnerHeld('Stripe')]]);
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'whsec_' + 'b'.repeat(40) }));
    const { reports } = await sweepAt(bindings, new Date(Date.now() + 2 * 60 * 1000));
    expect(reports[0].ageSeconds).toBeLessThan(300);
  });

  test('ages are published per credential, counts per integration, and the sweep logs the credential that is due', async () => {
    const a = await rotatedSecret(TOKEN_INITIAL);
    const b = await plainSecret('whsec_' + 'a'.repeat(40));
    const { published, lines } = await sweepAt(new Map([[a, restrictedRotated('Erp')], [b, restrictedPartnerHeld('Erp')]]), new Date(Date.now() + 25 * DAY));
    expect(published.credentials).toEqual([
      { integration: 'Erp', credential: 'api-key', ageSeconds: expect.any(Number) },
      { integration: 'Erp', credential: 'webhook-signing-secret', ageSeconds: expect.any(Number) },
    ]);
    expect(published.credentials[0].ageSeconds).toBeGreaterThanOrEqual(25 * 24 * 3600 - 5);
    expect(published.integrations).toEqual([{ integration: 'Erp', due: 1, overdue: 0 }]);
    expect(published.failures).toBe(0);
    expect(lines.find((l) => l.level === 'warn')?.extra).toEqual(expect.objectContaining({ secretName: b, integration: 'Erp', credential: 'webhook-signing-secret', due: true }));
  });

  test('a credential the sweep cannot read is a failure, and the others are still swept', async () => {
    const ok = await rotatedSecret(TOKEN_INITIAL);
    const { reports, published } = await sweepAt(new Map([[uniqueName('integrations/gone'), restrictedRotated('Gone')], [ok, restrictedRotated('Fine')]]), new Date());
    expect(reports.map((r) => [r.integration, r.error === undefined])).toEqual([['Gone', false], ['Fine', true]]);
    expect(published.failures).toBe(1);
    expect(published.integrations).toEqual([{ integration: 'Gone', due: 0, overdue: 0 }, { integration: 'Fine', due: 0, overdue: 0 }]);
  });
});

test('a secret re-created under a credential\'s name (another ARN) is a sweep failure, not a fresh credential', async () => {
  const name = await plainSecret(TOKEN_INITIAL);
  const original = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).ARN!;
  await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: TOKEN_INITIAL }));
  const { reports, published } = await sweepAt(new Map([[name, { ...restrictedRotated('Payments'), arnSuffix: original.slice(-6) }]]), new Date());
  expect(reports[0].error).toMatch(/has the credential's name but not its deployed ARN/);
  expect(published.failures).toBe(1);
});

describe('rotations that never happened or never finished', () => {
  test('a rotated credential still holding the value written at deploy an hour later pages: its first rotation failed, so it does not work', async () => {
    const name = await plainSecret('placeholder-written-at-deploy');
    const bindings = new Map([[name, restrictedRotated('Payments')]]);
    expect((await sweepAt(bindings, new Date(Date.now() + 30 * 60 * 1000))).published.integrations).toEqual([{ integration: 'Payments', due: 0, overdue: 0 }]);
    const { reports, published } = await sweepAt(bindings, new Date(Date.now() + 2 * 3600 * 1000));
    expect(published.integrations).toEqual([{ integration: 'Payments', due: 1, overdue: 1 }]);
    expect(reports[0].problems).toEqual([expect.stringMatching(/^not rotated: AWSCURRENT holds a value no rotation put there/)]);
  });

  test('a first rotation abandoned to retry it (AWSPENDING removed) still pages: the deploy-time value is still AWSCURRENT', async () => {
    const { arn, name, token } = await createRotatingSecret(sm, rotationFunctionArn, { value: 'placeholder-written-at-deploy' });
    await sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: TOKEN_INITIAL, VersionStages: ['AWSPENDING'] })); // createSecret ran, then the rotation failed
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: token })); // an operator clears it to retry
    const { reports } = await sweepAt(new Map([[name, restrictedRotated('Payments')]]), new Date(Date.now() + 2 * 3600 * 1000));
    expect(reports[0]).toEqual(expect.objectContaining({ overdue: true, problems: [expect.stringMatching(/^not rotated/)] }));
  });

  test('AWSCURRENT moved by hand (or by CloudFormation) to a value no rotation put there pages too', async () => {
    const name = await rotatedSecret(TOKEN_INITIAL);
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'written-by-hand' }));
    const { reports } = await sweepAt(new Map([[name, restrictedRotated('Payments')]]), new Date(Date.now() + 2 * 3600 * 1000));
    expect(reports[0]).toEqual(expect.objectContaining({ overdue: true, problems: [expect.stringMatching(/^not rotated/)] }));
  });

  test('a partner-held secret is not expected to rotate', async () => {
    const name = await plainSecret('whsec_' + 'a'.repeat(40));
    const { reports } = await sweepAt(new Map([[name, restrictedPartnerHeld('Stripe')]]), new Date(Date.now() + 2 * 3600 * 1000));
    expect(reports[0]).toEqual(expect.objectContaining({ due: false, overdue: false }));
    expect(reports[0].problems).toBeUndefined();
  });

  test('a rotation pending for more than 6 hours is due (a ticket): Secrets Manager refuses new rotations until it completes', async () => {
    const name = await rotatedSecret(TOKEN_INITIAL); // rotated once: not the deploy-time value
    await startRotation(sm, rotationFunctionArn, name); // AWSPENDING on a version that never completes
    const bindings = new Map([[name, restrictedRotated('Payments')]]);
    expect((await sweepAt(bindings, new Date(Date.now() + 5 * 3600 * 1000))).published.integrations).toEqual([{ integration: 'Payments', due: 0, overdue: 0 }]);
    const { reports, published } = await sweepAt(bindings, new Date(Date.now() + 7 * 3600 * 1000));
    expect(published.integrations).toEqual([{ integration: 'Payments', due: 1, overdue: 0 }]);
    expect(reports[0].problems).toEqual([expect.stringMatching(/^a rotation has been pending since/)]);
  });
});

describe('deferred revocation', () => {
  test('the sweep revokes a superseded credential only after the overlap, once', async () => {
    // A custom credential rotated once with a 6-hour overlap: the previous key stays live until the sweep after the overlap.
    const live = new Set(['key-initial']);
    const revoked: string[] = [];
    const invokeHook = async (_fn: string, request: { action: string; token: string; previousValue?: string }) => {
      if (request.action === 'issue') {
        live.add(`key-${request.token}`);
        return { action: 'issue', value: `key-${request.token}` } as const;
      }
      if (request.action === 'revoke') {
        revoked.push(request.previousValue!);
        live.delete(request.previousValue!);
      }
      return { action: request.action, ok: true } as never;
    };
    const b = binding({ strategy: 'custom', hookFunction: 'arn:aws:lambda:us-east-1:123456789012:function:hook' }, { overlapSeconds: 6 * 3600 });
    const { arn, name, token } = await createRotatingSecret(sm, rotationFunctionArn, { value: 'key-initial' });
    const bindings = new Map([[name, b]]);
    const services = { secretsManager: sm, cognito: unused.cognito, invokeHook };
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      await rotate({ SecretId: arn, ClientRequestToken: token, Step }, { secretsManager: sm, bindings, strategyFor: (r) => strategyFor(r, services), log: silent });
    }
    const run = (hours: number) => sweep({ secretsManager: sm, bindings, strategyFor: (r) => strategyFor(r, services), log: silent, publish: () => undefined, now: () => new Date(Date.now() + hours * 3600 * 1000) });
    expect((await run(5))[0].revoked).toEqual([]);
    expect(live.has('key-initial')).toBe(true);
    expect((await run(7))[0].revoked).toHaveLength(1);
    expect(revoked).toEqual(['key-initial']);
    expect((await run(8))[0].revoked).toEqual([]);
    expect(revoked).toEqual(['key-initial']);
  });
});
