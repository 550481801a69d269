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
