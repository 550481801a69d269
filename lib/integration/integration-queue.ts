import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeTerminalDeadLetterQueue } from '../compliance/acknowledgements';
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
}

/**
 * An integration's own queue, the default target: encrypted with the platform key, TLS enforced,
 * 14 days' retention, and a dead-letter queue (same settings) after `maxReceiveCount` receives, so
 * no accepted record is lost.
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
    const common = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    };
    // Fixed names let the ingest function find the queue without a deploy-time value per queue.
    const name = Names.uniqueResourceName(this, { maxLength: 70, separator: '-' });
    this.fixedQueueName = name;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', { ...common, queueName: `${name}-dlq` });
    acknowledgeTerminalDeadLetterQueue(this.deadLetterQueue);
    this.queue = new sqs.Queue(this, 'Resource', {
      ...common,
      queueName: name,
      visibilityTimeout: props.visibilityTimeout ?? Duration.seconds(180),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
  }
}
