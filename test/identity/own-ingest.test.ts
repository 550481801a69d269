// A RESTRICTED integration's routes pass through an ingest function and role of its own, so that
// the ingest role the other integrations share can touch none of its data: judged with the IAM
// policy evaluator over each role's identity policy as synthesized.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataClassification, Inbound, IntegrationPlatform, SecureIntegration, SignatureScheme, unacknowledgedFindings } from '../../lib';
import { objectSchema } from '../helpers';
import { evaluate, fakeArnOf, identityPolicyOfRole, type TemplateJson } from '../support/iam-policy-evaluator';

function build(restrictedOwnIngest?: boolean) {
  const stack = new Stack(new App(), 'Own', { env: { account: '123456789012', region: 'us-east-1' } });
  new IntegrationPlatform(stack, 'Platform');
  const webhook = (id: string, dataClassification: DataClassification, path: string, ownIngest?: boolean) =>
    new SecureIntegration(stack, id, {
      owner: 'team@example.com',
      dataClassification,
      piiFields: dataClassification === DataClassification.INTERNAL ? undefined : ['email'],
      ...(ownIngest === undefined ? {} : { ownIngest }),
      inbound: Inbound.webhook({ path, bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256(), signingSecretWriters: [] }),
    });
  webhook('Payments', DataClassification.RESTRICTED, '/hooks/payments', restrictedOwnIngest);
  webhook('Tickets', DataClassification.INTERNAL, '/hooks/tickets');
  return { stack, template: Template.fromStack(stack) };
}

const idOf = (template: Template, type: string, prefix: string) => Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));

describe('a RESTRICTED integration', () => {
  const { stack, template } = build();
  const json = template.toJSON() as TemplateJson;
  const sharedRole = idOf(template, 'AWS::IAM::Role', 'PlatformIngestFunctionRole')[0];
  const ownRole = idOf(template, 'AWS::IAM::Role', 'PaymentsIngestFunctionRole')[0];
  const can = (roleId: string, action: string, resource: string) =>
    evaluate({ principal: { arn: fakeArnOf(json, roleId) }, action, resource }, { identity: identityPolicyOfRole(json, roleId) });

  test('has an ingest function and role of its own, which its route invokes', () => {
    expect(sharedRole).toBeDefined();
    expect(ownRole).toBeDefined();
    const ownFunction = idOf(template, 'AWS::Lambda::Function', 'PaymentsIngestFunction')[0];
    const method = Object.values(template.findResources('AWS::ApiGateway::Method')).find((m) => JSON.stringify(m.Properties.OperationName).includes('Payments'))!;
    expect(JSON.stringify(method.Properties.Integration.Uri)).toContain(ownFunction);
  });

  test('the shared ingest role cannot read its signing secret or send to its queue; its own role can, and only its own', () => {
    const paymentsSecret = fakeArnOf(json, idOf(template, 'AWS::SecretsManager::Secret', 'PaymentsSigningSecret')[0]);
    const ticketsSecret = fakeArnOf(json, idOf(template, 'AWS::SecretsManager::Secret', 'TicketsSigningSecret')[0]);
    const paymentsQueue = fakeArnOf(json, idOf(template, 'AWS::SQS::Queue', 'PaymentsQueue').find((id) => !id.includes('DeadLetter'))!);
    expect(can(sharedRole, 'secretsmanager:GetSecretValue', paymentsSecret)).toBe('ImplicitDeny');
    expect(can(sharedRole, 'sqs:SendMessage', paymentsQueue)).toBe('ImplicitDeny');
    expect(can(sharedRole, 'secretsmanager:GetSecretValue', ticketsSecret)).toBe('Allow');
    expect(can(ownRole, 'secretsmanager:GetSecretValue', paymentsSecret)).toBe('Allow');
    expect(can(ownRole, 'sqs:SendMessage', paymentsQueue)).toBe('Allow');
    expect(can(ownRole, 'secretsmanager:GetSecretValue', ticketsSecret)).toBe('ImplicitDeny');
  });

  test('the shared ingest role cannot generate data keys in its encryption context', () => {
    const key = fakeArnOf(json, idOf(template, 'AWS::KMS::Key', 'PlatformKey')[0]);
    const generate = (roleId: string, integration: string) =>
      evaluate(
        { principal: { arn: fakeArnOf(json, roleId) }, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:EncryptionContext:integration': integration } },
        { identity: identityPolicyOfRole(json, roleId) },
      );
    expect(generate(sharedRole, 'Payments')).toBe('ImplicitDeny');
    expect(generate(ownRole, 'Payments')).toBe('Allow');
  });

  test('reserves 10 executions by default and the five packs report nothing', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f) => JSON.stringify(f.Properties.Role).includes('PaymentsIngest'))!;
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(10);
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

test('ownIngest: false keeps a RESTRICTED integration on the shared ingest; without RESTRICTED data there is one ingest', () => {
  const { template } = build(false);
  expect(idOf(template, 'AWS::IAM::Role', 'PaymentsIngest')).toEqual([]);
  expect(Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) => id.includes('IngestFunction'))).toHaveLength(1);
});

test('own ingests count against the account\'s 900 reservable executions like every function of the app', () => {
  const stack = new Stack(new App(), 'Many', { env: { account: '123456789012', region: 'us-east-1' } });
  new IntegrationPlatform(stack, 'Platform', { ownIngestReservedConcurrency: 895 });
  new SecureIntegration(stack, 'Payments', {
    owner: 'team@example.com',
    dataClassification: DataClassification.RESTRICTED,
    piiFields: ['email'],
    inbound: Inbound.webhook({ path: '/hooks/payments', bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256(), signingSecretWriters: [] }),
  });
  expect(() => App.of(stack)!.synth()).toThrow(/reserves 905 concurrent executions[\s\S]*at most 900/);
});
