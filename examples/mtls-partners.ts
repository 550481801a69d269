// A platform for partners that authenticate with client certificates: two distributors whose CAs
// share the truststore, each admitted only to its own route by subject and issuing CA.
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Auth, DataClassification, HttpMethod, Inbound, SecureIntegration, Truststore } from '../lib';

export function mtlsPartners(app: App): Stack {
  const stack = new Stack(app, 'DistributorPartners');
  const certificate = new acm.Certificate(stack, 'Certificate', { domainName: 'distributors.example.com', validation: acm.CertificateValidation.fromDns() });
  const domain = { domainName: 'distributors.example.com', certificate, truststore: Truststore.fromPemFile(join(__dirname, 'certs', 'distributors-ca.pem')) };
  const issuer = 'CN=Distributor Network Root CA,O=Distributor Network,C=US';
  const stock = { type: 'object', required: ['sku', 'quantity'], properties: { sku: { type: 'string', maxLength: 40 }, quantity: { type: 'integer', minimum: 0 } } };
  for (const [name, subject] of [['NorthDistributor', 'CN=edi.north.example,O=North,C=US'], ['SouthDistributor', 'CN=edi.south.example,O=South,C=US']]) {
    new SecureIntegration(stack, name, {
      owner: 'supply-chain@example.com',
      dataClassification: DataClassification.INTERNAL,
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/${name.toLowerCase()}/stock`, bodySchema: stock, auth: Auth.mutualTls({ ...domain, clients: [{ subject, issuer }] }) }] }),
    });
  }
  return stack;
}
