import { Duration, Fn, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  Auth,
  DataClassification,
  HttpMethod,
  Inbound,
  IntegrationFunction,
  IntegrationPlatform,
  Outbound,
  OutboundAuth,
  OutboundPiiMode,
  Rotation,
  RotationWindow,
  SecureIntegration,
  SignatureScheme,
  Target,
  TokenCharset,
} from '../lib';
import { handlerCode } from '../lib/core/handler-code';
import { contactUpdateSchema, githubWebhookSchema, invoiceOutSchema, orderSchema, orderStatusOutSchema, ticketUpdateSchema } from './example-schemas';

/**
 * The example platform: a realistic catalog of integrations in one stack (see ../shared/CATALOG.md).
 */
export class ExamplePlatformStack extends Stack {
  public readonly platform: IntegrationPlatform;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.platform = new IntegrationPlatform(this, 'Platform', { stageName: 'v1' });

    // A CRM pushes contact updates (CONFIDENTIAL: names, emails, phone numbers) into the integration's own queue.
    const crm = new SecureIntegration(this, 'CrmContacts', {
      owner: 'crm-team@example.com',
      dataClassification: DataClassification.CONFIDENTIAL,
      description: 'CRM pushes contact updates',
      piiFields: ['contact.name', 'contact.email', 'contact.phone'],
      inbound: Inbound.api({
        routes: [{ method: HttpMethod.POST, path: '/crm/contacts', bodySchema: contactUpdateSchema, scopes: ['contacts.write'] }],
      }),
    });

    // A B2B partner submits orders and reads their status, with a scope per operation; a function answers.
    const orders = new IntegrationFunction(this, 'PartnerOrdersHandler', { code: handlerCode('samples/partner-orders') });
    new SecureIntegration(this, 'PartnerOrders', {
      owner: 'order-management@example.com',
      dataClassification: DataClassification.CONFIDENTIAL,
      description: 'Order intake API for a B2B partner',
      piiFields: ['buyer.contact.*'],
      // The partner calls from its two data centres only (documentation ranges, RFC 5737 / RFC 3849).
      waf: { ipAllowlist: ['198.51.100.0/24', '203.0.113.16/28', '2001:db8:4000::/48'] },
      inbound: Inbound.api({
        // The partner's client secret (credential oauth2-client-secret) rotates every 14 days; the previous one keeps working for 24 hours.
        clientSecret: { rotateEvery: Duration.days(14), overlap: Duration.hours(24) },
        routes: [
          {
            method: HttpMethod.POST,
            path: '/orders',
            bodySchema: orderSchema,
            scopes: ['orders.write'],
            target: Target.lambda(orders.function),
            throttling: { rateLimit: 20, burstLimit: 40 },
          },
          { method: HttpMethod.GET, path: '/orders/{orderId}', scopes: ['orders.read'], target: Target.lambda(orders.function) },
        ],
      }),
    });

    // A support tool pushes ticket updates onto the support team's event bus.
    const supportBus = new events.EventBus(this, 'SupportEvents', { description: 'Support ticket events from the support tool' });
    new SecureIntegration(this, 'SupportTickets', {
      owner: 'support-ops@example.com',
      dataClassification: DataClassification.INTERNAL,
      description: 'Support tool pushes ticket updates',
      piiFields: ['ticket.requester.email'],
      // The API key we issue to the support tool for its callbacks, rotated weekly in a Sunday-night window.
      credentials: [
        {
          name: 'callback-api-key',
          rotation: Rotation.generatedToken({ length: 64, charset: TokenCharset.ALPHANUMERIC }),
          rotationWindow: RotationWindow.cron('cron(0 2 ? * SUN *)', Duration.hours(3)),
        },
      ],
      inbound: Inbound.api({
        routes: [
          {
            method: HttpMethod.POST,
            path: '/support/tickets',
            bodySchema: ticketUpdateSchema,
            scopes: ['tickets.write'],
            target: Target.eventBus(supportBus, { source: 'support.tool', detailType: 'TicketUpdate' }),
          },
        ],
      }),
    });

    // Every hour, the contact updates move on to the data warehouse (an outbound sync with a heartbeat).
    const exporter = new IntegrationFunction(this, 'WarehouseExportHandler', {
      code: handlerCode('samples/warehouse-export'),
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: 1,
      environment: { SOURCE_QUEUE_URL: crm.queue!.queue.queueUrl, WAREHOUSE_URL: 'https://warehouse.example.com/ingest/crm-contacts' },
    });
    crm.queue!.grantConsume(exporter.function);
    new SecureIntegration(this, 'WarehouseExport', {
      owner: 'data-platform@example.com',
      dataClassification: DataClassification.CONFIDENTIAL,
      description: 'Hourly export of CRM contact updates to the data warehouse; PII stays encrypted',
      piiFields: [], // the export forwards records whose PII the ingest function already encrypted
      outbound: Outbound.schedule({ handler: exporter.function, every: Duration.hours(1) }),
      heartbeat: { every: Duration.hours(1), grace: Duration.minutes(20) },
    });

    // The billing service of the shared-services account signs with SigV4 (Auth.iam): the API's resource
    // policy admits its publisher role alone, and that role's own policy must allow execute-api:Invoke.
    new SecureIntegration(this, 'BillingEvents', {
      owner: 'billing-team@example.com',
      dataClassification: DataClassification.INTERNAL,
      description: 'Invoice events from the shared-services billing service, signed with SigV4',
      piiFields: [],
      inbound: Inbound.api({
        routes: [
          {
            method: HttpMethod.POST,
            path: '/billing/invoices',
            bodySchema: {
              type: 'object',
              required: ['invoiceId', 'status'],
              additionalProperties: false,
              properties: { invoiceId: { type: 'string', maxLength: 64 }, status: { enum: ['issued', 'paid', 'void'] }, amountCents: { type: 'integer', minimum: 0 } },
            },
            auth: Auth.iam({ principalArns: ['arn:aws:iam::444455556666:role/billing-event-publisher'] }),
          },
        ],
      }),
    });

    // Issued invoices go out to the distributor's API with OAuth 2.0 client credentials: an EventBridge
    // API destination calls it (its connection holds the client secret on the platform key and refreshes
    // tokens), 20 calls a second at most, retried for 24 hours; the bill-to email leaves as produced.
    new SecureIntegration(this, 'DistributorInvoices', {
      owner: 'billing-team@example.com',
      dataClassification: DataClassification.CONFIDENTIAL,
      description: 'Issued invoices posted to the distributor\'s invoicing API',
      piiFields: ['billTo.email'],
      outbound: Outbound.api({
        endpoint: 'https://api.distributor.example/v2/invoices',
        auth: OutboundAuth.oauth2ClientCredentials({
          tokenEndpoint: 'https://auth.distributor.example/oauth2/token',
          clientId: 'acme-integrations',
          clientSecret: secretsmanager.Secret.fromSecretNameV2(this, 'DistributorClientSecret', 'partners/distributor/client-secret'),
          scopes: ['invoices.write'],
        }),
        payloadSchema: invoiceOutSchema,
        pii: OutboundPiiMode.CLEAR, // the producers hold the invoices in clear; the partner needs the email
        rateLimitPerSecond: 20,
      }),
    });

    // Order status goes back to the marketplace as Standard Webhooks, signed and sent by the library's
    // sender with a whsec_ secret the platform rotates; the orders function produces them.
    const orderStatus = new SecureIntegration(this, 'MarketplaceOrderStatus', {
      owner: 'commerce-team@example.com',
      dataClassification: DataClassification.INTERNAL,
      description: 'Order status updates to the marketplace, signed (Standard Webhooks)',
      piiFields: [],
      outbound: Outbound.api({
        endpoint: 'https://hooks.marketplace.example/orders/status',
        auth: OutboundAuth.standardWebhooks(),
        payloadSchema: orderStatusOutSchema,
        timeout: Duration.seconds(20),
      }),
    });
    orderStatus.grantSendOutbound(orders);

    // GitHub signs push, pull_request and issues events (X-Hub-Signature-256); the schema is GitHub's published one.
    new SecureIntegration(this, 'GitHubEvents', {
      owner: 'platform-engineering@example.com',
      dataClassification: DataClassification.INTERNAL,
      description: 'GitHub webhook: push, pull_request and issues events',
      piiFields: ['pusher.email', 'sender.email', 'commits[*].author.email', 'commits[*].committer.email'],
      inbound: Inbound.webhook({
        path: '/webhooks/github',
        bodySchema: githubWebhookSchema,
        signature: SignatureScheme.githubHmacSha256(),
        // Only the platform team's operators may put GitHub's secret; the secret's policy denies everyone else.
        signingSecretWriters: [iam.Role.fromRoleArn(this, 'WebhookSecretOperators', Fn.sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/webhook-secret-operators'))],
      }),
      // Push and pull_request payloads often exceed WAF's default 8 KB body rule; WAF inspects up to 64 KB.
      waf: { maxBodySize: Size.kibibytes(64) },
    });
  }
}
