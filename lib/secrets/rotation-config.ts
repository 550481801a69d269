// The contract between the platform (synth time) and the shared rotation function (run time),
// and the interface a user's credential hook implements. It imports types only, so the handler
// bundles it as it is.
//
// How the rotation function learns how to rotate a secret: from its BINDING, written by the
// platform at synth into the function's config layer (`/opt/rotation/config.json`, keyed by the
// secret's name) and read nowhere else. Only a deployment changes a layer, so nobody who may write
// a secret's value or tags can change what its rotation does: not the strategy, the app client,
// the token endpoint, the hook function, the token's length, nor where revocation has got to.
// A secret's value or tags that disagree with its binding fail the rotation loudly and change
// nothing. Values known only at deploy time (the user pool id, a hook's ARN) travel as environment
// variables of the function (`{ env }` references), one per distinct value.
//
// Tags on the secrets are labels for people only; the rotation's own state lives in staging labels
// of the secret's versions (see ROTATION_LABELS), which the secret's resource policy lets only the
// rotation role (and CloudFormation) move.
import type { ConfigValue } from '../core/config-value';

/** The rotation strategies the shared rotation function implements. */
export type RotationStrategyName = 'generated-token' | 'cognito-client-secret' | 'custom';

/**
 * The alphabet of a generated token.
 * - `alphanumeric`: A-Z a-z 0-9, from Secrets Manager `GetRandomPassword` (punctuation excluded).
 * - `ascii-printable`: letters, digits and punctuation (`GetRandomPassword` defaults, no space).
 * - `hex`: 0-9 a-f, from `crypto.randomBytes` (node:crypto).
 * - `base64url`: A-Z a-z 0-9 `-` `_` (RFC 4648 section 5, unpadded), from `crypto.randomBytes`.
 * - `whsec`: a Standard Webhooks secret, `whsec_` and the standard base64 of random bytes (a
 *   multiple of 3, so unpadded), from `crypto.randomBytes`.
 */
export type GeneratedTokenCharset = 'alphanumeric' | 'ascii-printable' | 'hex' | 'base64url' | 'whsec';

/** Bounds of a generated token's length, in characters (GetRandomPassword allows 4 to 4096; below 16 is too weak for a credential). */
export type GeneratedTokenLengthBounds = { readonly min: 16; readonly max: 4096 };

/**
 * How one secret rotates, fixed at synth. `V` is {@link ConfigValue} in the config file and
 * `string` once the function has resolved the environment references.
 */
export type StrategyBinding<V = ConfigValue> =
  | { readonly strategy: 'generated-token'; readonly length: number; readonly charset: GeneratedTokenCharset }
  | {
      readonly strategy: 'cognito-client-secret';
      /** The user pool of the app client. */
      readonly userPoolId: V;
      /**
       * The app client: by name for the platform's own clients (the name is fixed at synth; the
       * rotation checks that the client the secret's value names has it), by id for a client given
       * to `Rotation.cognitoClientSecret({ client })`.
       */
      readonly client: { readonly name: string } | { readonly id: V };
      /** The OAuth 2.0 token endpoint testSecret requests a client-credentials token from (`https://` only). */
      readonly tokenEndpoint?: V;
      /** Space-separated scopes for that request. */
      readonly scopes?: string;
    }
  | {
      readonly strategy: 'custom';
      /** ARN of the Lambda function implementing {@link CredentialRotationHook} (wrapped with `rotationHookHandler`). */
      readonly hookFunction: V;
    };

/**
 * One credential the platform knows: how it rotates (absent for a partner-held secret, which is
 * only watched for age), how long a superseded value stays valid, and when its age alarms.
 */
export interface CredentialBinding<V = ConfigValue> {
  /** The integration that holds the credential. */
  readonly integration: string;
  /** The credential's name within the integration. */
  readonly credential: string;
  /** How it rotates; absent for a partner-held secret (a webhook signing secret changed with the partner). */
  readonly rotation?: StrategyBinding<V>;
  /**
   * How long, in seconds, the superseded credential stays valid after its successor became
   * AWSCURRENT (measured from the successor version's creation); the rotation revokes it after that.
   */
  readonly overlapSeconds: number;
  /** Age, in seconds, of the AWSCURRENT version past which the credential is due (a ticket). */
  readonly ticketAfterSeconds: number;
  /** Age, in seconds, past which the credential has outlived its classification's limit (a page). */
  readonly pageAfterSeconds: number;
  /**
   * The position of the secret's ARN suffix (the 6 characters Secrets Manager appends to its name)
   * in the function's ROTATION_SECRET_SUFFIXES variable: a secret of the same name but another ARN
   * (deleted and re-created) is not the credential.
   */
  readonly position?: number;
}

/** The rotation function's config file (`/opt/rotation/config.json` in its config layer). */
export interface RotationConfigFile<V = ConfigValue> {
  /** The schema version of this file. */
  readonly version: 2;
  /** Every credential of the platform, by secret name. */
  readonly credentials: Readonly<Record<string, CredentialBinding<V>>>;
}

/** Where the config file lands inside the function (layers unpack under /opt). */
export const ROTATION_CONFIG_PATH = '/opt/rotation/config.json';

/**
 * How the name of every secret the library creates begins: a platform's credentials are
 * `integrations/<platform>/<integration>/<credential>`, a webhook's signing secret is
 * `integrations/<unique>/signing-secret`.
 */
export const SECRET_NAME_ROOT = 'integrations/';

/** The environment variable holding the bound secrets' ARN suffixes, comma-separated, by `position`. */
export const SECRET_SUFFIXES_ENV = 'ROTATION_SECRET_SUFFIXES';

/**
 * The staging labels the rotation keeps its own state in. Each is attached to at most one version
 * of a secret at a time; only the rotation role and CloudFormation may move labels (the secret's
 * resource policy).
 * - `TESTED`: on the version whose value last passed testSecret. finishSecret refuses a version
 *   without it, so AWSCURRENT only ever moves to a tested value.
 * - `REVOKED`: on the newest version whose credential has been revoked; versions created after it
 *   and before AWSCURRENT's version are the superseded credentials still to revoke.
 */
export const ROTATION_LABELS = { TESTED: 'INTEGRATIONS_TESTED', REVOKED: 'INTEGRATIONS_REVOKED' } as const;

/**
 * The value of a secret rotated by `cognito-client-secret`: a JSON object.
 *
 * The platform writes the first value at deploy as `{ userPoolId, clientId }`, without a secret:
 * the first rotation (at creation) adopts the secret Cognito generated for the app client (its
 * only one) and stores it with its id. Later rotations add a new secret (`clientSecretId` is the id
 * Cognito gives it, `<client-id>--<epoch>`) and revoke the previous one once the overlap has passed.
 * The pool and client must be the ones the secret is bound to: a value naming another client
 * fails the rotation and changes nothing.
 */
export interface CognitoClientSecretValue {
  readonly userPoolId: string;
  readonly clientId: string;
  /** Absent (or empty) only in the value the platform writes before the first rotation. */
  readonly clientSecret?: string;
  readonly clientSecretId?: string;
}

// ---------------------------------------------------------------------------------------------
// Custom strategy: the hook a user implements for a third-party credential.

/** Passed to {@link CredentialRotationHook.issue} (in createSecret). */
export interface CredentialIssueContext {
  /** The secret's ARN. */
  readonly secretId: string;
  /** The rotation's ClientRequestToken: the id of the version being created. Use it as an idempotency key at the third party. */
  readonly token: string;
  /** The value labelled AWSCURRENT (still valid; do not revoke it here). */
  readonly currentValue: string;
}

/** Passed to {@link CredentialRotationHook.test} (in testSecret). */
export interface CredentialTestContext {
  readonly secretId: string;
  readonly token: string;
  /** The value to prove: the one `issue` returned for this token. */
  readonly pendingValue: string;
  /** The value labelled AWSCURRENT, when there is one. */
  readonly currentValue?: string;
}

/** Passed to {@link CredentialRotationHook.revoke} (in finishSecret, after AWSCURRENT moved). */
export interface CredentialRevokeContext {
  readonly secretId: string;
  readonly token: string;
  /** The credential to revoke: the value that was AWSCURRENT before this rotation (now AWSPREVIOUS). */
  readonly previousValue: string;
  /** The credential now AWSCURRENT (keep it). */
  readonly currentValue: string;
}

/**
 * A third-party credential's lifecycle, implemented by the user; the library runs Secrets
 * Manager's four steps around it. Every method may be called more than once for the same token
 * (Lambda retries, resumed rotations): make each idempotent.
 */
export interface CredentialRotationHook {
  /** Create a new credential at the third party, while the current one stays valid. Never revoke here. */
  issue(ctx: CredentialIssueContext): Promise<{ readonly value: string }> | { readonly value: string };
  /** Prove the pending credential works (for example, an authenticated call); throw if it does not. */
  test(ctx: CredentialTestContext): Promise<void> | void;
  /** Revoke the previous credential. Called only once AWSCURRENT is on the new one; revoking an already revoked credential must succeed. */
  revoke(ctx: CredentialRevokeContext): Promise<void> | void;
}

/** The event the rotation function sends to the hook function (Lambda Invoke, RequestResponse). */
export type CredentialRotationHookRequest =
  | ({ readonly action: 'issue' } & CredentialIssueContext)
  | ({ readonly action: 'test' } & CredentialTestContext)
  | ({ readonly action: 'revoke' } & CredentialRevokeContext);

/** What the hook function returns. A failure is a thrown error (Lambda reports it as a function error). */
export type CredentialRotationHookResponse =
  | { readonly action: 'issue'; readonly value: string }
  | { readonly action: 'test'; readonly ok: true }
  | { readonly action: 'revoke'; readonly ok: true };
