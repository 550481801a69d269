import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RotationTags } from '../../lib/secrets/rotation-config';
import { motoClientConfig, motoEndpoint } from '../support/aws-env';
import { createMotoRotationFunction, createRotatingSecret } from '../support/rotation-fixtures';

const BUNDLE = join(__dirname, '..', '..', 'dist', 'handlers', 'rotation', 'index.js');

/**
 * The bundle the platform deploys (dist/handlers/rotation/index.js, built by `npm run build` or
 * `node scripts/bundle-handlers.mjs`), loaded as Lambda would load it, with Secrets Manager's
 * endpoint from SECRETS_MANAGER_ENDPOINT (moto_server) while AWS_ENDPOINT_URL points nowhere.
 */
describe('rotation bundle', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  test('runs createSecret for a generated-token secret, logging secret, step and token but never the value', async () => {
    expect(existsSync(BUNDLE)).toBe(true); // run `npm run build` first
    const sm = new SecretsManagerClient(motoClientConfig());
    // A rotation started as Secrets Manager starts it: AWSPENDING on a version without a value
    // (moto's RotateSecret needs an existing function; see test/support/rotation-fixtures.ts).
    const tags: RotationTags = { 'cdk-secure-integrations:rotation-strategy': 'generated-token', 'cdk-secure-integrations:generated-token-charset': 'hex', 'cdk-secure-integrations:generated-token-length': '64' };
    const { arn, token, firstVersion: first } = await createRotatingSecret(sm, await createMotoRotationFunction(), { tags, value: 'a'.repeat(64), namePrefix: 'integrations/webhook-signing' });

    Object.assign(process.env, {
      SECRETS_MANAGER_ENDPOINT: motoEndpoint(),
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9', // nothing listens: only SECRETS_MANAGER_ENDPOINT can make this pass
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_DEV: 'false',
    });
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { handler } = require(BUNDLE);
      await handler({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' }, { functionName: 'rotation', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rotation', getRemainingTimeInMillis: () => 30000 });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }

    const pending = (await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }))).SecretString!;
    expect(pending).toMatch(/^[0-9a-f]{64}$/);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages).toEqual({ [first]: ['AWSCURRENT'], [token]: ['AWSPENDING'] });
    const records = lines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(records.length).toBeGreaterThanOrEqual(2);
    for (const r of records) expect(r).toEqual(expect.objectContaining({ secretArn: arn, step: 'createSecret', token }));
    expect(records.map((r) => r.message)).toContain('rotation step done');
    expect(lines.join('')).not.toContain(pending);
  });
});
