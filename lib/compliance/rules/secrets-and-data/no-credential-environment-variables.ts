import { NagRuleCompliance } from 'cdk-nag';
import { isLiteralString, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** Variable names that say they hold a credential (`STRIPE_SECRET`, `ERP_API_KEY`, `DB_PASSWORD`, `AUTH_TOKEN`). */
export const CREDENTIAL_NAME = /(^|_)(SECRET|TOKEN|PASSWORD|PASSWD|PWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CLIENT_?SECRET)$/i;

/** SD3: no Lambda environment variable holds a literal credential. */
export const noCredentialEnvironmentVariables: IntegrationRule = {
  id: 'SD3',
  name: 'NoCredentialEnvironmentVariables',
  layer: 'secrets-and-data',
  info: 'A Lambda environment variable named like a credential holds a literal value.',
  explanation:
    'Environment variables are in the template, in the function\'s configuration (lambda:GetFunctionConfiguration) and in every copy of both; ' +
    'a credential belongs in Secrets Manager, read at run time by ARN (name the variable *_SECRET_ARN), where it is encrypted, audited and rotated.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::Lambda::Function') return NagRuleCompliance.NOT_APPLICABLE;
    const variables = (viewOf(node).properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    const offending = Object.entries(variables).filter(([name, value]) => CREDENTIAL_NAME.test(name) && isLiteralString(value) && value.length > 0 && !value.startsWith('arn:'));
    return offending.length > 0 ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
};
