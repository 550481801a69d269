// JSON Schema (draft-07) of the inventory record (schema version 1) and of the synth-time report
// that carries records. The schema is the contract in machine-readable form: the CLI validates
// every record it reads against it (after migration), the registration custom resource validates
// the record it is asked to write, and the synth test validates `integration-inventory.json`.
// No `format` keywords: timestamps are checked by pattern, so validation needs no format plugins.

/** ISO 8601 date-time with a time zone, e.g. `2026-01-31T09:30:00Z` or `...00.123+02:00`. */
const TIMESTAMP = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$' } as const;
const NON_EMPTY = { type: 'string', minLength: 1 } as const;

/** The record schema; its `$id` names it for `$ref` from the report schema. */
export const INVENTORY_RECORD_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:cdk-secure-integrations:inventory-record:1',
  title: 'InventoryRecord',
  description: 'The integration register\'s record of one integration (cdk-secure-integrations, schema version 1).',
  type: 'object',
  additionalProperties: false,
  required: [
    'schemaVersion',
    'integrationId',
    'name',
    'owner',
    'dataClassification',
    'stack',
    'account',
    'region',
    'inbound',
    'targets',
    'credentials',
    'piiFields',
    'alarms',
    'status',
    'contentHash',
  ],
  properties: {
    schemaVersion: { type: 'integer', const: 1 },
    integrationId: { ...NON_EMPTY, description: '<account>:<region>:<stack>:<integration>' },
    name: NON_EMPTY,
    description: { type: 'string' },
    owner: NON_EMPTY,
    dataClassification: NON_EMPTY,
    stack: NON_EMPTY,
    account: NON_EMPTY,
    region: NON_EMPTY,
    inbound: { type: 'array', items: { $ref: '#/definitions/route' } },
    targets: { type: 'array', items: { type: 'string' } },
    credentials: { type: 'array', items: { $ref: '#/definitions/credential' } },
    piiFields: { type: 'array', items: { type: 'string' } },
    slo: {
      type: 'object',
      additionalProperties: false,
      required: ['availabilityPercent', 'latencyP95Ms', 'windowDays'],
      properties: {
        availabilityPercent: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
        latencyP95Ms: { type: 'number', exclusiveMinimum: 0 },
        windowDays: { type: 'number', exclusiveMinimum: 0 },
      },
    },
    heartbeat: {
      type: 'object',
      additionalProperties: false,
      required: ['everySeconds', 'graceSeconds'],
      properties: { everySeconds: { type: 'number', exclusiveMinimum: 0 }, graceSeconds: { type: 'number', minimum: 0 } },
    },
    alarms: { type: 'array', items: { $ref: '#/definitions/alarm' } },
    outbound: {
      type: 'object',
      additionalProperties: false,
      required: ['endpoint', 'host', 'auth', 'mode', 'egress'],
      properties: { endpoint: { type: 'string', pattern: '^https://' }, host: NON_EMPTY, auth: NON_EMPTY, mode: { enum: ['api-destination', 'direct'] }, egress: NON_EMPTY },
    },
    deadLetterQueues: { type: 'array', items: { $ref: '#/definitions/deadLetterQueue' } },
    status: { enum: ['ACTIVE', 'DECOMMISSIONED'] },
    createdAt: TIMESTAMP,
    updatedAt: TIMESTAMP,
    decommissionedAt: TIMESTAMP,
    version: { type: 'integer', minimum: 0 },
    contentHash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 (hex) of the declared content' },
  },
  definitions: {
    route: {
      type: 'object',
      additionalProperties: false,
      required: ['method', 'path', 'auth', 'scopes', 'target'],
      properties: {
        method: NON_EMPTY,
        path: NON_EMPTY,
        auth: NON_EMPTY,
        scopes: { type: 'array', items: { type: 'string' } },
        target: { type: 'string' },
        clientCertificates: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['subject', 'issuer'],
            properties: { subject: NON_EMPTY, issuer: NON_EMPTY, issuerNotAfter: NON_EMPTY },
          },
        },
      },
    },
    credential: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'rotationSchedule', 'maxRotationIntervalDays', 'strategy'],
      properties: {
        name: NON_EMPTY,
        secretArn: { type: 'string', pattern: '^arn:[^:]+:secretsmanager:' },
        rotationPeriodDays: { type: 'number', exclusiveMinimum: 0 },
        rotationSchedule: NON_EMPTY,
        maxRotationIntervalDays: { type: 'number', exclusiveMinimum: 0 },
        strategy: { type: 'string' },
        lastRotated: TIMESTAMP,
        lastRotationStatus: { enum: ['SUCCEEDED', 'FAILED'] },
        lastRotationAttemptAt: TIMESTAMP,
      },
    },
    deadLetterQueue: {
      type: 'object',
      additionalProperties: false,
      required: ['target', 'maxReceiveCount'],
      properties: {
        target: NON_EMPTY,
        queueArn: { type: 'string', pattern: '^arn:[^:]+:sqs:' },
        deadLetterQueueArn: { type: 'string', pattern: '^arn:[^:]+:sqs:' },
        maxReceiveCount: { type: 'integer', minimum: 1 },
      },
    },
    alarm: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'severity'],
      properties: {
        name: NON_EMPTY,
        severity: NON_EMPTY,
        state: { type: 'string' },
        stateUpdatedAt: TIMESTAMP,
      },
    },
  },
} as const;

/** The synth-time report `integration-inventory.json`: `{ schemaVersion, generatedAt, records }`. */
export const INVENTORY_REPORT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:cdk-secure-integrations:inventory-report:1',
  title: 'InventoryReport',
  type: 'object',
  required: ['schemaVersion', 'records'],
  properties: {
    schemaVersion: { const: 1 },
    generatedAt: TIMESTAMP,
    records: { type: 'array', items: { $ref: 'urn:cdk-secure-integrations:inventory-record:1' } },
  },
} as const;
