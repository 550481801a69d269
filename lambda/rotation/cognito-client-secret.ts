import {
  AddUserPoolClientSecretCommand,
  type CognitoIdentityProviderClient,
  DeleteUserPoolClientSecretCommand,
  ListUserPoolClientSecretsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoClientSecretValue } from '../../lib/secrets/rotation-config';
import { CredentialTestError, type RotationStrategy } from './strategy';

/**
 * Cognito's two-active-secrets API for an app client, reduced to what the rotation needs, so that
 * the strategy can be tested (and swapped) without the SDK. moto 5.2.1 does not implement it.
 */
export interface CognitoClientSecretApi {
  /** AddUserPoolClientSecret: a new Cognito-generated secret; fails when the client already has 2. */
  add(userPoolId: string, clientId: string): Promise<{ readonly id: string; readonly value: string }>;
  /** ListUserPoolClientSecrets: the client's secrets' ids (never their values). */
  list(userPoolId: string, clientId: string): Promise<string[]>;
  /** DeleteUserPoolClientSecret; an id that no longer exists is not an error. */
  delete(userPoolId: string, clientId: string, clientSecretId: string): Promise<void>;
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
  };
}

/** Parses a secret value of this strategy; the error names the version, never shows the value. */
export function parseClientSecretValue(value: string, which: string): CognitoClientSecretValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`the ${which} value is not JSON: a cognito-client-secret secret holds { userPoolId, clientId, clientSecret, clientSecretId }`);
  }
  const v = parsed as Partial<CognitoClientSecretValue> | null;
  for (const field of ['userPoolId', 'clientId', 'clientSecret'] as const) {
    if (typeof v?.[field] !== 'string' || v[field] === '') throw new Error(`the ${which} value has no ${field}`);
  }
  return v as CognitoClientSecretValue;
}

/** Options of the Cognito strategy. */
export interface CognitoStrategyOptions {
  /** The OAuth 2.0 token endpoint; when set, testSecret requests a token with the pending secret. */
  readonly tokenEndpoint?: string;
  /** Scopes for that request (space-separated). */
  readonly scopes?: string;
  /** fetch, for the token request (tests). */
  readonly fetch?: typeof fetch;
  /** Timeout of the token request, ms. @default 10000 */
  readonly timeoutMs?: number;
}

/**
 * A Cognito app client's secret, rotated with no downtime: an app client can hold two secrets, so
 * createSecret adds the new one (the old keeps working) and finishSecret deletes the old one once
 * AWSCURRENT has moved.
 *
 * Replays and crashes: a createSecret that finds the pending value stored never runs this (see
 * rotate.ts). One that crashed after AddUserPoolClientSecret but before PutSecretValue left a
 * secret whose value is lost (Cognito never shows it again); so does a finishSecret that crashed
 * before deleting the old secret. Either way the client holds a secret that AWSCURRENT does not
 * reference: createSecret deletes every such secret before adding, so the client never needs a
 * third one. If the AWSCURRENT secret is not among the client's secrets, the secret and Cognito
 * disagree and the rotation stops rather than delete secrets it cannot account for.
 */
export function cognitoClientSecretStrategy(api: CognitoClientSecretApi, options: CognitoStrategyOptions = {}): RotationStrategy {
  return {
    create: async ({ currentValue, log }) => {
      const current = parseClientSecretValue(currentValue, 'AWSCURRENT');
      const ids = await api.list(current.userPoolId, current.clientId);
      const currentId = current.clientSecretId ?? (ids.length === 1 ? ids[0] : undefined);
      if (currentId === undefined) {
        throw new Error(`the AWSCURRENT value has no clientSecretId and app client ${current.clientId} has ${ids.length} secrets: add the id of the current secret to the value`);
      }
      if (!ids.includes(currentId)) {
        throw new Error(`the AWSCURRENT client secret ${currentId} is not one of app client ${current.clientId}'s secrets: repair the secret value before rotating`);
      }
      for (const orphan of ids.filter((id) => id !== currentId)) {
        log.warn('deleting an app client secret that AWSCURRENT does not reference (left by an interrupted rotation)', { clientId: current.clientId, clientSecretId: orphan });
        await api.delete(current.userPoolId, current.clientId, orphan);
      }
      const added = await api.add(current.userPoolId, current.clientId);
      log.info('added a client secret to the app client', { clientId: current.clientId, clientSecretId: added.id });
      const pending: CognitoClientSecretValue = { userPoolId: current.userPoolId, clientId: current.clientId, clientSecret: added.value, clientSecretId: added.id };
      return JSON.stringify(pending);
    },
    test: async ({ pendingValue }) => {
      const pending = parseClientSecretValue(pendingValue, 'AWSPENDING');
      const ids = await api.list(pending.userPoolId, pending.clientId);
      if (pending.clientSecretId === undefined || !ids.includes(pending.clientSecretId)) {
        throw new CredentialTestError(`the pending client secret ${pending.clientSecretId ?? '(no id)'} is not one of app client ${pending.clientId}'s secrets`);
      }
      if (options.tokenEndpoint) await requestToken(pending, options);
    },
    revoke: async ({ previousValue, currentValue, log }) => {
      const previous = parseClientSecretValue(previousValue, 'AWSPREVIOUS');
      const current = parseClientSecretValue(currentValue, 'AWSCURRENT');
      if (!previous.clientSecretId) {
        log.warn('the previous value has no clientSecretId: its client secret is deleted by the next createSecret', { clientId: previous.clientId });
        return;
      }
      if (previous.clientSecretId === current.clientSecretId) return;
      const ids = await api.list(previous.userPoolId, previous.clientId);
      if (!ids.includes(previous.clientSecretId)) return; // already deleted (replay)
      await api.delete(previous.userPoolId, previous.clientId, previous.clientSecretId);
      log.info('deleted the previous client secret', { clientId: previous.clientId, clientSecretId: previous.clientSecretId });
    },
  };
}

/** The real proof: an OAuth 2.0 client credentials grant with the pending secret (RFC 6749 section 4.4). */
async function requestToken(pending: CognitoClientSecretValue, options: CognitoStrategyOptions): Promise<void> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: pending.clientId });
  if (options.scopes) body.set('scope', options.scopes);
  const res = await (options.fetch ?? fetch)(options.tokenEndpoint!, {
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
