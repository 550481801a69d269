// Shared fixtures of the inventory tests: the table in moto_server with the documented key design,
// records, CloudFormation custom resource requests and EventBridge events in AWS's documented shapes.
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { InventoryRecord } from '../../lib/inventory/inventory-record';
import { INVENTORY_INDEXES, INVENTORY_PARTITION_KEY, INVENTORY_SORT_KEY, type InventoryKey, recordKey } from '../../lib/inventory/table-design';
import { motoClientConfig, uniqueName } from '../support/aws-env';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export function motoDynamoDb(): DynamoDBClient {
  return new DynamoDBClient(motoClientConfig());
}

/** Creates an inventory table in moto with the key design of lib/inventory/table-design.ts. */
export async function createInventoryTable(ddb: DynamoDBClient, prefix = 'inventory'): Promise<string> {
  const name = uniqueName(prefix);
  const attributes = new Set<string>([INVENTORY_PARTITION_KEY, INVENTORY_SORT_KEY, ...INVENTORY_INDEXES.flatMap((i) => [i.partitionKey, i.sortKey])]);
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: INVENTORY_PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: INVENTORY_SORT_KEY, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: INVENTORY_INDEXES.map((i) => ({
        IndexName: i.indexName,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
  return name;
}

export async function getItem(ddb: DynamoDBClient, table: string, key: InventoryKey): Promise<Record<string, unknown> | undefined> {
  const out = await ddb.send(new GetItemCommand({ TableName: table, Key: marshall(key), ConsistentRead: true }));
  return out.Item ? (unmarshall(out.Item) as Record<string, unknown>) : undefined;
}

export async function getRecordItem(ddb: DynamoDBClient, table: string, integrationId: string) {
  return getItem(ddb, table, recordKey(integrationId)) as Promise<(InventoryRecord & { registeredBy?: string }) | undefined>;
}

export function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function secretArn(name: string): string {
  return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
}

/** A record as the platform synthesizes it, deploy-time values resolved (secret ARNs). */
export function declaredRecord(name: string, overrides: Partial<InventoryRecord> = {}): InventoryRecord {
  const stack = 'IntegrationsStack';
  return {
    schemaVersion: 1,
    integrationId: `${ACCOUNT}:${REGION}:${stack}:${name}`,
    name,
    description: `${name} partner integration`,
    owner: 'team-payments',
    dataClassification: 'CONFIDENTIAL',
    stack,
    account: ACCOUNT,
    region: REGION,
    inbound: [{ method: 'POST', path: '/orders', auth: 'oauth2', scopes: ['integrations/orders.write'], target: 'sqs:/orders' }],
    targets: ['sqs:/orders'],
    credentials: [
      {
        name: 'ApiKey',
        secretArn: secretArn(`${name}/api-key`),
        rotationPeriodDays: 30,
        rotationSchedule: 'rate(30 days)',
        maxRotationIntervalDays: 30,
        strategy: 'generated token',
      },
    ],
    piiFields: ['$.email'],
    slo: { availabilityPercent: 99.9, latencyP95Ms: 500, windowDays: 30 },
    heartbeat: { everySeconds: 3600, graceSeconds: 600 },
    alarms: [
      { name: `${name}-availability-fast-burn`, severity: 'page' },
      { name: `${name}-heartbeat`, severity: 'heartbeat' },
    ],
    status: 'ACTIVE',
    contentHash: hashOf(`${name}:v1`),
    ...overrides,
  };
}

export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/IntegrationsStack/5b2f1a90-0e6c-11ef-9a3b-0a1b2c3d4e5f`;

/** A custom resource request as CloudFormation sends it (Record as a JSON string, as Stack.toJsonString renders it). */
export function cfnEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  table: string,
  record: InventoryRecord,
  options: { old?: InventoryRecord; physicalId?: string; logicalId?: string; recordAsObject?: boolean } = {},
): CloudFormationCustomResourceEvent {
  const props = (r: InventoryRecord) => ({
    ServiceToken: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:IntegrationsStack-InventoryFunction`,
    TableName: table,
    Record: options.recordAsObject ? stringifyScalars(r) : JSON.stringify(r),
  });
  const common = {
    ServiceToken: props(record).ServiceToken,
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/presigned',
    StackId: STACK_ID,
    RequestId: `req-${Math.random().toString(36).slice(2)}`,
    LogicalResourceId: options.logicalId ?? `Inventory${record.name}`,
    ResourceType: 'Custom::IntegrationInventoryRecord',
    ResourceProperties: props(record),
  };
  const physicalId = options.physicalId ?? `inventory:${record.integrationId}`;
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update') return { ...common, RequestType: 'Update', PhysicalResourceId: physicalId, OldResourceProperties: props(options.old ?? record) };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physicalId };
}

/** What CloudFormation does to scalar properties: every number and boolean becomes a string. */
export function stringifyScalars(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringifyScalars(v)]));
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/**
 * A Secrets Manager rotation outcome as EventBridge delivers it (CloudTrail service event; shape of
 * the example in AWS's docs and blog posts: the secret in detail.additionalEventData.SecretId).
 */
export function rotationEvent(eventName: 'RotationSucceeded' | 'RotationFailed' | 'RotationStarted', arn: string, time: string) {
  return {
    version: '0',
    id: 'dd5fd657-7361-f5d2-0c0f-0fe27390611b',
    'detail-type': 'AWS Service Event via CloudTrail',
    source: 'aws.secretsmanager',
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: { accountId: ACCOUNT, invokedBy: 'secretsmanager.amazonaws.com' },
      eventTime: time,
      eventSource: 'secretsmanager.amazonaws.com',
      eventName,
      awsRegion: REGION,
      sourceIPAddress: 'secretsmanager.amazonaws.com',
      userAgent: 'secretsmanager.amazonaws.com',
      requestParameters: null,
      responseElements: null,
      additionalEventData: { SecretId: arn },
      requestID: `Rotation-${arn}-7ac47c8c-f328-423b-9698-6926dd1f293e`,
      eventID: '638c6d2d-e098-4100-a3e0-a4b7b87e5b92',
      readOnly: false,
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}

/** The name of a webhook's signing secret, as lib/integration/inbound.ts makes it (`integrations/<unique>/signing-secret`). */
export function signingSecretName(integration: string): string {
  return `integrations/IntegrationsStack-${integration}-9F3A61C2/signing-secret`;
}

/**
 * The record of a webhook integration: its one credential is the partner-held signing secret
 * (`partner-managed`, never rotated), its age limit the classification's (CONFIDENTIAL: 60 days).
 */
export function webhookRecord(name: string, overrides: Partial<InventoryRecord> = {}): InventoryRecord {
  return declaredRecord(name, {
    inbound: [{ method: 'POST', path: '/webhooks/partner', auth: 'signature:github-hmac-sha256', scopes: [], target: 'sqs:/webhooks/partner' }],
    targets: ['sqs:/webhooks/partner'],
    credentials: [
      {
        name: 'webhook-signing-secret',
        secretArn: secretArn(signingSecretName(name)),
        rotationSchedule: 'partner-managed',
        maxRotationIntervalDays: 60,
        strategy: 'partner-held signing secret (changed with the partner; the previous value stays valid during the overlap)',
      },
    ],
    contentHash: hashOf(`${name}:webhook:v1`),
    ...overrides,
  });
}

/** Options of a {@link secretValueEvent}. */
export interface SecretValueEventOptions {
  /** `responseElements.versionStages`; `null` leaves it out. @default ['AWSCURRENT'] for PutSecretValue, none for UpdateSecret */
  readonly versionStages?: string[] | null;
  /** `requestParameters.versionStages`, as a caller (a rotation function) names them. @default - none */
  readonly requestedStages?: string[];
  /** A failed call: CloudTrail's `errorCode`, no response elements. */
  readonly errorCode?: string;
  /** `requestParameters.secretId`: the name or partial ARN the caller gave. @default - the secret's name, without the random suffix */
  readonly secretId?: string;
  /** UpdateSecret only: whether it carried a new value (then the response names the new version). @default true */
  readonly newValue?: boolean;
}

/**
 * A PutSecretValue or UpdateSecret call as EventBridge delivers it: a CloudTrail management event
 * ("AWS API Call via CloudTrail"), the secret's value hidden, its full ARN in
 * `responseElements.arn` (shape of the Secrets Manager User Guide's CloudTrail entries and the API's
 * response: arn, name, versionId, versionStages).
 */
export function secretValueEvent(eventName: 'PutSecretValue' | 'UpdateSecret', arn: string, time: string, options: SecretValueEventOptions = {}) {
  const name = arn.replace(/^arn:[^:]+:secretsmanager:[^:]+:\d+:secret:/, '').replace(/-[A-Za-z0-9]{6}$/, '');
  const versionId = 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE';
  const stages = options.versionStages === undefined ? (eventName === 'PutSecretValue' ? ['AWSCURRENT'] : undefined) : (options.versionStages ?? undefined);
  const putsValue = eventName === 'PutSecretValue' || options.newValue !== false;
  return {
    version: '0',
    id: '6f87d04b-9f74-4f04-a780-7acf4b0a9b38',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.secretsmanager',
    account: ACCOUNT,
    time: time.replace(/\.\d+Z$/, 'Z'),
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLEID:operator@example.com',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/IntegrationOperators/operator@example.com`,
        accountId: ACCOUNT,
      },
      eventTime: time,
      eventSource: 'secretsmanager.amazonaws.com',
      eventName,
      awsRegion: REGION,
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.15.30 md/command#secretsmanager.put-secret-value',
      requestParameters: {
        secretId: options.secretId ?? name,
        clientRequestToken: versionId,
        ...(options.requestedStages ? { versionStages: options.requestedStages } : {}),
        ...(eventName === 'UpdateSecret' && !putsValue ? { description: 'a new description' } : {}),
      },
      responseElements: options.errorCode
        ? null
        : { arn, name, ...(putsValue ? { versionId } : {}), ...(stages ? { versionStages: stages } : {}) },
      ...(options.errorCode ? { errorCode: options.errorCode, errorMessage: `User is not authorized to perform: secretsmanager:${eventName}` } : {}),
      requestID: 'a6f7e0a4-8c2b-4a34-9d3f-2e5d1c0b9a87',
      eventID: '0b9c6d0e-3f5a-4c2b-8e1d-7a6b5c4d3e2f',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    },
  };
}

/** A CloudWatch alarm state change (single metric alarm) as in the CloudWatch User Guide. */
export function alarmEvent(alarmName: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', time: string, previous = 'OK') {
  // CloudWatch writes the state timestamp with a `+0000` offset.
  const stamp = time.replace('Z', '+0000');
  return {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: ACCOUNT,
    time: time.replace(/\.\d+Z$/, 'Z'),
    region: REGION,
    resources: [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarmName}`],
    detail: {
      alarmName,
      configuration: {
        description: 'Availability SLO fast burn',
        metrics: [
          {
            id: '30b6c6b2-a864-43a2-4877-c09a1afc3b87',
            metricStat: { metric: { dimensions: { Integration: 'Orders' }, name: 'error_rate', namespace: 'Integrations' }, period: 300, stat: 'Average' },
            returnData: true,
          },
        ],
      },
      previousState: { reason: 'Threshold Crossed', timestamp: stamp, value: previous },
      state: { reason: 'Threshold Crossed: 1 out of the last 1 datapoints was greater than the threshold', timestamp: stamp, value: state },
    },
  };
}

export type LogLine = { level: string; msg: string; extra?: Record<string, unknown> };

export function captureLog() {
  const lines: LogLine[] = [];
  return {
    lines,
    log: {
      info: (msg: string, extra?: Record<string, unknown>) => lines.push({ level: 'info', msg, extra }),
      warn: (msg: string, extra?: Record<string, unknown>) => lines.push({ level: 'warn', msg, extra }),
      error: (msg: string, extra?: Record<string, unknown>) => lines.push({ level: 'error', msg, extra }),
    },
  };
}

/** A stand-in for the pre-signed S3 URL CloudFormation waits on: records each PUT. */
export function fakeResponseBucket(status = 200) {
  const received: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: JSON.parse(data) });
      res.writeHead(status);
      res.end();
    });
  });
  return {
    received,
    start: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response?X-Amz-Signature=abc`))),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
