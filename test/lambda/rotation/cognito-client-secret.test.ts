// The cognito-client-secret strategy (lambda/rotation/cognito-client-secret.ts) on its own, against a
// small in-memory Cognito that answers as Cognito's API reference says and records every request:
// moto 5.2.1 has no AddUserPoolClientSecret, ListUserPoolClientSecrets or DeleteUserPoolClientSecret,
// and no token endpoint. What the fake follows (API reference, December 2026):
//  - AddUserPoolClientSecret: "Supports up to 2 active secrets per app client"; a third is
//    LimitExceededException. ClientSecretValue is returned only when Cognito generates the secret.
//  - ListUserPoolClientSecrets: ids and dates, never values; the request takes a NextToken.
//  - DeleteUserPoolClientSecret: an unknown id is ResourceNotFoundException; "You cannot delete the
//    last remaining secret for an app client" (InvalidParameterException).
//  - throttling is TooManyRequestsException, a denied call NotAuthorizedException or AccessDeniedException.
// The end-to-end rotation (moto Secrets Manager and user pools, the stand-in in
// test/support/cognito-stand-in.ts) is in rotation-strategies.test.ts.
import {
  AccessDeniedException,
  type CognitoIdentityProviderClient,
  InvalidParameterException,
  LimitExceededException,
  NotAuthorizedException,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { ResolvedStrategy } from '../../../lambda/rotation/bindings';
import { cognitoClientSecretStrategy, parseClientSecretValue, sdkCognitoClientSecretApi } from '../../../lambda/rotation/cognito-client-secret';
import { BindingMismatchError, type CredentialHistory, CredentialTestError, type VersionWithValue } from '../../../lambda/rotation/strategy';
import { ROTATION_LABELS } from '../../../lib/secrets/rotation-config';

const POOL = 'us-east-1_Pool1';
const OTHER_POOL = 'us-east-1_Other1';
const CLIENT = 'crmclient1';
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:integrations/crm-AbCdEf';
const TOKEN_ENDPOINT = 'https://auth.example.com/oauth2/token';
const NOW = new Date('2026-12-01T12:00:00.000Z');
const meta = { $metadata: {} };

interface FakeAppClient {
  readonly name?: string;
  secrets: Array<{ id: string; value: string }>;
}

/**
 * An in-memory Cognito for app-client secrets. `fail` throws an error for an operation (every call,
 * or the calls a function picks); `answer` replaces an operation's answer; `before` runs before an
 * operation is answered (another writer acting between two calls of the rotation).
 */
function fakeCognito(
  clients: Record<string, FakeAppClient>,
  options: {
    pageSize?: number;
    fail?: Record<string, Error | ((input: Record<string, unknown>) => Error | undefined)>;
    answer?: Record<string, unknown>;
    before?: Record<string, () => void>;
  } = {},
) {
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  let clock = 1;
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const op = command.constructor.name.replace(/Command$/, '');
    const input = command.input;
    sent.push({ command: op, input: { ...input } });
    options.before?.[op]?.();
    const failure = options.fail?.[op];
    const error = typeof failure === 'function' ? failure(input) : failure;
    if (error) throw error;
    if (options.answer && op in options.answer) return options.answer[op];
    const client = clients[`${String(input.UserPoolId)}/${String(input.ClientId)}`];
    if (!client) throw new ResourceNotFoundException({ message: 'User pool client does not exist.', ...meta });
    switch (op) {
      case 'AddUserPoolClientSecret': {
        if (client.secrets.length >= 2) throw new LimitExceededException({ message: 'An app client can have at most 2 client secrets.', ...meta });
        const added = { id: `${String(input.ClientId)}--${clock}`, value: `generated-secret-${clock++}` };
        client.secrets.push(added);
        return { ClientSecretDescriptor: { ClientSecretId: added.id, ClientSecretValue: added.value, ClientSecretCreateDate: new Date(0) } };
      }
      case 'ListUserPoolClientSecrets': {
        const size = options.pageSize ?? 2;
        const start = Number(input.NextToken ?? 0);
        const page = client.secrets.slice(start, start + size);
        return { ClientSecrets: page.map((s) => ({ ClientSecretId: s.id, ClientSecretCreateDate: new Date(0) })), NextToken: start + size < client.secrets.length ? String(start + size) : undefined };
      }
      case 'DeleteUserPoolClientSecret': {
        const i = client.secrets.findIndex((s) => s.id === input.ClientSecretId);
        if (i < 0) throw new ResourceNotFoundException({ message: 'Client secret does not exist.', ...meta });
        if (client.secrets.length === 1) throw new InvalidParameterException({ message: 'You cannot delete the last remaining secret for an app client.', ...meta });
        client.secrets.splice(i, 1);
        return {};
      }
      case 'DescribeUserPoolClient':
        return { UserPoolClient: { UserPoolId: input.UserPoolId, ClientId: input.ClientId, ClientName: client.name, ...(client.secrets[0] ? { ClientSecret: client.secrets[0].value } : {}) } };
      default:
        throw new Error(`unexpected ${op}`);
    }
  };
  const cognito = { send } as unknown as CognitoIdentityProviderClient;
  return { api: sdkCognitoClientSecretApi(cognito), sent, ops: () => sent.map((s) => s.command) };
}

/** One app client of POOL, named Crm, holding these secrets. */
const crm = (...ids: string[]): Record<string, FakeAppClient> => ({ [`${POOL}/${CLIENT}`]: { name: 'Crm', secrets: ids.map((id) => ({ id, value: `value-of-${id}` })) } });

const byName = { strategy: 'cognito-client-secret', userPoolId: POOL, client: { name: 'Crm' }, tokenEndpoint: TOKEN_ENDPOINT } as const satisfies ResolvedStrategy;
const byId = { strategy: 'cognito-client-secret', userPoolId: POOL, client: { id: CLIENT } } as const satisfies ResolvedStrategy;

const value = (v: { userPoolId?: unknown; clientId?: unknown; clientSecret?: unknown; clientSecretId?: unknown }) => JSON.stringify(v);
const bootstrap = value({ userPoolId: POOL, clientId: CLIENT });
const rotated = (id: string, secret = `value-of-${id}`) => value({ userPoolId: POOL, clientId: CLIENT, clientSecret: secret, clientSecretId: id });

function logger() {
  const lines: Array<{ level: string; msg: string; extra?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, extra?: Record<string, unknown>) => lines.push({ level, msg, extra });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A version of the secret, for the history a strategy reads. */
const version = (id: string, createdAt: number, stages: string[], v?: string): VersionWithValue => ({ id, createdAt, stages, value: v });

/** The strategy call context, with a history that counts its reads. */
function context(history: Partial<CredentialHistory> = {}) {
  const log = logger();
  const reads = { count: 0 };
  const full: CredentialHistory = { versions: [], ...history };
  return {
    log,
    reads,
    ctx: {
      secretArn: ARN,
      token: 'v-next',
      log,
      now: NOW,
      history: async () => {
        reads.count += 1;
        return full;
      },
    },
  };
}

/** A token endpoint that records each request and answers with `response`. */
function tokenEndpoint(response: () => Response = () => Response.json({ access_token: 'at', token_type: 'Bearer', expires_in: 3600 })) {
  const requests: Array<{ url: string; method?: string; headers: Record<string, string>; body: string; signal?: AbortSignal | null }> = [];
  const fetch = (async (url: string, init: RequestInit) => {
    requests.push({ url, method: init.method, headers: init.headers as Record<string, string>, body: String(init.body), signal: init.signal });
    return response();
  }) as unknown as typeof globalThis.fetch;
  return { fetch, requests };
}

describe('the Cognito SDK adapter: the requests Cognito receives', () => {
  test('AddUserPoolClientSecret names only the pool and the client, so that Cognito generates the value, and returns the new id and value', async () => {
    const c = fakeCognito(crm('a'));
    expect(await c.api.add(POOL, CLIENT)).toEqual({ id: `${CLIENT}--1`, value: 'generated-secret-1' });
    expect(c.sent).toEqual([{ command: 'AddUserPoolClientSecret', input: { UserPoolId: POOL, ClientId: CLIENT } }]);
  });

  test.each([
    ['no descriptor', {}],
    ['no id', { ClientSecretDescriptor: { ClientSecretValue: 'v' } }],
    ['no value (as for a secret the caller supplied)', { ClientSecretDescriptor: { ClientSecretId: 'id' } }],
    ['an empty value', { ClientSecretDescriptor: { ClientSecretId: 'id', ClientSecretValue: '' } }],
  ])('an AddUserPoolClientSecret answer with %s is an error, never an empty secret', async (_, answer) => {
    const c = fakeCognito(crm('a'), { answer: { AddUserPoolClientSecret: answer } });
    await expect(c.api.add(POOL, CLIENT)).rejects.toThrow(new Error('AddUserPoolClientSecret returned no ClientSecretId or ClientSecretValue'));
  });

  test("a third secret is refused with Cognito's LimitExceededException, which reaches the caller", async () => {
    const c = fakeCognito(crm('a', 'b'));
    await expect(c.api.add(POOL, CLIENT)).rejects.toBeInstanceOf(LimitExceededException);
  });

  test('ListUserPoolClientSecrets is read page by page, each request carrying the previous NextToken', async () => {
    const clients = crm('a', 'b', 'c');
    const c = fakeCognito(clients, { pageSize: 1 });
    expect(await c.api.list(POOL, CLIENT)).toEqual(['a', 'b', 'c']);
    expect(c.sent).toEqual([
      { command: 'ListUserPoolClientSecrets', input: { UserPoolId: POOL, ClientId: CLIENT, NextToken: undefined } },
      { command: 'ListUserPoolClientSecrets', input: { UserPoolId: POOL, ClientId: CLIENT, NextToken: '1' } },
      { command: 'ListUserPoolClientSecrets', input: { UserPoolId: POOL, ClientId: CLIENT, NextToken: '2' } },
    ]);
  });

  test('a list entry without an id is skipped, and a page without ClientSecrets is empty', async () => {
    const withHole = fakeCognito(crm(), { answer: { ListUserPoolClientSecrets: { ClientSecrets: [{ ClientSecretCreateDate: new Date(0) }, { ClientSecretId: 'b' }] } } });
    expect(await withHole.api.list(POOL, CLIENT)).toEqual(['b']);
    const empty = fakeCognito(crm(), { answer: { ListUserPoolClientSecrets: {} } });
    expect(await empty.api.list(POOL, CLIENT)).toEqual([]);
  });

  test('DeleteUserPoolClientSecret names the pool, the client and the secret id', async () => {
    const clients = crm('a', 'b');
    const c = fakeCognito(clients);
    await c.api.delete(POOL, CLIENT, 'a');
    expect(c.sent).toEqual([{ command: 'DeleteUserPoolClientSecret', input: { UserPoolId: POOL, ClientId: CLIENT, ClientSecretId: 'a' } }]);
    expect(clients[`${POOL}/${CLIENT}`].secrets.map((s) => s.id)).toEqual(['b']);
  });

  test('deleting a secret Cognito no longer has is not an error (a replayed revocation)', async () => {
    const c = fakeCognito(crm('a', 'b'));
    await expect(c.api.delete(POOL, CLIENT, 'gone')).resolves.toBeUndefined();
  });

  test.each([
    ['throttled', new TooManyRequestsException({ message: 'Rate exceeded', ...meta })],
    ['denied by IAM', new AccessDeniedException({ message: 'not authorized to perform cognito-idp:DeleteUserPoolClientSecret', ...meta })],
    ['refused as the last secret', new InvalidParameterException({ message: 'You cannot delete the last remaining secret for an app client.', ...meta })],
  ])('a delete that is %s fails: the secret may still be live', async (_, error) => {
    const c = fakeCognito(crm('a', 'b'), { fail: { DeleteUserPoolClientSecret: error } });
    await expect(c.api.delete(POOL, CLIENT, 'a')).rejects.toBe(error);
  });

  test('DescribeUserPoolClient gives the name and the secret; an answer without the client gives neither', async () => {
    const c = fakeCognito(crm('a'));
    expect(await c.api.describe(POOL, CLIENT)).toEqual({ name: 'Crm', secret: 'value-of-a' });
    expect(c.sent).toEqual([{ command: 'DescribeUserPoolClient', input: { UserPoolId: POOL, ClientId: CLIENT } }]);
    const bare = fakeCognito(crm('a'), { answer: { DescribeUserPoolClient: {} } });
    expect(await bare.api.describe(POOL, CLIENT)).toEqual({ name: undefined, secret: undefined });
  });
});

describe('the secret value', () => {
  test('a value that is not JSON is refused, naming the version and the expected shape but never showing the value', () => {
    const attempt = () => parseClientSecretValue('s3cr3t-not-json', 'AWSPENDING');
    expect(attempt).toThrow(new Error('the AWSPENDING value is not JSON: a cognito-client-secret secret holds { userPoolId, clientId, clientSecret, clientSecretId }'));
  });

  test.each([
    ['null', 'null', 'userPoolId'],
    ['no userPoolId', value({ clientId: CLIENT, clientSecret: 's' }), 'userPoolId'],
    ['an empty userPoolId', value({ userPoolId: '', clientId: CLIENT, clientSecret: 's' }), 'userPoolId'],
    ['a numeric userPoolId', value({ userPoolId: 7, clientId: CLIENT, clientSecret: 's' }), 'userPoolId'],
    ['no clientId', value({ userPoolId: POOL, clientSecret: 's' }), 'clientId'],
    ['an empty clientId', value({ userPoolId: POOL, clientId: '', clientSecret: 's' }), 'clientId'],
    ['a numeric clientId', value({ userPoolId: POOL, clientId: 7, clientSecret: 's' }), 'clientId'],
  ])('a value with %s is refused, naming the field', (_, text, field) => {
    expect(() => parseClientSecretValue(text, 'AWSCURRENT', true)).toThrow(new Error(`the AWSCURRENT value has no ${field}`));
  });

  test('outside the bootstrap value, a clientSecret is required: missing, empty or not a string is refused', () => {
    for (const clientSecret of [undefined, '', 42]) {
      expect(() => parseClientSecretValue(value({ userPoolId: POOL, clientId: CLIENT, clientSecret }), 'AWSPENDING')).toThrow(new Error('the AWSPENDING value has no clientSecret'));
    }
  });

  test('the bootstrap value (before the first rotation) may have no clientSecret or an empty one, but not one of another type', () => {
    expect(parseClientSecretValue(bootstrap, 'AWSCURRENT', true)).toEqual({ userPoolId: POOL, clientId: CLIENT });
    expect(parseClientSecretValue(value({ userPoolId: POOL, clientId: CLIENT, clientSecret: '' }), 'AWSCURRENT', true)).toEqual({ userPoolId: POOL, clientId: CLIENT, clientSecret: '' });
    expect(() => parseClientSecretValue(value({ userPoolId: POOL, clientId: CLIENT, clientSecret: 42 }), 'AWSCURRENT', true)).toThrow(new Error('the AWSCURRENT value has no clientSecret'));
  });

  test('a clientSecretId must be a string when present', () => {
    expect(parseClientSecretValue(rotated('a'), 'AWSCURRENT')).toEqual({ userPoolId: POOL, clientId: CLIENT, clientSecret: 'value-of-a', clientSecretId: 'a' });
    expect(() => parseClientSecretValue(value({ userPoolId: POOL, clientId: CLIENT, clientSecret: 's', clientSecretId: 9 }), 'AWSCURRENT')).toThrow(
      new Error("the AWSCURRENT value's clientSecretId is not a string"),
    );
  });
});

describe('createSecret', () => {
  describe('the first rotation (the value the construct writes names no secret)', () => {
    test("adopts the client's only secret, reading the client once (the binding check's DescribeUserPoolClient gives the secret)", async () => {
      const c = fakeCognito(crm('gen'));
      const { ctx, log } = context();
      const out = await cognitoClientSecretStrategy(c.api, byName).create({ ...ctx, currentValue: bootstrap });
      expect(JSON.parse(out)).toEqual({ userPoolId: POOL, clientId: CLIENT, clientSecret: 'value-of-gen', clientSecretId: 'gen' });
      expect(c.ops()).toEqual(['DescribeUserPoolClient', 'ListUserPoolClientSecrets']);
      expect(log.lines).toEqual([{ level: 'info', msg: 'adopted the client secret Cognito generated for the app client', extra: { clientId: CLIENT, clientSecretId: 'gen' } }]);
    });

    test('a client bound by id is described only to read the secret it adopts', async () => {
      const c = fakeCognito(crm('gen'));
      const out = await cognitoClientSecretStrategy(c.api, byId).create({ ...context().ctx, currentValue: bootstrap });
      expect(JSON.parse(out)).toEqual({ userPoolId: POOL, clientId: CLIENT, clientSecret: 'value-of-gen', clientSecretId: 'gen' });
      expect(c.sent).toEqual([
        { command: 'ListUserPoolClientSecrets', input: { UserPoolId: POOL, ClientId: CLIENT, NextToken: undefined } },
        { command: 'DescribeUserPoolClient', input: { UserPoolId: POOL, ClientId: CLIENT } },
      ]);
    });

    test('a client whose description has no secret, though it lists one, fails: there is nothing to adopt', async () => {
      const c = fakeCognito(crm('gen'), { answer: { DescribeUserPoolClient: { UserPoolClient: { ClientName: 'Crm' } } } });
      await expect(cognitoClientSecretStrategy(c.api, byName).create({ ...context().ctx, currentValue: bootstrap })).rejects.toThrow(
        new Error(`app client ${CLIENT} has a secret id but DescribeUserPoolClient returned no ClientSecret`),
      );
    });

    test('a client without a secret gets one added', async () => {
      const c = fakeCognito(crm());
      const { ctx, log } = context();
      const out = await cognitoClientSecretStrategy(c.api, byId).create({ ...ctx, currentValue: bootstrap });
      expect(JSON.parse(out)).toEqual({ userPoolId: POOL, clientId: CLIENT, clientSecret: 'generated-secret-1', clientSecretId: `${CLIENT}--1` });
      expect(c.ops()).toEqual(['ListUserPoolClientSecrets', 'AddUserPoolClientSecret']);
      expect(log.lines).toEqual([{ level: 'info', msg: 'the app client had no secret: added one', extra: { clientId: CLIENT, clientSecretId: `${CLIENT}--1` } }]);
    });

    test('a client with two secrets fails, saying how to leave one, and nothing is added or deleted', async () => {
      const c = fakeCognito(crm('a', 'b'));
      await expect(cognitoClientSecretStrategy(c.api, byName).create({ ...context().ctx, currentValue: bootstrap })).rejects.toThrow(
        new Error(
          `app client ${CLIENT} has 2 secrets and this credential has never been rotated, so the rotation cannot tell which one Cognito generated: ` +
            'delete the secrets no caller uses (aws cognito-idp delete-user-pool-client-secret) until one is left, then rotate again',
        ),
      );
      expect(c.ops()).toEqual(['DescribeUserPoolClient', 'ListUserPoolClientSecrets']);
    });
  });

  test('a current value that is not JSON fails, naming AWSCURRENT, before any Cognito call', async () => {
    const c = fakeCognito(crm('a'));
    await expect(cognitoClientSecretStrategy(c.api, byName).create({ ...context().ctx, currentValue: 'not json' })).rejects.toThrow(
      new Error('the AWSCURRENT value is not JSON: a cognito-client-secret secret holds { userPoolId, clientId, clientSecret, clientSecretId }'),
    );
    expect(c.sent).toEqual([]);
  });

  describe('the binding, not the value, chooses the client', () => {
    test('a value naming another user pool fails before any Cognito call', async () => {
      const c = fakeCognito(crm('a'));
      const attempt = cognitoClientSecretStrategy(c.api, byName).create({ ...context().ctx, currentValue: value({ userPoolId: OTHER_POOL, clientId: CLIENT }) });
      await expect(attempt).rejects.toThrow(new BindingMismatchError(`the AWSCURRENT value names user pool ${OTHER_POOL}, but this credential is bound to user pool ${POOL}; nothing was changed`));
      expect(c.sent).toEqual([]);
    });

    test('a value naming another client id than the bound one fails before any Cognito call', async () => {
      const c = fakeCognito(crm('a'));
      const attempt = cognitoClientSecretStrategy(c.api, byId).create({ ...context().ctx, currentValue: value({ userPoolId: POOL, clientId: 'theirs' }) });
      await expect(attempt).rejects.toThrow(new BindingMismatchError(`the AWSCURRENT value names app client theirs, but this credential is bound to app client ${CLIENT}; nothing was changed`));
      expect(c.sent).toEqual([]);
    });

    test('a value naming a client of another name (or one without a name) fails after reading only its name', async () => {
      const c = fakeCognito({ ...crm('a'), [`${POOL}/theirs`]: { name: 'Billing', secrets: [] }, [`${POOL}/anon`]: { secrets: [] } });
      const strategy = cognitoClientSecretStrategy(c.api, byName);
      await expect(strategy.create({ ...context().ctx, currentValue: value({ userPoolId: POOL, clientId: 'theirs' }) })).rejects.toThrow(
        new BindingMismatchError("the AWSCURRENT value names app client theirs ('Billing'), but this credential is bound to the app client named 'Crm'; nothing was changed"),
      );
      await expect(strategy.create({ ...context().ctx, currentValue: value({ userPoolId: POOL, clientId: 'anon' }) })).rejects.toThrow(
        new BindingMismatchError("the AWSCURRENT value names app client anon ('no name'), but this credential is bound to the app client named 'Crm'; nothing was changed"),
      );
      expect(c.ops()).toEqual(['DescribeUserPoolClient', 'DescribeUserPoolClient']);
    });
  });

  describe('later rotations', () => {
    test('with only the current secret, a secret is added and the history is not read', async () => {
      const c = fakeCognito(crm('cur'));
      const { ctx, log, reads } = context();
      const out = await cognitoClientSecretStrategy(c.api, byId).create({ ...ctx, currentValue: rotated('cur') });
      expect(JSON.parse(out)).toEqual({ userPoolId: POOL, clientId: CLIENT, clientSecret: 'generated-secret-1', clientSecretId: `${CLIENT}--1` });
      expect(c.sent).toEqual([
        { command: 'ListUserPoolClientSecrets', input: { UserPoolId: POOL, ClientId: CLIENT, NextToken: undefined } },
        { command: 'AddUserPoolClientSecret', input: { UserPoolId: POOL, ClientId: CLIENT } },
      ]);
      expect(reads.count).toBe(0);
      expect(log.lines).toEqual([{ level: 'info', msg: 'added a client secret to the app client', extra: { clientId: CLIENT, clientSecretId: `${CLIENT}--1` } }]);
    });

    test.each([
      ['has no id', value({ userPoolId: POOL, clientId: CLIENT, clientSecret: 's' }), '(no id)'],
      ['names a secret Cognito does not list', rotated('gone'), 'gone'],
    ])('a current value that %s fails: Cognito and the secret disagree, and nothing is added', async (_, currentValue, shown) => {
      const c = fakeCognito(crm('cur'));
      await expect(cognitoClientSecretStrategy(c.api, byId).create({ ...context().ctx, currentValue })).rejects.toThrow(
        new Error(`the AWSCURRENT client secret ${shown} is not one of app client ${CLIENT}'s secrets: Cognito and the secret disagree, so nothing was changed`),
      );
      expect(c.ops()).toEqual(['ListUserPoolClientSecrets']);
    });

    const history = (overlapEndsAt: Date | undefined, previousCreatedAt = 1000, current = version('v-cur', 2000, ['AWSCURRENT'], rotated('cur'))) => ({
      versions: [version('v-prev', previousCreatedAt, ['AWSPREVIOUS'], rotated('prev')), current],
      current,
      overlapEndsAt,
    });

    test('the superseded secret is deleted once its overlap has ended (at the very end, too), then a secret is added', async () => {
      const clients = crm('prev', 'cur');
      const c = fakeCognito(clients);
      const { ctx, log } = context(history(NOW));
      const out = await cognitoClientSecretStrategy(c.api, byId).create({ ...ctx, currentValue: rotated('cur') });
      expect(JSON.parse(out).clientSecretId).toBe(`${CLIENT}--1`);
      expect(c.sent.map((s) => [s.command, s.input.ClientSecretId])).toEqual([
        ['ListUserPoolClientSecrets', undefined],
        ['DeleteUserPoolClientSecret', 'prev'],
        ['AddUserPoolClientSecret', undefined],
      ]);
      expect(clients[`${POOL}/${CLIENT}`].secrets.map((s) => s.id)).toEqual(['cur', `${CLIENT}--1`]);
      expect(log.lines.map((l) => [l.msg, l.extra])).toEqual([
        ['deleted the superseded client secret after its overlap', { clientId: CLIENT, clientSecretId: 'prev' }],
        ['added a client secret to the app client', { clientId: CLIENT, clientSecretId: `${CLIENT}--1` }],
      ]);
    });

    test('the superseded secret is not deleted a millisecond before its overlap ends: the rotation fails, saying until when', async () => {
      const ends = new Date(NOW.getTime() + 1);
      const c = fakeCognito(crm('prev', 'cur'));
      await expect(cognitoClientSecretStrategy(c.api, byId).create({ ...context(history(ends)).ctx, currentValue: rotated('cur') })).rejects.toThrow(
        new Error(
          `the previous client secret prev of app client ${CLIENT} stays valid until ${ends.toISOString()} ` +
            '(the overlap), and Cognito allows two secrets: a rotation now would cut callers still using it; rotate after the overlap',
        ),
      );
      expect(c.ops()).toEqual(['ListUserPoolClientSecrets']);
    });

    test('when AWSCURRENT moved is not recorded yet, the superseded secret is kept and the rotation says the sweep records it', async () => {
      const c = fakeCognito(crm('prev', 'cur'));
      await expect(cognitoClientSecretStrategy(c.api, byId).create({ ...context(history(undefined)).ctx, currentValue: rotated('cur') })).rejects.toThrow(
        /stays valid until the overlap after AWSCURRENT moved \(not recorded yet: the credential sweep records it\) \(the overlap\)/,
      );
      expect(c.ops()).toEqual(['ListUserPoolClientSecrets']);
    });

    test('a secret an abandoned rotation issued (created after AWSCURRENT, never current) is deleted at once, even inside the overlap', async () => {
      const c = fakeCognito(crm('cur', 'prev'));
      const { ctx, log } = context(history(undefined, 3000));
      await cognitoClientSecretStrategy(c.api, byId).create({ ...ctx, currentValue: rotated('cur') });
      expect(c.sent.map((s) => [s.command, s.input.ClientSecretId])).toEqual([
        ['ListUserPoolClientSecrets', undefined],
        ['DeleteUserPoolClientSecret', 'prev'],
        ['AddUserPoolClientSecret', undefined],
      ]);
      expect(log.lines[0]).toEqual({ level: 'info', msg: 'deleted a client secret an abandoned rotation issued', extra: { clientId: CLIENT, clientSecretId: 'prev' } });
    });

    test('a version created in the same instant as AWSCURRENT is not abandoned: its secret keeps its overlap', async () => {
      const c = fakeCognito(crm('cur', 'prev'));
      await expect(cognitoClientSecretStrategy(c.api, byId).create({ ...context(history(undefined, 2000)).ctx, currentValue: rotated('cur') })).rejects.toThrow(/stays valid until/);
      expect(c.ops()).toEqual(['ListUserPoolClientSecrets']);
    });

    test('with no AWSCURRENT version in the history, no secret counts as abandoned', async () => {
      const c = fakeCognito(crm('cur', 'prev'));
      const h = { versions: [version('v-prev', 3000, [], rotated('prev'))] };
      await expect(cognitoClientSecretStrategy(c.api, byId).create({ ...context(h).ctx, currentValue: rotated('cur') })).rejects.toThrow(/stays valid until/);
      expect(c.ops()).toEqual(['ListUserPoolClientSecrets']);
    });

    test("a secret no version names (an operator's, or a crashed createSecret's) is never deleted; versions without a value or with another value do not claim it", async () => {
      const c = fakeCognito(crm('cur', 'operators'));
      const current = version('v-cur', 2000, ['AWSCURRENT'], rotated('cur'));
      const h = { versions: [version('v-none', 500, []), version('v-text', 600, [], 'not json'), version('v-null', 700, [], 'null'), current], current, overlapEndsAt: NOW };
      await expect(cognitoClientSecretStrategy(c.api, byId).create({ ...context(h).ctx, currentValue: rotated('cur') })).rejects.toThrow(
        new Error(
          `app client ${CLIENT} holds client secret operators, which no version of this credential names (an operator's, or one left by a createSecret that crashed after adding it), ` +
            'and Cognito allows two: the rotation deletes only secrets it issued. If no caller uses it, delete it (aws cognito-idp delete-user-pool-client-secret) and rotate again',
        ),
      );
      expect(c.ops()).toEqual(['ListUserPoolClientSecrets']);
    });

    test('a second secret on a later ListUserPoolClientSecrets page is found, and deleted after its overlap before the add', async () => {
      const c = fakeCognito(crm('cur', 'prev'), { pageSize: 1 });
      await cognitoClientSecretStrategy(c.api, byId).create({ ...context(history(NOW)).ctx, currentValue: rotated('cur') });
      expect(c.sent.map((s) => [s.command, s.input.NextToken ?? s.input.ClientSecretId])).toEqual([
        ['ListUserPoolClientSecrets', undefined],
        ['ListUserPoolClientSecrets', '1'],
        ['DeleteUserPoolClientSecret', 'prev'],
        ['AddUserPoolClientSecret', undefined],
      ]);
    });

    test("Cognito's two-secret limit: an operator's secret added between the list and the add makes the add fail with LimitExceededException", async () => {
      const clients = crm('cur');
      const c = fakeCognito(clients, { before: { AddUserPoolClientSecret: () => clients[`${POOL}/${CLIENT}`].secrets.push({ id: 'operators', value: 'x' }) } });
      await expect(cognitoClientSecretStrategy(c.api, byId).create({ ...context().ctx, currentValue: rotated('cur') })).rejects.toBeInstanceOf(LimitExceededException);
      expect(clients[`${POOL}/${CLIENT}`].secrets.map((s) => s.id)).toEqual(['cur', 'operators']);
    });

    test.each([
      ['throttled', 'ListUserPoolClientSecrets', new TooManyRequestsException({ message: 'Rate exceeded', ...meta })],
      ['throttled', 'AddUserPoolClientSecret', new TooManyRequestsException({ message: 'Rate exceeded', ...meta })],
      ['denied', 'AddUserPoolClientSecret', new NotAuthorizedException({ message: 'not authorized', ...meta })],
      ['denied', 'DeleteUserPoolClientSecret', new AccessDeniedException({ message: 'not authorized to perform cognito-idp:DeleteUserPoolClientSecret', ...meta })],
    ])('a %s %s fails createSecret with that error: nothing is stored, and the step is retried', async (_, op, error) => {
      const c = fakeCognito(crm('prev', 'cur'), { fail: { [op]: error } });
      await expect(cognitoClientSecretStrategy(c.api, byId).create({ ...context(history(NOW)).ctx, currentValue: rotated('cur') })).rejects.toBe(error);
      expect(c.ops().at(-1)).toBe(op);
    });
  });
});

describe('testSecret', () => {
  const pending = rotated('new', 'new-secret');

  test('proves the pending secret with a client-credentials grant: POST, HTTP Basic of the client id and secret, the requested scopes', async () => {
    const c = fakeCognito(crm('cur', 'new'));
    const endpoint = tokenEndpoint();
    const strategy = cognitoClientSecretStrategy(c.api, { ...byId, tokenEndpoint: TOKEN_ENDPOINT, scopes: 'crm/read crm/write' }, { fetch: endpoint.fetch });
    await expect(strategy.test({ ...context().ctx, pendingValue: pending, currentValue: rotated('cur') })).resolves.toBeUndefined();
    expect(endpoint.requests).toEqual([
      {
        url: TOKEN_ENDPOINT,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT}:new-secret`).toString('base64')}` },
        body: `grant_type=client_credentials&client_id=${CLIENT}&scope=crm%2Fread+crm%2Fwrite`,
        signal: expect.any(AbortSignal),
      },
    ]);
    expect(c.sent).toEqual([{ command: 'ListUserPoolClientSecrets', input: { UserPoolId: POOL, ClientId: CLIENT, NextToken: undefined } }]);
  });

  test('without scopes, the grant asks for none (the client gets its default scopes)', async () => {
    const endpoint = tokenEndpoint();
    await cognitoClientSecretStrategy(fakeCognito(crm('new')).api, byName, { fetch: endpoint.fetch }).test({ ...context().ctx, pendingValue: pending });
    expect(endpoint.requests[0].body).toBe(`grant_type=client_credentials&client_id=${CLIENT}`);
  });

  test('the secret adopted at the first rotation is Cognito’s own and is not proven with a token; without a token endpoint nothing is', async () => {
    const adopting = tokenEndpoint();
    await cognitoClientSecretStrategy(fakeCognito(crm('new')).api, byName, { fetch: adopting.fetch }).test({ ...context().ctx, pendingValue: pending, currentValue: bootstrap });
    expect(adopting.requests).toEqual([]);
    const none = tokenEndpoint();
    await cognitoClientSecretStrategy(fakeCognito(crm('new')).api, byId, { fetch: none.fetch }).test({ ...context().ctx, pendingValue: pending, currentValue: rotated('cur') });
    expect(none.requests).toEqual([]);
  });

  test.each([
    ['has no id', value({ userPoolId: POOL, clientId: CLIENT, clientSecret: 'new-secret' }), '(no id)'],
    ['is no longer one of the client’s secrets', rotated('deleted'), 'deleted'],
  ])('a pending secret that %s fails the test, before any token request', async (_, pendingValue, shown) => {
    const endpoint = tokenEndpoint();
    const attempt = cognitoClientSecretStrategy(fakeCognito(crm('new')).api, byName, { fetch: endpoint.fetch }).test({ ...context().ctx, pendingValue, currentValue: rotated('cur') });
    await expect(attempt).rejects.toThrow(new CredentialTestError(`the pending client secret ${shown} is not one of app client ${CLIENT}'s secrets`));
    expect(endpoint.requests).toEqual([]);
  });

  test('a pending value without a secret, or naming another pool, fails the test without a token request', async () => {
    const endpoint = tokenEndpoint();
    const strategy = cognitoClientSecretStrategy(fakeCognito(crm('new')).api, byName, { fetch: endpoint.fetch });
    await expect(strategy.test({ ...context().ctx, pendingValue: bootstrap })).rejects.toThrow(new Error('the AWSPENDING value has no clientSecret'));
    const otherPool = strategy.test({ ...context().ctx, pendingValue: value({ userPoolId: OTHER_POOL, clientId: CLIENT, clientSecret: 's', clientSecretId: 'new' }) });
    await expect(otherPool).rejects.toBeInstanceOf(BindingMismatchError);
    await expect(otherPool).rejects.toThrow(`the AWSPENDING value names user pool ${OTHER_POOL}, but this credential is bound to user pool ${POOL}; nothing was changed`);
    expect(endpoint.requests).toEqual([]);
  });

  test('a current value that is not JSON fails the test, naming AWSCURRENT, without a token request', async () => {
    const endpoint = tokenEndpoint();
    const attempt = cognitoClientSecretStrategy(fakeCognito(crm('new')).api, byName, { fetch: endpoint.fetch }).test({ ...context().ctx, pendingValue: pending, currentValue: 'not json' });
    await expect(attempt).rejects.toThrow(/^the AWSCURRENT value is not JSON/);
    expect(endpoint.requests).toEqual([]);
  });

  test.each([
    ['refuses the secret (HTTP 401)', () => new Response('{"error":"invalid_client"}', { status: 401 }), 'the token endpoint refused the pending client secret: HTTP 401'],
    ['answers 200 with a body that is not JSON', () => new Response('<html>', { status: 200 }), 'the token endpoint answered without an access_token'],
    ['answers 200 without an access_token', () => Response.json({ token_type: 'Bearer' }), 'the token endpoint answered without an access_token'],
    ['answers 200 with a numeric access_token', () => Response.json({ access_token: 42 }), 'the token endpoint answered without an access_token'],
  ])('a token endpoint that %s fails the test', async (_, response, message) => {
    const endpoint = tokenEndpoint(response);
    const attempt = cognitoClientSecretStrategy(fakeCognito(crm('new')).api, byName, { fetch: endpoint.fetch }).test({ ...context().ctx, pendingValue: pending, currentValue: rotated('cur') });
    await expect(attempt).rejects.toThrow(new CredentialTestError(message));
  });

  test('a token endpoint that never answers fails the test once the configured timeout aborts the request', async () => {
    const hanging = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof fetch;
    const attempt = cognitoClientSecretStrategy(fakeCognito(crm('new')).api, byName, { fetch: hanging, timeoutMs: 5 }).test({ ...context().ctx, pendingValue: pending });
    await expect(attempt).rejects.toThrow(expect.objectContaining({ name: 'TimeoutError' }));
  });
});

describe('revoke (after the overlap)', () => {
  const revoke = (api: ReturnType<typeof fakeCognito>['api'], previousValue: string, currentValue: string, b: typeof byId | typeof byName = byId) => {
    const { ctx, log } = context();
    return { log, done: cognitoClientSecretStrategy(api, b).revoke!({ ...ctx, token: 'v-prev', previousValue, currentValue }) };
  };

  test('deletes the superseded secret: the request names the pool, the client and its id, and the log says which', async () => {
    const c = fakeCognito(crm('prev', 'cur'));
    const { log, done } = revoke(c.api, rotated('prev'), rotated('cur'));
    await done;
    expect(c.sent).toEqual([
      { command: 'ListUserPoolClientSecrets', input: { UserPoolId: POOL, ClientId: CLIENT, NextToken: undefined } },
      { command: 'DeleteUserPoolClientSecret', input: { UserPoolId: POOL, ClientId: CLIENT, ClientSecretId: 'prev' } },
    ]);
    expect(log.lines).toEqual([{ level: 'info', msg: 'deleted a superseded client secret', extra: { clientId: CLIENT, clientSecretId: 'prev' } }]);
  });

  test('the value written before the first rotation issued nothing, and a superseded value holding the current secret is not deleted', async () => {
    const c = fakeCognito(crm('cur'));
    await revoke(c.api, bootstrap, rotated('cur')).done;
    await revoke(c.api, rotated('cur', 'older-copy'), rotated('cur')).done;
    expect(c.sent).toEqual([]);
  });

  test('a secret already deleted (a replay) is not deleted again', async () => {
    const c = fakeCognito(crm('cur'));
    const { log, done } = revoke(c.api, rotated('prev'), rotated('cur'));
    await done;
    expect(c.ops()).toEqual(['ListUserPoolClientSecrets']);
    expect(log.lines).toEqual([]);
  });

  test('a current value without a secret fails: the superseded one is kept', async () => {
    const c = fakeCognito(crm('prev', 'cur'));
    await expect(revoke(c.api, rotated('prev'), bootstrap).done).rejects.toThrow(new Error('the AWSCURRENT value has no clientSecret'));
    expect(c.sent).toEqual([]);
  });

  test('a current value naming another client than the bound one fails before any delete', async () => {
    const c = fakeCognito(crm('prev', 'cur'));
    const current = value({ userPoolId: POOL, clientId: 'theirs', clientSecret: 's', clientSecretId: 'cur' });
    const attempt = revoke(c.api, rotated('prev'), current).done;
    await expect(attempt).rejects.toBeInstanceOf(BindingMismatchError);
    await expect(attempt).rejects.toThrow(`the AWSCURRENT value names app client theirs, but this credential is bound to app client ${CLIENT}; nothing was changed`);
    expect(c.sent).toEqual([]);
  });

  test('a superseded value that is not JSON fails, naming it as the superseded value, and nothing is deleted', async () => {
    const c = fakeCognito(crm('prev', 'cur'));
    await expect(revoke(c.api, 'not json', rotated('cur')).done).rejects.toThrow(/^the superseded value is not JSON/);
    expect(c.sent).toEqual([]);
  });

  test.each([
    ['another user pool', value({ userPoolId: OTHER_POOL, clientId: CLIENT, clientSecret: 's', clientSecretId: 'prev' }), OTHER_POOL, CLIENT],
    ['another client', value({ userPoolId: POOL, clientId: 'theirs', clientSecret: 's', clientSecretId: 'prev' }), POOL, 'theirs'],
  ])("a superseded value naming %s is not this rotation's to delete: the revocation fails, saying how to go on", async (_, previous, pool, client) => {
    const c = fakeCognito({ ...crm('prev', 'cur'), [`${OTHER_POOL}/${CLIENT}`]: { name: 'Crm', secrets: [{ id: 'prev', value: 'x' }] }, [`${POOL}/theirs`]: { name: 'Other', secrets: [{ id: 'prev', value: 'x' }] } });
    const attempt = revoke(c.api, previous, rotated('cur'), byName).done;
    await expect(attempt).rejects.toThrow(
      new BindingMismatchError(
        `version v-prev names app client ${client} of user pool ${pool}, not the bound client: its secret is not this rotation's to delete. ` +
          `Find out who wrote that version; then a break-glass role may move the ${ROTATION_LABELS.REVOKED} staging label to it so that revocation goes on past it`,
      ),
    );
    expect(c.ops()).toEqual(['DescribeUserPoolClient']);
  });

  test.each([
    ['throttled', new TooManyRequestsException({ message: 'Rate exceeded', ...meta })],
    ['denied', new NotAuthorizedException({ message: 'not authorized', ...meta })],
  ])('a delete that is %s fails the revocation, so that the watermark stays and the sweep retries it', async (_, error) => {
    const c = fakeCognito(crm('prev', 'cur'), { fail: { DeleteUserPoolClientSecret: error } });
    await expect(revoke(c.api, rotated('prev'), rotated('cur')).done).rejects.toBe(error);
  });
});
