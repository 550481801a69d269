import {
  AddUserPoolClientSecretCommand,
  type CognitoIdentityProviderClient,
  DeleteUserPoolClientSecretCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientSecretsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoClientSecretValue } from '../../lib/secrets/rotation-config';
import { ROTATION_LABELS } from '../../lib/secrets/rotation-config';
import type { ResolvedStrategy } from './bindings';
import { BindingMismatchError, CredentialTestError, type RotationStrategy, type StrategyContext } from './strategy';

/**
 * Cognito's app-client API, reduced to what the rotation needs, so that the strategy can be tested
 * (and swapped) without the SDK. moto 5.2.1 does not implement the two-active-secrets part.
 */
export interface CognitoClientSecretApi {
  /** AddUserPoolClientSecret: a new Cognito-generated secret; fails when the client already has 2. */
  add(userPoolId: string, clientId: string): Promise<{ readonly id: string; readonly value: string }>;
  /** ListUserPoolClientSecrets: the client's secrets' ids (never their values). */
  list(userPoolId: string, clientId: string): Promise<string[]>;
  /** DeleteUserPoolClientSecret; an id that no longer exists is not an error. */
  delete(userPoolId: string, clientId: string, clientSecretId: string): Promise<void>;
  /** DescribeUserPoolClient: the client's name and the secret Cognito generated for it. */
  describe(userPoolId: string, clientId: string): Promise<{ readonly name?: string; readonly secret?: string }>;
}

/** {@link CognitoClientSecretApi} over the AWS SDK v3 Cognito client. */
export function sdkCognitoClientSecretApi(client: CognitoIdentityProviderClient): CognitoClientSecretApi {
  return {
    add: async (UserPoolId, ClientId) => {
      const out = await client.send(new AddUserPoolClientSecretCommand({ UserPoolId, ClientId }));
      const d = out.ClientSecretDescriptor;
      if (!d?.ClientSecretId || !d.ClientSecretValue) throw new Error('AddUserPoolClientSecret returned no ClientSecretId or ClientSecretValue');
      return { id: d.ClientSecretId, value: d.ClientSecretValue };
    },
    list: async (UserPoolId, ClientId) => {
      const ids: string[] = [];
      let NextToken: string | undefined;
      do {
        const out = await client.send(new ListUserPoolClientSecretsCommand({ UserPoolId, ClientId, NextToken }));
        // Stryker disable next-line ArrayDeclaration: equivalent, see reports/mutation/EQUIVALENT.md
        for (const s of out.ClientSecrets ?? []) if (s.ClientSecretId) ids.push(s.ClientSecretId);
        NextToken = out.NextToken;
      } while (NextToken);
      return ids;
    },
    delete: async (UserPoolId, ClientId, ClientSecretId) => {
      try {
        await client.send(new DeleteUserPoolClientSecretCommand({ UserPoolId, ClientId, ClientSecretId }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
    describe: async (UserPoolId, ClientId) => {
      const out = await client.send(new DescribeUserPoolClientCommand({ UserPoolId, ClientId }));
      return { name: out.UserPoolClient?.ClientName, secret: out.UserPoolClient?.ClientSecret };
    },
  };
}

/**
 * Parses a secret value of this strategy; the error names the version, never shows the value.
 * @param bootstrap accept the value the platform writes before the first rotation (no clientSecret)
 */
export function parseClientSecretValue(value: string, which: string, bootstrap = false): CognitoClientSecretValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`the ${which} value is not JSON: a cognito-client-secret secret holds { userPoolId, clientId, clientSecret, clientSecretId }`);
  }
  const v = parsed as Partial<CognitoClientSecretValue> | null;
  for (const field of ['userPoolId', 'clientId'] as const) {
    if (typeof v?.[field] !== 'string' || v[field] === '') throw new Error(`the ${which} value has no ${field}`);
  }
  // Stryker disable next-line OptionalChaining: equivalent, see reports/mutation/EQUIVALENT.md
  const hasSecret = typeof v?.clientSecret === 'string' && v.clientSecret !== '';
  // Stryker disable next-line OptionalChaining: equivalent, see reports/mutation/EQUIVALENT.md
  if (!hasSecret && !(bootstrap && (v?.clientSecret === undefined || v.clientSecret === ''))) throw new Error(`the ${which} value has no clientSecret`);
  // Stryker disable next-line OptionalChaining: equivalent, see reports/mutation/EQUIVALENT.md
  if (v?.clientSecretId !== undefined && typeof v.clientSecretId !== 'string') throw new Error(`the ${which} value's clientSecretId is not a string`);
  return v as CognitoClientSecretValue;
}

/** Options of the Cognito strategy. */
export interface CognitoStrategyOptions {
  /** fetch, for the token request (tests). */
  readonly fetch?: typeof fetch;
  /** Timeout of the token request, ms. @default 10000 */
  readonly timeoutMs?: number;
}

type CognitoBinding = Extract<ResolvedStrategy, { strategy: 'cognito-client-secret' }>;

/**
 * A Cognito app client's secret, rotated with no downtime: an app client holds up to two secrets,
 * so createSecret adds the new one while the old keeps working, and the old one is deleted only
 * once the overlap after the new one became AWSCURRENT has passed (revocation.ts).
 *
 * The app client is the one the secret is BOUND to at deploy, never the one its value names: a
 * value naming another pool or client (written by anyone allowed to put values) fails every step
 * before any Cognito call that changes something. The first rotation adopts the secret Cognito
 * generated when it created the client (the client's only secret); later ones add a secret.
 *
 * The rotation deletes only secrets it issued or adopted (named by a version of the secret), never
 * the one AWSCURRENT names, never the superseded one before its overlap ends, and never one it
 * cannot account for (an operator's, or one a createSecret that crashed after adding it left
 * behind): if the client has no free slot for such a reason, the rotation fails and says why.
 */
export function cognitoClientSecretStrategy(api: CognitoClientSecretApi, binding: CognitoBinding, options: CognitoStrategyOptions = {}): RotationStrategy {
  const pool = binding.userPoolId;
  /** Checks that a value names the bound client; returns the client's description. */
  const checkBinding = async (value: CognitoClientSecretValue, which: string) => {
    if (value.userPoolId !== pool) {
      throw new BindingMismatchError(`the ${which} value names user pool ${value.userPoolId}, but this credential is bound to user pool ${pool}; nothing was changed`);
    }
    if ('id' in binding.client) {
      if (value.clientId !== binding.client.id) {
        throw new BindingMismatchError(`the ${which} value names app client ${value.clientId}, but this credential is bound to app client ${binding.client.id}; nothing was changed`);
      }
      return undefined;
    }
    const described = await api.describe(pool, value.clientId);
    if (described.name !== binding.client.name) {
      throw new BindingMismatchError(
        `the ${which} value names app client ${value.clientId} ('${described.name ?? 'no name'}'), but this credential is bound to the app client named '${binding.client.name}'; nothing was changed`,
      );
    }
    return described;
  };
  const secretIdOf = (value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    try {
      return (JSON.parse(value) as Partial<CognitoClientSecretValue>).clientSecretId;
    } catch {
      return undefined;
    }
  };

  return {
    create: async ({ currentValue, log, now, history }) => {
      const current = parseClientSecretValue(currentValue, 'AWSCURRENT', true);
      const described = await checkBinding(current, 'AWSCURRENT');
      const { clientId } = current;
      const ids = await api.list(pool, clientId);
      const value = (clientSecret: string, clientSecretId: string) => JSON.stringify({ userPoolId: pool, clientId, clientSecret, clientSecretId } satisfies CognitoClientSecretValue);

      if (!current.clientSecret) {
        // The first rotation: adopt the secret Cognito generated with the client.
        if (ids.length === 1) {
          const secret = (described ?? (await api.describe(pool, clientId))).secret;
          if (!secret) throw new Error(`app client ${clientId} has a secret id but DescribeUserPoolClient returned no ClientSecret`);
          log.info('adopted the client secret Cognito generated for the app client', { clientId, clientSecretId: ids[0] });
          return value(secret, ids[0]);
        }
        if (ids.length === 0) {
          const added = await api.add(pool, clientId);
          log.info('the app client had no secret: added one', { clientId, clientSecretId: added.id });
          return value(added.value, added.id);
        }
        throw new Error(
          `app client ${clientId} has ${ids.length} secrets and this credential has never been rotated, so the rotation cannot tell which one Cognito generated: ` +
            'delete the secrets no caller uses (aws cognito-idp delete-user-pool-client-secret) until one is left, then rotate again',
        );
      }
      if (!current.clientSecretId || !ids.includes(current.clientSecretId)) {
        throw new Error(`the AWSCURRENT client secret ${current.clientSecretId ?? '(no id)'} is not one of app client ${clientId}'s secrets: Cognito and the secret disagree, so nothing was changed`);
      }
      const others = ids.filter((id) => id !== current.clientSecretId);
      // Stryker disable next-line LogicalOperator: equivalent, see reports/mutation/EQUIVALENT.md
      if (others.length > 0 && ids.length >= 2) {
        const h = await history();
        for (const id of others) {
          const owner = h.versions.find((v) => secretIdOf(v.value) === id);
          if (!owner) {
            throw new Error(
              `app client ${clientId} holds client secret ${id}, which no version of this credential names (an operator's, or one left by a createSecret that crashed after adding it), ` +
                'and Cognito allows two: the rotation deletes only secrets it issued. If no caller uses it, delete it (aws cognito-idp delete-user-pool-client-secret) and rotate again',
            );
          }
          const abandoned = h.current !== undefined && owner.createdAt > h.current.createdAt; // issued by a rotation that never made it current
          if (!abandoned && (h.overlapEndsAt === undefined || now < h.overlapEndsAt)) {
            throw new Error(
              `the previous client secret ${id} of app client ${clientId} stays valid until ${h.overlapEndsAt?.toISOString() ?? 'the overlap after AWSCURRENT moved (not recorded yet: the credential sweep records it)'} ` +
                '(the overlap), and Cognito allows two secrets: a rotation now would cut callers still using it; rotate after the overlap',
            );
          }
          await api.delete(pool, clientId, id);
          log.info(abandoned ? 'deleted a client secret an abandoned rotation issued' : 'deleted the superseded client secret after its overlap', { clientId, clientSecretId: id });
        }
      }
      const added = await api.add(pool, clientId);
      log.info('added a client secret to the app client', { clientId, clientSecretId: added.id });
      return value(added.value, added.id);
    },
    test: async ({ pendingValue, currentValue }) => {
      const pending = parseClientSecretValue(pendingValue, 'AWSPENDING');
      await checkBinding(pending, 'AWSPENDING');
      const ids = await api.list(pool, pending.clientId);
      if (pending.clientSecretId === undefined || !ids.includes(pending.clientSecretId)) {
        throw new CredentialTestError(`the pending client secret ${pending.clientSecretId ?? '(no id)'} is not one of app client ${pending.clientId}'s secrets`);
      }
      // The secret adopted at the first rotation is Cognito's own, read from Cognito: it needs no
      // token to prove it, and the first rotation runs at deploy, when the domain may not resolve yet.
      const adopting = currentValue !== undefined && !parseClientSecretValue(currentValue, 'AWSCURRENT', true).clientSecret;
      if (binding.tokenEndpoint && !adopting) await requestToken(pending, binding, options);
    },
    revoke: async ({ previousValue, currentValue, log, token }: StrategyContext & { previousValue: string; currentValue: string }) => {
      const previous = parseClientSecretValue(previousValue, 'superseded', true);
      if (!previous.clientSecretId) return; // the value written before the first rotation: nothing was issued
      const current = parseClientSecretValue(currentValue, 'AWSCURRENT');
      if (previous.clientSecretId === current.clientSecretId) return;
      await checkBinding(current, 'AWSCURRENT');
      if (previous.userPoolId !== pool || previous.clientId !== current.clientId) {
        throw new BindingMismatchError(
          `version ${token} names app client ${previous.clientId} of user pool ${previous.userPoolId}, not the bound client: its secret is not this rotation's to delete. ` +
            `Find out who wrote that version; then a break-glass role may move the ${ROTATION_LABELS.REVOKED} staging label to it so that revocation goes on past it`,
        );
      }
      const ids = await api.list(pool, previous.clientId);
      if (!ids.includes(previous.clientSecretId)) return; // already deleted (replay)
      await api.delete(pool, previous.clientId, previous.clientSecretId);
      log.info('deleted a superseded client secret', { clientId: previous.clientId, clientSecretId: previous.clientSecretId });
    },
  };
}

/** The real proof: an OAuth 2.0 client credentials grant with the pending secret (RFC 6749 section 4.4). */
async function requestToken(pending: CognitoClientSecretValue, binding: CognitoBinding, options: CognitoStrategyOptions): Promise<void> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: pending.clientId });
  if (binding.scopes) body.set('scope', binding.scopes);
  const res = await (options.fetch ?? fetch)(binding.tokenEndpoint!, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${pending.clientId}:${pending.clientSecret}`).toString('base64')}`,
    },
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10000),
  });
  if (!res.ok) throw new CredentialTestError(`the token endpoint refused the pending client secret: HTTP ${res.status}`);
  const token = (await res.json().catch(() => undefined)) as { access_token?: unknown } | undefined;
  if (typeof token?.access_token !== 'string') throw new CredentialTestError('the token endpoint answered without an access_token');
}
