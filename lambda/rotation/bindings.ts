import { readFileSync } from 'node:fs';
import type { CredentialBinding, RotationConfigFile, StrategyBinding } from '../../lib/secrets/rotation-config';
import { ROTATION_CONFIG_PATH } from '../../lib/secrets/rotation-config';
import { resolveValue } from '../shared/config-value';

/** A binding with every deploy-time reference resolved. */
export type ResolvedBinding = CredentialBinding<string>;
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
 * Every credential of the platform, by secret name, from the function's config layer (or
 * ROTATION_CONFIG_FILE, for tests), with deploy-time references resolved from the environment.
 * @throws Error when the file is missing, of another version, or references an unset variable.
 */
export function loadBindings(path = process.env.ROTATION_CONFIG_FILE ?? ROTATION_CONFIG_PATH, env: NodeJS.ProcessEnv = process.env): Map<string, ResolvedBinding> {
  const file = JSON.parse(readFileSync(path, 'utf8')) as RotationConfigFile;
  if (file.version !== 2) throw new Error(`rotation config version ${String(file.version)} is not supported by this function`);
  const bindings = new Map<string, ResolvedBinding>();
  for (const [name, binding] of Object.entries(file.credentials)) {
    bindings.set(name, { ...binding, rotation: binding.rotation === undefined ? undefined : resolveStrategy(binding.rotation, env) });
  }
  return bindings;
}
