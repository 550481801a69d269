// The contract between the platform (synth time) and the shared rotation function (run time),
// and the interface a user's credential hook implements. Types only: the runtime imports this
// file with `import type`, so nothing here reaches the handler bundle.
//
// How the rotation function learns a secret's strategy: from the secret's own TAGS, read from the
// DescribeSecret call that the four-step guard makes anyway (no extra API call). Tags, not an
// environment-variable map keyed by secret, because:
//  - the function's environment stays independent of the number of secrets (one function serves
//    every credential of a platform; Lambda caps the environment at 4 KB, reached at a few dozen
//    secrets), and adding a credential never redeploys the function;
//  - the configuration travels with the secret (a secret imported into another stack, or rotated
//    by hand with `aws secretsmanager rotate-secret`, still rotates the same way).
// Tags are not secret and anyone with `secretsmanager:TagResource` can change them: the construct
// grants the rotation role `lambda:InvokeFunction` on the configured hook functions only, so a
// changed tag can at worst make a rotation fail, never call a function the platform did not allow.
// Tag values are plain strings (Secrets Manager tag values allow letters, digits, spaces and
// `+ - = . _ : / @`, at most 256 characters), so each parameter has a tag of its own: no JSON.

/** The rotation strategies the shared rotation function implements. */
export type RotationStrategyName = 'generated-token' | 'cognito-client-secret' | 'custom';

/**
 * The alphabet of a generated token.
 * - `alphanumeric`: A-Z a-z 0-9, from Secrets Manager `GetRandomPassword` (punctuation excluded).
 * - `ascii-printable`: letters, digits and punctuation (`GetRandomPassword` defaults, no space).
 * - `hex`: 0-9 a-f, from `crypto.randomBytes` (node:crypto).
 * - `base64url`: A-Z a-z 0-9 `-` `_` (RFC 4648 section 5, unpadded), from `crypto.randomBytes`.
 */
export type GeneratedTokenCharset = 'alphanumeric' | 'ascii-printable' | 'hex' | 'base64url';

/** Bounds of a generated token's length, in characters (GetRandomPassword allows 4 to 4096; below 16 is too weak for a credential). */
export type GeneratedTokenLengthBounds = { readonly min: 16; readonly max: 4096 };

/**
 * The tags a rotated secret carries, by key. Values are strings, as tags are. The platform writes
 * them on the secret; the rotation function reads them. Type a literal as `RotationTagKey` on both
 * sides so that a typo is a compile error.
 */
export interface RotationTags {
  /** Which strategy rotates the secret. Required. */
  readonly 'cdk-secure-integrations:rotation-strategy': RotationStrategyName;
  /** `generated-token`: length in characters, decimal. Default `32`. */
  readonly 'cdk-secure-integrations:generated-token-length'?: string;
  /** `generated-token`: a {@link GeneratedTokenCharset}. Default `alphanumeric`. */
  readonly 'cdk-secure-integrations:generated-token-charset'?: GeneratedTokenCharset;
  /**
   * `cognito-client-secret`: the user pool's OAuth 2.0 token endpoint
   * (`https://<domain>/oauth2/token`). When set, testSecret requests a token with the pending
   * secret (client credentials grant), the real proof; when unset, testSecret checks that the
   * pending secret is one of the app client's secrets.
   */
  readonly 'cdk-secure-integrations:cognito-token-endpoint'?: string;
  /** `cognito-client-secret`: space-separated scopes for that token request. Default: none (the client's allowed scopes). */
  readonly 'cdk-secure-integrations:cognito-token-scopes'?: string;
  /** `custom`: name or ARN of the Lambda function implementing {@link CredentialRotationHook} (wrapped with `rotationHookHandler`). Required for `custom`. */
  readonly 'cdk-secure-integrations:custom-hook-function'?: string;
}

/** A key of {@link RotationTags}. */
export type RotationTagKey = keyof RotationTags;

/** A secret's rotation configuration, as the rotation function reads it from the tags. */
export type RotationStrategyConfig =
  | { readonly strategy: 'generated-token'; readonly length: number; readonly charset: GeneratedTokenCharset }
  | { readonly strategy: 'cognito-client-secret'; readonly tokenEndpoint?: string; readonly scopes?: string }
  | { readonly strategy: 'custom'; readonly hookFunction: string };

/**
 * The value of a secret rotated by `cognito-client-secret`: a JSON object. `clientSecretId` is
 * the id Cognito gives the secret (`<client-id>--<epoch>`); it may be absent in a secret's first
 * value if the app client has a single secret, whose id the rotation then finds.
 */
export interface CognitoClientSecretValue {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly clientSecret: string;
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
