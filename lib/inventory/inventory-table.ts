import { CustomResource, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeInventoryTableBackups } from '../compliance/acknowledgements';
import { handlerCode } from '../core/handler-code';
import { IntegrationFunction } from '../functions/integration-function';
import type { InventoryHost } from '../core/platform-host';
import { alarmStateChangePattern, INTEGRATION_SECRET_NAME_ROOT, rotationOutcomePattern, secretValueChangePattern } from './event-patterns';
import type { InventoryRecord } from './inventory-record';
import { INVENTORY_INDEXES, INVENTORY_PARTITION_KEY, INVENTORY_SORT_KEY, INVENTORY_TABLE_ENV } from './table-design';
import { grantKeyUseVia, KeyService } from '../core/key-use';
import { secretArnPrefix } from '../secrets/rotation-function';

/** Properties of an {@link InventoryRegister}. */
export interface InventoryRegisterProps {
  /** The platform whose integrations the register records. */
  readonly platform: InventoryHost;
  /**
   * A table to share with other stacks (records are keyed by account, region, stack and integration).
   * It must have the key design of lib/inventory/table-design.ts.
   * @default - a new table
   */
  readonly table?: dynamodb.ITable;
  /** Names of the library's alarms start with this, so the state-change rule matches only them. */
  readonly alarmNamePrefix: string;
}

/**
 * The integration register: a DynamoDB table (on demand, the platform key, point-in-time
 * recovery, deletion protection, retained on stack deletion), the one function that writes it at
 * deploy (a custom resource per integration) and keeps it true after (rotation outcomes, new values
 * put in the integrations' secrets, alarm state changes).
 *
 * The rules match only the platform's own resources, by prefix: rotation outcomes of the secrets
 * named `<platform.secretNamePrefix>/...` (the rotated credentials), value changes of the secrets
 * named `integrations/...` (the rotated credentials and every webhook's signing secret, whose
 * names do not share the platform's prefix), state changes of the alarms named
 * `<alarmNamePrefix>...`. The function looks each secret or alarm up in the register and ignores
 * (and logs) the ones it does not know, such as another platform's in the same account.
 */
export class InventoryRegister extends Construct {
  /** The table. */
  public readonly table: dynamodb.ITable;
  /** The function behind the custom resources and the event rules. */
  public readonly handler: IntegrationFunction;

  constructor(scope: Construct, id: string, props: InventoryRegisterProps) {
    super(scope, id);
    const key = props.platform.encryptionKey;
    this.table = props.table ?? createTable(this, key);
    this.handler = new IntegrationFunction(this, 'Function', {
      _networkReach: 'aws',
      code: handlerCode('inventory'),
      description: 'cdk-secure-integrations inventory: registers integrations at deploy, follows rotation, secret value and alarm events',
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: 5,
      platform: props.platform,
      environment: { [INVENTORY_TABLE_ENV]: this.table.tableName, POWERTOOLS_SERVICE_NAME: 'integration-inventory' },
    });
    this.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'], resources: [this.table.tableArn] }),
    );
    grantKeyUseVia(this.handler.role, key, KeyService.DYNAMODB, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']);

    const deliver = (rule: events.Rule) =>
      rule.addTarget(new targets.LambdaFunction(this.handler.function, { retryAttempts: 8, maxEventAge: Duration.hours(24), deadLetterQueue: props.platform.functionDeadLetterQueue }));
    deliver(
      new events.Rule(this, 'RotationEvents', {
        description: 'Records rotation outcomes of the platform\'s credentials in the integration register',
        eventPattern: rotationOutcomePattern({ secretArnPrefix: secretArnPrefix(this, `${props.platform.secretNamePrefix}/`) }) as events.EventPattern,
      }),
    );
    deliver(
      new events.Rule(this, 'SecretValueEvents', {
        description: 'Records new values put in the integrations\' secrets (a partner-held signing secret changed with the partner) in the integration register',
        eventPattern: secretValueChangePattern({ secretArnPrefix: secretArnPrefix(this, INTEGRATION_SECRET_NAME_ROOT) }) as events.EventPattern,
      }),
    );
    deliver(
      new events.Rule(this, 'AlarmEvents', {
        description: 'Records the state of the integrations\' alarms in the integration register',
        eventPattern: alarmStateChangePattern({ alarmNamePrefix: props.alarmNamePrefix }) as events.EventPattern,
      }),
    );
  }

  /**
   * Writes one integration's record at deploy (custom resource; deletion marks it decommissioned).
   * @jsii ignore TypeScript only: SecureIntegration registers itself.
   */
  public register(scope: Construct, id: string, record: () => InventoryRecord): CustomResource {
    return new CustomResource(scope, id, {
      serviceToken: this.handler.function.functionArn,
      resourceType: 'Custom::IntegrationInventoryRecord',
      // Built when the template is written, so the record sees every alarm the integration ends up with.
      properties: { TableName: this.table.tableName, Record: Lazy.string({ produce: () => Stack.of(scope).toJsonString(record()) }) },
      serviceTimeout: Duration.minutes(5),
    });
  }
}

function createTable(scope: Construct, key: kms.IKey): dynamodb.Table {
  const table = new dynamodb.Table(scope, 'Table', {
    partitionKey: { name: INVENTORY_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
    sortKey: { name: INVENTORY_SORT_KEY, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of INVENTORY_INDEXES) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
  acknowledgeInventoryTableBackups(table);
  return table;
}
