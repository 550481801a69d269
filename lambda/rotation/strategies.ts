import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ResolvedStrategy } from './bindings';
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

/** The strategy a credential's binding names. */
export function strategyFor(rotation: ResolvedStrategy, services: StrategyServices): RotationStrategy {
  switch (rotation.strategy) {
    case 'generated-token':
      return generatedTokenStrategy(services.secretsManager, rotation.length, rotation.charset);
    case 'cognito-client-secret':
      return cognitoClientSecretStrategy(services.cognito, rotation, { fetch: services.fetch });
    case 'custom':
      return customHookStrategy(services.invokeHook, rotation.hookFunction);
  }
}
