// The platform's rotation function: one per platform, shared by every rotated credential. Each
// secret names its strategy in its tags (see lib/secrets/rotation-config.ts); rotate.ts runs the
// four steps around it.
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { sdkCognitoClientSecretApi } from './cognito-client-secret';
import { lambdaHookInvoker } from './custom-hook';
import { rotate, type RotationEvent } from './rotate';
import { strategyFor } from './strategies';

const logger = new Logger({ serviceName: 'integration-rotation' });
const tracer = new Tracer({ serviceName: 'integration-rotation' });
// Clients are created once per container. Secrets Manager's endpoint comes from
// SECRETS_MANAGER_ENDPOINT when set (a VPC endpoint's DNS name, or a test server), else the SDK
// default (which honours AWS_ENDPOINT_URL).
const secretsManager = tracer.captureAWSv3Client(new SecretsManagerClient({ endpoint: process.env.SECRETS_MANAGER_ENDPOINT || undefined }));
const services = {
  secretsManager,
  cognito: sdkCognitoClientSecretApi(tracer.captureAWSv3Client(new CognitoIdentityProviderClient({}))),
  invokeHook: lambdaHookInvoker(tracer.captureAWSv3Client(new LambdaClient({}))),
};
const log = {
  info: (msg: string, extra?: Record<string, unknown>) => logger.info(msg, extra ?? {}),
  warn: (msg: string, extra?: Record<string, unknown>) => logger.warn(msg, extra ?? {}),
  error: (msg: string, extra?: Record<string, unknown>) => logger.error(msg, extra ?? {}),
};

export const handler = async (event: RotationEvent, context?: Context): Promise<void> => {
  if (context) logger.addContext(context);
  // Every line carries the secret (Secrets Manager sends its ARN), the step and the token; never a secret value, nor the RotationToken.
  logger.appendKeys({ secretArn: event.SecretId, step: event.Step, token: event.ClientRequestToken });
  try {
    const outcome = await rotate(event, { secretsManager, strategyFor: (config) => strategyFor(config, services), log });
    logger.info('rotation step done', { outcome });
  } catch (error) {
    logger.error('rotation step failed', { error: (error as Error).message, errorName: (error as Error).name });
    throw error;
  } finally {
    logger.resetKeys();
  }
};
