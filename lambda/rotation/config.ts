import type { GeneratedTokenCharset, GeneratedTokenLengthBounds, RotationStrategyConfig, RotationTagKey } from '../../lib/secrets/rotation-config';

// Tag keys, typed against the contract so that a typo is a compile error.
export const STRATEGY_TAG: RotationTagKey = 'cdk-secure-integrations:rotation-strategy';
export const TOKEN_LENGTH_TAG: RotationTagKey = 'cdk-secure-integrations:generated-token-length';
export const TOKEN_CHARSET_TAG: RotationTagKey = 'cdk-secure-integrations:generated-token-charset';
export const COGNITO_TOKEN_ENDPOINT_TAG: RotationTagKey = 'cdk-secure-integrations:cognito-token-endpoint';
export const COGNITO_TOKEN_SCOPES_TAG: RotationTagKey = 'cdk-secure-integrations:cognito-token-scopes';
export const CUSTOM_HOOK_TAG: RotationTagKey = 'cdk-secure-integrations:custom-hook-function';

export const TOKEN_LENGTH_BOUNDS: GeneratedTokenLengthBounds = { min: 16, max: 4096 };
export const DEFAULT_TOKEN_LENGTH = 32;
export const DEFAULT_TOKEN_CHARSET: GeneratedTokenCharset = 'alphanumeric';
const CHARSETS: readonly GeneratedTokenCharset[] = ['alphanumeric', 'ascii-printable', 'hex', 'base64url'];

/** A rotation configuration that cannot be used: the rotation fails with a message naming the tag. */
export class RotationConfigError extends Error {
  override readonly name = 'RotationConfigError';
}

/**
 * The secret's rotation strategy and its parameters, from the secret's tags (DescribeSecret's
 * `Tags`). Throws {@link RotationConfigError} when the strategy tag is missing or a value is invalid.
 */
export function rotationConfigFromTags(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): RotationStrategyConfig {
  const tag = new Map((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const strategy = tag.get(STRATEGY_TAG);
  switch (strategy) {
    case 'generated-token': {
      const lengthText = tag.get(TOKEN_LENGTH_TAG) ?? String(DEFAULT_TOKEN_LENGTH);
      const length = Number(lengthText);
      if (!/^\d+$/.test(lengthText) || length < TOKEN_LENGTH_BOUNDS.min || length > TOKEN_LENGTH_BOUNDS.max) {
        throw new RotationConfigError(
          `tag ${TOKEN_LENGTH_TAG} is '${lengthText}': it must be an integer from ${TOKEN_LENGTH_BOUNDS.min} to ${TOKEN_LENGTH_BOUNDS.max}`,
        );
      }
      const charset = (tag.get(TOKEN_CHARSET_TAG) ?? DEFAULT_TOKEN_CHARSET) as GeneratedTokenCharset;
      if (!CHARSETS.includes(charset)) {
        throw new RotationConfigError(`tag ${TOKEN_CHARSET_TAG} is '${charset}': it must be one of ${CHARSETS.join(', ')}`);
      }
      return { strategy, length, charset };
    }
    case 'cognito-client-secret': {
      const tokenEndpoint = tag.get(COGNITO_TOKEN_ENDPOINT_TAG) || undefined;
      if (tokenEndpoint !== undefined && !/^https?:\/\//.test(tokenEndpoint)) {
        throw new RotationConfigError(`tag ${COGNITO_TOKEN_ENDPOINT_TAG} is '${tokenEndpoint}': it must be the URL of the token endpoint`);
      }
      return { strategy, tokenEndpoint, scopes: tag.get(COGNITO_TOKEN_SCOPES_TAG) || undefined };
    }
    case 'custom': {
      const hookFunction = tag.get(CUSTOM_HOOK_TAG);
      if (!hookFunction) throw new RotationConfigError(`the custom rotation strategy needs tag ${CUSTOM_HOOK_TAG} (the hook function's name or ARN)`);
      return { strategy, hookFunction };
    }
    default:
      throw new RotationConfigError(
        strategy === undefined
          ? `the secret has no tag ${STRATEGY_TAG}: tag it with generated-token, cognito-client-secret or custom`
          : `tag ${STRATEGY_TAG} is '${strategy}': it must be generated-token, cognito-client-secret or custom`,
      );
  }
}
