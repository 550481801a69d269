// The platform's ingest function: one per platform, serving every route (see ingest.ts).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { encryptFields } from '../shared/field-encryption';
import { emitRequestSignals, emitSigningSecretInvalid, emitUnrouted, signalMetrics } from '../shared/signals';
import { loadRoutes } from './config';
import { Deduplicator } from './deduplication';
import { ingest } from './ingest';
import { LAMBDA_TARGET_CLIENT, SERVICE_CLIENT } from './client-timeouts';
import { signingSecrets } from './signing-secrets';

const logger = new Logger({ serviceName: 'integration-ingest' });
const tracer = new Tracer({ serviceName: 'integration-ingest' });
// Clients are created once per container, from the environment (AWS_ENDPOINT_URL works for tests).
// Every call has a timeout well inside the function's own (see client-timeouts.ts).
const clients = {
  sqs: tracer.captureAWSv3Client(new SQSClient(SERVICE_CLIENT)),
  eventBridge: tracer.captureAWSv3Client(new EventBridgeClient(SERVICE_CLIENT)),
  lambda: tracer.captureAWSv3Client(new LambdaClient(LAMBDA_TARGET_CLIENT)),
};
const secretsManager = tracer.captureAWSv3Client(new SecretsManagerClient(SERVICE_CLIENT));
// Field encryption reads its key from FIELD_ENCRYPTION_KEY_ID and caches data keys per container.
const kms = tracer.captureAWSv3Client(new KMSClient(SERVICE_CLIENT));
// The platform's deduplication table, where a route deduplicates (DEDUPLICATION_TABLE_NAME is set then).
const deduplicationTable = process.env.DEDUPLICATION_TABLE_NAME;
const deduplicator = deduplicationTable ? new Deduplicator(deduplicationTable, tracer.captureAWSv3Client(new DynamoDBClient(SERVICE_CLIENT))) : undefined;
const routes = loadRoutes();
const metrics = signalMetrics();

export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
  logger.appendKeys({ requestId: event.requestContext?.requestId, resource: event.resource });
  try {
    return await ingest(event, {
      routes,
      clients,
      secretsFor: (id, overlapSeconds, secretEncoding) => signingSecrets(secretsManager, id, overlapSeconds, undefined, secretEncoding),
      log: {
        info: (msg, extra) => logger.info(msg, extra),
        warn: (msg, extra) => logger.warn(msg, extra),
        error: (msg, extra) => logger.error(msg, extra),
      },
      traceId: process.env._X_AMZN_TRACE_ID,
      encryptPii: (body, paths, integration) => encryptFields(body, paths, { integration, kms }),
      emitSignals: (integration, statusCode, latencyMs, rejection, deduplication) => emitRequestSignals(metrics, integration, statusCode, latencyMs, rejection, deduplication),
      deduplicator,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      emitSigningSecretInvalid: (integration) => emitSigningSecretInvalid(metrics, integration),
      emitUnrouted: () => emitUnrouted(metrics, context.functionName),
    });
  } finally {
    logger.resetKeys();
  }
};
