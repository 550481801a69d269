import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';
import { Auth, DataClassification, HttpMethod, Inbound, IntegrationPlatform, SecureIntegration, Truststore } from '../lib';
import { contactUpdateSchema } from './example-schemas';

/** The dealer network's CA certificate, from source (bin/) or from the compiled app (dist/bin/). */
function dealerCaFile(): string {
  const candidates = [join(__dirname, 'certs', 'dealer-network-ca.pem'), join(__dirname, '..', '..', 'bin', 'certs', 'dealer-network-ca.pem')];
  return candidates.find((f) => existsSync(f)) ?? candidates[0];
}

/**
 * The example's mutual TLS platform, in a stack of its own: a platform whose API requires client
 * certificates is reachable only through its mTLS domain, so its webhooks (whose senders present
 * no certificate) stay on the main platform.
 */
export class PartnerMtlsStack extends Stack {
  public readonly platform: IntegrationPlatform;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.platform = new IntegrationPlatform(this, 'Platform', { stageName: 'v1' });

    // The domain's certificate; the deploy waits until its DNS validation record exists
    // (pass a hosted zone to acm.CertificateValidation.fromDns to have CDK write it).
    const certificate = new acm.Certificate(this, 'DealerApiCertificate', {
      domainName: 'dealers.example.com',
      validation: acm.CertificateValidation.fromDns(),
    });

    // A dealer network's CRM pushes contact updates (CONFIDENTIAL) and authenticates with client
    // certificates its own CA issues; only the dealer CRM's certificate may call this route.
    new SecureIntegration(this, 'DealerContacts', {
      owner: 'dealer-platform@example.com',
      dataClassification: DataClassification.CONFIDENTIAL,
      description: 'Dealer CRM pushes contact updates over mutual TLS',
      piiFields: ['contact.name', 'contact.email', 'contact.phone'],
      inbound: Inbound.api({
        routes: [
          {
            method: HttpMethod.POST,
            path: '/dealers/contacts',
            bodySchema: contactUpdateSchema,
            auth: Auth.mutualTls({
              domainName: 'dealers.example.com',
              certificate,
              truststore: Truststore.fromPemFile(dealerCaFile()),
              clients: [{ subject: 'CN=crm.dealer-network.example,O=Dealer Network,C=US', issuer: 'CN=Dealer Network Root CA,O=Dealer Network,C=US' }],
            }),
          },
        ],
      }),
    });
  }
}
