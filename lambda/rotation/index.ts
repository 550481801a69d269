// The platform's rotation function: one per platform, shared by every credential. Secrets
// Manager invokes it with the four rotation steps (rotate.ts); an hourly EventBridge schedule
// invokes it with the credential sweep (sweep.ts). How each secret rotates comes from the
// function's config layer (bindings.ts), fixed at deploy.
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { CREDENTIAL_DIMENSION, CredentialMetric, INTEGRATION_DIMENSION, ROTATION_FUNCTION_DIMENSION, SIGNALS_NAMESPACE } from '../../lib/observability/signal-names';
import { loadBindings } from './bindings';
import { sdkCognitoClientSecretApi } from './cognito-client-secret';
import { lambdaHookInvoker } from './custom-hook';
import { rotate, type RotationEvent } from './rotate';
import { strategyFor } from './strategies';
import { sweep, type SweepMetrics } from './sweep';

const logger = new Logger({ serviceName: 'integration-rotation' });
const tracer = new Tracer({ serviceName: 'integration-rotation' });
const metrics = new Metrics({ namespace: SIGNALS_NAMESPACE });
metrics.clearDefaultDimensions();
// Clients are created once per container. Secrets Manager's endpoint comes from
// SECRETS_MANAGER_ENDPOINT when set (a VPC endpoint's DNS name, or a test server), else the SDK
// default (which honours AWS_ENDPOINT_URL).
const secretsManager = tracer.captureAWSv3Client(new SecretsManagerClient({ endpoint: process.env.SECRETS_MANAGER_ENDPOINT || undefined }));
const services = {
  secretsManager,
  cognito: sdkCognitoClientSecretApi(tracer.captureAWSv3Client(new CognitoIdentityProviderClient({}))),
  invokeHook: lambdaHookInvoker(tracer.captureAWSv3Client(new LambdaClient({}))),
};
const bindings = loadBindings();
const log = {
  info: (msg: string, extra?: Record<string, unknown>) => logger.info(msg, extra ?? {}),
  warn: (msg: string, extra?: Record<string, unknown>) => logger.warn(msg, extra ?? {}),
  error: (msg: string, extra?: Record<string, unknown>) => logger.error(msg, extra ?? {}),
};

/** The event of the hourly schedule (EventBridge "Scheduled Event"). */
interface ScheduledEvent {
  readonly source: 'aws.events';
  readonly 'detail-type': 'Scheduled Event';
}

function isRotationEvent(event: unknown): event is RotationEvent {
  const e = event as Partial<RotationEvent> | null;
  return typeof e?.SecretId === 'string' && typeof e.ClientRequestToken === 'string' && typeof e.Step === 'string';
}

function isScheduledEvent(event: unknown): event is ScheduledEvent {
  const e = event as Partial<ScheduledEvent> | null;
  return e?.source === 'aws.events' && e['detail-type'] === 'Scheduled Event';
}

/** One EMF line per credential and per integration, and one for the sweep's health (dimensions reset after each publish). */
function publish(out: SweepMetrics): void {
  for (const c of out.credentials) {
    metrics.addDimensions({ [INTEGRATION_DIMENSION]: c.integration, [CREDENTIAL_DIMENSION]: c.credential });
    metrics.addMetric(CredentialMetric.CREDENTIAL_AGE, MetricUnit.Seconds, c.ageSeconds);
    metrics.publishStoredMetrics();
  }
  for (const i of out.integrations) {
    metrics.addDimension(INTEGRATION_DIMENSION, i.integration);
    metrics.addMetric(CredentialMetric.CREDENTIALS_DUE, MetricUnit.Count, i.due);
    metrics.addMetric(CredentialMetric.CREDENTIALS_OVERDUE, MetricUnit.Count, i.overdue);
    metrics.publishStoredMetrics();
  }
  metrics.addDimension(ROTATION_FUNCTION_DIMENSION, process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown');
  metrics.addMetric(CredentialMetric.SWEEP_FAILURES, MetricUnit.Count, out.failures);
  metrics.addMetric(CredentialMetric.SWEEPS_COMPLETED, MetricUnit.Count, out.failures === 0 ? 1 : 0);
  metrics.publishStoredMetrics();
}

export const handler = async (event: RotationEvent | ScheduledEvent, context?: Context): Promise<void> => {
  if (context) logger.addContext(context);
  try {
    if (isRotationEvent(event)) {
      // Every line carries the secret (Secrets Manager sends its ARN), the step and the token; never a secret value, nor the RotationToken.
      logger.appendKeys({ secretArn: event.SecretId, step: event.Step, token: event.ClientRequestToken });
      const outcome = await rotate(event, { secretsManager, bindings, strategyFor: (rotation) => strategyFor(rotation, services), log });
      logger.info('rotation step done', { outcome });
      return;
    }
    if (isScheduledEvent(event)) {
      logger.appendKeys({ step: 'sweep' });
      const reports = await sweep({ secretsManager, bindings, strategyFor: (rotation) => strategyFor(rotation, services), log, publish });
      logger.info('credential sweep done', { credentials: reports.length, failures: reports.filter((r) => r.error !== undefined).length });
      return;
    }
    throw new Error('not a rotation step nor the credential sweep\'s schedule: this function takes only those');
  } catch (error) {
    logger.error('rotation function failed', { error: (error as Error).message, errorName: (error as Error).name });
    throw error;
  } finally {
    logger.resetKeys();
  }
};
