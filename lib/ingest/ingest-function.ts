import { acknowledgeServicePermissionSourceArn } from '../compliance/acknowledgements';
import { Aspects, Aws, Duration, IAspect } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import { handlerCode } from '../core/handler-code';
import { DeployTimeConfig } from '../core/deploy-time-config';
import { IntegrationFunction } from '../functions/integration-function';
import type { FunctionHost } from '../core/platform-host';
import { DeduplicationTable } from './deduplication-table';
import { ConfigValue, DeduplicationKey, IngestConfig, IngestRouteConfig } from './ingest-config';

export { LAMBDA_ENVIRONMENT_LIMIT_BYTES } from '../functions/environment-size';

/** What an ingest function takes from its platform. */
export interface IngestHost extends FunctionHost {
  /**
   * The REST API and the name of the stage whose routes the function serves (a name, not the stage:
   * a function in a nested stack must not depend on the stage, which is deployed after every method).
   */
  readonly api: { readonly restApi: apigateway.IRestApi; readonly stageName: string };
}

/** Properties of an {@link IngestFunction}. */
export interface IngestFunctionProps {
  /** What the function takes from its platform: the key, the dead-letter queue, the API whose routes it serves. */
  readonly platform: IngestHost;
  /**
   * Reserved concurrency of the ingest function: the most requests all routes together can have in
   * flight. Keep it at or above the stage's burst limit over the expected latency in seconds.
   * @default 50
   */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * The platform's ingest function: every route's requests pass through it. It verifies webhook
 * signatures, validates the body against the route's full JSON Schema, and hands the record to the
 * route's target with the request id and the X-Ray trace id.
 *
 * Its route table is written at synth into a Lambda layer (`/opt/ingest/config.json`) once every
 * route is known; values known only at deploy time (ARNs) travel as environment variables.
 */
export class IngestFunction extends Construct {
  /** The function. */
  public readonly handler: IntegrationFunction;
  /** The API Gateway integration that every route uses. */
  public readonly integration: apigateway.Integration;
  private readonly routes: IngestRouteConfig[] = [];
  private readonly fieldEncryptionGrants = new Set<string>();
  private readonly key: kms.IKey;
  private dedupTable?: DeduplicationTable;
  private finalized = false;

  constructor(scope: Construct, id: string, props: IngestFunctionProps) {
    super(scope, id);
    this.key = props.platform.encryptionKey;
    this.handler = new IntegrationFunction(this, 'Function', {
      _networkReach: 'aws',
      code: handlerCode('ingest'),
      description: 'cdk-secure-integrations ingest: signature, schema, delivery to the target',
      memorySizeMiB: 512,
      timeout: Duration.seconds(25),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions ?? 50,
      platform: props.platform,
      environment: { POWERTOOLS_SERVICE_NAME: 'integration-ingest', NODE_OPTIONS: '--enable-source-maps' },
      _environmentRemedy:
        'each signed webhook\'s signing secret and each Lambda target, event bus or queue without a fixed name is one variable of the ingest: ' +
        'split the catalog over more stacks (let the platform place them: a smaller stackBudget, or more NestedStacks of your own), or target the integrations\' own queues, which need none',
    });
    const fn = this.handler.function;
    const restApi = props.platform.api.restApi;
    this.integration = new apigateway.Integration({
      type: apigateway.IntegrationType.AWS_PROXY,
      integrationHttpMethod: 'POST',
      uri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${fn.functionArn}/invocations`,
    });
    // One permission for the whole stage instead of one per route.
    fn.addPermission('InvokeFromApi', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: restApi.arnForExecuteApi('*', '/*', props.platform.api.stageName),
    });
    acknowledgeServicePermissionSourceArn(fn.node.findChild('InvokeFromApi'), 'the platform API\'s stage (every method of it)');

    const finalizer: IAspect = {
      visit: (node: IConstruct) => {
        if (node === this) this.finalize();
      },
    };
    Aspects.of(this).add(finalizer);
  }

  /** The function's role, for grants to targets and secrets. */
  public get grantPrincipal(): iam.IGrantable {
    return this.handler.function;
  }

  /**
   * Lets the function generate data keys for one integration's PII fields: `kms:GenerateDataKey` on
   * the platform key, only with the encryption context `integration` = one of the integrations that
   * declare PII fields (one statement for all of them, written at synth).
   */
  public grantFieldEncryption(integrationName: string): void {
    if (this.finalized) throw new Error('IngestFunction: field encryption cannot be granted after synthesis has started');
    this.fieldEncryptionGrants.add(integrationName);
    this.handler.function.addEnvironment('FIELD_ENCRYPTION_KEY_ID', this.key.keyArn);
  }

  /**
   * Adds a route to the function's table; a route that deduplicates brings the platform's deduplication table.
   * @throws Error when synthesis has started
   * @throws IntegrationConfigError when the route's `deduplication` has no `deliveryId`
   *   where its key needs one: a `signed-id` route (a header or a body pointer) or a `client-key`
   *   route (the header the client sends its key in). The function would otherwise deliver every
   *   request of that route without deduplication.
   */
  public addRoute(route: IngestRouteConfig): void {
    if (this.finalized) throw new Error('IngestFunction: routes cannot be added after synthesis has started');
    checkDeduplication(route);
    this.routes.push(route);
    if (route.deduplication) this.deduplicationTable();
  }

  /** The platform's deduplication table, created on first use: one for every route of the platform. */
  public deduplicationTable(): DeduplicationTable {
    if (!this.dedupTable) {
      this.dedupTable = new DeduplicationTable(this, 'Deduplication', { encryptionKey: this.key });
      this.dedupTable.grantKeepDeliveryIds(this.handler.role);
      this.handler.function.addEnvironment('DEDUPLICATION_TABLE_NAME', this.dedupTable.table.tableName);
    }
    return this.dedupTable;
  }

  /** Writes the route table into the config layer and deploy-time values into the environment. */
  private finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    if (this.fieldEncryptionGrants.size > 0) {
      this.handler.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey'],
          resources: [this.key.keyArn],
          conditions: { StringEquals: { 'kms:EncryptionContext:integration': this.fieldEncryptionGrants.size === 1 ? [...this.fieldEncryptionGrants][0] : [...this.fieldEncryptionGrants].sort() } },
        }),
      );
    }
    const config = new DeployTimeConfig(this.handler.function, 'INGEST_REF_');
    const file: IngestConfig = {
      version: 1,
      routes: this.routes.map((r) => ({
        ...r,
        signingSecret: r.signingSecret === undefined ? undefined : toValue(config, r.signingSecret),
        target: { ...r.target, address: toValue(config, r.target.address) },
      })),
    };
    config.writeLayer(this, 'Config', { folder: 'ingest', file: 'config.json' }, file, 'cdk-secure-integrations ingest route table');
  }
}

function toValue(config: DeployTimeConfig, value: ConfigValue): ConfigValue {
  return typeof value === 'string' ? config.value(value) : value;
}

/** A route's deduplication must say where its delivery id is when its key is that id. */
function checkDeduplication(route: IngestRouteConfig): void {
  const dedup = route.deduplication;
  if (dedup === undefined) return;
  const where = `IngestFunction.addRoute(${route.method} ${route.resourcePath} of ${route.integration})`;
  if (dedup.key === DeduplicationKey.SIGNED_ID && dedup.deliveryId?.header === undefined && dedup.deliveryId?.bodyPointer === undefined) {
    throw new IntegrationConfigError(where, 'deduplication.deliveryId', dedup.deliveryId, "A 'signed-id' route names where its signed delivery id is: a header ({ header: 'webhook-id' }) or a body pointer ({ bodyPointer: '/id' }).");
  }
  if (dedup.key === DeduplicationKey.CLIENT_KEY && dedup.deliveryId?.header === undefined) {
    throw new IntegrationConfigError(where, 'deduplication.deliveryId', dedup.deliveryId, "A 'client-key' route names the header the client sends its key in, for example { header: 'Idempotency-Key' }.");
  }
}
