import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import type { IntegrationWafOptions } from '../gateway/waf-options';
import { splitAllowlist } from '../gateway/waf-ip-cidr';
import { ApiDestinationAlarms } from '../observability/api-destination-alarms';
import { SenderFailureAlarm } from '../observability/sender-failure-alarm';
import { CredentialAgeAlarms } from '../observability/credential-alarms';
import { HeartbeatAlarm, HeartbeatOptions } from '../observability/heartbeat';
import { QueueBacklogAlarms } from '../observability/queue-alarms';
import { TrafficAlarms, type TrafficExpectation } from '../observability/traffic-alarms';
import { IntegrationSlo, SloProps } from '../observability/slo';
import { IntegrationMetrics } from '../observability/integration-metrics';
import { integrationWidgets } from '../observability/platform-dashboard';
import { PARTNER_MANAGED_SCHEDULE } from '../inventory/inventory-record';
import { MONITORING_SEVERITIES } from '../inventory/report-findings';
import { InventoryReport } from '../inventory/inventory-report';
import { buildInventoryRecord, InventorySource } from '../inventory/record-builder';
import { IntegrationPlatform } from '../platform/integration-platform';
import { grantFieldDecryption, grantFieldEncryption } from '../secrets/field-decryption-grant';
import { ROOT_ARN } from '../identity/auth';
import { validatePiiFields } from '../secrets/pii-fields';
import { CredentialProps, IntegrationCredential, validateCredentialName } from '../secrets/integration-credential';
import { Rotation } from '../secrets/rotation';
import { grantKeyUseVia, KeyService } from '../core/key-use';
import { CLASSIFICATION_CONTROLS, enforceClassificationControls } from './classification-controls';
import { DataClassification, validateDataClassification } from './data-classification';
import { type BoundRoute, type Inbound, OAUTH2_CLIENT_SECRET, WEBHOOK_SIGNING_SECRET } from './inbound';
import type { IntegrationQueue } from './integration-queue';
import type { IamAccess } from '../gateway/api-resource-policy';
import type { Outbound, OutboundConfig } from './outbound';

/** The name, in the inventory, of the partner credential an outbound API destination's connection holds. */
export const OUTBOUND_PARTNER_CREDENTIAL = 'outbound-partner-credential';
/** The name, in the inventory, of an outbound integration's mutual TLS client certificate. */
export const OUTBOUND_CLIENT_CERTIFICATE = 'outbound-client-certificate';

/**
 * An integration name: a letter, then letters, digits, `-` or `_`, at most 64 characters. It keys
 * metrics (dimension `Integration`), alarms and the inventory.
 */
const INTEGRATION_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Properties of a {@link SecureIntegration}. */
export interface SecureIntegrationProps {
  /**
   * The team or person accountable for the integration: who is paged, who answers the auditor.
   * For example `'crm-team@example.com'` or `'team-payments'`. Non-empty, at most 256 characters.
   */
  readonly owner: string;
  /** The sensitivity of the data the integration carries. */
  readonly dataClassification: DataClassification;
  /**
   * The integration's name on the platform: metrics, alarms and the inventory use it.
   * @default - the construct id
   */
  readonly integrationName?: string;
  /**
   * What the integration does, for the inventory.
   * @default - none
   */
  readonly description?: string;
  /**
   * How partners reach the integration, for example `Inbound.api({ routes: [...] })`.
   * @default - no inbound side
   */
  readonly inbound?: Inbound;
  /**
   * JSON paths of request bodies that hold personal data (dot paths, `[*]` for array elements, a
   * trailing `.*` for every field of an object), for example `['contact.email', 'contact.phone']`.
   * The ingest function encrypts them (KMS envelope encryption with AES-256-GCM, one JWE per value,
   * encryption context `{ integration, field }`) before the record reaches the target; consumers
   * decrypt with `decryptFields` after `grantDecrypt`.
   * @default - none: say so explicitly with `[]` when a body holds no personal data
   */
  readonly piiFields?: string[];
  /**
   * Credentials the integration holds (a partner API key, an OAuth client secret, a signing secret
   * we issue): each a Secrets Manager secret on the platform key, named
   * `integrations/<platform>/<integration>/<credential>`, rotated by the platform's rotation
   * function at least every 90 days (30 or 60 for RESTRICTED and CONFIDENTIAL data). An
   * `Inbound.api` integration's app-client secret is one already (`oauth2-client-secret`).
   * @default - none
   */
  readonly credentials?: CredentialProps[];
  /**
   * Work the integration does on its own schedule, for example
   * `Outbound.schedule({ handler, every: Duration.days(1) })`.
   * @default - none
   */
  readonly outbound?: Outbound;
  /**
   * A heartbeat: alarm when no successful sync (`recordSync`) arrives within `every + grace`.
   * @default - for an outbound schedule, every = its interval and grace = a tenth of it (at least 15 minutes); otherwise none
   */
  readonly heartbeat?: HeartbeatOptions;
  /**
   * Service-level objectives: multi-window multi-burn-rate availability alarms (Google SRE Workbook)
   * and a p95 latency alarm, routed to the platform's page and ticket topics.
   * @default - for an integration with inbound routes, 99.5% availability, p95 800 ms, 28 days; otherwise none
   */
  readonly slo?: SloProps;
  /**
   * How much traffic the integration's routes expect, so that a partner that stops sending reaches a
   * person: `TrafficExpectation.atLeast(n, per)` pages below `n` requests per `per`,
   * `TrafficExpectation.learned()` tickets after 3 hours below the anomaly band of the hourly request
   * count, `TrafficExpectation.none(reason)` says silence is normal. Inbound integrations only.
   * @default - TrafficExpectation.learned() for an integration with inbound routes
   */
  readonly expect?: TrafficExpectation;
  /**
   * A dashboard of this integration alone, besides its row on the platform's dashboard.
   * @default false
   */
  readonly dashboard?: boolean;
  /**
   * WAF controls for this integration's routes alone: IP allowlist, rate limit, body size.
   * @default - the platform's controls only
   */
  readonly waf?: IntegrationWafOptions;
  /**
   * Whether the integration's routes pass through an ingest function and role of its own, so that
   * the ingest role other integrations share can neither read its signing secret nor deliver to
   * its target nor encrypt with its key context.
   * @default - true for RESTRICTED data, false otherwise
   */
  readonly ownIngest?: boolean;
  /**
   * The platform the integration joins; the integration must be in the platform's stack or in a
   * NestedStack of it.
   * @default - the stack's platform (`IntegrationPlatform.of(this)`), created if there is none
   */
  readonly platform?: IntegrationPlatform;
}

/**
 * One secured, observable integration in one line: it joins the stack's
 * {@link IntegrationPlatform}, adds its routes (OAuth 2.0 scopes, JSON Schema validation, WAF in
 * front) and its own app client, and records its owner and data classification.
 *
 * @example
 * new SecureIntegration(this, 'Crm', {
 *   owner: 'crm-team@example.com',
 *   dataClassification: DataClassification.CONFIDENTIAL,
 *   inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema, scopes: ['contacts.write'], target: Target.lambda(fn) }] }),
 * });
 */
export class SecureIntegration extends Construct {
  /** The integration's name on the platform. */
  public readonly integrationName: string;
  /** The accountable owner. */
  public readonly owner: string;
  /** The data classification. */
  public readonly dataClassification: DataClassification;
  /** What the integration does. */
  public readonly description?: string;
  /** The platform the integration belongs to. */
  public readonly platform: IntegrationPlatform;
  /**
   * The stack that holds the integration's resources: its own, or, when the platform's stack was
   * full, a nested stack the platform added (see `IntegrationPlatformProps.stackBudget`).
   */
  public readonly stack: Stack;
  /** The construct the integration's resources are under: the integration itself, or its stand-in in a spill stack. */
  private readonly home: Construct;
  /** The routes bound to the platform's API (empty without an inbound side). */
  public readonly routes: BoundRoute[];
  /** The integration's OAuth 2.0 app client, for inbound APIs. */
  public readonly client?: cognito.UserPoolClient;
  /** The signing secret, for signed webhooks. */
  public readonly signingSecret?: secretsmanager.ISecret;
  /** The four signals, as metrics for alarms and dashboards. */
  public readonly metrics: IntegrationMetrics;
  /** Every alarm of the integration. */
  public readonly alarms: cloudwatch.IAlarm[] = [];
  private readonly decryptGrantees = new Set<string>();
  private readonly alarmRegistry: Array<{ name: string; severity: string }> = [];
  /** The heartbeat alarm, where the integration has one. */
  public readonly heartbeatAlarm?: HeartbeatAlarm;
  /** The SLO alarms, where the integration has inbound routes or an `slo`. */
  public readonly slo?: IntegrationSlo;
  /** The outbound schedule, where the integration has one. */
  public readonly outbound?: OutboundConfig;
  /** The integration's own dashboard, where requested. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** The body fields encrypted before delivery. */
  public readonly piiFields: string[];
  /** The credentials, by name; an `Inbound.api` integration's app-client secret is `oauth2-client-secret`. */
  public readonly credentials: Record<string, IntegrationCredential> = {};
  /** The age alarms of the integration's credentials, where it holds any. */
  public readonly credentialAgeAlarms?: CredentialAgeAlarms;
  /** The integration's own queue, where a route uses the default target. */
  public readonly queue?: IntegrationQueue;
  private readonly iamAccess?: IamAccess;

  constructor(scope: Construct, id: string, props: SecureIntegrationProps) {
    super(scope, id);
    this.node.addValidation({ validate: () => this.warnAboutSilentGaps() });
    const name = props.integrationName ?? id;
    if (!INTEGRATION_NAME_PATTERN.test(name)) {
      throw new IntegrationConfigError(
        this.node.path,
        props.integrationName === undefined ? 'integrationName (from the construct id)' : 'integrationName',
        name,
        'Use a letter followed by letters, digits, "-" or "_", at most 64 characters, for example "PartnerOrders".',
      );
    }
    this.integrationName = name;
    this.owner = validateOwner(name, props.owner);
    this.dataClassification = validateDataClassification(name, props.dataClassification);
    this.description = props.description;
    this.platform = props.platform ?? IntegrationPlatform.of(this);
    this.platform._registerIntegration(name, this);
    // The integration's resources go to the platform's stack while it has room, then to a nested stack.
    // A RESTRICTED integration's records pass through an ingest function and role of its own.
    const placed = this.platform._placeIntegration(this, name, { ownIngest: props.ownIngest ?? this.dataClassification === DataClassification.RESTRICTED });
    const home = placed.scope;
    this.home = home;
    this.stack = placed.stack;

    this.piiFields = props.piiFields === undefined ? [] : validatePiiFields(name, props.piiFields);
    const credentialMaxAge = CLASSIFICATION_CONTROLS[this.dataClassification].maxRotationPeriod;
    const inbound = props.inbound?.bind({ scope: home, integrationName: name, platform: this.platform, workers: placed.workers, piiFields: this.piiFields, credentialMaxAge });
    this.routes = inbound?.routes ?? [];
    this.client = inbound?.client;
    this.signingSecret = inbound?.signingSecret;
    this.iamAccess = inbound?.iamAccess;
    this.queue = home.node.tryFindChild('Queue') as IntegrationQueue | undefined;
    const ownClient = this.client
      ? { client: this.client, userPool: this.platform.oauth2.userPool, clientName: name, tokenEndpoint: this.platform.oauth2.tokenEndpoint, dependencies: [this.platform.oauth2.domain] }
      : undefined;
    const addCredential = (credential: CredentialProps, prop: string) => {
      if (credential.name in this.credentials) {
        throw new IntegrationConfigError(
          name,
          `${prop}.name`,
          credential.name,
          credential.name === OAUTH2_CLIENT_SECRET && this.client
            ? 'The integration\'s app-client secret is the managed credential oauth2-client-secret: configure it with Inbound.api({ clientSecret }), or give this credential another name.'
            : 'Each credential of an integration needs its own name.',
        );
      }
      // Keyed by name, not position, so that reordering credentials never replaces a secret.
      const credentialName = validateCredentialName(name, `${prop}.name`, credential.name);
      this.credentials[credential.name] = new IntegrationCredential(home, credentialName, {
        ...credential,
        prop,
        integrationName: name,
        secretName: `${this.platform.secretNamePrefix}/${name}/${credentialName}`,
        encryptionKey: this.platform.encryptionKey,
        rotationFunction: placed.workers.rotationFunction,
        client: ownClient,
        maxAge: credentialMaxAge,
        breakGlassRoles: this.platform.credentialBreakGlassRoles,
        deploymentRoleArns: this.platform.credentialDeploymentRoleArns,
      });
    };
    // Every app client's secret is a managed credential: rotated, listed, handed out through Secrets Manager.
    if (this.client && inbound?.clientSecret) {
      addCredential({ ...inbound.clientSecret, name: OAUTH2_CLIENT_SECRET, rotation: Rotation.cognitoClientSecret(), description: 'OAuth 2.0 client secret of the partner\'s app client' }, 'inbound.clientSecret');
    }
    (props.credentials ?? []).forEach((credential, i) => addCredential(credential, `credentials[${i}]`));
    // The outbound side may add a credential of its own (a signing secret), checked with the others.
    this.outbound = props.outbound?.bind({
      scope: home,
      integrationName: name,
      platform: placed.workers,
      scheduleRulePrefix: this.platform.scheduleRulePrefix,
      api: {
        encryptionKey: this.platform.encryptionKey,
        piiFields: this.piiFields,
        hasInbound: inbound !== undefined,
        classificationRequiresPii: this.dataClassification === DataClassification.CONFIDENTIAL || this.dataClassification === DataClassification.RESTRICTED,
        credentialMaxAge,
        addCredential: (credential, prop) => {
          addCredential(credential, prop);
          return this.credentials[credential.name];
        },
        grantFieldKey: (grantee, mode) => (mode === 'decrypt' ? this.grantDecrypt(grantee) : grantFieldEncryption(grantee, this.platform.encryptionKey, name)),
        outboundBus: () => this.platform._claimOutboundRule(name),
      },
    });
    enforceClassificationControls({
      name,
      classification: this.dataClassification,
      piiFields: props.piiFields,
      rotations: Object.values(this.credentials).map((c) => ({ prop: `${c.prop}.${c.rotateEvery ? 'rotateEvery' : 'rotationWindow'}`, maxIntervalHours: c.maxIntervalHours })),
      logRetentionDays: this.platform.logRetentionDays,
    });
    this.metrics = new IntegrationMetrics(name);
    const scheduleEvery = this.outbound?.every;
    const heartbeat = props.heartbeat ?? (scheduleEvery ? { every: scheduleEvery } : undefined);
    if (heartbeat && scheduleEvery && heartbeat.every.toSeconds() < scheduleEvery.toSeconds()) {
      throw new IntegrationConfigError(
        name,
        'heartbeat.every',
        heartbeat.every.toHumanString(),
        `The sync runs every ${scheduleEvery.toHumanString()}: a heartbeat expecting one sooner would be in alarm between runs. Set heartbeat.every to at least the schedule's interval.`,
      );
    }
    const alarmContext = { integration: name, owner: this.owner, runbookUrl: this.platform.runbookUrl };
    // Every alarm of the integration is named with this: the platform's topics admit only such names.
    const alarmNamePrefix = `${this.platform.alarmNamePrefix}${name}-`;
    // Computed once: a route whose path cannot be a metric dimension is warned about once.
    const stageClientErrors = this.routes.length > 0 ? methodClientErrors(this, this.routes, this.platform.api.stageByName) : undefined;
    if (this.queue) {
      const backlog = new QueueBacklogAlarms(home, 'QueueAlarms', {
        context: alarmContext,
        queue: this.queue.queue,
        deadLetterQueue: this.queue.deadLetterQueue,
        alarmNamePrefix,
        pageTopic: this.platform.pageTopic,
        ticketTopic: this.platform.ticketTopic,
      });
      for (const a of backlog.notifyingAlarms) this.addAlarm(a.alarm, a.severity, a.name);
    }
    const outboundApi = this.outbound?.api;
    if (outboundApi) {
      const backlog = new QueueBacklogAlarms(home, 'OutboundQueueAlarms', {
        context: alarmContext,
        queue: outboundApi.queue.queue,
        deadLetterQueue: outboundApi.queue.deadLetterQueue,
        alarmNamePrefix: `${alarmNamePrefix}outbound-`,
        pageTopic: this.platform.pageTopic,
        ticketTopic: this.platform.ticketTopic,
      });
      for (const a of backlog.notifyingAlarms) this.addAlarm(a.alarm, a.severity, a.name);
      const senderFailure = new SenderFailureAlarm(home, 'SenderFailureAlarm', {
        context: alarmContext,
        alarmName: `${alarmNamePrefix}outbound-sender-failing`,
        function: outboundApi.sender.function,
        topic: this.platform.pageTopic,
      });
      this.addAlarm(senderFailure.alarm, 'page', `${alarmNamePrefix}outbound-sender-failing`);
      if (outboundApi.rule && outboundApi.connection) {
        const delivery = new ApiDestinationAlarms(home, 'ApiDestinationAlarms', {
          context: alarmContext,
          rule: outboundApi.rule,
          eventBusName: this.platform.outboundBus.eventBusName,
          alarmNamePrefix,
          pageTopic: this.platform.pageTopic,
          ticketTopic: this.platform.ticketTopic,
          connection: outboundApi.connection,
          deadLetterQueue: placed.workers.functionDeadLetterQueue,
        });
        for (const a of delivery.notifyingAlarms) this.addAlarm(a.alarm, a.severity, a.name);
      }
    }
    if (Object.keys(this.credentials).length > 0 || this.signingSecret) {
      this.credentialAgeAlarms = new CredentialAgeAlarms(home, 'CredentialAge', {
        context: alarmContext,
        alarmNamePrefix,
        ticketTopic: this.platform.ticketTopic,
        pageTopic: this.platform.pageTopic,
      });
      this.addAlarm(this.credentialAgeAlarms.due, 'credential-age-ticket', this.credentialAgeAlarms.dueAlarmName);
      this.addAlarm(this.credentialAgeAlarms.overdue, 'credential-age-page', this.credentialAgeAlarms.overdueAlarmName);
    }
    if (heartbeat) {
      this.heartbeatAlarm = new HeartbeatAlarm(home, 'Heartbeat', {
        ...heartbeat,
        context: alarmContext,
        topic: this.platform.pageTopic,
        alarmName: `${alarmNamePrefix}heartbeat`,
      });
      this.addAlarm(this.heartbeatAlarm.alarm, 'heartbeat', this.heartbeatAlarm.alarmName);
    }
    // A signed outbound call's sender emits the integration's request signals: it gets the SLO alarms too.
    if (props.slo !== undefined || this.routes.length > 0 || outboundApi?.mode === 'direct') {
      if (props.slo?.pageTopic) this.platform._admitAlarmTopic(props.slo.pageTopic, 'slo.pageTopic');
      if (props.slo?.ticketTopic) this.platform._admitAlarmTopic(props.slo.ticketTopic, 'slo.ticketTopic');
      this.slo = new IntegrationSlo(home, 'Slo', {
        context: alarmContext,
        pageTopic: this.platform.pageTopic,
        ticketTopic: this.platform.ticketTopic,
        slo: props.slo,
        methodClientErrors: stageClientErrors,
        alarmNamePrefix,
      });
      for (const a of this.slo.notifyingAlarms) this.addAlarm(a.alarm, a.severity, a.name);
    }
    if (this.routes.length > 0) {
      const traffic = new TrafficAlarms(home, 'TrafficAlarms', {
        context: alarmContext,
        alarmNamePrefix,
        pageTopic: this.platform.pageTopic,
        ticketTopic: this.platform.ticketTopic,
        expect: props.expect,
      });
      for (const a of traffic.notifyingAlarms) this.addAlarm(a.alarm, a.severity, a.name);
    } else if (props.expect !== undefined) {
      throw new IntegrationConfigError(name, 'expect', '(a traffic expectation)', 'Traffic expectations apply to inbound routes: add an inbound side, or remove expect (a scheduled sync has its heartbeat).');
    }
    let wafBlocked: cloudwatch.Metric[] = [];
    if (props.waf) {
      if (this.routes.length === 0) {
        throw new IntegrationConfigError(name, 'waf', '(WAF controls)', 'WAF controls apply to an integration\'s routes: add an inbound side, or remove waf.');
      }
      const controls = this.platform.webAcl.addIntegrationControls(name, this.routes.map((r) => r.path), props.waf);
      // The scope rule only labels; the others block.
      wafBlocked = (controls?.ruleNames ?? []).filter((r) => !r.endsWith('-Scope')).map((r) => this.platform.webAcl.metricBlockedRequests(r));
      if (props.waf.ipAllowlist !== undefined) {
        // Enforced by API Gateway as well, on the routes' own execute-api resources: a path the WAF
        // rule's expression does not match is still refused.
        const { ipv4, ipv6 } = splitAllowlist(name, 'waf.ipAllowlist', props.waf.ipAllowlist);
        this.platform.api.resourcePolicy.addAllowlist(name, this.routes, [...ipv4, ...ipv6]);
      }
    }
    InventoryReport.of(this).add(() => this.inventorySource());
    this.platform.inventory.register(home, 'InventoryRecord', () => buildInventoryRecord(this.inventorySource(), { deployTime: true }));
    const row = {
      integrationName: name,
      metrics: this.metrics,
      alarms: this.alarms,
      outbound: this.outbound !== undefined,
      stageRejections: this.routes.length > 0 ? [...(stageClientErrors ?? []), ...wafBlocked] : undefined,
    };
    placed.workers.dashboard.addIntegration(row);
    if (props.dashboard) {
      this.dashboard = new cloudwatch.Dashboard(home, 'Dashboard', { defaultInterval: Duration.days(7) });
      for (const widgets of integrationWidgets(row)) this.dashboard.addWidgets(...widgets);
    }
  }

  /**
   * What the inventory records about this integration (read at synth, when the integration is complete).
   * @jsii ignore TypeScript only: what the inventory reads.
   */
  public inventorySource(): InventorySource {
    return {
      construct: this,
      home: this.home,
      name: this.integrationName,
      description: this.description,
      owner: this.owner,
      dataClassification: this.dataClassification,
      routes: this.routes.map((r) => ({ method: r.method, path: r.path, auth: r.auth, scopes: r.scopes, target: r.target, ...(r.clientCertificates ? { clientCertificates: r.clientCertificates } : {}) })),
      credentials: [
        ...(this.signingSecret
          ? [
              {
                name: WEBHOOK_SIGNING_SECRET,
                secretArn: this.signingSecret.secretArn,
                rotationSchedule: PARTNER_MANAGED_SCHEDULE,
                // Changed in step with the partner; its age is capped by the classification's limit (the credential sweep alarms).
                maxRotationIntervalDays: CLASSIFICATION_CONTROLS[this.dataClassification].maxRotationPeriod.toDays(),
                strategy: 'partner-held signing secret (changed with the partner; the previous value stays valid during the overlap)',
              },
            ]
          : []),
        ...(this.outbound?.api?.connection
          ? [
              {
                name: OUTBOUND_PARTNER_CREDENTIAL,
                secretArn: this.outbound.api.connection.connectionSecretArn,
                rotationSchedule: PARTNER_MANAGED_SCHEDULE,
                maxRotationIntervalDays: CLASSIFICATION_CONTROLS[this.dataClassification].maxRotationPeriod.toDays(),
                strategy: `partner-held ${this.outbound.api.authMethod} credential, copied by the EventBridge connection from ${this.outbound.api.partnerSecret?.secretName ?? 'the given secret'} at deploy`,
              },
            ]
          : []),
        ...(this.outbound?.api?.clientCertificate
          ? [
              {
                name: OUTBOUND_CLIENT_CERTIFICATE,
                secretArn: this.outbound.api.clientCertificate.secretArn,
                rotationSchedule: PARTNER_MANAGED_SCHEDULE,
                maxRotationIntervalDays: CLASSIFICATION_CONTROLS[this.dataClassification].maxRotationPeriod.toDays(),
                strategy: 'mutual TLS client certificate and key, renewed by its owner (put a new value in the secret)',
              },
            ]
          : []),
        ...Object.values(this.credentials).map((c) => ({
        name: c.credentialName,
        secretArn: c.secret.secretArn,
        rotationPeriodDays: c.rotateEvery?.toDays({ integral: false }),
        rotationSchedule: c.scheduleExpression,
        maxRotationIntervalDays: c.maxIntervalHours / 24,
        strategy: c.strategy,
        })),
      ],
      piiFields: this.piiFields,
      heartbeat: this.heartbeatAlarm
        ? { everySeconds: this.heartbeatAlarm.every.toSeconds(), graceSeconds: this.heartbeatAlarm.window.toSeconds() - this.heartbeatAlarm.every.toSeconds() }
        : undefined,
      alarms: this.alarmRegistry.map((a) => ({ name: a.name, severity: a.severity })),
      outbound: this.outbound?.api
        ? { endpoint: this.outbound.api.endpoint, host: this.outbound.api.partnerHost, auth: this.outbound.api.authMethod, mode: this.outbound.api.mode, egress: this.outboundEgress(this.outbound.api.mode) }
        : undefined,
    };
  }

  /** Where this integration's outbound calls come from, for a partner that allowlists callers. */
  private outboundEgress(mode: string): string {
    // A literal: the synth-time report drops any value that holds a token (an environment-agnostic stack's region).
    const stackRegion = Stack.of(this).region;
    const region = Token.isUnresolved(stackRegion) ? 'the stack\'s region' : stackRegion;
    if (mode === 'api-destination') return `EventBridge API destinations of ${region} (AWS-owned addresses, not fixed)`;
    return this.platform.network
      ? `the platform VPC's NAT gateway addresses (${this.platform.network.node.path})`
      : `AWS Lambda's public addresses of ${region} (not fixed: give the platform a VPC with NAT gateways for fixed addresses)`;
  }

  /**
   * The queue producers put this integration's outbound records on (`Outbound.api`).
   * @throws IntegrationConfigError when the integration has no `Outbound.api` side
   */
  public get outboundQueue(): sqs.IQueue {
    const api = this.outbound?.api;
    if (!api) throw new IntegrationConfigError(this.integrationName, 'outboundQueue', undefined, 'Only an integration with outbound: Outbound.api({...}) has an outbound queue.');
    return api.queue.queue;
  }

  /**
   * Lets a producer put records on this integration's outbound queue, for `sendOutbound(integration,
   * payload)` from `cdk-secure-integrations/runtime`: `sqs:SendMessage` on the queue, the platform
   * key through SQS only (`kms:GenerateDataKey` and `kms:Decrypt`, which SQS needs of a producer on
   * a KMS-encrypted queue), and for a Lambda function the queue's URL in
   * `OUTBOUND_QUEUE_URL_<NAME>` (the integration's name upper-cased, other characters as `_`).
   * @throws IntegrationConfigError when the integration has no `Outbound.api` side, or the function
   *   already holds that variable for another queue (two integration names that differ only in case or punctuation)
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html#send-to-encrypted-queue
   */
  public grantSendOutbound(grantee: iam.IGrantable): iam.Grant {
    const api = this.outbound?.api;
    if (!api) throw new IntegrationConfigError(this.integrationName, 'grantSendOutbound(grantee)', undefined, 'Only an integration with outbound: Outbound.api({...}) takes outbound records.');
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [api.queue.queue.queueArn] });
    grant.combine(grantKeyUseVia(grantee, this.platform.encryptionKey, KeyService.SQS, ['kms:GenerateDataKey', 'kms:Decrypt']));
    const held = (grantee as unknown as { function?: unknown }).function;
    const fn = grantee instanceof lambda.Function ? grantee : held instanceof lambda.Function ? held : undefined;
    if (fn) {
      const cfn = fn.node.defaultChild as lambda.CfnFunction;
      const variables = (Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
      const existing = variables[api.queueUrlEnv];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(Stack.of(fn).resolve(api.queue.queue.queueUrl))) {
        throw new IntegrationConfigError(this.integrationName, 'grantSendOutbound(grantee)', fn.node.path, `The function already holds ${api.queueUrlEnv} for another integration's queue (their names differ only in case or punctuation): produce for them from separate functions, or rename one.`);
      }
      fn.addEnvironment(api.queueUrlEnv, api.queue.queue.queueUrl);
    }
    return grant;
  }

  /**
   * Warns (once the integration is complete) about what would fail silently: a Lambda target that
   * cannot decrypt the PII fields it receives, and an integration no SLO or heartbeat alarm watches
   * (the inventory's `--check` flags it, and a silent stop would reach nobody).
   */
  private warnAboutSilentGaps(): string[] {
    this.warnAboutTargetsWithoutDecrypt();
    if (!this.alarmRegistry.some((a) => MONITORING_SEVERITIES.includes(a.severity.toLowerCase()))) {
      Annotations.of(this).addWarningV2(
        'cdk-secure-integrations:unmonitored',
        `${this.integrationName} has no SLO or heartbeat alarm, so a sync that stops or fails reaches nobody (inventory --check exits 2 on it): ` +
          'give an outbound schedule a heartbeat ({ every, grace }), or an slo, or add an alarm of severity page, ticket or heartbeat with addAlarm.',
      );
    }
    return [];
  }

  /**
   * Records an alarm of this integration: dashboards and the inventory list it.
   *
   * To notify the platform's topics, name the alarm with the platform's prefix
   * (`platform.alarmNamePrefix`, for example `<stack>-integrations-<integration>-...`): the topics
   * admit only alarms so named (`aws:SourceArn`). A warning says so for a name without it.
   * @param name the alarm's name as set (a literal keeps the synth-time report complete)
   */
  public addAlarm(alarm: cloudwatch.IAlarm, severity: string, name: string = alarm.alarmName): void {
    if (Token.isUnresolved(name) || !name.startsWith(this.platform.alarmNamePrefix)) {
      Annotations.of(this).addWarningV2(
        'cdk-secure-integrations:alarmNamePrefix',
        `alarm ${Token.isUnresolved(name) ? alarm.node.path : name}: the platform's topics admit only alarms named ${this.platform.alarmNamePrefix}*; ` +
          'give it such an alarmName, or its notifications to them are refused.',
      );
    }
    this.alarms.push(alarm);
    this.alarmRegistry.push({ name, severity });
  }

  /**
   * Lets a consumer (a queue's reader, a target function) decrypt this integration's PII fields
   * with `decryptFields`: `kms:Decrypt` on the platform key, only with the encryption context
   * `integration` = this integration, so it cannot decrypt another integration's fields. A
   * `lambda.Function` also gets FIELD_ENCRYPTION_KEY_ID = the platform key's ARN, which
   * `decryptFields` pins (a function that already holds another value there is a synth error);
   * any other grantee passes `keyId` to `decryptFields` or sets that variable itself.
   * @returns the grant
   */
  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    if (Construct.isConstruct(grantee)) this.decryptGrantees.add(grantee.node.path);
    return grantFieldDecryption(grantee, this.platform.encryptionKey, this.integrationName);
  }

  /**
   * Warns when a Lambda target receives the integration's encrypted PII fields and was given no
   * `grantDecrypt`: `decryptFields` would fail in it (no key to pin, no kms:Decrypt), and every
   * delivery would be a 502 the partner retries.
   */
  private warnAboutTargetsWithoutDecrypt(): void {
    if (this.piiFields.filter((p) => !p.startsWith('query:')).length === 0) return;
    for (const route of this.routes) {
      if (!route.target.startsWith('lambda:')) continue;
      const path = route.target.slice('lambda:'.length);
      if (this.decryptGrantees.has(path) || [...this.decryptGrantees].some((g) => path.startsWith(`${g}/`) || g.startsWith(`${path}/`))) continue;
      Annotations.of(this).addWarningV2(
        `cdk-secure-integrations:targetWithoutDecrypt:${route.method} ${route.path}`,
        `${this.integrationName} ${route.method} ${route.path}: its Lambda target ${path} receives the PII fields encrypted, and was given no grantDecrypt: ` +
          `decryptFields fails in it. Call ${this.integrationName}.grantDecrypt(fn) (or acknowledge this warning if the target only forwards them).`,
      );
    }
  }

  /**
   * Lets a principal call this integration's `Auth.iam` routes: the API's resource policy admits
   * the grantee's role (or ARN, or account) on those routes, and denies every principal it does
   * not name. A role is admitted directly, so a role of the API's account needs no policy of its
   * own; an account (an `AccountPrincipal`, or an ARN principal naming an account's `:root`)
   * delegates to that account's own IAM policies, as does any principal of another account.
   * @throws IntegrationConfigError when the integration has no `Auth.iam` route, or the grantee is
   *   neither a role, an ARN principal nor an account
   * @returns the grant, whose resource statement stands for the resource policy's admission
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    const access = this.iamAccess;
    if (!access) {
      throw new IntegrationConfigError(this.integrationName, 'grantInvoke', grantee.grantPrincipal.toString(), 'Only Auth.iam routes are invoked with IAM permissions: give a route auth: Auth.iam({ ... }); OAuth 2.0 callers get the app client\'s credentials instead.');
    }
    const principal = grantee.grantPrincipal;
    const root = principal instanceof iam.ArnPrincipal && !Token.isUnresolved(principal.arn) ? ROOT_ARN.exec(principal.arn) : null;
    if (principal instanceof iam.Role && !this.platform.servesStack(Stack.of(principal))) {
      // The API's resource policy would reference the role's stack, which (through the platform's key,
      // topics or API) most often references the platform's: a circle CloudFormation cannot deploy.
      throw new IntegrationConfigError(
        this.integrationName,
        'grantInvoke',
        principal.node.path,
        'The role is in a stack outside the platform\'s: give it a fixed roleName and pass new iam.ArnPrincipal(<its ARN as a string>), or name it in Auth.iam({ principalArns }), so the API\'s policy names it without a reference to its stack.',
      );
    }
    if (root) access.addAccount(root[1]);
    else if (isRole(principal)) access.addPrincipalArn(principal.roleArn);
    else if (principal instanceof iam.ArnPrincipal) access.addPrincipalArn(principal.arn);
    else if (principal instanceof iam.AccountPrincipal) access.addAccount(String(principal.accountId));
    else {
      throw new IntegrationConfigError(this.integrationName, 'grantInvoke', principal.toString(), 'Grant to a role (or a function, whose role signs), an ArnPrincipal or an AccountPrincipal: the API\'s resource policy names them.');
    }
    const api = this.platform.api;
    const arns = access.routes.map((r) => api.restApi.arnForExecuteApi(r.method, r.path.replace(/\{[^}]+\}/g, '*'), api.stageName));
    // The admission above is written into the API's resource policy at synth; the grant records it.
    const resource = {
      stack: Stack.of(api),
      env: api.restApi.env,
      node: api.node,
      applyRemovalPolicy: () => undefined,
      addToResourcePolicy: () => ({ statementAdded: true, policyDependable: api.restApi }),
    } as unknown as iam.IResourceWithPolicy;
    return iam.Grant.addStatementToResourcePolicy({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: arns,
      resource,
      statement: new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: arns, principals: [principal] }),
    });
  }

  /**
   * Lets a principal read this integration's credentials (each secret's current value, for example
   * to hand the app client's secret to the partner): `secretsmanager:GetSecretValue` and
   * `DescribeSecret` on their full ARNs, and `kms:Decrypt` on the platform key only through Secrets
   * Manager and only for these secrets (`kms:EncryptionContext:SecretARN`).
   * @throws IntegrationConfigError when the integration holds no credential
   * @returns the grant on the secrets
   */
  public grantReadCredentials(grantee: iam.IGrantable): iam.Grant {
    const arns = [...Object.values(this.credentials).map((c) => c.secret.secretArn), ...(this.signingSecret ? [this.signingSecret.secretArn] : [])];
    if (arns.length === 0) {
      throw new IntegrationConfigError(this.integrationName, 'grantReadCredentials', grantee.grantPrincipal.toString(), 'The integration holds no credential: declare one in credentials, or use Inbound.api (its app-client secret) or Inbound.webhook (its signing secret).');
    }
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt'],
      resourceArns: [this.platform.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': arns } },
    });
    return iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], resourceArns: arns });
  }

  /**
   * Lets an operator run `cdk-secure-integrations redrive --integration <name>` for this
   * integration: the message move task on its dead-letter queue, sending to its queue, the platform
   * key through SQS, reading the platform's register and writing this integration's redrive history
   * item only ({@link IntegrationQueue.grantRedrive} with the register's table). The move task needs
   * send on the queue, so the holder can also send records straight to it, bypassing the ingest:
   * grant it to operators only.
   * @throws IntegrationConfigError when the integration has no queue of its own (a target of another kind)
   * @returns the grant on the queues
   */
  public grantRedrive(grantee: iam.IGrantable): iam.Grant {
    if (!this.queue) {
      throw new IntegrationConfigError(
        this.integrationName,
        'grantRedrive',
        grantee.grantPrincipal.toString(),
        'Only an integration with its own queue (Target.defaultQueue(), the default target) has a dead-letter queue the redrive command moves; redrive a queue of your own with SQS.',
      );
    }
    return this.queue.grantRedrive(grantee, { inventoryTable: this.platform.inventory.table });
  }
}

/** Whether a principal is an IAM role (a role of this app, or an imported one). */
function isRole(principal: iam.IPrincipal): principal is iam.IRole {
  return 'roleArn' in principal && 'roleName' in principal && typeof (principal as iam.IRole).roleArn === 'string';
}

function validateOwner(name: string, owner: unknown): string {
  if (typeof owner === 'string' && Token.isUnresolved(owner)) return owner;
  if (typeof owner !== 'string' || owner.trim().length === 0 || owner.length > 256) {
    throw new IntegrationConfigError(
      name,
      'owner',
      owner,
      'Name the accountable team or person (non-empty, at most 256 characters), for example "crm-team@example.com": ' +
        'alarms and the inventory route to them.',
    );
  }
  return owner.trim();
}

/**
 * API Gateway's 4XXError of each route's method, for the data-quality SLI. A path longer than a
 * CloudWatch dimension value (255 characters) has no such metric: a warning says so.
 */
function methodClientErrors(scope: Construct, routes: readonly BoundRoute[], stage: apigateway.IStage): cloudwatch.Metric[] {
  const metrics: cloudwatch.Metric[] = [];
  for (const r of routes) {
    if (r.path.length > 255) {
      Annotations.of(scope).addWarningV2(
        'cdk-secure-integrations:pathTooLongForMetrics',
        `${r.method} ${r.path.slice(0, 40)}...: a path over 255 characters is no CloudWatch dimension value, so what the stage rejects on it is not in the data-quality SLI; shorten the path.`,
      );
      continue;
    }
    metrics.push(r.apiMethod.metricClientError(stage));
  }
  return metrics;
}
