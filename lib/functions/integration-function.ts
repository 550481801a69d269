import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFunctionOutsideVpc, acknowledgeVpcNetworkInterfacePolicy } from '../compliance/acknowledgements';
import { IntegrationConfigError } from '../core/errors';
import { ManagedPolicyRole } from '../identity/managed-policy-role';
import { xrayWritePolicy } from '../observability/tracing-policy';
import { FunctionHost, locateFunctionHost } from '../core/platform-host';
import { grantKeyUseVia, KeyService } from '../core/key-use';
import { checkEnvironmentSize } from './environment-size';

/** The Lambda runtime of every function the library creates or recommends. */
export const INTEGRATION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Properties of an {@link IntegrationFunction}. */
export interface IntegrationFunctionProps {
  /**
   * The function's built code, for example `lambda.Code.fromAsset('dist/handlers/orders')`. Give
   * this or `entry`.
   * @default - none (`entry` is bundled)
   */
  readonly code?: lambda.Code;
  /**
   * A TypeScript or JavaScript source file to bundle at synth, the way aws-cdk-lib's
   * `NodejsFunction` does (it is one: esbuild from your project, or Docker without it), for example
   * `'src/orders/handler.ts'`. The handler is the file's export named by `handler`. Give this or `code`.
   * @default - none (`code` is used)
   * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda_nodejs-readme.html
   */
  readonly entry?: string;
  /**
   * How `entry` is bundled. The library sets minify and a source map off by default, and keeps
   * the AWS SDK v3 external only if you say so (the Lambda runtime ships its own copy).
   * @default - NodejsFunction's defaults, minified
   */
  readonly bundling?: nodejs.BundlingOptions;
  /**
   * The handler: `<file>.<export>` with `code`, the export's name with `entry`.
   * @default 'index.handler' with `code`; 'handler' with `entry`
   */
  readonly handler?: string;
  /**
   * What the function does; shown in the Lambda console.
   * @default - no description
   */
  readonly description?: string;
  /**
   * Environment variables. Never put a secret here: hold it in Secrets Manager and grant read access.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Memory, in MiB (128 to 10240).
   * @default 256
   */
  readonly memorySizeMiB?: number;
  /**
   * Timeout. API Gateway waits at most 29 seconds for a synchronous integration.
   * @default Duration.seconds(10)
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency: caps what one integration can take from the account and guarantees it
   * that much. Lambda keeps at least 100 unreserved executions per account, so the sum of
   * reservations must stay below the account limit minus 100.
   * @default 10
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * What the synth error says to do when the environment would pass Lambda's 4 KB (the library's
   * own functions say what fills theirs).
   * @internal
   */
  readonly _environmentRemedy?: string;
  /**
   * What the function calls, where the library knows it (said in the acknowledgement of running
   * outside a VPC): `aws` only, or `partners` too.
   * @internal
   */
  readonly _networkReach?: 'aws' | 'partners';
  /**
   * A VPC to run in. Without one (and without a platform `vpc`), the function runs outside any
   * VPC, which the library records as an acknowledged finding of the `LambdaInsideVPC` rules.
   * @default - the platform's `vpc`, if it was given one; else not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of `vpc` to run in.
   * @default - the platform's `vpcSubnets` (with the platform's VPC), or the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The platform whose key encrypts the log group and whose dead-letter queue takes failed
   * asynchronous invocations.
   * @default - the stack's platform (`IntegrationPlatform.of(this)`; in a nested stack, its parent's)
   */
  readonly platform?: FunctionHost;
}

/**
 * A Lambda function that meets the library's controls out of the box, for the library's own
 * handlers and for users' integration logic: `nodejs24.x` on arm64, JSON logs to a KMS-encrypted
 * log group with finite retention, active X-Ray tracing, a role of its own whose permissions live
 * in a customer-managed policy, reserved concurrency, and the platform's encrypted dead-letter
 * queue for failed asynchronous invocations.
 *
 * The function itself is `.function` (an `IFunction` to pass to `Target.lambda()` or grant to).
 */
export class IntegrationFunction extends Construct implements iam.IGrantable {
  /** The Lambda function. */
  public readonly function: lambda.Function;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The function's execution role; grants land in its customer-managed policy. */
  public readonly role: ManagedPolicyRole;

  /** The principal grants go to: the function's role (so `integration.grantDecrypt(fn)` and `grantInvoke(fn)` take the construct). */
  public get grantPrincipal(): iam.IPrincipal {
    return this.function.grantPrincipal;
  }

  /** Whether `x` is an IntegrationFunction. */
  public static isIntegrationFunction(x: unknown): x is IntegrationFunction {
    return x instanceof IntegrationFunction;
  }

  constructor(scope: Construct, id: string, props: IntegrationFunctionProps) {
    super(scope, id);
    const platform = props.platform ?? locateFunctionHost(this);
    const vpc = props.vpc ?? platform.network?.vpc;
    const vpcSubnets = props.vpc ? props.vpcSubnets : (props.vpcSubnets ?? platform.network?.subnets);
    const memorySize = props.memorySizeMiB ?? 256;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      throw new IntegrationConfigError(this.node.path, 'memorySizeMiB', memorySize, 'Lambda takes a whole number of MiB from 128 to 10240.');
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: platform.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    if ((props.code === undefined) === (props.entry === undefined)) {
      throw new IntegrationConfigError(
        this.node.path,
        props.code === undefined ? 'code' : 'entry',
        props.code === undefined ? undefined : '(both code and entry)',
        'Give the function either built code (code: lambda.Code.fromAsset(...)) or a source file to bundle (entry: \'src/handler.ts\'), not both.',
      );
    }
    const common: lambda.FunctionOptions = {
      description: props.description,
      environment: props.environment,
      memorySize,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 10,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      architecture: lambda.Architecture.ARM_64,
      vpc,
      vpcSubnets: vpc ? vpcSubnets : undefined,
      // In the platform's VPC (by default, or named), the platform's security group, which its endpoints admit.
      securityGroups: platform.network && (!props.vpc || props.vpc === platform.network.vpc) ? [platform.network.securityGroup] : undefined,
    };
    this.function = props.entry
      ? new nodejs.NodejsFunction(this, 'Resource', {
          ...common,
          runtime: INTEGRATION_RUNTIME,
          entry: props.entry,
          handler: props.handler ?? 'handler',
          bundling: { minify: true, sourceMap: false, ...props.bundling },
        })
      : new lambda.Function(this, 'Resource', { ...common, runtime: INTEGRATION_RUNTIME, code: props.code!, handler: props.handler ?? 'index.handler' });

    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
    );
    if (vpc) this.role.addManagedPolicy(vpcAccessPolicy(this));
    else acknowledgeFunctionOutsideVpc(this.function, props._networkReach ?? 'unknown');

    // Active tracing, with the stack's shared X-Ray policy instead of a Resource:* grant per role.
    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    cfn.tracingConfig = { mode: 'Active' };
    this.role.addManagedPolicy(xrayWritePolicy(this));

    // Failed asynchronous invocations go to the platform's encrypted dead-letter queue.
    const dlq = platform.functionDeadLetterQueue;
    cfn.deadLetterConfig = { targetArn: dlq.queueArn };
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [dlq.queueArn] }));
    grantKeyUseVia(this.role, platform.encryptionKey, KeyService.SQS, ['kms:GenerateDataKey', 'kms:Decrypt']);
    this.node.addValidation({ validate: () => checkEnvironmentSize(cfn, this.node.path, props._environmentRemedy) });
  }
}

/** The network-interface permissions a function in a VPC needs, in a customer-managed policy. */
function vpcAccessPolicy(scope: Construct): iam.ManagedPolicy {
  const policy = new iam.ManagedPolicy(scope, 'VpcAccess', {
    description: 'Lets the function manage its elastic network interfaces',
    statements: [
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    ],
  });
  acknowledgeVpcNetworkInterfacePolicy(policy);
  return policy;
}
