// Sample handler of the example app: a CRM pushes contact updates.
// The body was validated by API Gateway; log the shape, never the PII values.
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { callerClientId, jsonResponse, parseBody } from '../../shared/http';

const logger = new Logger({ serviceName: 'crm-contacts' });

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  logger.appendKeys({ requestId: event.requestContext.requestId });
  const body = parseBody(event);
  const contact = (body.contact ?? {}) as Record<string, unknown>;
  logger.info('contact update accepted', { clientId: callerClientId(event), contactId: body.contactId, fields: Object.keys(contact) });
  return jsonResponse(202, { accepted: true, contactId: body.contactId }, event);
};
