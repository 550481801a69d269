import { NagRuleCompliance } from 'cdk-nag';
import { isCustomerManagedKey, type TemplateValue, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** SD5: every DynamoDB table is encrypted with a customer-managed KMS key. */
export const tableCustomerManagedKey: IntegrationRule = {
  id: 'SD5',
  name: 'TableCustomerManagedKey',
  layer: 'secrets-and-data',
  info: 'The table is encrypted with an AWS owned or AWS managed key.',
  explanation:
    'The register and the deduplication tables hold integration metadata and first answers: with a customer-managed key (SSEType KMS and a ' +
    'KMSMasterKeyId), the key policy decides who may read them and every use is audited.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::DynamoDB::Table' && node.cfnResourceType !== 'AWS::DynamoDB::GlobalTable') return NagRuleCompliance.NOT_APPLICABLE;
    const sse = viewOf(node).properties.SSESpecification ?? {};
    const key = sse.KMSMasterKeyId ?? (viewOf(node).properties.Replicas ?? []).map((r: TemplateValue) => r?.SSESpecification?.KMSMasterKeyId).find((k: unknown) => k !== undefined);
    const ok = sse.SSEEnabled === true && (sse.SSEType === 'KMS' || node.cfnResourceType === 'AWS::DynamoDB::GlobalTable') && isCustomerManagedKey(key);
    return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
