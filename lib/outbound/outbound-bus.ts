import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** The `source` of the events outbound senders put on the platform's outbound bus. */
export const OUTBOUND_EVENT_SOURCE = 'cdk-secure-integrations.outbound';

/** The most rules EventBridge allows on one event bus by default (adjustable). @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html */
export const OUTBOUND_BUS_MAX_RULES = 300;

/**
 * The platform's outbound event bus: senders put each checked record on it, and one rule per
 * API-destination integration (matching `source` {@link OUTBOUND_EVENT_SOURCE} and the
 * integration's name as `detail-type`) delivers it. A bus of its own, not the account's default
 * bus, so that no other rule of the account sees records whose PII fields were decrypted for the
 * partner; encrypted with the platform key, whose policy aws-cdk-lib's EventBus extends to let
 * EventBridge use it for this bus only (`aws:SourceArn` and `kms:EncryptionContext:aws:events:event-bus:arn`).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-event-bus-cmkey.html
 */
export function createOutboundBus(scope: Construct, key: kms.IKey, name: string, deadLetterQueue: sqs.IQueue): events.EventBus {
  const bus = new events.EventBus(scope, 'OutboundBus', {
    eventBusName: name,
    kmsKey: key,
    // Events that meet a KMS error on the bus (after PutEvents succeeded) go here, not nowhere.
    // @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-event-bus-dlq.html
    deadLetterQueue,
    description: 'cdk-secure-integrations: checked outbound records, delivered by API destinations',
  });
  return bus;
}
