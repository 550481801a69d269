import { NagRuleCompliance } from 'cdk-nag';
import type { IntegrationRule } from '../rule';

/** ID1: no IAM access keys (`AWS::IAM::AccessKey`): machines authenticate with roles, tokens or certificates. */
export const noAccessKeys: IntegrationRule = {
  id: 'ID1',
  name: 'NoIamAccessKeys',
  layer: 'identity',
  info: 'The template creates a long-lived IAM access key.',
  explanation:
    'Static access keys are the credential that stays valid years after it should have died. Machine paths authenticate with IAM roles ' +
    '(SigV4 with temporary credentials), OAuth 2.0 client credentials or client certificates (IAM best practices: "Require workloads to use temporary credentials").',
  check: (node) => (node.cfnResourceType === 'AWS::IAM::AccessKey' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE),
};
