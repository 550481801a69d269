// The bundles' credential provider: the execution role's credentials from the variables the Lambda
// runtime sets, and a clear failure without them (never a search of files or metadata endpoints).
import { defaultProvider } from '../../../lambda/shared/lambda-credentials';

const VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

describe('the credential provider of the bundled handlers', () => {
  const saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]));
  afterEach(() => {
    for (const v of VARIABLES) if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  });

  test('reads the execution role\'s session credentials from the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';
    await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  test('fails without them', async () => {
    for (const v of VARIABLES) delete process.env[v];
    await expect(defaultProvider()()).rejects.toThrow(/environment/i);
  });
});
