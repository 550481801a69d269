// Sample handler of the example app: a support tool pushes ticket updates.
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { callerClientId, jsonResponse, parseBody } from '../../shared/http';

const logger = new Logger({ serviceName: 'support-tickets' });

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  logger.appendKeys({ requestId: event.requestContext.requestId, clientId: callerClientId(event) });
  const update = parseBody(event);
  const ticket = (update.ticket ?? {}) as Record<string, unknown>;
  logger.info('ticket update accepted', { ticketId: ticket.id, status: ticket.status, priority: ticket.priority });
  return jsonResponse(202, { accepted: true, ticketId: ticket.id }, event);
};
