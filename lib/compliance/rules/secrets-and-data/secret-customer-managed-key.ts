import { NagRuleCompliance } from 'cdk-nag';
import { isCustomerManagedKey, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** SD1: every Secrets Manager secret is encrypted with a customer-managed KMS key. */
export const secretCustomerManagedKey: IntegrationRule = {
  id: 'SD1',
  name: 'SecretCustomerManagedKey',
  layer: 'secrets-and-data',
  info: 'The secret is encrypted with the AWS managed key aws/secretsmanager.',
  explanation:
    'With a customer-managed key, the key policy decides who may decrypt an integration\'s credentials, and every use is in CloudTrail under a key ' +
    'the platform controls; the AWS managed key admits every principal of the account that may read the secret.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::SecretsManager::Secret') return NagRuleCompliance.NOT_APPLICABLE;
    return isCustomerManagedKey(viewOf(node).properties.KmsKeyId) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
