import { Duration, RemovalPolicy, SecretValue, Tags } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import type { Rotation, RotationBindContext } from './rotation';
import type { RotationFunction } from './rotation-function';
import { periodRules, RotationRulesConfig, RotationWindow } from './rotation-window';

/** A credential an integration holds. */
export interface CredentialProps {
  /** The credential's name within the integration, for example `partner-api-key`: letters, digits, `-`, `_`. */
  readonly name: string;
  /** How it rotates, for example `Rotation.generatedToken()`. */
  readonly rotation: Rotation;
  /**
   * How often it rotates: 4 hours to 90 days.
   * @default Duration.days(30)
   */
  readonly rotateEvery?: Duration;
  /**
   * A maintenance window for rotations instead of a plain period.
   * @default - every `rotateEvery`, at any time of day
   */
  readonly rotationWindow?: RotationWindow;
  /**
   * What the credential is for.
   * @default - none
   */
  readonly description?: string;
}

/** Properties of an {@link IntegrationCredential}. */
export interface IntegrationCredentialProps extends CredentialProps {
  /** The integration that holds the credential. */
  readonly integrationName: string;
  /** The prop path, for error messages. */
  readonly prop: string;
  /** The key the secret is encrypted with. */
  readonly encryptionKey: kms.IKey;
  /** The platform's rotation function. */
  readonly rotationFunction: RotationFunction;
  /** The integration's own app client, for `Rotation.cognitoClientSecret()`. */
  readonly client?: RotationBindContext['client'];
}

const CREDENTIAL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a credential name: 1 to 64 letters, digits, `-` or `_`.
 * @returns the name
 * @throws IntegrationConfigError otherwise.
 */
export function validateCredentialName(owner: string, prop: string, name: unknown): string {
  if (typeof name !== 'string' || !CREDENTIAL_NAME.test(name)) {
    throw new IntegrationConfigError(owner, prop, name, 'A credential name is 1 to 64 letters, digits, "-" or "_", for example "partner-api-key".');
  }
  return name;
}

/**
 * One credential of an integration: a Secrets Manager secret on the platform key, tagged with its
 * rotation strategy, and a rotation schedule that runs the platform's rotation function at least
 * every 90 days, starting with a rotation when the secret is created.
 */
export class IntegrationCredential extends Construct {
  /** The secret. */
  public readonly secret: secretsmanager.Secret;
  /** The rotation schedule. */
  public readonly schedule: secretsmanager.CfnRotationSchedule;
  /** The credential's name. */
  public readonly credentialName: string;
  /** The rotation period, or undefined with a cron window. */
  public readonly rotateEvery?: Duration;
  /** The strategy, for the inventory. */
  public readonly strategy: string;
  /** The longest time between two rotations, in hours. */
  public readonly maxIntervalHours: number;
  /** The schedule expression, e.g. `rate(30 days)`. */
  public readonly scheduleExpression: string;

  constructor(scope: Construct, id: string, props: IntegrationCredentialProps) {
    super(scope, id);
    const owner = props.integrationName;
    this.credentialName = validateCredentialName(owner, `${props.prop}.name`, props.name);
    const rules: RotationRulesConfig = props.rotationWindow
      ? props.rotationWindow.render(owner, `${props.prop}.rotationWindow`)
      : periodRules(owner, `${props.prop}.rotateEvery`, props.rotateEvery ?? Duration.days(30));
    this.rotateEvery = props.rotationWindow ? undefined : (props.rotateEvery ?? Duration.days(30));
    this.maxIntervalHours = rules.maxIntervalHours;
    this.scheduleExpression = rules.scheduleExpression;

    const config = props.rotation.bind({ owner, prop: `${props.prop}.rotation`, rotationFunction: props.rotationFunction, client: props.client });
    this.strategy = config.description;
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: `${props.description ?? `Credential ${props.name}`} of integration ${owner}; rotated by ${config.description}`,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
      // A placeholder until the first rotation, at creation, writes the real credential.
      ...(config.initialValue !== undefined
        ? { secretStringValue: SecretValue.unsafePlainText(config.initialValue) }
        : { generateSecretString: { passwordLength: 48, excludePunctuation: true } }),
    });
    for (const [key, value] of Object.entries(config.tags)) Tags.of(this.secret).add(key, value as string);
    Tags.of(this.secret).add('cdk-secure-integrations:integration', owner);

    props.rotationFunction.grantRotate(this.secret);
    this.schedule = new secretsmanager.CfnRotationSchedule(this, 'Schedule', {
      secretId: this.secret.secretArn,
      rotationLambdaArn: props.rotationFunction.handler.function.functionArn,
      rotationRules: { scheduleExpression: rules.scheduleExpression, duration: rules.duration },
      rotateImmediatelyOnUpdate: true,
    });
    // Secrets Manager checks that it may invoke the function when the schedule is created.
    this.schedule.node.addDependency(props.rotationFunction.invokePermission);
    // The rotation at creation needs the function's permissions on this secret in place.
    this.schedule.node.addDependency(props.rotationFunction.handler.role.policy);
  }
}
