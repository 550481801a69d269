import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { loadRoutes } from '../../../lambda/ingest/config';
import { ingest, IngestDependencies } from '../../../lambda/ingest/ingest';
import { signingSecrets } from '../../../lambda/ingest/signing-secrets';
import { decryptFields, encryptFields, isEncryptedField } from '../../../lambda/shared/field-encryption';
import { IngestConfig, IngestTargetKind } from '../../../lib';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { KmsCallError } from '../../../lambda/shared/field-encryption/data-key-cache';
import { FieldEncryptionError } from '../../../lambda/shared/field-encryption/field-encryption';

/** PII fields are encrypted by the ingest function before the record reaches the target (moto SQS and KMS). */
describe('ingest encrypts PII fields before delivery', () => {
  const sqs = new SQSClient(motoClientConfig());
  const kms = new KMSClient(motoClientConfig());
  let queueUrl: string;
  let keyId: string;
  let deps: IngestDependencies;

  beforeAll(async () => {
    const queueName = uniqueName('crm');
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    keyId = (await kms.send(new CreateKeyCommand({ Description: 'platform key' }))).KeyMetadata!.Arn!;
    const config: IngestConfig = {
      version: 1,
      routes: [
        {
          integration: 'CrmContacts',
          method: 'POST',
          resourcePath: '/crm/contacts',
          piiFields: ['contact.email', 'contact.phone', 'contact.name'],
          target: { kind: IngestTargetKind.SQS, address: queueName },
        },
        {
          integration: 'Leads',
          method: 'POST',
          resourcePath: '/leads',
          piiFields: ['contact.email', 'query:email'],
          queryParameters: ['campaign'],
          target: { kind: IngestTargetKind.SQS, address: queueName },
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'ingest-pii-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    deps = {
      routes: loadRoutes(join(dir, 'config.json'), {}),
      clients: { sqs, eventBridge: new EventBridgeClient(motoClientConfig()), lambda: new LambdaClient(motoClientConfig()) },
      secretsFor: (id, overlapSeconds) => signingSecrets(new SecretsManagerClient(motoClientConfig()), id, overlapSeconds),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      encryptPii: (body, paths, integration) => encryptFields(body, paths, { integration, kms, keyId }),
    };
  });

  const event = (body: unknown) =>
    ({ httpMethod: 'POST', resource: '/crm/contacts', headers: {}, body: JSON.stringify(body), isBase64Encoded: false, requestContext: { requestId: 'r-1', requestTimeEpoch: 0 } }) as unknown as APIGatewayProxyEvent;

  test('the queued record carries ciphertext for each PII field; only this integration can decrypt it', async () => {
    const contact = { contactId: '0031x00000AbCdE', contact: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+441234567890', lifecycleStage: 'customer' } };
    const res = await ingest(event(contact), deps);
    expect(res.statusCode).toBe(202);
    const message = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }))).Messages![0];
    expect(message.Body).not.toContain('ada@example.com');
    expect(message.Body).not.toContain('Ada Lovelace');
    const record = JSON.parse(message.Body!);
    expect(isEncryptedField(record.body.contact.email)).toBe(true);
    expect(record.body.contact.lifecycleStage).toBe('customer');
    const piiFields = ['contact.email', 'contact.phone', 'contact.name'];
    expect(await decryptFields(record.body, piiFields, { integration: 'CrmContacts', keyId, kms })).toEqual(contact);
    await expect(decryptFields(record.body, piiFields, { integration: 'PartnerOrders', keyId, kms })).rejects.toMatchObject({ reason: 'integration-mismatch' });
  });

  test('a query parameter declared query:email arrives encrypted at queryStringParameters.email and decrypts from the record; a swap into the body is refused', async () => {
    const leadEvent = {
      httpMethod: 'POST',
      resource: '/leads',
      headers: {},
      body: JSON.stringify({ contact: { email: 'body@example.com' } }),
      isBase64Encoded: false,
      queryStringParameters: { email: 'grace@example.com', campaign: 'spring', utm_source: 'x' },
      requestContext: { requestId: 'r-2', requestTimeEpoch: 0 },
    } as unknown as APIGatewayProxyEvent;
    expect((await ingest(leadEvent, deps)).statusCode).toBe(202);
    const message = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }))).Messages![0];
    expect(message.Body).not.toContain('grace@example.com');
    const record = JSON.parse(message.Body!);
    expect(Object.keys(record.queryStringParameters).sort()).toEqual(['campaign', 'email']);
    const decrypted = await decryptFields<{ queryStringParameters: Record<string, string> }>(record, ['queryStringParameters.email'], { integration: 'Leads', keyId, kms });
    expect(decrypted.queryStringParameters).toEqual({ email: 'grace@example.com', campaign: 'spring' });
    // The query ciphertext is bound to its place: moved into the body's email field it is refused.
    const swapped = { ...record.body, contact: { email: record.queryStringParameters.email } };
    await expect(decryptFields(swapped, ['contact.email'], { integration: 'Leads', keyId, kms })).rejects.toMatchObject({ reason: 'location-mismatch' });
  });

  test('when no data key can be had, nothing is delivered and the sender is told to retry', async () => {
    const failing = { ...deps, encryptPii: () => Promise.reject(new FieldEncryptionError('no data key', { cause: new KmsCallError('KMS unavailable', 'KMSInternalException') })) };
    const res = await ingest(event({ contact: { email: 'x@example.com' } }), failing);
    expect(res.statusCode).toBe(503);
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
    expect(out.Messages ?? []).toEqual([]);
  });
});
