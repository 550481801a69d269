import { Annotations, DefaultStackSynthesizer, Lazy, Duration, Fn, Names, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import { pathParameterPositions, routeKey } from '../gateway/api-route';
import { IntegrationApi } from '../gateway/integration-api';
import type { PlatformWafOptions } from '../gateway/waf-options';
import { IntegrationWebAcl } from '../gateway/web-acl';
import { MutualTlsFrontDoor } from './mutual-tls-front-door';
import { PlatformVpc } from './platform-vpc';
import { Auth } from '../identity/auth';
import { splitAllowlist } from '../gateway/waf-ip-cidr';
import type { IngestFunction } from '../ingest/ingest-function';
import { setFunctionHostLocator } from '../core/platform-host';
import { InventoryRegister } from '../inventory/inventory-table';
import { checkAccountQuotas, checkStackQuotas, registerPlatform } from './platform-quotas';

export { EVENTBRIDGE_RULES_PER_BUS, LAMBDA_DEFAULT_CONCURRENCY, LAMBDA_MIN_UNRESERVED_CONCURRENCY, STACK_MAX_RESOURCES, TEMPLATE_MAX_BYTES } from './platform-quotas';
import { createFunctionDeadLetterQueue } from './rule-dead-letter-queue';
import { createOutboundBus, OUTBOUND_BUS_MAX_RULES } from '../outbound/outbound-bus';
import { scheduleRulePrefix } from '../integration/schedule-target';
import { OAuth2ClientCredentials, OAuth2ClientCredentialsProps } from '../identity/oauth2-client-credentials';
import { allowPlatformAlarms, createAlarmTopic } from '../observability/alarm-topic';
import type { PlatformDashboard } from '../observability/platform-dashboard';
import { RotationFailureRule } from '../observability/rotation-failure-rule';
import { SECRET_NAME_ROOT } from '../secrets/rotation-config';
import { type RotationFunction, secretArnPrefix } from '../secrets/rotation-function';
import { type IntegrationHome, IntegrationPlacement, isWithinStack, type StackBudget, validateStackBudget } from './integration-placement';
import { StackWorkers } from './stack-workers';
import { allowSecretWritersToUseKey, createPlatformKey } from './platform-key';
import { validatePlatformProps } from './platform-props-validation';

const PLATFORM_SYMBOL = Symbol.for('cdk-secure-integrations.IntegrationPlatform');

/** Properties of an {@link IntegrationPlatform}. */
export interface IntegrationPlatformProps {
  /**
   * A customer-managed KMS key for secrets, logs, topics and queues. Its key policy must let
   * CloudWatch Logs, Secrets Manager and SNS publishers of this account use it.
   * @default - a new key with rotation on and such a policy
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Name of the API's single stage.
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * Stage-wide throttling (requests per second, burst) for every route without its own.
   * @default - 100 requests per second, burst 200
   */
  readonly throttling?: apigateway.ThrottleSettings;
  /**
   * Reserved concurrency of the platform's ingest function: the most requests of all its routes in
   * flight at once. Every platform of an account and Region reserves from the same 900 a default
   * account can reserve (1,000 less the 100 Lambda keeps unreserved); synth fails when an app's
   * functions reserve more. A whole number from 1 to 900.
   * @default 50
   */
  readonly ingestReservedConcurrency?: number;
  /**
   * Retention of the platform's log groups (access, execution, WAF).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether this stack sets the account-level API Gateway CloudWatch Logs role. Set false when
   * another stack of the account and region owns it (there should be one per region).
   * @default true
   */
  readonly manageApiGatewayAccountRole?: boolean;
  /**
   * The OAuth 2.0 client-credentials front door: resource server identifier, domain prefix,
   * access-token lifetime.
   * @default - resource server 'integrations', a derived domain prefix, 60-minute tokens
   */
  readonly oauth2?: OAuth2ClientCredentialsProps;
  /**
   * The topic alarms go to. A topic defined in this app gets the policy statement that lets the
   * platform's alarms (named `<stack>-integrations-*`) publish; an imported one must allow them
   * itself (a warning says so), and its key must let CloudWatch and EventBridge use it.
   * @default - a new topic encrypted with the platform key, TLS enforced, whose policy admits the
   * platform's alarms and rules only
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The runbook linked from every alarm's description, so whoever is paged knows what to do.
   * @default - none; descriptions say that none is configured
   */
  readonly runbookUrl?: string;
  /**
   * Where page-worthy alarms go (the SLO page, silence against `atLeast`, queue backlog pages,
   * heartbeats, crash loops, overdue credentials, rotation failures). Admitted like `alarmTopic`.
   * @default - the alarm topic
   */
  readonly pageTopic?: sns.ITopic;
  /**
   * Where ticket-worthy alarms go (the SLO ticket, p95 latency, learned silence, latency anomalies,
   * queue backlogs and dead letters, credentials due). Admitted like `alarmTopic`.
   * @default - the alarm topic
   */
  readonly ticketTopic?: sns.ITopic;
  /**
   * The integration register's table, to share one register between stacks.
   * @default - a new table on the platform key
   */
  readonly inventoryTable?: dynamodb.ITable;
  /**
   * WAF controls of the whole platform: IP allowlist, rate limit, body size, managed rule groups.
   * @default - the AWS managed rule groups of DEFAULT_MANAGED_RULE_GROUPS, no allowlist, no rate limit
   */
  readonly waf?: PlatformWafOptions;
  /**
   * Roles allowed to change the platform's credentials (values, version stages, tags, resource
   * policy, rotation) besides the rotation function and a CloudFormation deployment: break-glass
   * access, for example to rotate a leaked credential at once. Each credential's resource policy
   * denies those changes to every other principal of every account.
   * @default - none: outside its rotation, a credential changes only through a deployment
   */
  readonly credentialBreakGlassRoles?: iam.IRole[];
  /**
   * ARNs of the roles CloudFormation deploys this stack as: they may change credentials, through
   * CloudFormation only. Other principals' CloudFormation stacks may not.
   * @default - with CDK's default synthesizer, its CloudFormation execution role (the bootstrap's
   * `cdk-<qualifier>-cfn-exec-role-<account>-<region>`, which every CDK app deploying to the account
   * with that qualifier shares); with a synthesizer that has none, any CloudFormation operation may
   * change credentials (a warning says so)
   */
  readonly credentialDeploymentRoleArns?: string[];
  /**
   * How full the platform's stack, and each nested stack it adds, may get. Integrations created in
   * the platform's stack beyond it go, in construction order, to nested stacks the platform adds
   * (`Integrations2`, `Integrations3`, ...) with an ingest function, rotation function and dashboard
   * of their own; they share the platform's key, API, WebACL, user pool, topics and register. Add
   * new integrations after existing ones: an integration that changes stack is replaced.
   * @default - 400 resources a stack
   */
  readonly stackBudget?: StackBudget;
  /**
   * The account's quota "Length, in characters, of API Gateway resource policy" (L-8B81B02C), when
   * raised in Service Quotas. Each integration's IP allowlist is enforced in the API's resource
   * policy (one statement per distinct allowlist, about 350 characters with one route); synth fails
   * when the policy is longer than this. A whole number from 8,192.
   * @default 8192
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
   */
  readonly apiResourcePolicyCharacters?: number;
  /**
   * How callers of routes without an `auth` of their own authenticate.
   * @default Auth.oauth2ClientCredentials()
   */
  readonly defaultRouteAuth?: Auth;
  /**
   * A VPC to run every function of the platform in (the library's and every `IntegrationFunction`
   * without a VPC of its own), in `vpcSubnets`, with the VPC endpoints they need (see
   * `vpcEndpoints`). The rotation function also calls partner endpoints (OAuth 2.0 token
   * endpoints, rotation hooks), and user functions often call partner APIs: those need subnets with
   * a NAT gateway; a warning says when the subnets are isolated.
   * @default - functions run outside any VPC (an acknowledged finding of the LambdaInsideVPC rules)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The subnets of `vpc` the functions run in.
   * @default - the VPC's private subnets with egress, or its isolated ones when it has none
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Whether to create the VPC endpoints the functions need (interface endpoints for SQS,
   * EventBridge, Lambda, Secrets Manager, KMS and X-Ray, with private DNS, admitting the platform's
   * function security group on 443; gateway endpoints for DynamoDB and S3) in `vpcSubnets`. Their
   * private DNS names the services for the whole VPC: admit other workloads of the VPC with
   * `platform.network.endpointSecurityGroup`, or turn this off when the VPC has endpoints already.
   * Cognito, API Gateway's control plane and partner endpoints need a NAT gateway.
   * @default true (when `vpc` is given)
   */
  readonly vpcEndpoints?: boolean;
  /**
   * Endpoints the VPC has already (a VPC allows one private-DNS interface endpoint per service, and
   * one gateway route per service in a route table): `sqs`, `events`, `lambda`, `secretsmanager`,
   * `kms`, `xray`, `dynamodb`, `s3`.
   * @default - none: every endpoint is created
   */
  readonly excludeVpcEndpoints?: string[];
  /**
   * Reserved concurrency of each ingest function an integration has of its own (every RESTRICTED
   * integration with routes), counted against the account's 900 like the platform's.
   * A whole number from 1 to 900.
   * @default 10
   */
  readonly ownIngestReservedConcurrency?: number;
}

/**
 * Where an integration goes, and the workers of that stack.
 * @jsii ignore TypeScript only: what the platform's internal placement returns.
 */
export interface IntegrationPlacementResult extends IntegrationHome {
  /** The ingest function, rotation function and dashboard of the stack (the ingest the integration's own, where it asked for one). */
  readonly workers: Pick<StackWorkers, 'ingest' | 'rotationFunction' | 'dashboard' | 'functionDeadLetterQueue'>;
}

/**
 * How an integration is placed.
 * @jsii ignore TypeScript only: options of the platform's internal placement.
 */
export interface PlacementOptions {
  /**
   * An ingest function and role of the integration's own, so that no other integration's ingest
   * role can touch its data (a RESTRICTED integration's default).
   */
  readonly ownIngest?: boolean;
}

/** What an integration registers with its platform, so that names and routes stay unique. */
interface RegisteredIntegration {
  readonly name: string;
  readonly construct: IConstruct;
}

/**
 * What the integrations of one stack share: a customer-managed KMS key, one REGIONAL REST API
 * stage behind one WAFv2 WebACL, the OAuth 2.0 client-credentials front door, the alarm topic and
 * the dead-letter queue for failed asynchronous function invocations.
 *
 * A `SecureIntegration` without an explicit platform uses {@link IntegrationPlatform.of}, which
 * finds the stack's platform in the construct tree or creates it.
 */
export class IntegrationPlatform extends Construct {
  /** The construct id of the platform {@link IntegrationPlatform.of} creates. */
  public static readonly DEFAULT_ID = 'IntegrationPlatform';

  /** Whether `x` is an IntegrationPlatform (works across copies of the library). */
  public static isIntegrationPlatform(x: unknown): x is IntegrationPlatform {
    return typeof x === 'object' && x !== null && PLATFORM_SYMBOL in x;
  }

  /**
   * The platform of the stack that holds `scope`: the one already in the stack's construct tree, or
   * a new one with default properties under the stack (id {@link IntegrationPlatform.DEFAULT_ID}).
   *
   * @throws IntegrationConfigError when the stack holds more than one platform: pass `platform`.
   */
  public static of(scope: IConstruct): IntegrationPlatform {
    const stack = Stack.of(scope);
    let found = IntegrationPlatform.platformsOf(stack);
    // In a nested stack without one, the platform of the closest enclosing stack that has one.
    for (let s = stack.nestedStackParent; found.length === 0 && s; s = s.nestedStackParent) found = IntegrationPlatform.platformsOf(s);
    if (found.length === 1) return found[0];
    if (found.length > 1) {
      throw new IntegrationConfigError(
        scope.node.path,
        'platform',
        found.map((p) => p.node.path),
        'The stack holds more than one IntegrationPlatform; pass the one to use as `platform`.',
      );
    }
    return new IntegrationPlatform(stack, IntegrationPlatform.DEFAULT_ID);
  }

  /**
   * Names principals that put credential values by hand in the platform key's policy (through
   * Secrets Manager only): one statement for all of them, written at synth.
   * @internal
   */
  public _admitSecretWriters(roles: readonly iam.IRole[]): void {
    if (roles.length === 0) return;
    if (this.secretWriters.size === 0) {
      const added = allowSecretWritersToUseKey(this.encryptionKey, 'AllowCredentialWritersThroughSecretsManager', Lazy.list({ produce: () => [...this.secretWriters] }));
      if (!added) {
        Annotations.of(this).addWarningV2(
          'cdk-secure-integrations:importedKeySecretWriters',
          'encryptionKey is imported: its policy (or the writers\' own policies) must let the signing-secret writers and break-glass roles use it through Secrets Manager, or they cannot put values.',
        );
      }
    }
    for (const role of roles) this.secretWriters.add(role.roleArn);
  }

  /**
   * Machine paths take no static credentials: an IAM user or access key in a stack beside the
   * platform's integrations is a warning naming it (the library never creates one).
   */
  private warnAboutStaticCredentials(): string[] {
    const stacks = new Set([Stack.of(this), ...this.integrationStacks.keys()]);
    for (const stack of stacks) {
      for (const c of stack.node.findAll()) {
        if (Stack.of(c) !== stack || !(c instanceof iam.CfnUser || c instanceof iam.CfnAccessKey)) continue;
        Annotations.of(c).addWarningV2(
          'cdk-secure-integrations:staticCredentials',
          `${c instanceof iam.CfnAccessKey ? 'An IAM access key' : 'An IAM user'} sits beside the platform's integrations: long-lived keys are the credential that stays valid years after it should have died. ` +
            'Give machines roles (a function\'s role, Auth.iam with grantInvoke, OAuth 2.0 client credentials) instead.',
        );
      }
    }
    return [];
  }

  /** The platforms in `stack` itself (not in its nested stacks). */
  private static platformsOf(stack: Stack): IntegrationPlatform[] {
    return stack.node.findAll().filter((c) => IntegrationPlatform.isIntegrationPlatform(c) && Stack.of(c) === stack) as IntegrationPlatform[];
  }

  /** The customer-managed key of the platform. */
  public readonly encryptionKey: kms.IKey;
  private readonly props: IntegrationPlatformProps;
  private readonly integrations = new Map<string, RegisteredIntegration>();
  private readonly routes = new Map<string, string>();
  private readonly pathParameters = new Map<string, string>();
  private _api?: IntegrationApi;
  private _webAcl?: IntegrationWebAcl;
  private _oauth2?: OAuth2ClientCredentials;
  private _alarmTopic?: sns.ITopic;
  private _functionDeadLetterQueue?: sqs.Queue;
  private _outboundBus?: events.EventBus;
  private outboundRules = 0;
  private _authorizer?: apigateway.CognitoUserPoolsAuthorizer;
  private _inventory?: InventoryRegister;
  private frontDoorState?: MutualTlsFrontDoor;
  private networkState?: PlatformVpc;
  private rotationFailureRule?: RotationFailureRule;
  private readonly placement: IntegrationPlacement;
  private readonly workers = new Map<Stack, StackWorkers>();
  private readonly integrationStacks = new Map<Stack, number>();
  private readonly secretWriters = new Set<string>();
  private warnedAboutDeployment = false;
  private readonly admittedTopics = new Set<sns.ITopic>();

  constructor(scope: Construct, id: string, props: IntegrationPlatformProps = {}) {
    super(scope, id);
    Object.defineProperty(this, PLATFORM_SYMBOL, { value: true });
    registerPlatform(this);
    this.props = props;
    validatePlatformProps(this.node.path, props);
    this.placement = new IntegrationPlacement(this, validateStackBudget(this.node.path, props.stackBudget));
    // The platform's own stack keeps its workers under the platform, with the ids they always had.
    this.workers.set(Stack.of(this), new StackWorkers(this.workersHost, { scope: this, alarmNameSuffix: '', where: 'of the platform\'s stack', deadLetterQueue: () => this.functionDeadLetterQueue }));
    this.encryptionKey = props.encryptionKey ?? createPlatformKey(this, 'Key', { alarmNamePrefix: this.alarmNamePrefix });
    this._admitSecretWriters(props.credentialBreakGlassRoles ?? []);
    if (props.encryptionKey) {
      Annotations.of(this).addInfoV2(
        'cdk-secure-integrations:importedKey',
        'encryptionKey is given: its key policy must let CloudWatch Logs, Secrets Manager and SNS publishers of this account use it (see createPlatformKey).',
      );
    }
    this.node.addValidation({ validate: () => this.warnAboutStaticCredentials() });
    this.node.addValidation({
      validate: () =>
        this.integrations.size === 0
          ? [`IntegrationPlatform ${this.node.path} has no integrations: add a SecureIntegration or remove the platform.`]
          : [...[...this.integrationStacks].flatMap(([stack, count]) => checkStackQuotas(stack, this, count)), ...checkAccountQuotas(this)],
    });
  }

  /** How callers of routes without an `auth` of their own authenticate. */
  public get defaultRouteAuth(): Auth {
    return this.props.defaultRouteAuth ?? Auth.oauth2ClientCredentials();
  }

  /**
   * The REST API and its stage, behind the platform's WebACL; created with the first route, so a
   * platform of outbound integrations only has none.
   */
  public get api(): IntegrationApi {
    if (!this._api) {
      this._api = new IntegrationApi(this, 'Api', {
        encryptionKey: this.encryptionKey,
        stageName: this.props.stageName,
        resourcePolicyCharacters: this.props.apiResourcePolicyCharacters,
        throttling: this.props.throttling,
        logRetention: this.props.logRetention,
        manageAccountLoggingRole: this.props.manageApiGatewayAccountRole,
      });
      this._webAcl = new IntegrationWebAcl(this, 'WebAcl', {
        stage: this._api.stage,
        encryptionKey: this.encryptionKey,
        logRetention: this.props.logRetention,
        waf: this.props.waf,
      });
      if (this.props.waf?.ipAllowlist !== undefined) {
        const { ipv4, ipv6 } = splitAllowlist(this.node.path, 'waf.ipAllowlist', this.props.waf.ipAllowlist);
        this._api.resourcePolicy.restrictStage([...ipv4, ...ipv6]);
      }
    }
    return this._api;
  }

  /** The VPC and subnets the platform's functions run in (with its endpoints), when it was given a `vpc`. */
  public get network(): PlatformVpc | undefined {
    if (!this.props.vpc) return undefined;
    this.networkState ??= new PlatformVpc(this, 'Network', { vpc: this.props.vpc, subnets: this.props.vpcSubnets, endpoints: this.props.vpcEndpoints ?? true, exclude: this.props.excludeVpcEndpoints });
    return this.networkState;
  }

  /**
   * How the API's routes authenticate, and its mutual TLS domain once a route asks for one.
   * @internal
   */
  public get _frontDoor(): MutualTlsFrontDoor {
    this.frontDoorState ??= new MutualTlsFrontDoor(this, () => this.api, this);
    return this.frontDoorState;
  }

  /** The WAFv2 WebACL in front of the stage (created with the API). */
  public get webAcl(): IntegrationWebAcl {
    if (!this._webAcl) void this.api;
    return this._webAcl!;
  }

  /** The OAuth 2.0 client-credentials front door, created with the first OAuth 2.0 route. */
  public get oauth2(): OAuth2ClientCredentials {
    this._oauth2 ??= new OAuth2ClientCredentials(this, 'OAuth2', this.props.oauth2);
    return this._oauth2;
  }

  /** The topic alarms go to: the one given in the props, or one created on first use. */
  public get alarmTopic(): sns.ITopic {
    this._alarmTopic ??= this.props.alarmTopic ? this.givenTopic(this.props.alarmTopic, 'alarmTopic') : createAlarmTopic(this, 'AlarmTopic', { encryptionKey: this.encryptionKey, alarmNamePrefix: this.alarmNamePrefix });
    return this._alarmTopic;
  }

  /**
   * The event bus outbound API-destination integrations deliver through, created with the first
   * (`<stack>-integrations-outbound`, on the platform key; see lib/outbound/outbound-bus.ts).
   */
  public get outboundBus(): events.EventBus {
    this._outboundBus ??= createOutboundBus(this, this.encryptionKey, `${this.alarmNamePrefix}outbound`, this.functionDeadLetterQueue);
    return this._outboundBus;
  }

  /**
   * Claims a rule on the outbound bus for an integration.
   * @throws IntegrationConfigError past EventBridge's 300 rules a bus
   * @internal
   */
  public _claimOutboundRule(integrationName: string): events.EventBus {
    this.outboundRules += 1;
    if (this.outboundRules > OUTBOUND_BUS_MAX_RULES) {
      throw new IntegrationConfigError(integrationName, 'outbound', '(API destination)', `The platform's outbound bus holds one rule per API-destination integration, and EventBridge allows ${OUTBOUND_BUS_MAX_RULES} rules a bus by default: put further integrations on another platform.`);
    }
    return this.outboundBus;
  }

  /** Dead-letter queue for failed asynchronous invocations of the platform's functions, created on first use. */
  public get functionDeadLetterQueue(): sqs.Queue {
    this._functionDeadLetterQueue ??= createFunctionDeadLetterQueue(this, {
      encryptionKey: this.encryptionKey,
      alarmName: `${this.alarmNamePrefix}function-dead-letters`,
      topic: this.ticketTopic,
      runbookUrl: this.runbookUrl,
    });
    return this._functionDeadLetterQueue;
  }

  /**
   * The Cognito user-pool authorizer of the API, created on first use so that a platform without
   * OAuth 2.0 routes has none.
   */
  public get authorizer(): apigateway.CognitoUserPoolsAuthorizer {
    if (!this._authorizer) {
      this._authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
        cognitoUserPools: [this.oauth2.userPool],
        resultsCacheTtl: Duration.minutes(5),
      });
    }
    return this._authorizer;
  }

  /**
   * The ingest function the routes in the platform's stack share, created on first use. An
   * integration with an ingest of its own (RESTRICTED data, or `ownIngest`) does not use it: grant
   * that integration's targets to its own (`SecureIntegration` binds them), never to this one.
   * @jsii ignore TypeScript only: the shared ingest function is internal wiring.
   */
  public get ingest(): IngestFunction {
    return this.primaryWorkers.ingest;
  }

  /** The workers of the platform's own stack. */
  private get primaryWorkers(): StackWorkers {
    return this.workers.get(Stack.of(this))!;
  }

  /** What the workers of every stack take from the platform (read when they are created). */
  private get workersHost() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const platform = this;
    return {
      get encryptionKey() {
        return platform.encryptionKey;
      },
      get functionDeadLetterQueue() {
        return platform.functionDeadLetterQueue;
      },
      get network() {
        return platform.network;
      },
      get api() {
        return { restApi: platform.api.restApi, stageName: platform.api.stageName };
      },
      get alarmNamePrefix() {
        return platform.alarmNamePrefix;
      },
      get secretNamePrefix() {
        return platform.secretNamePrefix;
      },
      get pageTopic() {
        return platform.pageTopic;
      },
      get ticketTopic() {
        return platform.ticketTopic;
      },
      get runbookUrl() {
        return platform.runbookUrl;
      },
      get ingestReservedConcurrency() {
        return platform.props.ingestReservedConcurrency;
      },
      onRotationFunction: () => platform.ensureRotationFailureRule(),
    };
  }

  /**
   * Places an integration: the platform's stack while it is within the budget, then a nested stack
   * the platform adds; an integration created in a nested stack of the platform's stack stays there.
   * @returns where its resources go and the workers (ingest, rotation, dashboard) of that stack
   * @throws IntegrationConfigError when the integration is in an unrelated stack
   * @internal
   */
  public _placeIntegration(integration: Construct, name: string, options: PlacementOptions = {}): IntegrationPlacementResult {
    const home = this.placement.place(integration, name);
    this.integrationStacks.set(home.stack, (this.integrationStacks.get(home.stack) ?? 0) + 1);
    let workers = this.workers.get(home.stack);
    if (!workers) {
      const label = home.spilled ? home.stack.node.id.replace(/^Integrations/, '') : Names.uniqueResourceName(home.stack, { maxLength: 40, separator: '-' });
      workers = new StackWorkers(this.workersHost, {
        scope: new Construct(home.stack, `${this.node.id}Workers`),
        alarmNameSuffix: `-${label}`,
        where: `of nested stack ${home.stack.node.path}`,
      });
      this.workers.set(home.stack, workers);
    }
    if (!options.ownIngest) return { ...home, workers };
    // The integration's own ingest (and its failure alarm), under the integration; the stack's rotation
    // function, dashboard and dead-letter queue stay shared.
    const shared = workers;
    const own = new StackWorkers(this.workersHost, {
      scope: home.scope,
      alarmNameSuffix: `-${name}`,
      where: `of integration ${name}`,
      deadLetterQueue: () => shared.functionDeadLetterQueue,
      ingestReservedConcurrency: this.props.ownIngestReservedConcurrency ?? 10,
    });
    return {
      ...home,
      workers: {
        get ingest() { return own.ingest; },
        get rotationFunction() { return shared.rotationFunction; },
        get dashboard() { return shared.dashboard; },
        get functionDeadLetterQueue() { return shared.functionDeadLetterQueue; },
      },
    };
  }

  /** The nested stacks the platform added for integrations beyond its budget, in order. */
  public get spillStacks(): Stack[] {
    return [...this.placement.spills];
  }

  /** Whether `stack` can hold integrations of this platform (its own stack or one nested in it). */
  public servesStack(stack: Stack): boolean {
    return isWithinStack(stack, Stack.of(this));
  }

  /**
   * Counts a request model's bytes against the template of the stack that holds it (the placement's
   * estimate of how full the stack is).
   * @internal
   */
  public _recordModelBytes(scope: IConstruct, bytes: number): void {
    this.placement.addModelBytes(Stack.of(scope), bytes);
  }

  /** The runbook alarms link to. */
  public get runbookUrl(): string | undefined {
    return this.props.runbookUrl;
  }

  /** Where page-worthy alarms go. */
  public get pageTopic(): sns.ITopic {
    return this.props.pageTopic ? this.givenTopic(this.props.pageTopic, 'pageTopic') : this.alarmTopic;
  }

  /** Where ticket-worthy alarms go. */
  public get ticketTopic(): sns.ITopic {
    return this.props.ticketTopic ? this.givenTopic(this.props.ticketTopic, 'ticketTopic') : this.alarmTopic;
  }

  /**
   * A topic given in the props (or an integration's `slo.pageTopic`/`ticketTopic`), with the
   * statement that lets the platform's alarms publish added once to its policy; for an imported
   * topic, whose policy CDK cannot change, a warning says what it must allow.
   * @internal
   */
  public _admitAlarmTopic(topic: sns.ITopic, prop: string): sns.ITopic {
    return this.givenTopic(topic, prop);
  }

  private givenTopic(topic: sns.ITopic, prop: string): sns.ITopic {
    if (!this.admittedTopics.has(topic)) {
      this.admittedTopics.add(topic);
      if (!allowPlatformAlarms(this, topic, this.alarmNamePrefix)) {
        Annotations.of(this).addWarningV2(
          `cdk-secure-integrations:importedAlarmTopic:${prop}`,
          `${prop} is an imported topic: its policy must let cloudwatch.amazonaws.com publish for alarms named ${this.alarmNamePrefix}* of this account ` +
            '(aws:SourceAccount, aws:SourceArn), and EventBridge for the platform\'s rules, or pages are refused; if it is encrypted, so must its key policy.',
        );
      }
    }
    return topic;
  }

  /** Every alarm the library names for this platform starts with this (stack name based). */
  public get alarmNamePrefix(): string {
    return `${Stack.of(this).stackName}-integrations-`;
  }

  /** The integration register (table, writer function, event rules), created with the first integration. */
  public get inventory(): InventoryRegister {
    this._inventory ??= new InventoryRegister(this, 'Inventory', { platform: this, table: this.props.inventoryTable, alarmNamePrefix: this.alarmNamePrefix });
    return this._inventory;
  }

  /** The overview dashboard of the integrations in the platform's stack: a row each, created with the first one. */
  public get dashboard(): PlatformDashboard {
    return this.primaryWorkers.dashboard;
  }

  /** The retention of the platform's logs, in days. */
  public get logRetentionDays(): number {
    return this.props.logRetention ?? logs.RetentionDays.ONE_YEAR;
  }

  /**
   * The rotation function of the credentials in the platform's stack (the four steps and the hourly
   * credential sweep; each further stack has its own), created on first use with the rule that pages on rotation failures of every stack's credentials and the
   * alarm that pages when the sweep stops.
   * @jsii ignore TypeScript only: the shared rotation function is internal wiring.
   */
  public get rotationFunction(): RotationFunction {
    return this.primaryWorkers.rotationFunction;
  }

  /** The rule that pages on rotation failures of every credential of the platform, whichever stack holds it: one per platform. */
  private ensureRotationFailureRule(): void {
    this.rotationFailureRule ??= new RotationFailureRule(this, 'RotationFailures', {
      topic: this.pageTopic,
      deadLetterQueue: this.functionDeadLetterQueue,
      runbookUrl: this.runbookUrl,
      secretArnPrefix: secretArnPrefix(this, `${this.secretNamePrefix}/`),
    });
  }

  /**
   * The name prefix of the platform's rotated credentials: each is
   * `<prefix>/<integration>/<credential>`, unique in the account and region.
   */
  public get secretNamePrefix(): string {
    return `${SECRET_NAME_ROOT}${Names.uniqueResourceName(this, { maxLength: 96, separator: '-' })}`;
  }

  /**
   * The name prefix of the platform's schedule rules (`sync-<10 hex>-`): each sync function's
   * resource-based policy admits the rules so named, one statement per stack.
   */
  public get scheduleRulePrefix(): string {
    return scheduleRulePrefix(this);
  }

  /** Roles allowed to change credentials besides the rotation function and a deployment. */
  public get credentialBreakGlassRoles(): iam.IRole[] {
    return [...(this.props.credentialBreakGlassRoles ?? [])];
  }

  /** The roles CloudFormation deploys the stack as, which alone may change credentials through it (see the prop). */
  public get credentialDeploymentRoleArns(): string[] {
    if (this.props.credentialDeploymentRoleArns) return [...this.props.credentialDeploymentRoleArns];
    const synthesizer = Stack.of(this).synthesizer;
    const execution = synthesizer instanceof DefaultStackSynthesizer ? synthesizer.cloudFormationExecutionRoleArn : undefined;
    if (execution) {
      if (!this.warnedAboutDeployment) {
        this.warnedAboutDeployment = true;
        Annotations.of(this).addInfoV2(
          'cdk-secure-integrations:sharedDeploymentRole',
          'Credentials may be changed through CloudFormation by the bootstrap\'s execution role, which every CDK app of the account and region deploys with. ' +
            'Where other teams deploy to this account, bootstrap a qualifier of the platform\'s own (or use a stack role) and name it in credentialDeploymentRoleArns.',
        );
      }
      return [Fn.sub(execution)];
    }
    if (!this.warnedAboutDeployment) {
      this.warnedAboutDeployment = true;
      Annotations.of(this).addWarningV2(
        'cdk-secure-integrations:credentialDeploymentRole',
        'The stack synthesizer names no CloudFormation execution role, so any CloudFormation operation may change the platform\'s credentials ' +
          '(a principal allowed to create stacks could deploy a resource policy on a secret). Set credentialDeploymentRoleArns to the role your deployments use.',
      );
    }
    return [];
  }

  /** The names of the integrations registered so far. */
  public get integrationNames(): string[] {
    return [...this.integrations.keys()];
  }

  /**
   * Registers an integration by name.
   * @throws IntegrationConfigError when another integration of this platform has the same name.
   * @internal
   */
  public _registerIntegration(name: string, construct: IConstruct): void {
    const existing = this.integrations.get(name);
    if (existing) {
      throw new IntegrationConfigError(
        construct.node.path,
        'integrationName',
        name,
        `Integration ${existing.construct.node.path} already uses this name on the platform; names key metrics, ` +
          'alarms and the inventory, so give each integration its own `integrationName` (or construct id).',
      );
    }
    this.integrations.set(name, { name, construct });
  }

  /**
   * Claims a method and path on the platform's API for an integration.
   * @throws IntegrationConfigError when the method and path are taken already.
   * @internal
   */
  public _claimRoute(method: string, path: string, integrationName: string, prop: string): void {
    const key = routeKey(method, path);
    const owner = this.routes.get(key);
    if (owner) {
      throw new IntegrationConfigError(
        integrationName,
        prop,
        `${method} ${path}`,
        `Integration '${owner}' already serves ${key} on this platform's API; give this route another path or method.`,
      );
    }
    for (const [position, name] of pathParameterPositions(path)) {
      const existing = this.pathParameters.get(position);
      if (existing !== undefined && existing !== name) {
        throw new IntegrationConfigError(
          integrationName,
          prop,
          path,
          `Another route names the path parameter at ${position} '{${existing}}'; API Gateway allows one parameter ` +
            `name per position, so write '{${existing}}' here too.`,
        );
      }
      this.pathParameters.set(position, name);
    }
    this.routes.set(key, integrationName);
  }
}

setFunctionHostLocator((scope) => IntegrationPlatform.of(scope));
