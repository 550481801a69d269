import { Annotations, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeTerminalDeadLetterQueue } from '../compliance/acknowledgements';
import { IntegrationConfigError } from '../core/errors';
import { grantKeyUseVia, KeyService } from '../core/key-use';
import { REDRIVE_HISTORY_ATTRIBUTES, redriveHistoryKey } from '../inventory/table-design';

/** Properties of an {@link IntegrationQueue}. */
export interface IntegrationQueueProps {
  /** The key both queues are encrypted with. */
  readonly encryptionKey: kms.IKey;
  /**
   * Receives before a message moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * How long a received message stays invisible to other consumers; set it to at least six times
   * the consumer function's timeout when a Lambda event source reads the queue.
   * @default Duration.seconds(180)
   * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
   */
  readonly visibilityTimeout?: Duration;
  /**
   * How long the queue keeps a record no consumer took: at most 7 days, so that a record keeps at
   * least a week in the dead-letter queue (14 days). SQS keeps a message's original enqueue time when
   * it moves it to a standard queue's dead-letter queue, so a record that waited in the queue almost
   * as long as the dead-letter queue keeps messages would expire right after it arrives there.
   * @default Duration.days(4)
   * @throws IntegrationConfigError when over 7 days, or under 1 minute
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
   */
  readonly retentionPeriod?: Duration;
}

/** Options of {@link IntegrationQueue.grantRedrive}. */
export interface RedriveGrantOptions {
  /**
   * The inventory table `cdk-secure-integrations redrive` finds the queues in and records each
   * redrive in (the platform's `inventory.table`): grants reading it (Scan, GetItem: every item,
   * as the inventory report does) and PutItem in this integration's redrive history partition only
   * (`dynamodb:LeadingKeys` exactly `REDRIVE#<integrationId>`) with the history's attributes only
   * (`dynamodb:Attributes`): not in a record's partition, not in another integration's history,
   * and no `owner`, `name` or `dataClassification` for the register's indexes. IAM cannot limit
   * the sort key; the readers take records from `INTEGRATION#` partitions only, so an item put
   * there with sort key `RECORD` is reported as unreadable, never read as a record. The table's
   * key is usable through DynamoDB; a table without a known `encryptionKey` (an imported one) gets
   * no key grant, and a synth warning names the fix.
   * @default - no access to a table
   */
  readonly inventoryTable?: dynamodb.ITable;
  /**
   * The integration's id in the register (`<account>:<region>:<stack>:<integration>`), which names
   * the only history item the grant lets the grantee write.
   * @default - the id of the SecureIntegration this queue belongs to; required for a queue outside one
   */
  readonly integrationId?: string;
}

/** The dead-letter queues' retention: the most SQS allows. */
export const DEAD_LETTER_RETENTION = Duration.days(14);
/** The longest retention of an integration queue: a record keeps at least a week in its dead-letter queue. */
export const MAX_QUEUE_RETENTION = Duration.days(7);

/**
 * An integration's own queue, the default target: encrypted with the platform key, TLS enforced,
 * 4 days' retention, and a dead-letter queue (same settings, 14 days) after `maxReceiveCount`
 * receives, so no accepted record is lost.
 */
export class IntegrationQueue extends Construct {
  /** The queue the ingest function sends to. */
  public readonly queue: sqs.Queue;
  /** Its dead-letter queue. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The queue's name, fixed at synth (no token). */
  public readonly fixedQueueName: string;

  /**
   * Lets a consumer receive and delete messages, with the key usable only through SQS (never to
   * open the PII fields inside the records: that takes `SecureIntegration.grantDecrypt`).
   */
  public grantConsume(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      resourceArns: [this.queue.queueArn],
    });
    grantKeyUseVia(grantee, this.encryptionKey, KeyService.SQS, ['kms:Decrypt']);
    return grant;
  }

  /**
   * Lets an operator move the dead-letter queue's messages back to the queue with an SQS message
   * move task (`cdk-secure-integrations redrive`): start, list and cancel tasks, receive, delete and
   * read attributes on the dead-letter queue, send to the queue and read its redrive policy, and
   * the key usable only through SQS (decrypt from one queue, encrypt into the other).
   *
   * StartMessageMoveTask requires of its caller `sqs:ReceiveMessage` and `sqs:DeleteMessage` on
   * the dead-letter queue and `sqs:SendMessage` on the queue, so the grant includes them, with the
   * key's data keys. Whoever holds it can therefore also send any message straight to the queue,
   * bypassing the ingest's checks (authentication, schema validation, PII field encryption,
   * deduplication), and read or delete the dead letters, PII fields still encrypted. Grant it to
   * the operators who redrive, never to an application or a partner.
   *
   * With `inventoryTable`, the history write is limited to this integration's history item (see
   * {@link RedriveGrantOptions.inventoryTable}). IAM cannot require that write to keep the earlier
   * entries: the CLI only appends, but the grantee can rewrite the item with other tools. The
   * register's history is a convenience; CloudTrail's StartMessageMoveTask and
   * CancelMessageMoveTask events, which name the caller, are the audit trail.
   * @throws IntegrationConfigError with `inventoryTable` for a queue outside a SecureIntegration and no `integrationId`
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
   */
  public grantRedrive(grantee: iam.IGrantable, options: RedriveGrantOptions = {}): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'sqs:StartMessageMoveTask',
        'sqs:ListMessageMoveTasks',
        'sqs:CancelMessageMoveTask',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
      ],
      resourceArns: [this.deadLetterQueue.queueArn],
    });
    grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], resourceArns: [this.queue.queueArn] }));
    grant.combine(grantKeyUseVia(grantee, this.encryptionKey, KeyService.SQS, ['kms:Decrypt', 'kms:GenerateDataKey']));
    const table = options.inventoryTable;
    if (table) {
      const integrationId = options.integrationId ?? this.integrationId();
      if (integrationId === undefined) {
        throw new IntegrationConfigError(
          this.node.path,
          'grantRedrive.integrationId',
          undefined,
          'This queue belongs to no SecureIntegration: give the integrationId (<account>:<region>:<stack>:<integration>) whose redrive history the grantee may write.',
        );
      }
      grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Scan', 'dynamodb:GetItem'], resourceArns: [table.tableArn] }));
      grant.combine(
        iam.Grant.addToPrincipal({
          grantee,
          actions: ['dynamodb:PutItem'],
          resourceArns: [table.tableArn],
          conditions: {
            'ForAllValues:StringEquals': {
              'dynamodb:LeadingKeys': [redriveHistoryKey(integrationId).pk],
              'dynamodb:Attributes': [...REDRIVE_HISTORY_ATTRIBUTES],
            },
          },
        }),
      );
      if (table.encryptionKey) {
        grant.combine(grantKeyUseVia(grantee, table.encryptionKey, KeyService.DYNAMODB, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']));
      } else {
        Annotations.of(this).addWarningV2(
          'cdk-secure-integrations:redriveTableKey',
          `grantRedrive: the inventory table ${table.node.path} has no known encryptionKey, so ${grantee.grantPrincipal} gets no KMS grant for it and, ` +
            'if the table is encrypted with a customer managed key, the redrive is refused when it records its history (nothing moves). ' +
            'Import the table with its key (dynamodb.Table.fromTableAttributes(scope, id, { tableArn, encryptionKey })), or grant the key yourself; ' +
            'acknowledge this warning if the table uses an AWS owned or AWS managed key.',
        );
      }
    }
    return grant;
  }

  /** The register id of the SecureIntegration this queue belongs to (as its record's builder writes it), if any. */
  private integrationId(): string | undefined {
    const owner = this.node.scope as (Construct & { integrationName?: unknown; inventorySource?: unknown }) | undefined;
    if (!owner || typeof owner.integrationName !== 'string' || typeof owner.inventorySource !== 'function') return undefined;
    const stack = Stack.of(owner);
    return `${stack.account}:${stack.region}:${stack.stackName}:${owner.integrationName}`;
  }

  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: IntegrationQueueProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    const retention = props.retentionPeriod ?? Duration.days(4);
    if (!retention.isUnresolved() && (retention.toSeconds() > MAX_QUEUE_RETENTION.toSeconds() || retention.toSeconds() < 60)) {
      throw new IntegrationConfigError(
        this.node.path,
        'retentionPeriod',
        retention.toHumanString(),
        'Give a retention from 1 minute to 7 days: the dead-letter queue keeps records 14 days counted from their first enqueue, so a record must have a week left when it arrives there.',
      );
    }
    const common = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    // Fixed names let the ingest function find the queue without a deploy-time value per queue.
    const name = Names.uniqueResourceName(this, { maxLength: 70, separator: '-' });
    this.fixedQueueName = name;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', { ...common, retentionPeriod: DEAD_LETTER_RETENTION, queueName: `${name}-dlq` });
    acknowledgeTerminalDeadLetterQueue(this.deadLetterQueue);
    this.queue = new sqs.Queue(this, 'Resource', {
      ...common,
      retentionPeriod: retention,
      queueName: name,
      visibilityTimeout: props.visibilityTimeout ?? Duration.seconds(180),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }
}
