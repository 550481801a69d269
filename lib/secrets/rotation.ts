import { Stack, Token } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct, IDependable } from 'constructs';
import type { ConfigValue } from '../core/config-value';
import { IntegrationConfigError } from '../core/errors';
import type { GeneratedTokenCharset, StrategyBinding } from './rotation-config';

/** Characters of a generated token. */
export enum TokenCharset {
  /** Letters and digits (Secrets Manager GetRandomPassword without punctuation). */
  ALPHANUMERIC = 'alphanumeric',
  /** Printable ASCII without space (GetRandomPassword with punctuation). */
  ASCII_PRINTABLE = 'ascii-printable',
  /** Lowercase hexadecimal, from random bytes. */
  HEX = 'hex',
  /** base64url without padding (RFC 4648 section 5), from random bytes. */
  BASE64URL = 'base64url',
  /**
   * A Standard Webhooks signing secret: `whsec_` and the standard base64 of a random key, which the
   * spec has 24 to 64 bytes long. The token's length is then 38 to 90 characters, 6 more than a
   * multiple of 4 (the key a multiple of 3 bytes, so no padding).
   * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#signature-scheme
   */
  WHSEC = 'whsec',
}

/** Options of {@link Rotation.generatedToken}. */
export interface GeneratedTokenOptions {
  /**
   * Length of the token, in characters (16 to 4096).
   * @default 48
   */
  readonly length?: number;
  /**
   * Characters of the token.
   * @default TokenCharset.ALPHANUMERIC
   */
  readonly charset?: TokenCharset;
}

/** An app client and its user pool. */
export interface CognitoAppClient {
  readonly client: cognito.IUserPoolClient;
  readonly userPool: cognito.IUserPool;
}

/** Options of {@link Rotation.cognitoClientSecret}. */
export interface CognitoClientSecretOptions {
  /**
   * The app client whose secret rotates, with its user pool. An `Inbound.api` integration's own
   * app client is already a managed credential (`oauth2-client-secret`): name another client here.
   * @default - the integration's own app client
   */
  readonly client?: CognitoAppClient;
  /**
   * The token endpoint the test step requests a client-credentials token from, proving the new
   * secret works (`https://<domain>/oauth2/token`).
   * @default - for the integration's own client, the platform's token endpoint; otherwise the test
   * step checks that the new secret is one of the client's secrets
   */
  readonly tokenEndpoint?: string;
}

/**
 * The rotation function, as a strategy needs it.
 * @jsii ignore TypeScript only: internal wiring of the library.
 */
export interface IRotationHost {
  /** A config value for a deploy-time value (an environment reference) or a literal. */
  configValue(value: string): ConfigValue;
  /** Lets the rotation function invoke a hook function. */
  grantInvokeHook(fn: lambda.IFunction): void;
  /** Lets the rotation function manage the secrets of a user pool's app clients. */
  grantClientSecrets(userPool: cognito.IUserPool): void;
  /**
   * Records that an app client's secret is rotated by a credential.
   * @throws IntegrationConfigError (naming `owner` and `prop`) when another credential already rotates it.
   */
  claimAppClient(client: IConstruct, credential: string, owner: string, prop: string): void;
}

/**
 * The integration's own app client, as the platform made it.
 */
export interface OwnAppClient extends CognitoAppClient {
  /** The client's name, fixed at synth: the binding checks the client by it. */
  readonly clientName: string;
  /** The platform's OAuth 2.0 token endpoint. */
  readonly tokenEndpoint: string;
  /** What the first rotation needs in place (the token endpoint's domain). */
  readonly dependencies?: IDependable[];
}

/**
 * What a strategy is bound with.
 * @jsii ignore TypeScript only: internal wiring of the library.
 */
export interface RotationBindContext {
  /** The integration's name, for error messages. */
  readonly owner: string;
  /** The prop path of the strategy, for error messages. */
  readonly prop: string;
  /** The credential's path (`<integration>/<credential>`), for error messages. */
  readonly credential: string;
  /** The platform's rotation function; strategy permissions go to its role. */
  readonly rotationFunction: IRotationHost;
  /** The integration's own OAuth 2.0 app client, where it has one. */
  readonly client?: OwnAppClient;
}

/**
 * What a strategy gives its credential.
 * @jsii ignore TypeScript only: what a strategy's bind step returns (the rotation function's config).
 */
export interface RotationConfig {
  /** How the rotation function rotates the secret (written into its config layer). */
  readonly binding: StrategyBinding;
  /** The secret's value before its first rotation, or undefined for a generated placeholder. */
  readonly initialValue?: string;
  /** A short description for the inventory. */
  readonly description: string;
  /** What the rotation schedule must wait for (the first rotation runs when it is created). */
  readonly scheduleDependencies?: IDependable[];
}

/**
 * How a credential rotates. Choose one with a static factory; every strategy runs inside the
 * platform's shared rotation function, which implements the four steps around it, and is fixed
 * at deploy in the function's config (never read from the secret's tags or value).
 */
export abstract class Rotation {
  /**
   * A token we issue (a partner-facing API key, a signing secret we hand out): a new random value
   * each rotation; the previous one stays readable as AWSPREVIOUS during the overlap.
   */
  public static generatedToken(options: GeneratedTokenOptions = {}): Rotation {
    return new GeneratedTokenRotation(options);
  }

  /**
   * The client secret of a Cognito app client, rotated with Cognito's two-active-secrets API: the
   * first rotation adopts the secret Cognito generated, each later one adds a new secret
   * (AddUserPoolClientSecret) and deletes the superseded one (DeleteUserPoolClientSecret) only
   * once the overlap after the new one became current has passed.
   */
  public static cognitoClientSecret(options: CognitoClientSecretOptions = {}): Rotation {
    return new CognitoClientSecretRotation(options);
  }

  /**
   * A credential a third party issues: the user's function implements `issue`, `test` and `revoke`
   * (the `CredentialRotationHook` interface; wrap it with `rotationHookHandler`), and the four steps
   * run around it. A superseded credential is revoked only after the overlap.
   */
  public static custom(hook: lambda.IFunction): Rotation {
    return new CustomRotation(hook);
  }

  /**
   * Grants the rotation function what the strategy needs and describes the strategy.
   * @jsii ignore TypeScript only: the library calls it; its context holds internal building blocks.
   */
  public abstract bind(context: RotationBindContext): RotationConfig;
}

class GeneratedTokenRotation extends Rotation {
  constructor(private readonly options: GeneratedTokenOptions) {
    super();
  }

  public bind({ owner, prop }: RotationBindContext): RotationConfig {
    const length = this.options.length ?? 48;
    if (!Number.isInteger(length) || length < 16 || length > 4096) {
      throw new IntegrationConfigError(owner, `${prop}.length`, length, 'A generated token is a whole number of characters from 16 to 4096; 32 or more for a secret.');
    }
    const charset = (this.options.charset ?? TokenCharset.ALPHANUMERIC) as GeneratedTokenCharset;
    if (charset === 'whsec' && (length < 38 || length > 90 || (length - 6) % 4 !== 0)) {
      throw new IntegrationConfigError(owner, `${prop}.length`, length, 'A whsec token is `whsec_` and the base64 of a 24- to 64-byte key: give 38 to 90 characters, 6 more than a multiple of 4 (50 is a 33-byte key).');
    }
    return { binding: { strategy: 'generated-token', length, charset }, description: `generated token (${length} ${charset} characters)` };
  }
}

class CognitoClientSecretRotation extends Rotation {
  constructor(private readonly options: CognitoClientSecretOptions) {
    super();
  }

  public bind({ owner, prop, credential, rotationFunction, client: own }: RotationBindContext): RotationConfig {
    const target: CognitoAppClient | undefined = this.options.client ?? own;
    if (!target) {
      throw new IntegrationConfigError(owner, `${prop}.client`, undefined, 'This integration has no app client of its own (no Inbound.api): name the client to rotate in Rotation.cognitoClientSecret({ client }).');
    }
    const tokenEndpoint = this.options.tokenEndpoint ?? (this.options.client ? undefined : own?.tokenEndpoint);
    if (this.options.tokenEndpoint !== undefined && !Token.isUnresolved(this.options.tokenEndpoint) && !/^https:\/\/[^/\s]+\/\S*$/.test(this.options.tokenEndpoint)) {
      throw new IntegrationConfigError(owner, `${prop}.tokenEndpoint`, this.options.tokenEndpoint, 'The token endpoint receives the new client secret: give its https:// URL, for example "https://<domain>.auth.<region>.amazoncognito.com/oauth2/token".');
    }
    const { client, userPool } = target;
    rotationFunction.claimAppClient(client, credential, owner, prop);
    rotationFunction.grantClientSecrets(userPool);
    const byName = this.options.client === undefined && own !== undefined;
    const binding: StrategyBinding = {
      strategy: 'cognito-client-secret',
      userPoolId: rotationFunction.configValue(userPool.userPoolId),
      client: byName ? { name: own.clientName } : { id: rotationFunction.configValue(client.userPoolClientId) },
      ...(tokenEndpoint === undefined ? {} : { tokenEndpoint: rotationFunction.configValue(tokenEndpoint) }),
    };
    return {
      binding,
      // The first rotation, at creation, adopts the secret Cognito generated with the client.
      initialValue: Stack.of(client).toJsonString({ userPoolId: userPool.userPoolId, clientId: client.userPoolClientId }),
      description: 'Cognito app client secret (two active secrets during the overlap)',
      scheduleDependencies: this.options.client ? [] : (own?.dependencies ?? []),
    };
  }
}

class CustomRotation extends Rotation {
  constructor(private readonly hook: lambda.IFunction) {
    super();
  }

  public bind({ rotationFunction }: RotationBindContext): RotationConfig {
    rotationFunction.grantInvokeHook(this.hook);
    return {
      binding: { strategy: 'custom', hookFunction: rotationFunction.configValue(this.hook.functionArn) },
      description: `custom hook ${this.hook.node.path}`,
    };
  }
}
