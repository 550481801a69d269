import { Duration, RemovalPolicy, SecretValue, Tags, Token } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import { guardCredential } from './credential-guard';
import { credentialAgeThresholds, DEFAULT_OVERLAP, validateOverlap } from './credential-age';
import type { OwnAppClient, Rotation } from './rotation';
import type { RotationFunction } from './rotation-function';
import { MAX_ROTATION_PERIOD, periodRules, RotationRulesConfig, RotationWindow } from './rotation-window';

/** A credential an integration holds. */
export interface CredentialProps {
  /** The credential's name within the integration, for example `partner-api-key`: letters, digits, `-`, `_`. */
  readonly name: string;
  /** How it rotates, for example `Rotation.generatedToken()`. */
  readonly rotation: Rotation;
  /**
   * How often it rotates: 4 hours to 90 days, and at most the classification's limit.
   * @default Duration.days(30)
   */
  readonly rotateEvery?: Duration;
  /**
   * A maintenance window for rotations instead of a plain period.
   * @default - every `rotateEvery`, at any time of day
   */
  readonly rotationWindow?: RotationWindow;
  /**
   * How long the superseded credential stays valid after its successor became AWSCURRENT, so that
   * whoever cached it (a partner, a consumer with a cache) has time to fetch the new one. The
   * rotation revokes it after that (within the hour: the credential sweep runs hourly). Zero
   * revokes it when the rotation finishes. At most 7 days, and shorter than the shortest interval
   * between two rotations (the next rotation must find the previous credential revoked).
   * @default - 24 hours, or half the shortest rotation interval when that is shorter
   */
  readonly overlap?: Duration;
  /**
   * What the credential is for.
   * @default - none
   */
  readonly description?: string;
}

/**
 * Properties of an {@link IntegrationCredential}.
 */
export interface IntegrationCredentialProps extends CredentialProps {
  /** The integration that holds the credential. */
  readonly integrationName: string;
  /** The prop path, for error messages. */
  readonly prop: string;
  /** The secret's name, fixed at synth (`integrations/<platform>/<integration>/<credential>`). */
  readonly secretName: string;
  /** The key the secret is encrypted with. */
  readonly encryptionKey: kms.IKey;
  /** The platform's rotation function. */
  readonly rotationFunction: RotationFunction;
  /** The integration's own app client, for `Rotation.cognitoClientSecret()`. */
  readonly client?: OwnAppClient;
  /**
   * The longest the credential may live: its classification's limit. Past it (plus a day for
   * Secrets Manager's rotation window) the credential's age pages.
   * @default Duration.days(90)
   */
  readonly maxAge?: Duration;
  /**
   * Roles allowed to change the secret besides the rotation function and a deployment (break-glass).
   * @default - none
   */
  readonly breakGlassRoles?: iam.IRole[];
  /**
   * The roles CloudFormation deploys the stack as (see `guardCredential`).
   * @default - any CloudFormation operation
   */
  readonly deploymentRoleArns?: string[];
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
 * One credential of an integration: a Secrets Manager secret on the platform key, named
 * `integrations/<platform>/<integration>/<credential>`, bound in the platform's rotation function
 * to its strategy, and a rotation schedule that runs the function at least every 90 days, starting
 * with a rotation when the secret is created. The secret's resource policy lets only the rotation
 * function and a deployment change it (value, stages, tags, policy, rotation).
 */
export class IntegrationCredential extends Construct {
  /** The secret. */
  public readonly secret: secretsmanager.Secret;
  /** The secret's name. */
  public readonly secretName: string;
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
  /** How long the superseded credential stays valid. */
  public readonly overlap: Duration;
  /** Where the credential's props are, for error messages (`credentials[0]`, `inbound.clientSecret`). */
  public readonly prop: string;

  constructor(scope: Construct, id: string, props: IntegrationCredentialProps) {
    super(scope, id);
    const owner = props.integrationName;
    this.prop = props.prop;
    this.credentialName = validateCredentialName(owner, `${props.prop}.name`, props.name);
    const rules: RotationRulesConfig = props.rotationWindow
      ? props.rotationWindow.render(owner, `${props.prop}.rotationWindow`)
      : periodRules(owner, `${props.prop}.rotateEvery`, props.rotateEvery ?? Duration.days(30));
    this.rotateEvery = props.rotationWindow ? undefined : (props.rotateEvery ?? Duration.days(30));
    this.maxIntervalHours = rules.maxIntervalHours;
    this.scheduleExpression = rules.scheduleExpression;
    this.overlap =
      props.overlap === undefined
        ? Duration.seconds(Math.min(DEFAULT_OVERLAP.toSeconds(), (rules.minIntervalHours * 3600) / 2))
        : validateOverlap(owner, `${props.prop}.overlap`, props.overlap, rules.minIntervalHours);
    if (Token.isUnresolved(props.secretName)) throw new Error('IntegrationCredential: the secret name must be known at synth');
    this.secretName = props.secretName;

    const config = props.rotation.bind({
      owner,
      prop: `${props.prop}.rotation`,
      credential: `${owner}/${this.credentialName}`,
      rotationFunction: props.rotationFunction,
      client: props.client,
    });
    this.strategy = config.description;
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      secretName: this.secretName,
      description: `${props.description ?? `Credential ${props.name}`} of integration ${owner}; rotated by ${config.description}`,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
      // A placeholder until the first rotation, at creation, writes the real credential.
      ...(config.initialValue !== undefined
        ? { secretStringValue: SecretValue.unsafePlainText(config.initialValue) }
        : { generateSecretString: { passwordLength: 48, excludePunctuation: true } }),
    });
    // Labels for people; the rotation reads its binding, never tags.
    Tags.of(this.secret).add('cdk-secure-integrations:integration', owner);
    Tags.of(this.secret).add('cdk-secure-integrations:credential', this.credentialName);
    guardCredential(this.secret, { rotationRole: props.rotationFunction.role, breakGlassRoles: props.breakGlassRoles, deploymentRoleArns: props.deploymentRoleArns });

    const maxAge = props.maxAge ?? MAX_ROTATION_PERIOD;
    props.rotationFunction.addCredential(this.secret, this.secretName, {
      integration: owner,
      credential: this.credentialName,
      rotation: config.binding,
      overlapSeconds: this.overlap.toSeconds(),
      ...credentialAgeThresholds({ rotatedEveryHours: rules.maxIntervalHours, maxAge }),
    });
    this.schedule = new secretsmanager.CfnRotationSchedule(this, 'Schedule', {
      secretId: this.secret.secretArn,
      rotationLambdaArn: props.rotationFunction.handler.function.functionArn,
      rotationRules: { scheduleExpression: rules.scheduleExpression, duration: rules.duration },
      rotateImmediatelyOnUpdate: true,
    });
    // Secrets Manager checks that it may invoke the function when the schedule is created.
    this.schedule.node.addDependency(props.rotationFunction.invokePermission);
    // The rotation at creation needs the function's permissions on this secret in place.
    // The role and every managed policy of its grants, however many it spills into (see ManagedPolicyRole).
    this.schedule.node.addDependency(props.rotationFunction.handler.role, props.rotationFunction.credentialsPolicy);
    for (const dependency of config.scheduleDependencies ?? []) this.schedule.node.addDependency(dependency);
  }

  /**
   * Lets a principal read the credential (a partner's role, a consumer), with `kms:Decrypt` on the
   * platform key through Secrets Manager only.
   * @returns the grant
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}
