// Sample handler of the example app: a B2B partner submits orders and reads their status.
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { callerClientId, jsonResponse, parseBody } from '../../shared/http';

const logger = new Logger({ serviceName: 'partner-orders' });

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  logger.appendKeys({ requestId: event.requestContext.requestId, clientId: callerClientId(event) });
  if (event.httpMethod === 'GET') {
    const orderId = event.pathParameters?.orderId;
    logger.info('order status requested', { orderId });
    // The sample keeps no order store: a real handler would look the order up here.
    return jsonResponse(404, { message: 'order not found', orderId }, event);
  }
  const order = parseBody(event);
  const lines = Array.isArray(order.lines) ? order.lines.length : 0;
  logger.info('order accepted', { partnerOrderId: order.partnerOrderId, lines, currency: order.currency });
  return jsonResponse(202, { accepted: true, partnerOrderId: order.partnerOrderId }, event);
};
