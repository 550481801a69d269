import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RotationConfigFile } from '../../../lib/secrets/rotation-config';
import { motoClientConfig, motoEndpoint } from '../../support/aws-env';
import { createMotoRotationFunction, createRotatingSecret } from '../../support/rotation-fixtures';

const BUNDLE = join(__dirname, '..', '..', '..', 'dist', 'handlers', 'rotation', 'index.js');
const CONTEXT = { functionName: 'rotation', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rotation', getRemainingTimeInMillis: () => 30000 };

/**
 * The bundle the platform deploys (dist/handlers/rotation/index.js, built by `npm run build`),
 * loaded as Lambda would load it: its bindings from the config file (ROTATION_CONFIG_FILE stands
 * in for the layer's /opt/rotation/config.json, with a deploy-time reference in the environment),
 * Secrets Manager's endpoint from SECRETS_MANAGER_ENDPOINT (moto_server) while AWS_ENDPOINT_URL
 * points nowhere.
 */
describe('rotation bundle', () => {
  const saved = { ...process.env };
  const sm = new SecretsManagerClient(motoClientConfig());
  let secret: { arn: string; name: string; token: string; firstVersion: string };
  let handler: (event: unknown, context: unknown) => Promise<void>;
  const lines: string[] = [];
  const capture = async (fn: () => Promise<unknown>) => {
    lines.length = 0;
    const push = (chunk: unknown) => {
      lines.push(...String(chunk).split('\n'));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(push);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(push);
    try {
      return await fn();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  };
  const records = () => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    expect(existsSync(BUNDLE)).toBe(true); // run `npm run build` first
    // A rotation started as Secrets Manager starts it: AWSPENDING on a version without a value.
    secret = await createRotatingSecret(sm, await createMotoRotationFunction(), { value: 'a'.repeat(64), namePrefix: 'integrations/webhook-signing' });
    const config: RotationConfigFile = {
      version: 2,
      credentials: {
        [secret.name]: { integration: 'Forge', credential: 'callback-key', rotation: { strategy: 'generated-token', length: 64, charset: 'hex' }, overlapSeconds: 3600, ticketAfterSeconds: 86400, pageAfterSeconds: 2 * 86400 },
        // A partner-held secret that the sweep watches but that no longer exists: the sweep reports it and carries on.
        'integrations/gone/signing-secret': { integration: 'Gone', credential: 'webhook-signing-secret', overlapSeconds: 0, ticketAfterSeconds: 1, pageAfterSeconds: 2, rotation: undefined },
      },
    };
    const dir = mkdtempSync(join(tmpdir(), 'rotation-bundle-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    Object.assign(process.env, {
      ROTATION_CONFIG_FILE: join(dir, 'config.json'),
      SECRETS_MANAGER_ENDPOINT: motoEndpoint(),
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9', // nothing listens: only SECRETS_MANAGER_ENDPOINT can make this pass
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_LAMBDA_FUNCTION_NAME: 'platform-rotation',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_DEV: 'false',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(BUNDLE).handler;
  });
  afterAll(() => {
    process.env = saved;
  });

  test('runs createSecret with the bound strategy, logging secret, step and token but never the value', async () => {
    await capture(() => handler({ SecretId: secret.arn, ClientRequestToken: secret.token, Step: 'createSecret' }, CONTEXT));
    const pending = (await sm.send(new GetSecretValueCommand({ SecretId: secret.arn, VersionId: secret.token, VersionStage: 'AWSPENDING' }))).SecretString!;
    expect(pending).toMatch(/^[0-9a-f]{64}$/);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: secret.arn }))).VersionIdsToStages).toEqual({ [secret.firstVersion]: ['AWSCURRENT'], [secret.token]: ['AWSPENDING'] });
    expect(records().length).toBeGreaterThanOrEqual(2);
    for (const r of records()) expect(r).toEqual(expect.objectContaining({ secretArn: secret.arn, step: 'createSecret', token: secret.token }));
    expect(records().map((r) => r.message)).toContain('rotation step done');
    expect(lines.join('')).not.toContain(pending);
  });

  test('the hourly schedule runs the credential sweep: ages, counts and its own health as EMF, with only the dimensions the alarms select on', async () => {
    await capture(() => handler({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, CONTEXT));
    const emf = records().filter((r) => r._aws);
    const dims = (r: Record<string, unknown>) => (r._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics[0].Dimensions;
    expect(emf.find((r) => 'credential_age' in r)).toEqual(expect.objectContaining({ Integration: 'Forge', Credential: 'callback-key' }));
    expect(dims(emf.find((r) => 'credential_age' in r)!)).toEqual([['Integration', 'Credential']]);
    const counts = emf.filter((r) => 'credentials_due' in r);
    expect(counts.map((r) => [r.Integration, r.credentials_due, r.credentials_overdue])).toEqual([
      ['Forge', 0, 0],
      ['Gone', 0, 0],
    ]);
    expect(dims(counts[0])).toEqual([['Integration']]);
    const health = emf.find((r) => 'credential_sweep_failures' in r)!;
    expect(health).toEqual(expect.objectContaining({ RotationFunction: 'platform-rotation', credential_sweep_failures: 1, credential_sweeps_completed: 0 }));
    expect(dims(health)).toEqual([['RotationFunction']]);
    expect(records().find((r) => r.message === 'credential sweep failed for a credential')).toEqual(expect.objectContaining({ secretName: 'integrations/gone/signing-secret', level: 'ERROR' }));
  });

  test('any other event is refused: the function takes rotation steps and its schedule only', async () => {
    await expect(capture(() => handler({ action: 'revoke', secretId: secret.arn }, CONTEXT))).rejects.toThrow(/not a rotation step nor the credential sweep's schedule/);
  });
});
