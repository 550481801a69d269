import { readFileSync } from 'node:fs';
import type { CredentialBinding, RotationConfigFile, StrategyBinding } from '../../lib/secrets/rotation-config';
import { ROTATION_CONFIG_PATH, SECRET_SUFFIXES_ENV } from '../../lib/secrets/rotation-config';
import { resolveValue } from '../shared/config-value';

/** A binding with every deploy-time reference resolved, and its secret's ARN suffix. */
export type ResolvedBinding = CredentialBinding<string> & { readonly arnSuffix?: string };

/** A strategy binding with every deploy-time reference resolved. */
export type ResolvedStrategy = StrategyBinding<string>;

/** The secret is not one this function may rotate, or its binding cannot be used: the step fails and changes nothing. */
export class RotationConfigError extends Error {
  override readonly name = 'RotationConfigError';
}

function resolveStrategy(rotation: StrategyBinding, env: NodeJS.ProcessEnv): ResolvedStrategy {
  switch (rotation.strategy) {
    case 'generated-token':
      return rotation;
    case 'cognito-client-secret':
      return {
        strategy: rotation.strategy,
        userPoolId: resolveValue(rotation.userPoolId, env),
        client: 'name' in rotation.client ? { name: rotation.client.name } : { id: resolveValue(rotation.client.id, env) },
        ...(rotation.tokenEndpoint === undefined ? {} : { tokenEndpoint: resolveValue(rotation.tokenEndpoint, env) }),
        ...(rotation.scopes === undefined ? {} : { scopes: rotation.scopes }),
      };
    case 'custom':
      return { strategy: rotation.strategy, hookFunction: resolveValue(rotation.hookFunction, env) };
  }
}

/**
 * Whether a secret (its name and ARN, from DescribeSecret) is the one the binding was deployed
 * with: same name, same ARN suffix. A secret deleted and re-created under the name has another.
 */
export function isDeployedSecret(binding: ResolvedBinding, name: string | undefined, arn: string | undefined): boolean {
  return binding.arnSuffix === undefined || (name !== undefined && arn !== undefined && arn.endsWith(`:secret:${name}-${binding.arnSuffix}`));
}

/**
 * Every credential of the platform, by secret name, from the function's config layer (or
 * ROTATION_CONFIG_FILE, for tests), with deploy-time references resolved from the environment.
 * @throws Error when the file is missing, of another version, or references an unset variable.
 */
export function loadBindings(path = process.env.ROTATION_CONFIG_FILE ?? ROTATION_CONFIG_PATH, env: NodeJS.ProcessEnv = process.env): Map<string, ResolvedBinding> {
  const file = JSON.parse(readFileSync(path, 'utf8')) as RotationConfigFile;
  if (file.version !== 2) throw new Error(`rotation config version ${String(file.version)} is not supported by this function`);
  const suffixes = (env[SECRET_SUFFIXES_ENV] ?? '').split(',');
  const bindings = new Map<string, ResolvedBinding>();
  for (const [name, binding] of Object.entries(file.credentials)) {
    const arnSuffix = binding.position === undefined ? undefined : suffixes[binding.position];
    if (binding.position !== undefined && !/^[A-Za-z0-9]{6}$/.test(arnSuffix ?? '')) {
      throw new Error(`rotation config: secret ${name} has no ARN suffix at position ${binding.position} of ${SECRET_SUFFIXES_ENV}`);
    }
    bindings.set(name, { ...binding, arnSuffix, rotation: binding.rotation === undefined ? undefined : resolveStrategy(binding.rotation, env) });
  }
  return bindings;
}
