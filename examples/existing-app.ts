// One integration added to an app that already exists: a partner posts orders to a queue the app
// already owns (its consumer stays as it is). `IntegrationPlatform.of` finds or creates the
// stack's platform; nothing else of the app changes.
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DataClassification, HttpMethod, Inbound, SecureIntegration, Target } from '../lib';

export function existingApp(app: App): Stack {
  const stack = new Stack(app, 'OrdersService');
  // What the app had: its own key and queue (with a dead-letter queue), consumed by its own service.
  const key = new kms.Key(stack, 'OrdersKey', { enableKeyRotation: true });
  const dlq = new sqs.Queue(stack, 'OrdersDeadLetters', { encryptionMasterKey: key, enforceSSL: true, retentionPeriod: Duration.days(14) });
  const orders = new sqs.Queue(stack, 'Orders', { encryptionMasterKey: key, enforceSSL: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } });
  // The app's own acknowledgement, made as the library makes its own: one resource, one finding, a reason.
  Validations.of(dlq.node.defaultChild!).acknowledge({
    id: 'Serverless::Serverless-SQSRedrivePolicy',
    reason: 'This queue is the dead-letter queue of the Orders queue, the end of its chain; the order service redrives it by hand.',
  });
  // What it adds: one line of CDK.
  new SecureIntegration(stack, 'PartnerOrders', {
    owner: 'order-management@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({
      routes: [{ method: HttpMethod.POST, path: '/orders', bodySchema: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string', maxLength: 64 } } }, scopes: ['orders.write'], target: Target.queue(orders) }],
    }),
  });
  return stack;
}
