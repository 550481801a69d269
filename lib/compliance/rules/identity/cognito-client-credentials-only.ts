import { NagRuleCompliance } from 'cdk-nag';
import { viewOf } from '../resources';
import type { IntegrationRule } from '../rule';

/** ID3: Cognito app clients of machine paths use the client-credentials grant alone, with explicit scopes and a secret. */
export const cognitoClientCredentialsOnly: IntegrationRule = {
  id: 'ID3',
  name: 'CognitoClientCredentialsOnly',
  layer: 'identity',
  info: 'The machine (client_credentials) app client also allows another grant or user auth flows (or leaves them to Cognito\'s defaults), has no explicit scopes, or has no client secret.',
  explanation:
    'A machine integration authenticates with the OAuth 2.0 client-credentials grant (RFC 6749 section 4.4): no user flows (code, implicit, ' +
    'password, refresh of a user session), a generated client secret, and only the scopes its routes need (least privilege).',
  check: (node) => {
    if (node.cfnResourceType !== 'AWS::Cognito::UserPoolClient') return NagRuleCompliance.NOT_APPLICABLE;
    const p = viewOf(node).properties;
    const flows: unknown[] = Array.isArray(p.AllowedOAuthFlows) ? p.AllowedOAuthFlows : [];
    // Machine clients only (they use client_credentials): a user-facing login client is the other packs' business.
    if (!flows.includes('client_credentials')) return NagRuleCompliance.NOT_APPLICABLE;
    const scopes: unknown[] = Array.isArray(p.AllowedOAuthScopes) ? p.AllowedOAuthScopes : [];
    const authFlows: unknown[] = Array.isArray(p.ExplicitAuthFlows) ? p.ExplicitAuthFlows : [];
    const ok =
      p.AllowedOAuthFlowsUserPoolClient === true &&
      flows.length === 1 &&
      flows[0] === 'client_credentials' &&
      scopes.length > 0 &&
      !scopes.some((s) => typeof s === 'string' && ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'].includes(s)) &&
      p.GenerateSecret === true &&
      // Omitted, Cognito enables the SRP and custom user flows: a machine client names its (only) flow.
      Array.isArray(p.ExplicitAuthFlows) &&
      authFlows.every((f) => f === 'ALLOW_REFRESH_TOKEN_AUTH');
    return ok ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
