// An outbound integration's sender function: one per integration, fed by its outbound queue
// (SQS event source with ReportBatchItemFailures; see send.ts).
import { Agent } from 'node:https';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SERVICE_CLIENT } from '../ingest/client-timeouts';
import { emitSigningSecretInvalid, signalMetrics } from '../shared/signals';
import { clientCertificateFrom } from './client-certificate';
import { loadOutboundConfig } from './config';
import { processBatch } from './send';
import { signingSecretsFor } from './sign';
import { emitPartnerCall, emitRejection } from './signals';
import { partnerCallTracing } from './tracing';

const logger = new Logger({ serviceName: 'integration-outbound' });
// The partner call gets a subsegment of its own (tracing.ts), whose id the partner receives as the
// parent of its trace: the automatic capture of node:https would skip a request that carries
// X-Amzn-Trace-Id already, so it is off.
const tracer = new Tracer({ serviceName: 'integration-outbound', captureHTTPsRequests: false });
// Loaded once per container; a config the function cannot use fails the cold start.
const config = loadOutboundConfig();
// Clients are created once per container, from the environment (AWS_ENDPOINT_URL works for tests).
// Every call has a timeout well inside the function's own (see client-timeouts.ts).
const sqs = tracer.captureAWSv3Client(new SQSClient(SERVICE_CLIENT));
const eventBridge = config.mode === 'api-destination' ? tracer.captureAWSv3Client(new EventBridgeClient(SERVICE_CLIENT)) : undefined;
// Field encryption reads the platform key from FIELD_ENCRYPTION_KEY_ID and caches data keys per container.
const kms = config.pii ? tracer.captureAWSv3Client(new KMSClient(SERVICE_CLIENT)) : undefined;
const secretsManager = config.signing || config.clientCertificate ? tracer.captureAWSv3Client(new SecretsManagerClient(SERVICE_CLIENT)) : undefined;
// Keep-alive connections to the partner across invocations; the trust store is Node's (public CAs).
const agent = new Agent({ keepAlive: true });
const metrics = signalMetrics();

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    return await processBatch(event, {
      config,
      sqs,
      eventBridge,
      kms,
      signingSecrets: secretsManager && config.signing ? (secretId, kind) => signingSecretsFor(secretsManager, secretId, kind) : undefined,
      clientCertificate: secretsManager && config.clientCertificate ? (secretId) => clientCertificateFrom(secretsManager, secretId) : undefined,
      agent,
      signals: {
        partnerCall: (integration, call) => emitPartnerCall(metrics, integration, call),
        rejected: (integration, cause) => emitRejection(metrics, integration, cause),
        signingSecretInvalid: (integration) => emitSigningSecretInvalid(metrics, integration),
      },
      log: {
        info: (msg, extra) => logger.info(msg, extra),
        warn: (msg, extra) => logger.warn(msg, extra),
        error: (msg, extra) => logger.error(msg, extra),
      },
      xrayTraceHeader: () => process.env._X_AMZN_TRACE_ID,
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      traceCall: partnerCallTracing(tracer),
    });
  } finally {
    logger.resetKeys();
  }
};
