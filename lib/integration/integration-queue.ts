import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeTerminalDeadLetterQueue } from '../compliance/acknowledgements';
import { IntegrationConfigError } from '../core/errors';
import { grantKeyUseVia, KeyService } from '../core/key-use';

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
