// A policy audit of the example app as synthesized, with the IAM policy evaluator: every role the
// library creates is asked what it may do. No action is a wildcard; a `*` resource only for actions
// that take no resource; wildcard ARNs only where the list below says why; and no role can touch
// another integration's queue, secret or encryption context.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addExampleStacks } from '../../bin/example-app';
import { evaluate, fakeArnOf, identityPolicyOfRole, type PolicyStatement, type TemplateJson } from '../support/iam-policy-evaluator';

const example = addExampleStacks(new App(), { mainId: 'Example', mtlsId: 'ExampleMtls' });
const json = Template.fromStack(example.main).toJSON() as TemplateJson;
const mtlsJson = Template.fromStack(example.mtls).toJSON() as TemplateJson;
const rolesOf = (template: TemplateJson) => Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([id]) => id);
const policiesOf = (template: TemplateJson) => new Map<string, PolicyStatement[]>(rolesOf(template).map((id) => [id, identityPolicyOfRole(template, id)]));
const roles = rolesOf(json);
const policies = policiesOf(json);
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string]);

/** Actions AWS authorizes on no resource: `Resource: "*"` is the only form. */
const RESOURCELESS_ACTIONS = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'secretsmanager:GetRandomPassword']);

/** Wildcard ARNs a role may hold, and why. */
const WILDCARD_ARNS: Array<{ pattern: RegExp; why: string }> = [
  { pattern: /:log-group:[A-Za-z0-9]+Logs[A-Za-z0-9]+:\*$/, why: 'the streams of the function\'s own log group (CreateLogStream names a stream not known before)' },
  { pattern: /:secret:integrations\/[A-Za-z0-9-]+\/\*$/, why: 'the rotation function: the platform\'s credentials by name prefix (one ARN each would outgrow 6,144 characters)' },
  { pattern: /:secret:integrations\/\*$/, why: 'the rotation function describes partner-held secrets the library names' },
  { pattern: /:log-group:\*(:log-stream:\*)?$/, why: 'API Gateway\'s account-level logging role writes the execution log groups API Gateway names itself' },
];

const resourceOf = (prefix: string, exclude?: string) =>
  Object.keys(json.Resources).find((id) => id.startsWith(prefix) && (exclude === undefined || !id.includes(exclude)) && json.Resources[id].Type !== 'AWS::SQS::QueuePolicy')!;

/** The roles the evaluator allows `action` on `resource` (same account, identity policies), with a context. */
function allowed(action: string, resource: string, context: Record<string, string> = {}): string[] {
  return roles.filter((id) => evaluate({ principal: { arn: fakeArnOf(json, id) }, action, resource, context }, { identity: policies.get(id)! }) === 'Allow');
}

describe.each([
  ['main platform', policies],
  ['mutual TLS platform', policiesOf(mtlsJson)],
])('least privilege, proved over the example app: %s', (_name, policies) => {
  test('no statement allows a wildcard action', () => {
    for (const [role, statements] of policies) {
      for (const s of statements) {
        expect(s.NotAction).toBeUndefined();
        for (const a of list(s.Action)) expect({ role, action: a }).toEqual({ role, action: expect.not.stringMatching(/(^\*$|:\*$)/) });
      }
    }
  });

  test('a "*" resource only for actions that take no resource, and wildcard ARNs only where the list says why', () => {
    for (const [role, statements] of policies) {
      for (const s of statements.filter((x) => x.Effect === 'Allow')) {
        expect(s.NotResource).toBeUndefined();
        for (const r of list(s.Resource)) {
          if (r === '*') {
            for (const a of list(s.Action)) expect({ role, action: a, resourceless: RESOURCELESS_ACTIONS.has(a) }).toEqual({ role, action: a, resourceless: true });
          } else if (r.includes('*')) {
            expect({ role, resource: r, explained: WILDCARD_ARNS.some((w) => w.pattern.test(r)) }).toEqual({ role, resource: r, explained: true });
          }
        }
      }
    }
  });

});

describe('least privilege, proved over the example app: integrations of the main platform', () => {
  test('only the ingest function sends to an integration\'s queue', () => {
    const ingest = roles.filter((id) => id.startsWith('PlatformIngestFunctionRole'));
    for (const integration of ['CrmContacts', 'BillingEvents', 'GitHubEvents']) {
      const queue = fakeArnOf(json, resourceOf(`${integration}Queue`, 'DeadLetter'));
      expect({ integration, senders: allowed('sqs:SendMessage', queue, { 'aws:SecureTransport': 'true' }) }).toEqual({ integration, senders: ingest });
    }
  });

  test('an integration\'s signing secret is read by the ingest that verifies it alone; the rotation function only describes it (its age)', () => {
    const secret = fakeArnOf(json, resourceOf('GitHubEventsSigningSecret'));
    expect(allowed('secretsmanager:GetSecretValue', secret)).toEqual(roles.filter((id) => id.startsWith('PlatformIngestFunctionRole')));
    expect(allowed('secretsmanager:DescribeSecret', secret)).toEqual(roles.filter((id) => id.startsWith('PlatformRotationFunctionRole')));
    expect(allowed('secretsmanager:PutSecretValue', secret)).toEqual([]);
  });

  test('data keys in an integration\'s encryption context only for the ingest that encrypts its fields, and only for integrations that declare PII', () => {
    const key = fakeArnOf(json, resourceOf('PlatformKey'));
    const generate = (integration: string) => allowed('kms:GenerateDataKey', key, { 'kms:EncryptionContext:integration': integration });
    expect(generate('CrmContacts')).toEqual(roles.filter((id) => id.startsWith('PlatformIngestFunctionRole')));
    expect(generate('GitHubEvents')).toEqual(roles.filter((id) => id.startsWith('PlatformIngestFunctionRole')));
    // BillingEvents declares no PII: nobody may generate data keys in its context.
    expect(generate('BillingEvents')).toEqual([]);
  });
});

describe('least privilege, proved over the example app: the mutual TLS truststore', () => {
  const mtlsRoles = rolesOf(mtlsJson);
  const mtlsPolicies = policiesOf(mtlsJson);
  const can = (action: string, resource: string, context: Record<string, string> = {}) =>
    mtlsRoles.filter((id) => evaluate({ principal: { arn: fakeArnOf(mtlsJson, id) }, action, resource, context }, { identity: mtlsPolicies.get(id)! }) === 'Allow');
  const bucketId = Object.keys(mtlsJson.Resources).find((id) => /MutualTlsTruststore[A-F0-9]{8}$/.test(id) && mtlsJson.Resources[id].Type === 'AWS::S3::Bucket')!;
  const writer = mtlsRoles.filter((id) => id.includes('TruststoreWriter'));

  test('only the truststore writer puts the truststore, and only that object', () => {
    expect(writer).toHaveLength(1);
    expect(can('s3:PutObject', `${fakeArnOf(mtlsJson, bucketId)}/truststore.pem`)).toEqual(writer);
    expect(can('s3:PutObject', `${fakeArnOf(mtlsJson, bucketId)}/other.pem`)).toEqual([]);
    expect(can('s3:DeleteObject', `${fakeArnOf(mtlsJson, bucketId)}/truststore.pem`)).toEqual([]);
    expect(can('s3:PutBucketPolicy', fakeArnOf(mtlsJson, bucketId))).toEqual([]);
  });

  test('through S3, only the writer may use the platform key, and only to encrypt', () => {
    const key = fakeArnOf(mtlsJson, Object.keys(mtlsJson.Resources).find((id) => id.startsWith('PlatformKey') && mtlsJson.Resources[id].Type === 'AWS::KMS::Key')!);
    const viaS3 = { 'kms:ViaService': 's3.us-east-1.amazonaws.com' };
    expect(can('kms:GenerateDataKey', key, viaS3)).toEqual(writer);
    expect(can('kms:Decrypt', key, viaS3)).toEqual([]);
    // Outside S3, the writer holds only what every library function holds: its dead-letter queue's data keys.
    expect(can('kms:GenerateDataKey', key, { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' })).not.toContain(writer[0]);
    expect(can('kms:GenerateDataKey', key, { 'kms:EncryptionContext:integration': 'DealerContacts' })).not.toContain(writer[0]);
  });
});
