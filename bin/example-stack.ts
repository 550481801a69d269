import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  DataClassification,
  HttpMethod,
  Inbound,
  IntegrationFunction,
  IntegrationPlatform,
  SecureIntegration,
  Target,
} from '../lib';
import { handlerCode } from '../lib/core/handler-code';
import { contactUpdateSchema, orderSchema, ticketUpdateSchema } from './example-schemas';

/**
 * The example platform: a realistic catalog of integrations in one stack (see ../shared/CATALOG.md).
 */
export class ExamplePlatformStack extends Stack {
  public readonly platform: IntegrationPlatform;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.platform = new IntegrationPlatform(this, 'Platform', { stageName: 'v1' });

    // A CRM pushes contact updates (CONFIDENTIAL: names, emails, phone numbers).
    const contacts = new IntegrationFunction(this, 'CrmContactsHandler', { code: handlerCode('samples/crm-contacts') });
    new SecureIntegration(this, 'CrmContacts', {
      owner: 'crm-team@example.com',
      dataClassification: DataClassification.CONFIDENTIAL,
      description: 'CRM pushes contact updates',
      inbound: Inbound.api({
        routes: [{ method: HttpMethod.POST, path: '/crm/contacts', bodySchema: contactUpdateSchema, scopes: ['contacts.write'], target: Target.lambda(contacts.function) }],
      }),
    });

    // A B2B partner submits orders and reads their status, with a scope per operation.
    const orders = new IntegrationFunction(this, 'PartnerOrdersHandler', { code: handlerCode('samples/partner-orders') });
    new SecureIntegration(this, 'PartnerOrders', {
      owner: 'order-management@example.com',
      dataClassification: DataClassification.CONFIDENTIAL,
      description: 'Order intake API for a B2B partner',
      inbound: Inbound.api({
        routes: [
          { method: HttpMethod.POST, path: '/orders', bodySchema: orderSchema, scopes: ['orders.write'], target: Target.lambda(orders.function) },
          { method: HttpMethod.GET, path: '/orders/{orderId}', scopes: ['orders.read'], target: Target.lambda(orders.function) },
        ],
      }),
    });

    // A support tool pushes ticket updates.
    const tickets = new IntegrationFunction(this, 'SupportTicketsHandler', { code: handlerCode('samples/support-tickets') });
    new SecureIntegration(this, 'SupportTickets', {
      owner: 'support-ops@example.com',
      dataClassification: DataClassification.INTERNAL,
      description: 'Support tool pushes ticket updates',
      inbound: Inbound.api({
        routes: [{ method: HttpMethod.POST, path: '/support/tickets', bodySchema: ticketUpdateSchema, scopes: ['tickets.write'], target: Target.lambda(tickets.function) }],
      }),
    });
  }
}
