import { Annotations, Duration, Lazy, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ApiResourcePolicy } from './api-resource-policy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeStageControls } from '../compliance/acknowledgements';
import { IntegrationConfigError } from '../core/errors';
import { validateThrottling } from '../platform/platform-props-validation';
import { accessLogFormat } from './access-log-format';
import { apiGatewayAccount } from './api-gateway-account';
import { RouteCors, validateCors } from './cors';
import { API_GATEWAY_MODEL_SIZE_LIMIT_BYTES } from './model-size';

/** Default stage throttling, requests per second and burst, for every method without its own. */
export const DEFAULT_THROTTLING: Required<apigateway.ThrottleSettings> = { rateLimit: 100, burstLimit: 200 };

/** Properties of an {@link IntegrationApi}. */
export interface IntegrationApiProps {
  /** The key that encrypts the access-log and execution-log groups. */
  readonly encryptionKey: kms.IKey;
  /**
   * Name of the single stage.
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * The account's quota on the length of an API's resource policy, in characters.
   * @default 8192 (API Gateway's default quota)
   */
  readonly resourcePolicyCharacters?: number;
  /**
   * Stage-wide throttling, for every method that does not set its own.
   * @default {@link DEFAULT_THROTTLING} (100 requests per second, burst 200)
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
   */
  readonly throttling?: apigateway.ThrottleSettings;
  /**
   * Retention of the access-log and execution-log groups.
   * @default logs.RetentionDays.ONE_YEAR (PCI DSS 3.2.1 requirement 10.7 asks for one year)
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether this stack sets the account-wide, per-region API Gateway CloudWatch Logs role
   * (`AWS::ApiGateway::Account`) that execution logging needs. When false, the account must already
   * have one; a warning annotation says so.
   * @default true
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
   */
  readonly manageAccountLoggingRole?: boolean;
}

/**
 * Resources per REST API by default (adjustable).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
 */
export const API_GATEWAY_RESOURCES_PER_API = 300;

/**
 * The platform's REGIONAL REST API with one stage: JSON access logs to a KMS-encrypted log group,
 * execution logging at ERROR (never request or response bodies), X-Ray tracing, detailed metrics and
 * default throttling, a body validator, and the account-level CloudWatch role set before the stage
 * is created so the stage never races it.
 */
export class IntegrationApi extends Construct {
  /** The REST API. */
  public readonly restApi: apigateway.RestApi;
  /** The single stage. */
  public readonly stage: apigateway.Stage;
  /** The stage's name, as a literal. */
  public readonly stageName: string;
  /**
   * The stage by name, for metrics of resources in nested stacks: they must not depend on the
   * stage, which is deployed after every method.
   */
  public readonly stageByName: apigateway.IStage;
  /** The access-log group (JSON, one line per request). */
  public readonly accessLogGroup: logs.LogGroup;
  /** The execution-log group, created before the stage so that it is encrypted and expires. */
  public readonly executionLogGroup: logs.LogGroup;
  /** A request validator with body and parameter validation on, shared by every route. */
  public readonly requestValidator: apigateway.RequestValidator;
  /** The account-level CloudWatch role, when this stack manages it. */
  public readonly accountLoggingRole?: iam.IRole;
  /**
   * The API's resource policy: IP allowlists enforced by API Gateway (beside WAF) and the principals
   * of IAM routes; written at synth, absent while nothing needs it.
   * @jsii ignore TypeScript only: internal wiring of the library.
   */
  public readonly resourcePolicy: ApiResourcePolicy;
  private modelBytes = 0;
  private defaultEndpointDisabled = false;
  private readonly methodThrottles: apigateway.CfnStage.MethodSettingProperty[] = [];
  private readonly preflights = new Map<string, { origins: string[]; methods: string[]; method: apigateway.Method }>();

  constructor(scope: Construct, id: string, props: IntegrationApiProps) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.checkResourceQuota() });
    const stageName = props.stageName ?? 'v1';
    // Only the limits given replace the defaults (an explicit undefined keeps the default).
    const throttling = {
      rateLimit: props.throttling?.rateLimit ?? DEFAULT_THROTTLING.rateLimit,
      burstLimit: props.throttling?.burstLimit ?? DEFAULT_THROTTLING.burstLimit,
    };
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.encryptionKey,
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.restApi = new apigateway.RestApi(this, 'Resource', {
      // API Gateway's metrics are keyed by the API's name (dimension ApiName): one per platform.
      restApiName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: `cdk-secure-integrations API of stack ${Stack.of(this).stackName}`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
      },
    });
    this.stage = this.restApi.deploymentStage;
    this.stageName = stageName;
    this.resourcePolicy = new ApiResourcePolicy(stageName, props.resourcePolicyCharacters);
    const policy = Lazy.any({ produce: () => this.resourcePolicy.document() });
    (this.restApi.node.defaultChild as apigateway.CfnRestApi).policy = policy;
    // A changed resource policy takes effect only with a new deployment.
    this.restApi.latestDeployment?.addToLogicalId({ resourcePolicy: policy });
    this.node.addValidation({ validate: () => this.resourcePolicy.problems() });
    this.stageByName = apigateway.Stage.fromStageAttributes(this, 'StageByName', { restApi: this.restApi, stageName });
    acknowledgeStageControls(this.stage);

    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${stageName}`,
      encryptionKey: props.encryptionKey,
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage.node.addDependency(this.executionLogGroup);

    if (props.manageAccountLoggingRole ?? true) {
      this.accountLoggingRole = this.createAccountLoggingRole();
    } else {
      Annotations.of(this).addWarningV2(
        'cdk-secure-integrations:accountLoggingRole',
        'manageApiGatewayAccountRole is false: execution logging works only if this account and region already have an ' +
          'API Gateway CloudWatch Logs role (AWS::ApiGateway::Account). Without it, creating the stage fails.',
      );
    }

    this.requestValidator = new apigateway.RequestValidator(this, 'BodyValidator', {
      restApi: this.restApi,
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    // Tell the caller what failed validation (API Gateway's own message), never echoing the body.
    this.restApi.addGatewayResponse('BadRequestBody', {
      type: apigateway.ResponseType.BAD_REQUEST_BODY,
      templates: {
        'application/json':
          '{"message":"Invalid request body","errors":"$context.error.validationErrorString","requestId":"$context.requestId"}',
      },
    });
  }

  /**
   * Turns the API's default `execute-api` endpoint off, so clients reach it only through its custom
   * domains (a mutual TLS domain must not be gone around). The change takes effect with a new
   * deployment, which this forces.
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-disable-default-endpoint.html
   */
  public disableDefaultEndpoint(): void {
    (this.restApi.node.defaultChild as apigateway.CfnRestApi).disableExecuteApiEndpoint = true;
    this.restApi.latestDeployment?.addToLogicalId({ disableExecuteApiEndpoint: true });
    // The execute-api URL output would point callers at an endpoint that answers 403.
    this.restApi.node.tryRemoveChild('Endpoint');
    this.defaultEndpointDisabled = true;
  }

  /** Whether {@link disableDefaultEndpoint} was called. */
  public get isDefaultEndpointDisabled(): boolean {
    return this.defaultEndpointDisabled;
  }

  /**
   * Sets throttling for one method, on top of the stage-wide default. The method keeps the stage's
   * logging, tracing and metrics settings.
   * @throws IntegrationConfigError when a limit is negative, not finite, or the burst is not a whole number.
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
   */
  public throttleMethod(owner: string, prop: string, method: string, path: string, throttling: apigateway.ThrottleSettings): void {
    validateThrottling(owner, prop, throttling);
    const { rateLimit, burstLimit } = throttling;
    if (rateLimit !== undefined && burstLimit !== undefined && burstLimit < rateLimit) {
      Annotations.of(this).addWarningV2(
        'cdk-secure-integrations:burstBelowRate',
        `${owner} ${prop}: burstLimit ${burstLimit} is below rateLimit ${rateLimit}; the token bucket never holds a full second of requests, so the effective rate is lower.`,
      );
    }
    if (this.methodThrottles.length === 0) {
      const cfnStage = this.stage.node.defaultChild as apigateway.CfnStage;
      const base = cfnStage.methodSettings as apigateway.CfnStage.MethodSettingProperty[];
      const defaults = base[0];
      cfnStage.methodSettings = Lazy.any({
        produce: () => [
          ...base,
          ...this.methodThrottles.map((t) => ({
            loggingLevel: defaults.loggingLevel,
            dataTraceEnabled: defaults.dataTraceEnabled,
            metricsEnabled: defaults.metricsEnabled,
            ...t,
          })),
        ],
      });
    }
    this.methodThrottles.push({
      httpMethod: method,
      // Slashes in the path are written ~1, after a leading slash (AWS::ApiGateway::Stage MethodSetting).
      resourcePath: `/${path.replace(/\//g, '~1')}`,
      throttlingRateLimit: rateLimit,
      throttlingBurstLimit: burstLimit,
    });
  }

  /**
   * Answers browser preflight requests (OPTIONS, no authorizer, a mock integration) on a path, for
   * the given method and origins; routes on the same path share one preflight and its origins.
   * @returns the OPTIONS method, new or existing
   * @throws IntegrationConfigError when another route on the path allows other origins.
   */
  public addPreflight(owner: string, prop: string, path: string, method: string, cors: RouteCors): apigateway.Method {
    validateCors(owner, prop, cors);
    const existing = this.preflights.get(path);
    if (existing) {
      if (existing.origins.join(' ') !== cors.allowOrigins.join(' ')) {
        throw new IntegrationConfigError(owner, `${prop}.allowOrigins`, cors.allowOrigins, `Another route on ${path} allows ${JSON.stringify(existing.origins)}; routes on one path share a preflight, so give them the same origins.`);
      }
      existing.methods.push(method);
      return existing.method;
    }
    const methods = [method];
    const options = this.restApi.root.resourceForPath(path).addCorsPreflight({
      allowOrigins: cors.allowOrigins,
      allowHeaders: cors.allowHeaders ?? ['Content-Type', 'Authorization'],
      allowMethods: [Lazy.string({ produce: () => [...methods, 'OPTIONS'].join(',') })],
      maxAge: cors.maxAge ?? Duration.minutes(10),
    });
    this.preflights.set(path, { origins: [...cors.allowOrigins], methods, method: options });
    return options;
  }

  /**
   * Counts a request model against API Gateway's quota of 400 KB of models per API (all models
   * together); the total is checked when the tree is complete.
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
   */
  public recordModelSize(bytes: number): void {
    if (this.modelBytes === 0) {
      this.node.addValidation({
        validate: () =>
          this.modelBytes > API_GATEWAY_MODEL_SIZE_LIMIT_BYTES
            ? [
                `The request models of this API total ${this.modelBytes} bytes; API Gateway allows ${API_GATEWAY_MODEL_SIZE_LIMIT_BYTES} ` +
                  'bytes of models per API. Narrow the largest schemas (for example to the events you subscribe to) or split the platform.',
              ]
            : [],
      });
    }
    this.modelBytes += bytes;
  }

  /** API Gateway's resources per REST API, against its default quota (at synth). */
  private checkResourceQuota(): string[] {
    // Path parts of routes in nested stacks count too: they are created there, with this API's id.
    const restApiId = this.restApi.restApiId;
    const resources = Stack.of(this).node.findAll().filter((c) => c instanceof apigateway.CfnResource && c.restApiId === restApiId).length;
    if (resources <= API_GATEWAY_RESOURCES_PER_API) return [];
    return [
      `The API has ${resources} resources (one per path segment of the routes); API Gateway allows ${API_GATEWAY_RESOURCES_PER_API} per REST API by default ` +
        '(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html). Give routes shorter, shared path prefixes, ' +
        'split the catalog over more platforms, or raise "Resources per API" in Service Quotas before deploying.',
    ];
  }

  private createAccountLoggingRole(): iam.IRole {
    const account = apiGatewayAccount(this);
    // The stage must not be created before the account knows the role.
    this.stage.node.addDependency(account);
    return (account.node.scope as Construct).node.findChild('Role') as iam.IRole;
  }
}
