// Regressions from the review of Outbound.api (commits 1e0c5ca to 2349de4): each finding of the
// attack, fixed in the commit that added this file, stays a test. Synth only: fast, no AWS.
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  HttpMethod,
  Inbound,
  DataClassification,
  IntegrationPlatform,
  Outbound,
  OutboundAuth,
  OutboundPiiMode,
  SecureIntegration,
  type ApiOutboundOptions,
  checkEndpoint,
} from '../../lib';
import { totalRetrySeconds } from '../../lambda/outbound/backoff';
import { newStack } from '../helpers';

type Statement = { Action: string | string[]; Resource?: unknown; Condition?: Record<string, Record<string, unknown>> };
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Two tenants on one platform: A signs its calls (direct), B goes through an API destination and decrypts its PII fields for its partner. */
function twoTenants(extraA: Partial<ApiOutboundOptions> = {}) {
  const stack = newStack();
  const platform = new IntegrationPlatform(stack, 'Platform');
  const a = new SecureIntegration(stack, 'TenantA', {
    owner: 'a@example.com',
    dataClassification: DataClassification.INTERNAL,
    piiFields: [],
    outbound: Outbound.api({ endpoint: 'https://hooks.a.example/in', auth: OutboundAuth.hmacSha256(), ...extraA } as ApiOutboundOptions),
  });
  const b = new SecureIntegration(stack, 'TenantB', {
    owner: 'b@example.com',
    dataClassification: DataClassification.CONFIDENTIAL,
    piiFields: ['billTo.email'],
    // An inbound side whose ingest encrypts billTo.email: what DECRYPT then opens for B's partner.
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/b/invoices', scopes: ['b.write'], bodySchema: { type: 'object', properties: { billTo: { type: 'object', properties: { email: { type: 'string' } } } } } }] }),
    outbound: Outbound.api({
      endpoint: 'https://api.b.example/v2/invoices',
      auth: OutboundAuth.apiKey({ header: 'x-api-key', value: secretsmanager.Secret.fromSecretNameV2(stack, 'BKey', 'partners/b/key') }),
      pii: OutboundPiiMode.DECRYPT,
    }),
  });
  const template = Template.fromStack(stack);
  return { stack, platform, a, b, template, resources: template.toJSON().Resources as Resources };
}

/** The statements of the sender role's policies of an integration (its managed policy and any inline one). */
function senderStatements(resources: Resources, integration: string): Statement[] {
  return Object.entries(resources)
    .filter(([id, r]) => (r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy') && id.startsWith(`${integration}Sender`))
    .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (s: Statement) => [s.Action].flat();

describe('finding: a sender role may decrypt anything under the platform key', () => {
  const { resources, stack } = twoTenants();
  const keyArn = Stack.of(stack).resolve((stack.node.findChild('Platform') as IntegrationPlatform).encryptionKey.keyArn);

  test.each(['TenantA', 'TenantB'])('%s sender: every kms statement on the platform key is scoped (kms:ViaService, or the encryption context of its own integration)', (integration) => {
    const loose = senderStatements(resources, integration).filter(
      (s) =>
        actionsOf(s).some((a) => a.startsWith('kms:')) &&
        JSON.stringify(s.Resource) === JSON.stringify(keyArn) &&
        !(s.Condition?.StringEquals?.['kms:ViaService'] || s.Condition?.StringEquals?.['kms:EncryptionContext:integration'] === integration),
    );
    // SqsEventSource's bind calls queue.grantConsumeMessages(fn), which adds the queue key's
    // grantDecrypt: kms:Decrypt on the platform key without any condition. With it, TenantA's sender
    // decrypts TenantB's PII fields (encryption context { integration: 'TenantB', ... }) and anything
    // else under the platform key.
    expect(loose).toEqual([]);
  });
});

describe('finding: records outlive the queue they wait in', () => {
  test('a maxAttempts whose retries outlast the outbound queue\'s 4-day retention is refused at synth (the records would expire, never reaching the dead-letter queue)', () => {
    // 200 tries take this long with the sender's backoff (30 s doubling to 1 hour):
    expect(totalRetrySeconds(200)).toBeGreaterThan(Duration.days(4).toSeconds());
    expect(() => twoTenants({ maxAttempts: 200 })).toThrow(/maxAttempts/);
  });
});

describe('finding: failures no alarm reaches a person for', () => {
  const { template, resources } = twoTenants();

  test('the CMK-encrypted outbound bus has a dead-letter queue (AWS: events with a non-retriable KMS error on the bus are otherwise dropped, after PutEvents succeeded)', () => {
    const [bus] = Object.values(template.findResources('AWS::Events::EventBus', { Properties: { Name: 'TestStack-integrations-outbound' } }));
    expect(bus.Properties.KmsKeyIdentifier).toBeDefined();
    expect(bus.Properties.DeadLetterConfig).toEqual({ Arn: expect.anything() });
  });

  test("a connection EventBridge de-authorizes (one 401 for an API key, a failed token refresh, a KMS error) pages: a rule on EventBridge's connection events for TenantB's connection", () => {
    const connectionId = Object.keys(template.findResources('AWS::Events::Connection')).find((id) => id.startsWith('TenantB'))!;
    const watching = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties.EventPattern ?? {}).includes('aws.events') && JSON.stringify(r.Properties.EventPattern).includes(connectionId),
    );
    expect(watching).toHaveLength(1);
  });

  test.each(['TenantA', 'TenantB'])("%s sender: an alarm on the function's own Errors and Throttles (a crash at cold start never runs the handler, so no sender signal says so)", (integration) => {
    const senderId = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith(`${integration}Sender`))!;
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => {
      const text = JSON.stringify(a.Properties);
      return text.includes('"Errors"') && text.includes(senderId);
    });
    expect(alarms.length).toBeGreaterThanOrEqual(1);
  });
});

describe('finding: deploy succeeds, the calls never work', () => {
  test('mutual TLS: the sender may read the client certificate secret by its real ARN (a secret imported by name has a partial ARN, which IAM must match with -??????)', () => {
    const stack = newStack();
    const platform = new IntegrationPlatform(stack, 'Platform');
    const clientCertificate = secretsmanager.Secret.fromSecretNameV2(stack, 'ClientCert', 'partners/m/client-certificate');
    new SecureIntegration(stack, 'Mtls', {
      platform,
      owner: 'm@example.com',
      dataClassification: DataClassification.INTERNAL,
      piiFields: [],
      outbound: Outbound.api({ endpoint: 'https://mtls.partner.example/in', auth: OutboundAuth.mutualTls({ clientCertificate }) }),
    });
    const statement = senderStatements(Template.fromStack(stack).toJSON().Resources as Resources, 'Mtls').find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))!;
    // The secret's ARN is arn:...:secret:partners/m/client-certificate-AbCdEf; the grant names
    // arn:...:secret:partners/m/client-certificate, which matches no secret: AccessDenied on every call.
    expect(JSON.stringify(Stack.of(stack).resolve(statement.Resource))).toContain('partners/m/client-certificate-??????');
  });

  test('allowPrivateEndpoint is refused for an API destination: EventBridge calls from its own public addresses and cannot reach a partner over your VPN', () => {
    expect(() => {
      const stack = newStack();
      new IntegrationPlatform(stack, 'Platform');
      new SecureIntegration(stack, 'Vpn', {
        owner: 'v@example.com',
        dataClassification: DataClassification.INTERNAL,
        piiFields: [],
        outbound: Outbound.api({
          endpoint: 'https://10.20.30.40/in',
          allowPrivateEndpoint: true,
          auth: OutboundAuth.apiKey({ header: 'x-api-key', value: secretsmanager.Secret.fromSecretNameV2(stack, 'K', 'partners/v/key') }),
        }),
      });
    }).toThrow(/allowPrivateEndpoint/);
  });
});

describe('finding: endpoint checks with holes', () => {
  test.each(['https://localhost./hook', 'https://erp.corp.internal./hook', 'https://printer.local./hook'])('%s (a fully qualified private name, trailing dot) is refused', (endpoint) => {
    expect(() => checkEndpoint('X', 'outbound.endpoint', endpoint, false)).toThrow(/private/);
  });

  test('the instance metadata service as an IPv4-mapped IPv6 address is refused even with allowPrivateEndpoint (README: "never the instance metadata service")', () => {
    expect(() => checkEndpoint('X', 'outbound.endpoint', 'https://[::ffff:169.254.169.254]/latest/meta-data', true)).toThrow(/metadata/);
  });
});
