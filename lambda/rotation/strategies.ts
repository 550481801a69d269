import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RotationStrategyConfig } from '../../lib/secrets/rotation-config';
import { type CognitoClientSecretApi, cognitoClientSecretStrategy } from './cognito-client-secret';
import { customHookStrategy, type HookInvoker } from './custom-hook';
import { generatedTokenStrategy } from './generated-token';
import type { RotationStrategy } from './strategy';

/** The services the strategies use, created once per container in index.ts (or fakes in tests). */
export interface StrategyServices {
  readonly secretsManager: SecretsManagerClient;
  readonly cognito: CognitoClientSecretApi;
  readonly invokeHook: HookInvoker;
  /** fetch for Cognito's token endpoint (tests). */
  readonly fetch?: typeof fetch;
}

/** The strategy a secret's configuration names. */
export function strategyFor(config: RotationStrategyConfig, services: StrategyServices): RotationStrategy {
  switch (config.strategy) {
    case 'generated-token':
      return generatedTokenStrategy(services.secretsManager, config.length, config.charset);
    case 'cognito-client-secret':
      return cognitoClientSecretStrategy(services.cognito, { tokenEndpoint: config.tokenEndpoint, scopes: config.scopes, fetch: services.fetch });
    case 'custom':
      return customHookStrategy(services.invokeHook, config.hookFunction);
  }
}
