// Sample target of the example app: a B2B partner submits orders and reads their status.
// The ingest function has verified the caller's token scopes (API Gateway) and the body (ajv) and
// invokes this function with the IntegrationRecord; its result is the partner's response.
import { Logger } from '@aws-lambda-powertools/logger';
import type { IntegrationRecord } from '../../../lib/ingest/ingest-config';

const logger = new Logger({ serviceName: 'partner-orders' });

interface Order {
  readonly partnerOrderId: string;
  readonly currency: string;
  readonly lines: Array<{ sku: string; quantity: number; unitPrice: number }>;
}

export const handler = async (record: IntegrationRecord) => {
  logger.appendKeys({ requestId: record.requestId, traceId: record.traceId, clientId: record.clientId });
  if (record.route.startsWith('GET ')) {
    const orderId = record.pathParameters.orderId;
    logger.info('order status requested', { orderId });
    // The sample keeps no order store: a real target would look the order up here.
    return { statusCode: 404, body: JSON.stringify({ message: 'order not found', orderId, requestId: record.requestId }) };
  }
  const order = record.body as Order;
  const total = order.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  // Log the shape of the order, never the buyer's contact details.
  logger.info('order accepted', { partnerOrderId: order.partnerOrderId, lines: order.lines.length, currency: order.currency, total });
  return { statusCode: 202, body: JSON.stringify({ accepted: true, partnerOrderId: order.partnerOrderId, requestId: record.requestId }) };
};
