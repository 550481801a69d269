import { Token } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../core/errors';

/**
 * Cognito's pattern for a custom scope name: printable ASCII except space, `"`, `/` and `\`,
 * 1 to 256 characters. The full scope an access token carries is `<resource-server>/<name>`.
 * @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ResourceServerScopeType.html
 */
export const SCOPE_NAME_PATTERN = /^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$/;

/**
 * Cognito's pattern for a resource server identifier: printable ASCII except space, `"` and `\`,
 * 1 to 256 characters.
 * @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateResourceServer.html
 */
export const RESOURCE_SERVER_IDENTIFIER_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;

/**
 * The most custom scopes one resource server may declare.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
 */
export const MAX_SCOPES_PER_RESOURCE_SERVER = 100;

/**
 * The most resource servers one user pool may have (the platform adds one for each further 100
 * scopes).
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html
 */
export const MAX_RESOURCE_SERVERS_PER_POOL = 25;

/**
 * The longest scope string (`<resource-server>/<name>`) an app client may hold.
 * @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html
 */
export const MAX_SCOPE_LENGTH = 256;

/**
 * The most OAuth scopes one app client may hold (`AllowedOAuthScopes`).
 * @see https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html
 */
export const MAX_SCOPES_PER_CLIENT = 50;

/** A Cognito domain prefix: lowercase letters, digits and inner hyphens, 1 to 63 characters. */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Words Cognito reserves in domain prefixes. */
const RESERVED_WORDS = ['aws', 'amazon', 'cognito'];

/**
 * Checks a Cognito domain prefix.
 * @throws IntegrationConfigError for a bad pattern or a reserved word.
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
 */
export function validateDomainPrefix(prefix: string): void {
  if (Token.isUnresolved(prefix)) return;
  if (!DOMAIN_PREFIX.test(prefix)) {
    throw new IntegrationConfigError('IntegrationPlatform', 'oauth2.domainPrefix', prefix, 'Use 1 to 63 lowercase letters, digits and inner hyphens, for example "acme-integrations".');
  }
  const reserved = RESERVED_WORDS.find((w) => prefix.includes(w));
  if (reserved) {
    throw new IntegrationConfigError('IntegrationPlatform', 'oauth2.domainPrefix', prefix, `Cognito reserves the word "${reserved}" in domain prefixes: choose a prefix without it.`);
  }
}
