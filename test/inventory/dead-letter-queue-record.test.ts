// The inventory record names each queue target's dead-letter queue, so `redrive` can find both
// queues from the table: ARNs at deploy, only the target and maxReceiveCount in the synth report.
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, Target } from '../../lib';
import { buildInventoryRecord } from '../../lib/inventory/record-builder';
import { validateRecord } from '../../lib/inventory/validate-record';
import { newStack, objectSchema, testFunction } from '../helpers';

function platformWithQueues() {
  const stack = newStack();
  new IntegrationPlatform(stack, 'Platform');
  const route = (path: string, target?: Target) => ({ method: HttpMethod.POST, path, bodySchema: objectSchema, scopes: [`${path.slice(1)}.write`], target });
  const common = { owner: 'team@example.com', dataClassification: DataClassification.INTERNAL, piiFields: [] };
  const crm = new SecureIntegration(stack, 'Crm', { ...common, inbound: Inbound.api({ routes: [route('/contacts'), route('/leads', Target.defaultQueue())] }) });
  const ownDlq = new sqs.Queue(stack, 'OrdersDlq');
  const ownQueue = new sqs.Queue(stack, 'OrdersQueue', { deadLetterQueue: { queue: ownDlq, maxReceiveCount: 3 } });
  const orders = new SecureIntegration(stack, 'Orders', { ...common, inbound: Inbound.api({ routes: [route('/orders', Target.queue(ownQueue))] }) });
  const bare = new SecureIntegration(stack, 'Bare', { ...common, inbound: Inbound.api({ routes: [route('/bare', Target.queue(new sqs.Queue(stack, 'BareQueue')))] }) });
  const fn = new SecureIntegration(stack, 'Fn', { ...common, inbound: Inbound.api({ routes: [route('/fn', Target.lambda(testFunction(stack)))] }) });
  return { stack, crm, orders, bare, fn, ownQueue, ownDlq, template: Template.fromStack(stack) };
}

describe('dead-letter queues in the inventory record', () => {
  const { stack, crm, orders, bare, fn, ownQueue, ownDlq, template } = platformWithQueues();
  const deployed = (i: SecureIntegration) => stack.resolve(buildInventoryRecord(i.inventorySource(), { deployTime: true }));
  const arn = (q: sqs.Queue) => ({ 'Fn::GetAtt': [stack.getLogicalId(q.node.defaultChild as sqs.CfnQueue), 'Arn'] });

  test('the default queue: its target, both ARNs and maxReceiveCount, once for the routes that share it', () => {
    expect(deployed(crm).deadLetterQueues).toEqual([{ target: `sqs:${crm.queue!.queue.node.path}`, queueArn: arn(crm.queue!.queue), deadLetterQueueArn: arn(crm.queue!.deadLetterQueue), maxReceiveCount: 5 }]);
  });

  test('a queue of the user\'s with a dead-letter queue in the stack is listed too', () => {
    expect(deployed(orders).deadLetterQueues).toEqual([{ target: `sqs:${ownQueue.node.path}`, queueArn: arn(ownQueue), deadLetterQueueArn: arn(ownDlq), maxReceiveCount: 3 }]);
  });

  test('no field for a queue without a dead-letter queue, nor for a function target', () => {
    expect(deployed(bare).deadLetterQueues).toBeUndefined();
    expect(deployed(fn).deadLetterQueues).toBeUndefined();
  });

  test('the synth-time record keeps the target and maxReceiveCount, not the deploy-time ARNs, and is valid', () => {
    const synth = buildInventoryRecord(crm.inventorySource(), { deployTime: false });
    expect(synth.deadLetterQueues).toEqual([{ target: `sqs:${crm.queue!.queue.node.path}`, maxReceiveCount: 5 }]);
    expect(validateRecord(synth).errors).toBeUndefined();
  });

  test('the custom resource carries the dead-letter queue\'s ARN to the table', () => {
    const records = template.findResources('Custom::IntegrationInventoryRecord');
    const crmRecord = Object.values(records).find((r) => JSON.stringify(r.Properties.Record).includes('\\"name\\":\\"Crm\\"'))!;
    expect(JSON.stringify(crmRecord.Properties.Record)).toContain(JSON.stringify(arn(crm.queue!.deadLetterQueue)));
  });
});
