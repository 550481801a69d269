// Outbound.api: the resources of each auth kind, what AWS needs of them, and the compliance packs.
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  DataClassification,
  IntegrationFunction,
  IntegrationPlatform,
  Outbound,
  OutboundAuth,
  OutboundPiiMode,
  SecureIntegration,
  buildInventoryRecord,
  unacknowledgedFindings,
} from '../../lib';
import { newStack } from '../helpers';

const invoiceSchema = { type: 'object', required: ['invoiceId'], properties: { invoiceId: { type: 'string' }, customer: { type: 'object', properties: { email: { type: 'string' } } } } };

function outboundStack(auth: (stack: ReturnType<typeof newStack>) => OutboundAuth, extra: Partial<Parameters<typeof Outbound.api>[0]> = {}) {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform', { runbookUrl: 'https://wiki.example.com/runbooks/integrations' });
  const producer = new IntegrationFunction(stack, 'Producer', { code: lambda.Code.fromInline('exports.handler = async () => {}'), handler: 'index.handler' });
  const integration = new SecureIntegration(stack, 'PartnerInvoices', {
    platform,
    owner: 'billing@example.com',
    dataClassification: DataClassification.CONFIDENTIAL,
    piiFields: ['customer.email'],
    outbound: Outbound.api({ endpoint: 'https://api.partner.example/v1/invoices', auth: auth(stack), payloadSchema: invoiceSchema, pii: OutboundPiiMode.ENCRYPT, ...extra }),
  });
  integration.grantSendOutbound(producer);
  return { stack, platform, integration, producer, template: Template.fromStack(stack) };
}

const oauth = (stack: ReturnType<typeof newStack>) =>
  OutboundAuth.oauth2ClientCredentials({
    tokenEndpoint: 'https://auth.partner.example/oauth2/token',
    clientId: 'our-client',
    clientSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'PartnerClientSecret', 'partner/invoices/client-secret'),
    scopes: ['invoices.write'],
  });

describe('an API destination with OAuth 2.0 client credentials', () => {
  const { stack, integration, template } = outboundStack(oauth);

  test('the connection holds the credential on the platform key, which carries the tag EventBridge requires', () => {
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      AuthParameters: {
        OAuthParameters: Match.objectLike({ AuthorizationEndpoint: 'https://auth.partner.example/oauth2/token', HttpMethod: 'POST', ClientParameters: Match.objectLike({ ClientID: 'our-client' }) }),
      },
      KmsKeyIdentifier: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::KMS::Key', { Tags: Match.arrayWith([{ Key: 'EventBridgeApiDestinations', Value: 'true' }]) });
  });

  test('the destination is the endpoint, paced, and its rule retries 24 hours into the dead-letter queue with the trace headers', () => {
    template.hasResourceProperties('AWS::Events::ApiDestination', { InvocationEndpoint: 'https://api.partner.example/v1/invoices', HttpMethod: 'POST', InvocationRateLimitPerSecond: 10 });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['cdk-secure-integrations.outbound'], 'detail-type': ['PartnerInvoices'] },
      Targets: [
        Match.objectLike({
          InputPath: '$.detail.payload',
          HttpParameters: { HeaderParameters: { traceparent: '$.detail.traceparent', 'Idempotency-Key': '$.detail.idempotencyKey' } },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'TestStack-integrations-outbound', KmsKeyIdentifier: Match.anyValue() });
  });

  test("the sender may put on the outbound bus only its own integration's events", () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'events:PutEvents', Condition: { StringEquals: { 'events:source': 'cdk-secure-integrations.outbound', 'events:detail-type': 'PartnerInvoices' } } }),
        ]),
      },
    });
    const unconditioned = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Condition?: unknown }> } } }).Properties.PolicyDocument.Statement)
      .filter((st) => [st.Action].flat().includes('events:PutEvents') && !st.Condition);
    expect(unconditioned).toEqual([]);
  });

  test('alarms: queue backlog and dead letters, lost and retrying deliveries', () => {
    expect(integration.alarms.length).toBeGreaterThanOrEqual(4);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'TestStack-integrations-PartnerInvoices-outbound-lost', MetricName: 'InvocationsFailedToBeSentToDlq', Namespace: 'AWS/Events' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'TestStack-integrations-PartnerInvoices-outbound-retrying', MetricName: 'RetryInvocationAttempts' });
  });

  test('the inventory records the partner host, the auth method, the egress and the connection credential', () => {
    const record = buildInventoryRecord(integration.inventorySource(), { deployTime: false });
    expect(record.outbound).toEqual({ endpoint: 'https://api.partner.example/v1/invoices', host: 'api.partner.example', auth: 'oauth2-client-credentials', mode: 'api-destination', egress: expect.stringContaining('EventBridge') });
    expect(record.credentials.map((c) => c.name)).toContain('outbound-partner-credential');
  });

  test('passes the six compliance packs', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

describe('a signed call through the sender (Standard Webhooks)', () => {
  const { stack, integration, template } = outboundStack(() => OutboundAuth.standardWebhooks(), { timeout: Duration.seconds(20) });

  test('the signing secret is a rotated whsec_ credential the sender reads', () => {
    expect(Object.keys(integration.credentials)).toContain('outbound-signing-secret');
    expect(integration.credentials['outbound-signing-secret'].strategy).toContain('whsec');
  });

  test('the sender consumes the queue with partial batch failures, and the SLO alarms watch its signals', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 5, ScalingConfig: { MaximumConcurrency: 2 } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('PartnerInvoices-slo') });
    template.resourceCountIs('AWS::Events::ApiDestination', 0);
  });

  test('passes the six compliance packs', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

describe('mutual TLS through the sender', () => {
  const { stack, integration, template } = outboundStack((s) => OutboundAuth.mutualTls({ clientCertificate: secretsmanager.Secret.fromSecretNameV2(s, 'ClientCert', 'partners/invoices/client-certificate') }));

  test('no connection; the sender may read the certificate secret and nothing else of Secrets Manager', () => {
    template.resourceCountIs('AWS::Events::Connection', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('secret:partners/invoices/client-certificate')])]) }) })]) },
    });
    expect(Object.keys(integration.credentials)).not.toContain('outbound-signing-secret');
  });

  test('the inventory lists the client certificate and the auth as mutual-tls', () => {
    const record = buildInventoryRecord(integration.inventorySource(), { deployTime: false });
    expect(record.outbound?.auth).toBe('mutual-tls');
    expect(record.credentials.map((c) => c.name)).toContain('outbound-client-certificate');
  });

  test('passes the six compliance packs', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});
