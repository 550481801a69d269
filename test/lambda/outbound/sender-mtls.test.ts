// The outbound sender presenting a client certificate to a partner that requires mutual TLS
// (OutboundAuth.mutualTls): a real HTTPS server on 127.0.0.1 that verifies callers against the
// test CA, the certificate and key in moto Secrets Manager.
import type { Agent } from 'node:https';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { clearClientCertificateCache, clientCertificateFrom, parseClientCertificate } from '../../../lambda/outbound/client-certificate';
import { processBatch, type SenderDependencies } from '../../../lambda/outbound/send';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { makeCertificates, makeClientCertificate, removeCertificates, type TestCertificates, TestPartner, trustingAgent } from '../../support/https-partner';
import { recordingLog } from '../../support/ingest-harness';
import { createQueue, directConfig, eventOf, receiveAll, recordingSignals, type TestQueue } from '../../support/outbound-harness';

describe('the outbound sender over mutual TLS', () => {
  const sqs = new SQSClient(motoClientConfig());
  const secretsManager = new SecretsManagerClient(motoClientConfig());
  let certificates: TestCertificates;
  let agent: Agent;
  let partner: TestPartner;
  let dlq: TestQueue;
  let source: TestQueue;
  let secretArn: string;
  let ours: { cert: string; key: string };
  let other: { cert: string; key: string };

  beforeAll(async () => {
    certificates = makeCertificates();
    agent = trustingAgent(certificates);
    partner = await TestPartner.start(certificates, { requireClientCertificate: true });
    [source, dlq] = await Promise.all([createQueue(sqs, 'mtls-src'), createQueue(sqs, 'mtls-dlq')]);
    ours = makeClientCertificate(certificates, 'acme-integrations');
    other = makeClientCertificate(certificates, 'acme-renewed');
    secretArn = (await secretsManager.send(new CreateSecretCommand({ Name: uniqueName('outbound/client-cert'), SecretString: JSON.stringify({ certificate: ours.cert, privateKey: ours.key }) }))).ARN!;
  });
  afterAll(async () => {
    agent.destroy();
    await partner?.close();
    removeCertificates(certificates);
  });
  beforeEach(async () => {
    partner.reset();
    clearClientCertificateCache();
    await receiveAll(sqs, dlq.url);
  });

  const deps = (extra: Partial<SenderDependencies> = {}): SenderDependencies => ({
    config: directConfig(`${partner.url}/status`, dlq.url, { clientCertificate: { secretArn } }),
    sqs,
    agent,
    clientCertificate: (id) => clientCertificateFrom(secretsManager, id),
    signals: recordingSignals().signals,
    log: recordingLog().log,
    ...extra,
  });
  /** One record on the source queue, as the event source hands it to the sender. */
  const produce = async (): Promise<SQSEvent> => {
    await sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: JSON.stringify({ payload: { orderId: 'PO-7', status: 'shipped' } }) }));
    return eventOf(sqs, source);
  };

  test('the partner sees the certificate from the secret, and the record is delivered', async () => {
    const result = await processBatch(await produce(), deps());
    expect(result).toEqual({ batchItemFailures: [] });
    expect(partner.requests).toHaveLength(1);
    expect(partner.requests[0].clientCertificateCn).toBe('acme-integrations');
  });

  test('a renewal (a new AWSCURRENT) is presented once the cache has expired', async () => {
    await secretsManager.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ certificate: other.cert, privateKey: other.key }) }));
    try {
      await processBatch(await produce(), deps());
      expect(partner.requests[0].clientCertificateCn).toBe('acme-renewed');
    } finally {
      await secretsManager.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify({ certificate: ours.cert, privateKey: ours.key }) }));
    }
  });

  test('without a certificate the partner refuses the handshake: the record is retried, never lost or sent without it', async () => {
    const log = recordingLog();
    const noCert = await processBatch(await produce(), deps({ config: directConfig(`${partner.url}/status`, dlq.url), log: log.log }));
    expect(noCert.batchItemFailures).toHaveLength(1);
    expect(partner.requests).toEqual([]);
    const unreadable = await processBatch(await produce(), deps({ clientCertificate: () => Promise.reject(new Error('AccessDenied')), log: log.log }));
    expect(unreadable.batchItemFailures).toHaveLength(1);
    expect(partner.requests).toEqual([]);
    expect(log.logs.some((l) => l.level === 'error' && /client certificate/.test(l.msg))).toBe(true);
    expect(await receiveAll(sqs, dlq.url)).toEqual([]);
  });

  test('the secret is checked: JSON with both fields, a key that matches the certificate, a certificate valid now', () => {
    expect(() => parseClientCertificate('not json')).toThrow(/not JSON/);
    expect(() => parseClientCertificate(JSON.stringify({ certificate: ours.cert }))).toThrow(/certificate and privateKey/);
    expect(() => parseClientCertificate(JSON.stringify({ certificate: 'x', privateKey: ours.key }))).toThrow(/not a PEM X.509 certificate/);
    expect(() => parseClientCertificate(JSON.stringify({ certificate: ours.cert, privateKey: 'x' }))).toThrow(/not a PEM private key/);
    expect(() => parseClientCertificate(JSON.stringify({ certificate: ours.cert, privateKey: other.key }))).toThrow(/does not match/);
    expect(() => parseClientCertificate(JSON.stringify({ certificate: ours.cert, privateKey: ours.key }), Date.now() + 3 * 86_400_000)).toThrow(/not valid now/);
    const message = (() => {
      try {
        parseClientCertificate(JSON.stringify({ certificate: ours.cert, privateKey: other.key }));
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).not.toContain('PRIVATE KEY');
  });
});
