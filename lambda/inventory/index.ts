// The platform's inventory function: one per platform, two jobs, chosen by the event's shape.
// - A CloudFormation custom resource request (Lambda-backed, no Provider framework): register.ts
//   writes or decommissions the record and ../shared/cfn-response.ts answers CloudFormation.
// - An EventBridge event (Secrets Manager rotation outcome, a new value put in a secret, CloudWatch
//   alarm state change): update.ts records it on the right record.
// Environment: INVENTORY_TABLE_NAME (the table; a custom resource may name another in TableName).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { INVENTORY_TABLE_ENV } from '../../lib/inventory/table-design';
import { isCustomResourceEvent, respondToCloudFormation } from '../shared/cfn-response';
import { CREATE_FAILED_PHYSICAL_ID, register } from './register';
import { isEventBridgeEvent, updateFromEvent } from './update';

const logger = new Logger({ serviceName: 'integration-inventory' });
const tracer = new Tracer({ serviceName: 'integration-inventory' });
// Created once per container, from the environment (AWS_ENDPOINT_URL works for tests).
const ddb = tracer.captureAWSv3Client(new DynamoDBClient({}));
const log = {
  info: (msg: string, extra?: Record<string, unknown>) => logger.info(msg, extra ?? {}),
  warn: (msg: string, extra?: Record<string, unknown>) => logger.warn(msg, extra ?? {}),
  error: (msg: string, extra?: Record<string, unknown>) => logger.error(msg, extra ?? {}),
};

function tableName(): string {
  const name = process.env[INVENTORY_TABLE_ENV];
  if (!name) throw new Error(`${INVENTORY_TABLE_ENV} is not set`);
  return name;
}

export const handler = async (event: unknown, context?: Context): Promise<unknown> => {
  if (context) logger.addContext(context);
  try {
    if (isCustomResourceEvent(event)) {
      logger.appendKeys({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, stackId: event.StackId });
      const response = await respondToCloudFormation(event, () => register(event, { ddb, defaultTableName: process.env[INVENTORY_TABLE_ENV], log }), {
        log,
        remainingTimeMs: context ? () => context.getRemainingTimeInMillis() : undefined,
        logStreamName: context?.logStreamName,
        createFailedPhysicalId: CREATE_FAILED_PHYSICAL_ID,
      });
      return { Status: response.Status };
    }
    if (isEventBridgeEvent(event)) {
      logger.appendKeys({ eventSource: event.source, detailType: event['detail-type'] });
      return await updateFromEvent(event, { ddb, tableName: tableName(), log });
    }
    logger.warn('event of an unknown shape ignored', { keys: typeof event === 'object' && event !== null ? Object.keys(event) : typeof event });
    return { result: 'ignored', reason: 'unknown event shape' };
  } finally {
    logger.resetKeys();
  }
};
