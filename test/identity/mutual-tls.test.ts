// Auth.mutualTls: a REGIONAL custom domain with TLS 1.2 and a pinned truststore, the default
// execute-api endpoint disabled, methods without an authorizer whose client certificate the ingest
// checks, and the truststore bucket's controls.
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Auth, DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, Truststore, unacknowledgedFindings } from '../../lib';
import { objectSchema } from '../helpers';
import { synthesizePlatform } from '../support/config-layers';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'mtls');
const CERT_ARN = 'arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';

export function mtlsStack(extra?: (stack: Stack, auth: Auth) => void) {
  const stack = new Stack(new App(), 'Mtls', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  const auth = Auth.mutualTls({
    domainName: 'partners.example.com',
    certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN),
    truststore: Truststore.fromPemFile(join(FIXTURES, 'two-cas.pem')),
    clients: [{ subject: 'CN=orders.partner.example,O=Partner Corp,C=US', issuer: 'CN=Partner Root CA,O=Partner Corp,C=US' }],
  });
  new SecureIntegration(stack, 'Orders', {
    owner: 'orders-team@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, auth }] }),
  });
  extra?.(stack, auth);
  return { stack, template: Template.fromStack(stack) };
}

describe('Auth.mutualTls', () => {
  const { stack, template } = mtlsStack();

  test('zero unacknowledged findings under the five packs', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  test('a REGIONAL domain with TLS_1_2 and the truststore pinned by the version written', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'partners.example.com',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
      RegionalCertificateArn: CERT_ARN,
      MutualTlsAuthentication: {
        TruststoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('Truststore') }, '/truststore.pem']] },
        TruststoreVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('TruststoreObject'), 'VersionId'] },
      },
    });
  });
});

describe('Auth.mutualTls: the API has no other way in', () => {
  const { template } = mtlsStack();

  test('the default execute-api endpoint is disabled and the whole stage is mapped at the domain root', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
      DomainName: { Ref: Match.stringLikeRegexp('MutualTls') },
      RestApiId: { Ref: Match.stringLikeRegexp('Api') },
      Stage: { Ref: Match.stringLikeRegexp('DeploymentStage') },
      BasePath: 'v1',
    });
  });

  test('the route has no authorizer (the certificate is checked by the domain and the ingest), and the ingest admits only its subjects', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'NONE', OperationName: Match.stringLikeRegexp('^Orders-POST') });
    const { ingestConfig } = synthesizePlatform(mtlsStack().stack);
    expect(ingestConfig().routes).toEqual([expect.objectContaining({ integration: 'Orders', resourcePath: '/orders', clientCertificate: { clients: [{ subject: 'C=US,CN=orders.partner.example,O=Partner Corp', issuer: 'C=US,CN=Partner Root CA,O=Partner Corp' }] } })]);
  });

  test('the access log records the client certificate', () => {
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toEqual(expect.objectContaining({ clientCertSubject: '$context.identity.clientCert.subjectDN', clientCertSerial: '$context.identity.clientCert.serialNumber', domainName: '$context.domainName' }));
  });

  test('the truststore bucket: platform key, versioned, TLS-only, public access blocked, access-logged under a bucket policy', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    const [storeId, store] = Object.entries(buckets).find(([id]) => /MutualTlsTruststore[A-F0-9]{8}$/.test(id))!;
    const [logsId] = Object.entries(buckets).find(([id]) => id.includes('TruststoreAccessLogs'))!;
    expect(store.Properties).toEqual(
      expect.objectContaining({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^PlatformKey/), 'Arn'] } } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'truststore/' },
      }),
    );
    expect(store.DeletionPolicy).toBe('Retain');
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).map((p) => JSON.stringify(p.Properties));
    expect(policies.find((p) => p.includes(`"${storeId}"`))).toContain('aws:SecureTransport');
    const logPolicy = policies.find((p) => p.includes('logging.s3.amazonaws.com'))!;
    expect(logPolicy).toContain('aws:SourceArn');
    expect(logPolicy).toContain('aws:SourceAccount');
  });

  test('the writer may put only the truststore object, and use the key only through S3', () => {
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p) => JSON.stringify(p).includes('s3:PutObject'));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
    expect(statements).toContainEqual(expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/Truststore/), 'Arn'] }, '/truststore.pem']] } }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'kms:GenerateDataKey', Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } } }));
  });

  test('the domain has an output to point DNS at', () => {
    expect(Object.values(template.findOutputs('*')).some((o) => JSON.stringify(o.Value).includes('RegionalDomainName'))).toBe(true);
  });
});
