// The construct side of issue 11: deduplication on the sender's delivery id (one table per
// platform), Lambda targets that finish inside the ingest's wait, Slack's form bodies, and query
// parameters forwarded only when declared.
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  DataClassification,
  Deduplication,
  DeduplicationKey,
  DigestEncoding,
  HttpMethod,
  Inbound,
  IngestRouteConfig,
  IngestTargetKind,
  IntegrationConfigError,
  IntegrationPlatform,
  MAX_LAMBDA_TARGET_TIMEOUT_SECONDS,
  SecureIntegration,
  SignatureScheme,
  Target,
} from '../../lib';
import { synthesizePlatform } from '../support/config-layers';
import { newStack, objectSchema, testFunction } from '../helpers';

function webhook(stack: Stack, id: string, signature: SignatureScheme, extra: Record<string, unknown> = {}) {
  return new SecureIntegration(stack, id, {
    owner: 'team@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.webhook({ path: `/hooks/${id.toLowerCase()}`, bodySchema: objectSchema, signature, signingSecretWriters: [], ...extra }),
  });
}

function api(stack: Stack, id: string, extra: Record<string, unknown> = {}, route: Record<string, unknown> = {}) {
  return new SecureIntegration(stack, id, {
    owner: 'team@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/${id.toLowerCase()}`, bodySchema: objectSchema, scopes: [`${id.toLowerCase()}.write`], ...route }], ...extra }),
  });
}

describe('deduplication on the sender\'s delivery id', () => {
  test('each scheme\'s routes deduplicate on its delivery id for 3 days, API routes on Idempotency-Key, in one table per platform', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    webhook(stack, 'GitHub', SignatureScheme.githubHmacSha256());
    webhook(stack, 'Stripe', SignatureScheme.stripe());
    webhook(stack, 'Shopify', SignatureScheme.hmacSha256({ header: 'X-Shopify-Hmac-Sha256', encoding: DigestEncoding.BASE64, deliveryIdHeader: 'X-Shopify-Webhook-Id' }));
    webhook(stack, 'Svix', SignatureScheme.standardWebhooks());
    api(stack, 'Orders');
    const synthesized = synthesizePlatform(stack);
    const byPath = Object.fromEntries(synthesized.ingestConfig().routes.map((r) => [r.resourcePath, r.deduplication]));
    const threeDays = 3 * 24 * 3600;
    expect(byPath).toEqual({
      // GitHub and Shopify sign the body only: the id header is recorded, the body's hash names the delivery.
      '/hooks/github': { windowSeconds: threeDays, key: 'body', deliveryId: { header: 'X-GitHub-Delivery' } },
      '/hooks/stripe': { windowSeconds: threeDays, key: 'signed-id', deliveryId: { bodyPointer: '/id' } },
      '/hooks/shopify': { windowSeconds: threeDays, key: 'body', deliveryId: { header: 'X-Shopify-Webhook-Id' } },
      '/hooks/svix': { windowSeconds: threeDays, key: 'signed-id', deliveryId: { header: 'webhook-id' } },
      '/orders': { windowSeconds: threeDays, key: 'client-key', deliveryId: { header: 'Idempotency-Key' } },
    });

    const template = synthesized.template;
    const tables = Object.entries(template.findResources('AWS::DynamoDB::Table')).filter(([, t]) => t.Properties.TimeToLiveSpecification);
    expect(tables).toHaveLength(1); // one for the platform, beside the inventory's
    const [[tableId, table]] = tables;
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^PlatformKey/), 'Arn'] } },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    const ingestId = synthesized.functionWithLayer('ingest');
    expect(synthesized.resolve(ingestId, { env: 'DEDUPLICATION_TABLE_NAME' })).toEqual({ Ref: tableId });
    // The ingest's role may keep ids in that table and nothing more.
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((p) => (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>))
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')) && JSON.stringify(s.Resource).includes(tableId));
    expect(statements).toHaveLength(1);
    expect([statements[0].Action].flat().sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  test('duplicates and deduplication failures are metrics of the integration', () => {
    const orders = api(newStackWithPlatform(), 'Orders');
    expect(orders.metrics.duplicateCount()).toMatchObject({ namespace: 'CdkSecureIntegrations', metricName: 'duplicate_count', dimensions: { Integration: 'Orders' }, statistic: 'Sum' });
    expect(orders.metrics.deduplicationFailures()).toMatchObject({ metricName: 'deduplication_failures', dimensions: { Integration: 'Orders' } });
  });

  test('a window of its own, an id header of its own, or none with a reason', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    webhook(stack, 'Zendesk', SignatureScheme.hmacSha256({ header: 'X-Zendesk-Webhook-Signature', encoding: DigestEncoding.BASE64 }), {
      deduplication: Deduplication.onDeliveryId({ window: Duration.hours(6), idHeader: 'X-Zendesk-Webhook-Invocation-Id' }),
    });
    api(stack, 'Reports', { deduplication: Deduplication.none('the target upserts by report id') });
    const routes = synthesizePlatform(stack).ingestConfig().routes;
    expect(routes.find((r) => r.integration === 'Zendesk')?.deduplication).toEqual({ windowSeconds: 6 * 3600, key: 'body', deliveryId: { header: 'X-Zendesk-Webhook-Invocation-Id' } });
    expect(routes.find((r) => r.integration === 'Reports')?.deduplication).toBeUndefined();
  });

  test('a scheme that names no delivery id (Slack) deduplicates on the body; no table when no route deduplicates', () => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    webhook(stack, 'Slack', SignatureScheme.slack());
    expect(synthesizePlatform(stack).ingestConfig().routes[0].deduplication).toEqual({ windowSeconds: 3 * 24 * 3600, key: 'body' });
    const quiet = newStack();
    new IntegrationPlatform(quiet, 'Platform');
    webhook(quiet, 'Slack', SignatureScheme.slack(), { deduplication: Deduplication.none('the target replies idempotently') });
    synthesizePlatform(quiet).template.resourceCountIs('AWS::DynamoDB::Table', 1); // the inventory's only
  });

  test('an id header of the user\'s own on a signed-id scheme is recorded, but the body names the delivery (the header is not signed)', () => {
    const stack = newStackWithPlatform();
    webhook(stack, 'Stripe', SignatureScheme.stripe(), { deduplication: Deduplication.onDeliveryId({ idHeader: 'X-Request-Id' }) });
    expect(synthesizePlatform(stack).ingestConfig().routes[0].deduplication).toMatchObject({ key: 'body', deliveryId: { header: 'X-Request-Id' } });
  });

  test.each([
    ['a window under a minute', Deduplication.onDeliveryId({ window: Duration.seconds(30) }), 'inbound.deduplication.window'],
    ['a window over 30 days', Deduplication.onDeliveryId({ window: Duration.days(31) }), 'inbound.deduplication.window'],
    ['an id header that is no HTTP token', Deduplication.onDeliveryId({ idHeader: 'X Delivery' }), 'inbound.deduplication.idHeader'],
    ['none without a reason', Deduplication.none(' '), 'inbound.deduplication'],
  ])('%s is a synth error naming the prop', (_what, deduplication, prop) => {
    const stack = newStack();
    new IntegrationPlatform(stack, 'Platform');
    expect(() => api(stack, 'Orders', { deduplication })).toThrow(IntegrationConfigError);
    expect(() => api(newStackWithPlatform(), 'Orders', { deduplication })).toThrow(prop);
  });

});

function newStackWithPlatform(): Stack {
  const stack = newStack();
  new IntegrationPlatform(stack, 'Platform');
  return stack;
}

describe('Lambda targets finish inside the ingest\'s wait', () => {
  const withTimeout = (stack: Stack, seconds?: number) =>
    new lambda.Function(stack, `Fn${seconds}`, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      ...(seconds === undefined ? {} : { timeout: Duration.seconds(seconds) }),
    });

  test.each([60, 120, MAX_LAMBDA_TARGET_TIMEOUT_SECONDS + 1])('a target with a %i s timeout is a synth error naming the fixes', (seconds) => {
    const stack = newStackWithPlatform();
    expect(() => api(stack, 'Orders', {}, { target: Target.lambda(withTimeout(stack, seconds)) })).toThrow(/Target.defaultQueue\(\)[\s\S]*Target.eventBus/);
  });

  test('an alias of a slow function is refused too; 20 s, the 3 s default and an imported function (with a warning) are accepted', () => {
    const stack = newStackWithPlatform();
    const slow = withTimeout(stack, 30);
    expect(() => api(stack, 'Slow', {}, { target: Target.lambda(slow.addAlias('live')) })).toThrow(IntegrationConfigError);
    api(stack, 'Twenty', {}, { target: Target.lambda(withTimeout(stack, MAX_LAMBDA_TARGET_TIMEOUT_SECONDS)) });
    api(stack, 'Default', {}, { target: Target.lambda(withTimeout(stack)) });
    api(stack, 'Imported', {}, { target: Target.lambda(lambda.Function.fromFunctionArn(stack, 'Imp', 'arn:aws:lambda:eu-west-1:111111111111:function:partner-orders')) });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('cannot be read at synth'));
  });
});

describe('bodies and query parameters', () => {
  test('Slack routes accept form-encoded and JSON bodies; other routes JSON only', () => {
    const stack = newStackWithPlatform();
    webhook(stack, 'Slack', SignatureScheme.slack(), { deduplication: Deduplication.none('slash commands carry no id; the target replies idempotently') });
    webhook(stack, 'GitHub', SignatureScheme.githubHmacSha256());
    const routes = synthesizePlatform(stack).ingestConfig().routes;
    expect(routes.find((r) => r.integration === 'Slack')?.bodyFormats).toEqual(['json', 'form']);
    expect(routes.find((r) => r.integration === 'GitHub')?.bodyFormats).toBeUndefined();
  });

  test('only declared query parameters are forwarded; bad declarations are synth errors', () => {
    const stack = newStackWithPlatform();
    api(stack, 'Orders', {}, { queryParameters: ['page', 'since'] });
    webhook(stack, 'GitHub', SignatureScheme.githubHmacSha256());
    const routes = synthesizePlatform(stack).ingestConfig().routes;
    expect(routes.find((r) => r.integration === 'Orders')?.queryParameters).toEqual(['page', 'since']);
    expect(routes.find((r) => r.integration === 'GitHub')?.queryParameters).toBeUndefined();
    for (const bad of [['page', 'page'], ['__proto__'], ['a b'], Array.from({ length: 21 }, (_, i) => `p${i}`), 'page']) {
      expect(() => api(newStackWithPlatform(), 'Orders', {}, { queryParameters: bad })).toThrow(/inbound\.routes\[0\]\.queryParameters/);
    }
  });

  test('piiFields may name query-string parameters as query:<name>; bad names are synth errors naming the fix', () => {
    const stack = newStackWithPlatform();
    new SecureIntegration(stack, 'Leads', {
      owner: 'team@example.com',
      dataClassification: DataClassification.CONFIDENTIAL,
      piiFields: ['email', 'query:customer_email'],
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/leads', bodySchema: objectSchema, scopes: ['leads.write'] }] }),
    });
    expect(synthesizePlatform(stack).ingestConfig().routes[0].piiFields).toEqual(['email', 'query:customer_email']);
    for (const bad of ['query:a.b', 'query:', 'query:__proto__', 'query:x y']) {
      expect(() =>
        new SecureIntegration(newStackWithPlatform(), 'Leads', {
          owner: 'team@example.com',
          dataClassification: DataClassification.CONFIDENTIAL,
          piiFields: [bad],
          inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/leads', bodySchema: objectSchema, scopes: ['leads.write'] }] }),
        }),
      ).toThrow(/query:email/);
    }
  });

  test('the function fixture used elsewhere has the 3 s default timeout and stays accepted', () => {
    const stack = newStackWithPlatform();
    expect(() => api(stack, 'Orders', {}, { target: Target.lambda(testFunction(stack)) })).not.toThrow();
  });
});

describe('IngestFunction.addRoute: a route whose key is the delivery id says where the id is', () => {
  const target = { kind: IngestTargetKind.SQS, address: 'orders' };
  const base = { integration: 'Orders', method: 'POST', resourcePath: '/orders', target };

  test.each([
    ['a client-key route without deliveryId', { windowSeconds: 60, key: DeduplicationKey.CLIENT_KEY }, "IngestFunction.addRoute(POST /orders of Orders): invalid `deduplication.deliveryId` (not set). A 'client-key' route names the header the client sends its key in, for example { header: 'Idempotency-Key' }."],
    ['a client-key route with a body pointer', { windowSeconds: 60, key: DeduplicationKey.CLIENT_KEY, deliveryId: { bodyPointer: '/id' } }, "invalid `deduplication.deliveryId` {\"bodyPointer\":\"/id\"}. A 'client-key' route"],
    ['a signed-id route without deliveryId', { windowSeconds: 60, key: DeduplicationKey.SIGNED_ID }, "invalid `deduplication.deliveryId` (not set). A 'signed-id' route names where its signed delivery id is"],
    ['a signed-id route with an empty deliveryId', { windowSeconds: 60, key: DeduplicationKey.SIGNED_ID, deliveryId: {} }, "invalid `deduplication.deliveryId` {}. A 'signed-id' route"],
  ])('%s is refused at synth (the function would deliver every request without deduplication)', (_what, deduplication, message) => {
    const stack = newStack();
    const platform = new IntegrationPlatform(stack, 'Platform');
    expect(() => platform.ingest.addRoute({ ...base, deduplication } as IngestRouteConfig)).toThrow(message);
    expect(() => platform.ingest.addRoute({ ...base, deduplication } as IngestRouteConfig)).toThrow(IntegrationConfigError);
  });

  test.each([
    ['a client-key route with its header', { windowSeconds: 60, key: DeduplicationKey.CLIENT_KEY, deliveryId: { header: 'Idempotency-Key' } }],
    ['a signed-id route with a header', { windowSeconds: 60, key: DeduplicationKey.SIGNED_ID, deliveryId: { header: 'webhook-id' } }],
    ['a signed-id route with a body pointer', { windowSeconds: 60, key: DeduplicationKey.SIGNED_ID, deliveryId: { bodyPointer: '/id' } }],
    ['a body-keyed route without deliveryId', { windowSeconds: 60, key: DeduplicationKey.BODY }],
  ])('%s is taken', (_what, deduplication) => {
    const stack = newStack();
    const platform = new IntegrationPlatform(stack, 'Platform');
    expect(() => platform.ingest.addRoute({ ...base, deduplication } as IngestRouteConfig)).not.toThrow();
  });
});
