import { NagRuleCompliance } from 'cdk-nag';
import { isCustomerManagedKey, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** SD4: every SQS queue is encrypted with a customer-managed KMS key. */
export const queueCustomerManagedKey: IntegrationRule = {
  id: 'SD4',
  name: 'QueueCustomerManagedKey',
  layer: 'secrets-and-data',
  info: 'The queue is not encrypted with a customer-managed KMS key (SQS-managed SSE or the AWS managed key aws/sqs).',
  explanation:
    'Integration records carry partner data: with a customer-managed key, its key policy decides who may read a queue\'s messages, beside the queue ' +
    'policy, and every decrypt is in CloudTrail. SQS-managed encryption and aws/sqs admit every principal the queue policy admits.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::SQS::Queue') return NagRuleCompliance.NOT_APPLICABLE;
    return isCustomerManagedKey(viewOf(node).properties.KmsMasterKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
