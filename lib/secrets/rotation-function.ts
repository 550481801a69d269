import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeRandomPasswordPolicy } from '../compliance/acknowledgements';
import { handlerCode } from '../core/handler-code';
import { IntegrationFunction } from '../functions/integration-function';
import type { IntegrationPlatform } from '../platform/integration-platform';
import { grantKeyUseVia, KeyService } from '../core/key-use';

/** Properties of a {@link RotationFunction}. */
export interface RotationFunctionProps {
  /** The platform the function serves; its key encrypts every secret it rotates. */
  readonly platform: IntegrationPlatform;
}

/**
 * The platform's one rotation function, shared by every credential: Secrets Manager's four steps
 * (createSecret, setSecret, testSecret, finishSecret) around the strategy each secret names in its
 * tags. Secrets Manager may invoke it for secrets of this account only (`SourceAccount`), and its
 * role may touch only the secrets granted with {@link grantRotate}.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
 */
export class RotationFunction extends Construct {
  /** The function. */
  public readonly handler: IntegrationFunction;
  /** The permission that lets Secrets Manager invoke the function; schedules depend on it. */
  public readonly invokePermission: lambda.CfnPermission;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: RotationFunctionProps) {
    super(scope, id);
    this.key = props.platform.encryptionKey;
    this.handler = new IntegrationFunction(this, 'Function', {
      code: handlerCode('rotation'),
      description: 'cdk-secure-integrations rotation: the four steps of Secrets Manager rotation',
      // Well above the 3 s default: a step may call a partner API and Cognito's token endpoint.
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: 5,
      platform: props.platform,
      environment: { POWERTOOLS_SERVICE_NAME: 'integration-rotation' },
    });
    this.invokePermission = new lambda.CfnPermission(this, 'InvokeBySecretsManager', {
      action: 'lambda:InvokeFunction',
      functionName: this.handler.function.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Aws.ACCOUNT_ID,
    });
    // GetRandomPassword, for generated tokens, takes no resource: its statement sits in a policy of its own.
    const randomPassword = new iam.ManagedPolicy(this, 'RandomPasswordPolicy', {
      description: 'Lets the rotation function generate random tokens with Secrets Manager',
      statements: [new iam.PolicyStatement({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] })],
    });
    acknowledgeRandomPasswordPolicy(randomPassword);
    this.handler.role.addManagedPolicy(randomPassword);
    // The secrets are encrypted with the platform key; Secrets Manager uses it on the function's behalf.
    grantKeyUseVia(this.handler.role, this.key, KeyService.SECRETS_MANAGER, ['kms:Decrypt', 'kms:GenerateDataKey']);
  }

  /** Lets the function run the four steps on one secret. */
  public grantRotate(secret: secretsmanager.ISecret): void {
    this.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
          // Finding every superseded credential to revoke, and recording the last one revoked.
          'secretsmanager:ListSecretVersionIds',
          'secretsmanager:TagResource',
        ],
        resources: [secret.secretArn],
      }),
    );
  }

  /** Adds a statement to the function's role (strategy-specific permissions). */
  public addToRolePolicy(statement: iam.PolicyStatement): void {
    this.handler.role.addToPrincipalPolicy(statement);
  }
}
