// The platform's truststore writer: a Lambda-backed custom resource (Custom::MutualTlsTruststore)
// that puts the mutual TLS truststore in the platform's bucket and returns the version it wrote.
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { isCustomResourceEvent, respondToCloudFormation } from '../shared/cfn-response';
import { CREATE_FAILED_PHYSICAL_ID, writeTruststore } from './write';

const logger = new Logger({ serviceName: 'mutual-tls-truststore' });
const s3 = new S3Client({});
const log = {
  info: (msg: string, extra?: Record<string, unknown>) => logger.info(msg, extra ?? {}),
  warn: (msg: string, extra?: Record<string, unknown>) => logger.warn(msg, extra ?? {}),
  error: (msg: string, extra?: Record<string, unknown>) => logger.error(msg, extra ?? {}),
};

export const handler = async (event: unknown, context?: Context): Promise<unknown> => {
  if (context) logger.addContext(context);
  if (!isCustomResourceEvent(event)) {
    logger.warn('event of an unknown shape ignored', { keys: typeof event === 'object' && event !== null ? Object.keys(event) : typeof event });
    return { result: 'ignored' };
  }
  const response = await respondToCloudFormation(event, () => writeTruststore(event, { s3, log }), {
    log,
    remainingTimeMs: context ? () => context.getRemainingTimeInMillis() : undefined,
    logStreamName: context?.logStreamName,
    createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID,
  });
  return { Status: response.Status };
};
