import { Arn, ArnFormat, Aspects, Aws, Duration, Fn, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeCredentialsPolicy, acknowledgeRandomPasswordPolicy, acknowledgeServicePermissionSourceArn } from '../compliance/acknowledgements';
import type { ConfigValue } from '../core/config-value';
import { DeployTimeConfig } from '../core/deploy-time-config';
import { IntegrationConfigError } from '../core/errors';
import { handlerCode } from '../core/handler-code';
import { grantKeyUseVia, KeyService } from '../core/key-use';
import { IntegrationFunction } from '../functions/integration-function';
import type { FunctionHost } from '../core/platform-host';
import type { IRotationHost } from './rotation';
import { type CredentialBinding, type RotationConfigFile, SECRET_NAME_ROOT, SECRET_SUFFIXES_ENV } from './rotation-config';

/** Properties of a {@link RotationFunction}. */
export interface RotationFunctionProps {
  /** The platform the function serves; its key encrypts every secret it rotates. */
  readonly platform: FunctionHost;
  /**
   * The name prefix of every secret the function rotates (`integrations/<platform>`): Secrets
   * Manager may invoke the function for those secrets only.
   */
  readonly secretNamePrefix: string;
}

/** How often the credential sweep runs: superseded credentials are revoked within this after their overlap. */
export const CREDENTIAL_SWEEP_INTERVAL = Duration.hours(1);

/**
 * The most credentials one platform's rotation function knows: each adds 7 bytes (its secret's
 * ARN suffix) to the function's environment, which Lambda caps at 4 KB in all.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_CREDENTIALS_PER_PLATFORM = 400;


/**
 * The platform's one rotation function, shared by every credential: Secrets Manager's four steps
 * (createSecret, setSecret, testSecret, finishSecret) around the strategy each credential is BOUND
 * to, and an hourly sweep that revokes superseded credentials after their overlap and measures
 * every credential's age.
 *
 * The bindings are written at synth into the function's config layer (`/opt/rotation/config.json`,
 * keyed by secret name): only a deployment changes how a secret rotates. Secrets Manager may invoke
 * the function for this account's secrets under the platform's name prefix only (`SourceAccount`,
 * `SourceArn`), and its role may touch only the secrets added with {@link addCredential}.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
 */
export class RotationFunction extends Construct implements IRotationHost {
  /** The function. */
  public readonly handler: IntegrationFunction;
  /** The permission that lets Secrets Manager invoke the function; schedules depend on it. */
  public readonly invokePermission: lambda.CfnPermission;
  /** The hourly schedule of the credential sweep. */
  public readonly sweepRule: events.Rule;
  /** The ARN pattern of the secrets the function rotates (`arn:...:secret:<prefix>/*`). */
  public readonly secretArnPattern: string;
  /** The policy that lets the function act on the platform's secrets; schedules depend on it. */
  public readonly credentialsPolicy: iam.ManagedPolicy;
  private readonly key: kms.IKey;
  private readonly config: DeployTimeConfig;
  private readonly bindings = new Map<string, CredentialBinding>();
  private readonly appClients = new Map<string, string>();
  private readonly suffixes: string[] = [];
  private readonly hookFunctions = new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'] });
  private readonly userPools = new iam.PolicyStatement({
    actions: ['cognito-idp:AddUserPoolClientSecret', 'cognito-idp:ListUserPoolClientSecrets', 'cognito-idp:DeleteUserPoolClientSecret', 'cognito-idp:DescribeUserPoolClient'],
  });
  private finalized = false;

  constructor(scope: Construct, id: string, props: RotationFunctionProps) {
    super(scope, id);
    this.key = props.platform.encryptionKey;
    this.handler = new IntegrationFunction(this, 'Function', {
      code: handlerCode('rotation'),
      description: 'cdk-secure-integrations rotation: the four steps of Secrets Manager rotation, and the hourly credential sweep',
      // A step may call a partner API and Cognito's token endpoint; the sweep visits every credential.
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 5,
      _networkReach: 'partners',
      _environmentRemedy:
        'each credential adds its ARN suffix and each custom hook function its ARN to the rotation function\'s environment: split the catalog over more stacks (a smaller stackBudget, or more NestedStacks of your own): each stack has a rotation function of its own',
      platform: props.platform,
      environment: { POWERTOOLS_SERVICE_NAME: 'integration-rotation' },
    });
    this.config = new DeployTimeConfig(this.handler.function, 'ROTATION_REF_');
    this.secretArnPattern = secretArnPrefix(this, `${props.secretNamePrefix}/*`);
    const everyLibrarySecret = secretArnPrefix(this, `${SECRET_NAME_ROOT}*`);
    this.invokePermission = new lambda.CfnPermission(this, 'InvokeBySecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: this.handler.function.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Aws.ACCOUNT_ID,
      // Only for the platform's own secrets: Secrets Manager sends the secret's ARN as aws:SourceArn.
      sourceArn: this.secretArnPattern,
    });
    acknowledgeServicePermissionSourceArn(this.invokePermission, 'the platform\'s own secrets (their name prefix)');
    // GetRandomPassword, for generated tokens, takes no resource: its statement sits in a policy of its own.
    const randomPassword = new iam.ManagedPolicy(this, 'RandomPasswordPolicy', {
      description: 'Lets the rotation function generate random tokens with Secrets Manager',
      statements: [new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] })],
    });
    acknowledgeRandomPasswordPolicy(randomPassword);
    this.handler.role.addManagedPolicy(randomPassword);
    // The secrets are encrypted with the platform key; Secrets Manager uses it on the function's behalf.
    grantKeyUseVia(this.handler.role, this.key, KeyService.SECRETS_MANAGER, ['kms:Decrypt', 'kms:GenerateDataKey']);
    // The secrets, by name prefix: one ARN per credential would outgrow IAM's 6,144-character managed
    // policy within a few dozen credentials. The function acts only on the secrets it is bound to,
    // and checks each one's ARN against the one deployed (see addCredential).
    const credentials = new iam.ManagedPolicy(this, 'CredentialsPolicy', {
      description: 'Lets the rotation function rotate the platform\'s credentials and watch the age of its partner-held secrets',
      statements: [
        new iam.PolicyStatement({
          actions: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            // AWSCURRENT, AWSPENDING and the rotation's own TESTED and REVOKED labels.
            'secretsmanager:UpdateSecretVersionStage',
            // Finding every superseded credential to revoke, and each version's age.
            'secretsmanager:ListSecretVersionIds',
            // Recording when AWSCURRENT moved, which starts the overlap.
            'secretsmanager:TagResource',
          ],
          resources: [this.secretArnPattern],
        }),
        new iam.PolicyStatement({
          actions: ['secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds'],
          resources: [everyLibrarySecret],
        }),
      ],
    });
    acknowledgeCredentialsPolicy(credentials, [this.secretArnPattern, everyLibrarySecret]);
    this.handler.role.addManagedPolicy(credentials);
    this.credentialsPolicy = credentials;

    this.sweepRule = new events.Rule(this, 'Sweep', {
      description: 'The credential sweep: revokes superseded credentials after their overlap, measures every credential\'s age',
      schedule: events.Schedule.rate(CREDENTIAL_SWEEP_INTERVAL),
    });
    this.sweepRule.addTarget(
      new targets.LambdaFunction(this.handler.function, { retryAttempts: 2, maxEventAge: Duration.hours(1), deadLetterQueue: props.platform.functionDeadLetterQueue }),
    );

    this.node.addValidation({
      validate: () =>
        this.bindings.size > MAX_CREDENTIALS_PER_PLATFORM
          ? [`The platform holds ${this.bindings.size} credentials; its rotation function can know ${MAX_CREDENTIALS_PER_PLATFORM} (Lambda's 4 KB environment). Split the integrations over more stacks (a smaller stackBudget, or more NestedStacks of your own): each stack has a rotation function of its own.`]
          : [],
    });
    const finalizer: IAspect = {
      visit: (node: IConstruct) => {
        if (node === this) this.finalize();
      },
    };
    Aspects.of(this).add(finalizer);
  }

  /** The role the function runs as: the only principal (besides a deployment) that may change a credential. */
  public get role(): iam.IRole {
    return this.handler.role;
  }

  /**
   * A config value for a deploy-time value (an environment reference) or a literal.
   * @jsii ignore TypeScript only: internal wiring of the library.
   */
  public configValue(value: string): ConfigValue {
    return this.config.value(value);
  }

  /** Records that an app client's secret is rotated by a credential; one credential per client. */
  public claimAppClient(client: IConstruct, credential: string, owner: string, prop: string): void {
    const existing = this.appClients.get(client.node.path);
    if (existing !== undefined && existing !== credential) {
      throw new IntegrationConfigError(
        owner,
        prop,
        'Rotation.cognitoClientSecret()',
        `Credential ${existing} already rotates the secret of app client ${client.node.path}; two rotations of one client would revoke each other's secrets. ` +
          'An Inbound.api integration\'s own client secret is the managed credential oauth2-client-secret: configure it with Inbound.api({ clientSecret }).',
      );
    }
    this.appClients.set(client.node.path, credential);
  }

  /**
   * Adds a credential: its binding goes into the function's config, with its secret's ARN suffix
   * (the 6 random characters Secrets Manager appends to the name), so that a secret deleted and
   * re-created under the same name is not taken for the credential.
   * @param secretName the secret's name, a literal under `integrations/`
   * @jsii ignore TypeScript only: SecureIntegration adds its credentials.
   */
  public addCredential(secret: secretsmanager.ISecret, secretName: string, binding: Omit<CredentialBinding, 'position'>): void {
    if (this.finalized) throw new Error('RotationFunction: credentials cannot be added after synthesis has started');
    if (Token.isUnresolved(secretName) || !secretName.startsWith(SECRET_NAME_ROOT)) throw new Error(`RotationFunction: a credential's secret name must be a literal under ${SECRET_NAME_ROOT}`);
    if (this.bindings.has(secretName)) throw new Error(`RotationFunction: secret ${secretName} is bound twice`);
    this.bindings.set(secretName, { ...binding, position: this.suffixes.length });
    // arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>
    this.suffixes.push(Fn.select(1, Fn.split(`:secret:${secretName}-`, secret.secretArn)));
  }

  /** Lets the function invoke a credential's hook function. */
  public grantInvokeHook(fn: lambda.IFunction): void {
    this.hookFunctions.addResources(fn.functionArn);
  }

  /**
   * Lets the function manage the secrets of a user pool's app clients.
   * @jsii ignore TypeScript only: the Cognito strategy calls it.
   */
  public grantClientSecrets(userPool: { readonly userPoolArn: string }): void {
    this.userPools.addResources(userPool.userPoolArn);
  }

  /** The secret names the function knows, for tests and reports. */
  public get credentialNames(): string[] {
    return [...this.bindings.keys()];
  }

  /** Adds a statement to the function's role (strategy-specific permissions). */
  public addToRolePolicy(statement: iam.PolicyStatement): void {
    this.handler.role.addToPrincipalPolicy(statement);
  }

  private finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    if (this.hookFunctions.resources.length > 0) this.handler.role.addToPrincipalPolicy(this.hookFunctions);
    if (this.userPools.resources.length > 0) this.handler.role.addToPrincipalPolicy(this.userPools);
    if (this.suffixes.length > 0) this.handler.function.addEnvironment(SECRET_SUFFIXES_ENV, Fn.join(',', this.suffixes));
    const file: RotationConfigFile = { version: 2, credentials: Object.fromEntries(this.bindings) };
    this.config.writeLayer(this, 'Config', { folder: 'rotation', file: 'config.json' }, file, 'cdk-secure-integrations rotation bindings');
  }
}

/** The ARN of a secret of the platform by name, without the random suffix (for prefix matching). */
export function secretArnPrefix(scope: IConstruct, namePrefix: string): string {
  return Arn.format({ service: 'secretsmanager', resource: 'secret', resourceName: namePrefix, arnFormat: ArnFormat.COLON_RESOURCE_NAME }, Stack.of(scope));
}
