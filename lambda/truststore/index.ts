// The platform's truststore function, behind two Lambda-backed custom resources:
// - Custom::MutualTlsTruststore puts the mutual TLS truststore in the platform's bucket and returns
//   the version it wrote (write.ts);
// - Custom::MutualTlsTruststoreCheck fails the deploy when API Gateway could not use part of the
//   truststore the domain took (check.ts).
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { isCustomResourceEvent, respondToCloudFormation } from '../shared/cfn-response';
import { checkTruststore } from './check';
import { CREATE_FAILED_PHYSICAL_ID, writeTruststore } from './write';

/** The resource type of the check. */
export const CHECK_RESOURCE_TYPE = 'Custom::MutualTlsTruststoreCheck';

const logger = new Logger({ serviceName: 'mutual-tls-truststore' });
const s3 = new S3Client({});
const apiGateway = new APIGatewayClient({});
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
  const work = event.ResourceType === CHECK_RESOURCE_TYPE ? () => checkTruststore(event, { apiGateway, log }) : () => writeTruststore(event, { s3, log });
  const response = await respondToCloudFormation(event, work, {
    log,
    remainingTimeMs: context ? () => context.getRemainingTimeInMillis() : undefined,
    logStreamName: context?.logStreamName,
    createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID,
  });
  return { Status: response.Status };
};
