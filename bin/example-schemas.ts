// Request-body schemas of the example app's integrations (JSON Schema draft-04, as API Gateway takes).

export const contactUpdateSchema = {
  title: 'ContactUpdate',
  type: 'object',
  required: ['contactId', 'updatedAt', 'contact'],
  additionalProperties: false,
  properties: {
    contactId: { type: 'string', pattern: '^[A-Za-z0-9]{15,18}$' },
    updatedAt: { type: 'string', format: 'date-time' },
    contact: {
      type: 'object',
      required: ['name', 'email'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        email: { type: 'string', format: 'email', maxLength: 254 },
        phone: { type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$' },
        accountId: { type: 'string', maxLength: 18 },
        lifecycleStage: { type: 'string', enum: ['lead', 'prospect', 'customer', 'churned'] },
      },
    },
  },
};

export const orderSchema = {
  title: 'PartnerOrder',
  type: 'object',
  required: ['partnerOrderId', 'currency', 'lines', 'buyer'],
  additionalProperties: false,
  properties: {
    partnerOrderId: { type: 'string', minLength: 1, maxLength: 64 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: {
        type: 'object',
        required: ['sku', 'quantity', 'unitPrice'],
        additionalProperties: false,
        properties: {
          sku: { type: 'string', minLength: 1, maxLength: 64 },
          quantity: { type: 'integer', minimum: 1, maximum: 100000 },
          unitPrice: { type: 'number', minimum: 0 },
        },
      },
    },
    buyer: {
      type: 'object',
      required: ['companyId', 'contact'],
      properties: {
        companyId: { type: 'string' },
        contact: {
          type: 'object',
          required: ['email'],
          properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' }, phone: { type: 'string' } },
        },
      },
    },
    requestedDelivery: { type: 'string', format: 'date' },
  },
};

export const ticketUpdateSchema = {
  title: 'TicketUpdate',
  type: 'object',
  required: ['eventType', 'ticket'],
  properties: {
    eventType: { type: 'string', enum: ['ticket.created', 'ticket.updated', 'ticket.solved'] },
    ticket: {
      type: 'object',
      required: ['id', 'status'],
      properties: {
        id: { type: 'integer', minimum: 1 },
        status: { type: 'string', enum: ['new', 'open', 'pending', 'hold', 'solved', 'closed'] },
        priority: { type: 'string', enum: ['low', 'normal', 'high', 'urgent'] },
        subject: { type: 'string', maxLength: 500 },
        requester: { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
      },
    },
  },
};

/**
 * GitHub's published webhook schemas (npm `@octokit/webhooks-schemas`, draft-07), narrowed to the
 * events the example subscribes to: push, pull_request and issues.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const github = require('@octokit/webhooks-schemas') as { $schema: string; definitions: Record<string, unknown> };
export const githubWebhookSchema = {
  $schema: github.$schema,
  definitions: github.definitions,
  anyOf: [{ $ref: '#/definitions/push$event' }, { $ref: '#/definitions/pull_request_event' }, { $ref: '#/definitions/issues_event' }],
};

/** An issued invoice as the distributor's invoicing API takes it (the outbound contract of DistributorInvoices). */
export const invoiceOutSchema = {
  type: 'object',
  required: ['invoiceId', 'issuedAt', 'currency', 'totalCents', 'billTo'],
  additionalProperties: false,
  properties: {
    invoiceId: { type: 'string', maxLength: 64 },
    issuedAt: { type: 'string', format: 'date-time' },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    totalCents: { type: 'integer', minimum: 0 },
    billTo: {
      type: 'object',
      required: ['accountId', 'email'],
      additionalProperties: false,
      properties: { accountId: { type: 'string', maxLength: 64 }, email: { type: 'string', format: 'email' } },
    },
  },
};

/** An order status update as the marketplace takes it (the outbound contract of MarketplaceOrderStatus). */
export const orderStatusOutSchema = {
  type: 'object',
  required: ['orderId', 'status', 'updatedAt'],
  additionalProperties: false,
  properties: {
    orderId: { type: 'string', maxLength: 64 },
    status: { enum: ['accepted', 'shipped', 'delivered', 'cancelled'] },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
