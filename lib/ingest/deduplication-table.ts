import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledgeDeduplicationTableBackups } from '../compliance/acknowledgements';
import { grantKeyUseVia, KeyService } from '../core/key-use';

/** Properties of a {@link DeduplicationTable}. */
export interface DeduplicationTableProps {
  /** The platform key: the table is encrypted with it. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The platform's deduplication table: one item per delivery id seen within its window, written by
 * Powertools for AWS Lambda's idempotency utility (partition key `id`, TTL attribute `expiration`).
 * On-demand capacity, encrypted with the platform key, point-in-time recovery on. Its items are
 * worth nothing after their window, so the table is deleted with the stack.
 */
export class DeduplicationTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DeduplicationTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeDeduplicationTableBackups(this.table);
  }

  /**
   * Lets a function keep delivery ids: the four item actions Powertools' DynamoDB persistence layer
   * calls, and the platform key through DynamoDB only.
   */
  public grantKeepDeliveryIds(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resourceArns: [this.table.tableArn],
    });
    grantKeyUseVia(grantee, this.table.encryptionKey!, KeyService.DYNAMODB, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']);
  }
}
