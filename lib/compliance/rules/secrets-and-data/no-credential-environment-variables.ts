import { NagRuleCompliance } from 'cdk-nag';
import { isLiteralString, viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/**
 * Variable names that say they hold a credential, in any case or style (`STRIPE_SECRET`,
 * `STRIPE_SECRET_KEY`, `stripeSecret`, `ERP_API_KEY`, `DB_PASSWORD`, `AUTH_TOKEN`); names ending in
 * `_ARN`, `_NAME` or `_ID` name a secret, they do not hold one.
 */
export const CREDENTIAL_NAME = /(secret|token|password|passwd|pwd|api_?key|access_?key|private_?key|secret_?key|credentials?)$/i;
/** A Secrets Manager or SSM SecureString value resolved into the template at deploy (`{{resolve:secretsmanager:...}}`). */
const DYNAMIC_SECRET = /\{\{resolve:(secretsmanager|ssm-secure):/;
/** A URL with a password in it (`postgres://user:password@host/db`). */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Whether a variable holds a credential in the function's configuration, where anyone who can read it can. */
function holdsCredential(name: string, value: unknown): boolean {
  const json = JSON.stringify(value ?? '');
  // A secret's value resolved into the template (secretValue.unsafeUnwrap()), whatever the name.
  if (DYNAMIC_SECRET.test(json)) return true;
  if (isLiteralString(value) && URL_WITH_PASSWORD.test(value)) return true;
  return CREDENTIAL_NAME.test(name) && isLiteralString(value) && value.length > 0 && !value.startsWith('arn:');
}

/** SD3: no Lambda environment variable holds a literal credential. */
export const noCredentialEnvironmentVariables: IntegrationRule = {
  id: 'SD3',
  name: 'NoCredentialEnvironmentVariables',
  layer: 'secrets-and-data',
  info: 'A Lambda environment variable holds a credential: a literal under a credential\'s name, a URL with a password, or a secret resolved into the template ({{resolve:secretsmanager:...}}).',
  explanation:
    'Environment variables are in the template, in the function\'s configuration (lambda:GetFunctionConfiguration) and in every copy of both; ' +
    'a credential belongs in Secrets Manager, read at run time by ARN (name the variable *_SECRET_ARN), where it is encrypted, audited and rotated.',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::Lambda::Function') return NagRuleCompliance.NOT_APPLICABLE;
    const variables = (viewOf(node).properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    const offending = Object.entries(variables).filter(([name, value]) => holdsCredential(name, value));
    return offending.length > 0 ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
};
