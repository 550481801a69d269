import type { ConfigValue } from '../../lib/core/config-value';

/**
 * Resolves a config value: a literal, or the environment variable it references.
 * @throws Error when the variable is not set (the deployed function and its config disagree).
 */
export function resolveValue(value: ConfigValue, env: NodeJS.ProcessEnv = process.env): string {
  if (typeof value === 'string') return value;
  const resolved = env[value.env];
  if (!resolved) throw new Error(`the function's config references environment variable ${value.env}, which is not set`);
  return resolved;
}
