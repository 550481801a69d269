// Auth.mutualTls bad input and the platform rules it brings: synth-time errors naming the prop,
// the value and the fix, never a template API Gateway would refuse or a route another partner reaches.
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Auth, DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, SignatureScheme, Truststore, type MutualTlsAuthProps } from '../../lib';
import { objectSchema } from '../helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'mtls');
const CERT_ARN = 'arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';

function stackWithPlatform() {
  const stack = new Stack(new App(), 'Mtls', { env: { account: '111111111111', region: 'eu-west-1' } });
  new IntegrationPlatform(stack, 'Platform');
  return stack;
}

function props(stack: Stack, overrides: Partial<MutualTlsAuthProps> = {}): MutualTlsAuthProps {
  return {
    domainName: 'partners.example.com',
    certificate: acm.Certificate.fromCertificateArn(stack, `Cert${stack.node.children.length}`, CERT_ARN),
    truststore: Truststore.fromPemFile(join(FIXTURES, 'rsa2048-ca.pem')),
    ...overrides,
  };
}

/** A client certificate of the fixture CA (rsa2048-ca.pem), in OpenSSL's slash form for its issuer. */
function client(subject: string) {
  return { subject, issuer: '/C=US/O=Partner Corp/CN=Partner Root CA' };
}

function mtlsIntegration(stack: Stack, name: string, auth: Auth, path = `/${name.toLowerCase()}`) {
  return new SecureIntegration(stack, name, {
    owner: 'team@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path, bodySchema: objectSchema, auth }] }),
  });
}

function webhook(stack: Stack) {
  return new SecureIntegration(stack, 'Hooks', {
    owner: 'team@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.webhook({ path: '/hooks/github', signature: SignatureScheme.githubHmacSha256(), bodySchema: objectSchema }),
  });
}

describe('Auth.mutualTls bad input', () => {
  const cases: Array<[string, (stack: Stack) => Partial<MutualTlsAuthProps>, RegExp]> = [
    ['an EDGE endpoint', () => ({ endpointType: apigateway.EndpointType.EDGE }), /inbound\.routes\[0\]\.auth\.endpointType.*EDGE.*REGIONAL custom domains only/s],
    ['a PRIVATE endpoint', () => ({ endpointType: apigateway.EndpointType.PRIVATE }), /auth\.endpointType.*PRIVATE.*REGIONAL/s],
    ['a domain name with a scheme', () => ({ domainName: 'https://partners.example.com' }), /auth\.domainName.*https:\/\/partners\.example\.com.*lowercase DNS name/s],
    ['an uppercase domain name', () => ({ domainName: 'Partners.Example.com' }), /auth\.domainName/],
    ['a truststore that is not a file', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'missing.pem')) }), /auth\.truststore.*missing\.pem.*PEM file/s],
    ['a truststore that is not an S3 object (an https URL as key)', (stack) => ({ truststore: Truststore.fromS3Object({ bucket: s3.Bucket.fromBucketName(stack, 'B', 'truststores'), key: 's3://truststores/ca.pem', version: 'v1' }) }), /auth\.truststore\.key.*s3:\/\/truststores\/ca\.pem.*without s3:\/\//s],
    ['an S3 truststore without a version', (stack) => ({ truststore: Truststore.fromS3Object({ bucket: s3.Bucket.fromBucketName(stack, 'B', 'truststores'), key: 'ca.pem', version: '' }) }), /auth\.truststore\.version.*versioned/s],
    ['a truststore holding a client certificate', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'leaf.pem')) }), /orders\.partner\.example\) is not a CA certificate/],
    ['an expired CA', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'expired-ca.pem')) }), /Expired Root CA.*expired on 2021-01-01/s],
    ['an RSA key of 1024 bits', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'rsa1024-ca.pem')) }), /RSA key of 1024 bits.*2048 to 4096/s],
    ['an ECDSA key on P-521', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'ec-p521-ca.pem')) }), /ECDSA key on secp521r1.*P-256 and P-384/s],
    ['a file without certificates', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'make-fixtures.sh')) }), /text outside its certificates/],
    ['a truststore with a private key', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'ca-with-key.pem')) }), /holds a private key: never put a key in a truststore/],
    ['a truststore with text around its certificates', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'bag-attributes.pem')) }), /text outside its certificates \("Bag Attributes/],
    ['a CA listed twice', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'duplicate.pem')) }), /certificate 2 \(.*\) is a copy of certificate 1/],
    ['a SHA-1-signed CA', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'sha1-ca.pem')) }), /SHA-1 Root CA\) is signed with SHA-1 with RSA; API Gateway requires SHA-256/],
    ['an intermediate without its root', () => ({ truststore: Truststore.fromPemFile(join(FIXTURES, 'intermediate-only.pem')) }), /Chain Issuing CA\) was issued by C=US, O=Chain Corp, CN=Chain Root CA, which is not in the file/],
    ['an empty client list', () => ({ clients: [] }), /auth\.clients.*subject and issuer DN/s],
    ['a client subject that is not a DN', () => ({ clients: [{ subject: 'orders.partner.example', issuer: 'CN=Partner Root CA,O=Partner Corp,C=US' }] }), /auth\.clients\[0\]\.subject.*orders\.partner\.example/s],
    ['a client without an issuer', () => ({ clients: [{ subject: 'CN=a' } as never] }), /auth\.clients\[0\]\.issuer/],
    ['a client whose issuer is not a CA of the truststore', () => ({ clients: [{ subject: 'CN=a', issuer: 'CN=Other Root CA,O=Other,C=US' }] }), /auth\.clients\[0\]\.issuer.*CN=Other Root CA.*CAs are: C=US,CN=Partner Root CA,O=Partner Corp/s],
  ];
  test.each(cases)('%s is a synth-time error naming the prop, the value and the fix', (_name, overrides, message) => {
    const stack = stackWithPlatform();
    expect(() => mtlsIntegration(stack, 'Orders', Auth.mutualTls(props(stack, overrides(stack))))).toThrow(message);
  });

  test('OAuth 2.0 scopes on a mutual TLS route are an error', () => {
    const stack = stackWithPlatform();
    expect(
      () =>
        new SecureIntegration(stack, 'Orders', {
          owner: 'team@example.com',
          dataClassification: DataClassification.INTERNAL,
          inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, scopes: ['orders.write'], auth: Auth.mutualTls(props(stack)) }] }),
        }),
    ).toThrow(/scopes.*authorized by the client certificate/s);
  });
});

describe('one mutual TLS domain per platform, shared safely', () => {
  test('a second, different domain on the same platform is an error', () => {
    const stack = stackWithPlatform();
    mtlsIntegration(stack, 'Orders', Auth.mutualTls(props(stack, { clients: [client('CN=a')] })));
    expect(() => mtlsIntegration(stack, 'Invoices', Auth.mutualTls(props(stack, { domainName: 'billing.example.com', clients: [client('CN=b')] })))).toThrow(/already has a mutual TLS domain \(from Orders inbound\.routes\[0\]\)/);
  });

  test('two integrations share the truststore only when every mutual TLS route names its subjects', () => {
    const stack = stackWithPlatform();
    const shared = props(stack);
    mtlsIntegration(stack, 'Orders', Auth.mutualTls(shared));
    expect(() => mtlsIntegration(stack, 'Invoices', Auth.mutualTls({ ...shared, clients: [client('CN=invoices.partner.example')] }))).toThrow(
      /Orders: invalid `inbound\.routes\[0\]\.auth\.clients`.*Orders, Invoices share the platform's truststore/s,
    );
  });

  test('with subjects on both, two integrations share one domain (one domain resource, one truststore)', () => {
    const stack = stackWithPlatform();
    const shared = props(stack);
    mtlsIntegration(stack, 'Orders', Auth.mutualTls({ ...shared, clients: [client('CN=orders.partner.example')] }));
    mtlsIntegration(stack, 'Invoices', Auth.mutualTls({ ...shared, clients: [client('CN=invoices.partner.example')] }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGateway::DomainName', 1);
    template.resourceCountIs('Custom::MutualTlsTruststore', 1);
  });

  test('a webhook and a mutual TLS domain exclude each other, whichever comes first', () => {
    const first = stackWithPlatform();
    webhook(first);
    expect(() => mtlsIntegration(first, 'Orders', Auth.mutualTls(props(first)))).toThrow(/Hooks: .*signature:github.*webhook senders present no client certificate/s);
    const second = stackWithPlatform();
    mtlsIntegration(second, 'Orders', Auth.mutualTls(props(second)));
    expect(() => webhook(second)).toThrow(/Hooks: .*requires mutual TLS \(Orders inbound\.routes\[0\]\)/s);
  });

  test('OAuth 2.0 routes on a mutual TLS platform work through the domain, with a warning', () => {
    const stack = stackWithPlatform();
    mtlsIntegration(stack, 'Orders', Auth.mutualTls(props(stack)));
    new SecureIntegration(stack, 'Crm', {
      owner: 'team@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/crm', bodySchema: objectSchema, scopes: ['crm.write'] }] }),
    });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('OAuth 2.0 and IAM routes \\(Crm inbound\\.routes\\[0\\]\\).*client certificate'));
  });

  test('a truststore from an S3 object of the user is pinned as given, with no bucket or writer of the library', () => {
    const stack = stackWithPlatform();
    const bucket = s3.Bucket.fromBucketName(stack, 'Store', 'org-truststores');
    mtlsIntegration(stack, 'Orders', Auth.mutualTls(props(stack, { truststore: Truststore.fromS3Object({ bucket, key: 'partners/ca.pem', version: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY' }) })));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { MutualTlsAuthentication: { TruststoreUri: 's3://org-truststores/partners/ca.pem', TruststoreVersion: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY' } });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('Custom::MutualTlsTruststore', 0);
  });

  test('an ownership verification certificate (imported or private-CA certificates) is passed to the domain', () => {
    const stack = stackWithPlatform();
    const ownership = acm.Certificate.fromCertificateArn(stack, 'Ownership', 'arn:aws:acm:eu-west-1:111111111111:certificate/99999999-2222-3333-4444-555555555555');
    mtlsIntegration(stack, 'Orders', Auth.mutualTls(props(stack, { ownershipVerificationCertificate: ownership })));
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::DomainName', { OwnershipVerificationCertificateArn: ownership.certificateArn });
  });

  test('a chain (root and issuing CA) is a valid truststore, and a client of the issuing CA is admitted', () => {
    const stack = stackWithPlatform();
    mtlsIntegration(stack, 'Orders', Auth.mutualTls(props(stack, { truststore: Truststore.fromPemFile(join(FIXTURES, 'chain.pem')), clients: [{ subject: 'CN=a', issuer: 'CN=Chain Issuing CA, O=Chain Corp, C=US' }] })));
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::DomainName', 1);
  });

  test('the truststore written is the certificates as checked, nothing else of the file', () => {
    const stack = stackWithPlatform();
    mtlsIntegration(stack, 'Orders', Auth.mutualTls(props(stack, { truststore: Truststore.fromPemFile(join(FIXTURES, 'two-cas.pem')) })));
    const pem = Object.values(Template.fromStack(stack).findResources('Custom::MutualTlsTruststore'))[0].Properties.Pem as string;
    expect(pem.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(pem).not.toMatch(/KEY|Bag/);
  });

  test('the domain maps the stage under its own name, so WAF\'s per-integration path scopes still match, and the disabled execute-api URL is not an output', () => {
    const stack = stackWithPlatform();
    mtlsIntegration(stack, 'Orders', Auth.mutualTls(props(stack)));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { BasePath: 'v1' });
    const outputs = JSON.stringify(template.findOutputs('*'));
    expect(outputs).not.toContain('execute-api');
    expect(outputs).toContain('https://partners.example.com/v1/');
  });

  test('disabling the default endpoint changes the deployment, so the stage is redeployed without it', () => {
    const deploymentId = (withMtls: boolean) => {
      const stack = stackWithPlatform();
      if (withMtls) mtlsIntegration(stack, 'Orders', Auth.mutualTls(props(stack)));
      else {
        new SecureIntegration(stack, 'Orders', {
          owner: 'team@example.com',
          dataClassification: DataClassification.INTERNAL,
          inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/orders', bodySchema: objectSchema, auth: Auth.iam({ accounts: ['222222222222'] }) }] }),
        });
      }
      return Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'))[0];
    };
    expect(deploymentId(true)).not.toEqual(deploymentId(false));
  });
});
