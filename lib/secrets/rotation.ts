import { Arn, Stack } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { IntegrationConfigError } from '../core/errors';
import type { RotationFunction } from './rotation-function';
import type { GeneratedTokenCharset, RotationTags } from './rotation-config';

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

/** Options of {@link Rotation.cognitoClientSecret}. */
export interface CognitoClientSecretOptions {
  /**
   * The app client whose secret rotates, with its user pool.
   * @default - the integration's own app client (an `Inbound.api` integration has one)
   */
  readonly client?: { readonly client: cognito.IUserPoolClient; readonly userPool: cognito.IUserPool };
  /**
   * The token endpoint the test step requests a client-credentials token from, proving the new
   * secret works (`https://<domain>/oauth2/token`).
   * @default - the test step checks that the new secret is one of the client's secrets
   */
  readonly tokenEndpoint?: string;
}

/** What a strategy is bound with. */
export interface RotationBindContext {
  /** The integration's name, for error messages. */
  readonly owner: string;
  /** The prop path of the strategy, for error messages. */
  readonly prop: string;
  /** The platform's rotation function; strategy permissions go to its role. */
  readonly rotationFunction: RotationFunction;
  /** The integration's own OAuth 2.0 app client and its user pool, where it has one. */
  readonly client?: { readonly client: cognito.IUserPoolClient; readonly userPool: cognito.IUserPool };
}

/** What a strategy gives its credential. */
export interface RotationConfig {
  /** The tags that tell the rotation function how to rotate the secret. */
  readonly tags: RotationTags;
  /** The secret's value before its first rotation, or undefined for a generated placeholder. */
  readonly initialValue?: string;
  /** A short description for the inventory. */
  readonly description: string;
}

/**
 * How a credential rotates. Choose one with a static factory; every strategy runs inside the
 * platform's shared rotation function, which implements the four steps around it.
 */
export abstract class Rotation {
  /**
   * A token we issue (a webhook signing secret we hand out, a partner-facing API key): a new random
   * value each rotation; the previous one stays readable as AWSPREVIOUS during the overlap.
   */
  public static generatedToken(options: GeneratedTokenOptions = {}): Rotation {
    return new GeneratedTokenRotation(options);
  }

  /**
   * The client secret of a Cognito app client, rotated with Cognito's two-active-secrets API
   * (AddUserPoolClientSecret, then DeleteUserPoolClientSecret of the old one only after the new one
   * is current), so callers never see a secret stop working before they fetched the new one.
   */
  public static cognitoClientSecret(options: CognitoClientSecretOptions = {}): Rotation {
    return new CognitoClientSecretRotation(options);
  }

  /**
   * A credential a third party issues: the user's function implements `issue`, `test` and `revoke`
   * (the `CredentialRotationHook` interface; wrap it with `rotationHookHandler`), and the four steps
   * run around it. The previous credential is revoked only after the new one is current.
   */
  public static custom(hook: lambda.IFunction): Rotation {
    return new CustomRotation(hook);
  }

  /** Grants the rotation function what the strategy needs and describes the strategy. */
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
    const charset = this.options.charset ?? TokenCharset.ALPHANUMERIC;
    return {
      tags: {
        'cdk-secure-integrations:rotation-strategy': 'generated-token',
        'cdk-secure-integrations:generated-token-length': String(length),
        'cdk-secure-integrations:generated-token-charset': charset as GeneratedTokenCharset,
      },
      description: `generated token (${length} ${charset} characters)`,
    };
  }
}

class CognitoClientSecretRotation extends Rotation {
  constructor(private readonly options: CognitoClientSecretOptions) {
    super();
  }

  public bind({ owner, prop, rotationFunction, client: own }: RotationBindContext): RotationConfig {
    const target = this.options.client ?? own;
    if (!target) {
      throw new IntegrationConfigError(owner, `${prop}.client`, undefined, 'This integration has no app client of its own (no Inbound.api): name the client to rotate in Rotation.cognitoClientSecret({ client }).');
    }
    const { client, userPool } = target;
    rotationFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cognito-idp:AddUserPoolClientSecret', 'cognito-idp:ListUserPoolClientSecrets', 'cognito-idp:DeleteUserPoolClientSecret'],
        resources: [userPool.userPoolArn],
      }),
    );
    return {
      tags: {
        'cdk-secure-integrations:rotation-strategy': 'cognito-client-secret',
        ...(this.options.tokenEndpoint ? { 'cdk-secure-integrations:cognito-token-endpoint': this.options.tokenEndpoint } : {}),
      },
      // The first rotation, at creation, adds the first secret we know (Cognito's own is never read).
      initialValue: Stack.of(client).toJsonString({ userPoolId: userPool.userPoolId, clientId: client.userPoolClientId, clientSecret: '' }),
      description: 'Cognito app client secret (two active secrets during rotation)',
    };
  }
}

class CustomRotation extends Rotation {
  constructor(private readonly hook: lambda.IFunction) {
    super();
  }

  public bind({ rotationFunction }: RotationBindContext): RotationConfig {
    rotationFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.hook.functionArn] }));
    const name = Arn.extractResourceName(this.hook.functionArn, 'function');
    return {
      tags: { 'cdk-secure-integrations:rotation-strategy': 'custom', 'cdk-secure-integrations:custom-hook-function': name },
      description: `custom hook ${this.hook.node.path}`,
    };
  }
}
