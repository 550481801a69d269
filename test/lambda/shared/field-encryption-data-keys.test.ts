// Data key reuse, counted in real KMS calls to moto: one GenerateDataKey per (integration, declared
// path) per cache window, a new one after the record limit and after the age limit (injected clock).
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DataKeyCache, decryptFields, encryptFields, FieldDecryptionFailureReason, FieldEncryptionError } from '../../../lambda/shared/field-encryption';
import { motoClientConfig, uniqueName } from '../../support/aws-env';

/** A KMS client on moto that records every command it sends. */
function countingKms() {
  const kms = new KMSClient(motoClientConfig());
  const calls: string[] = [];
  kms.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countKmsCalls' },
  );
  return { kms, calls, count: (command: string) => calls.filter((c) => c === command).length };
}

const contact = (i: number) => ({ id: i, contact: { email: `c${i}@example.com`, phone: `+49 30 ${i}`, name: 'C' } });
const PATHS = ['contact.email', 'contact.phone'];
const edkOf = (jwe: unknown) => JSON.parse(Buffer.from(String(jwe).split('.')[0], 'base64url').toString()).edk as string;

describe('data keys from moto KMS, cached per container', () => {
  let keyId: string;
  beforeAll(async () => {
    keyId = (await new KMSClient(motoClientConfig()).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  });

  test('1,000 records cost one GenerateDataKey per declared path; record 1,001 gets new keys', async () => {
    // GIVEN a fresh cache with the defaults (1,000 records, 5 minutes)
    const { kms, count } = countingKms();
    const cache = new DataKeyCache();
    const options = { integration: 'Crm', keyId, kms, cache };
    // WHEN 1,000 records with two PII paths are encrypted
    const out = [];
    for (let i = 0; i < 1000; i++) out.push(await encryptFields(contact(i), PATHS, options));
    // THEN KMS generated one data key per path, and every record carries the same one
    expect(count('GenerateDataKeyCommand')).toBe(2);
    expect(new Set(out.map((r) => edkOf((r.contact as Record<string, unknown>).email))).size).toBe(1);
    // AND the next record gets new keys
    const next = await encryptFields(contact(1000), PATHS, options);
    expect(count('GenerateDataKeyCommand')).toBe(4);
    expect(edkOf((next.contact as Record<string, unknown>).email)).not.toBe(edkOf((out[0].contact as Record<string, unknown>).email));
  });

  test('a record counts once per data key, however many array elements it holds', async () => {
    const { kms, count } = countingKms();
    const cache = new DataKeyCache({ maxRecordsPerKey: 2 });
    const record = { commits: Array.from({ length: 25 }, (_, i) => ({ author: { email: `a${i}@example.com` } })) };
    for (let i = 0; i < 2; i++) await encryptFields(record, ['commits[*].author.email'], { integration: 'GitHub', keyId, kms, cache });
    expect(count('GenerateDataKeyCommand')).toBe(1);
    await encryptFields(record, ['commits[*].author.email'], { integration: 'GitHub', keyId, kms, cache });
    expect(count('GenerateDataKeyCommand')).toBe(2);
  });

  test('a data key is replaced once it is maxAgeMs old (injected clock)', async () => {
    const { kms, count } = countingKms();
    let now = 1_000_000;
    const cache = new DataKeyCache({ now: () => now });
    const options = { integration: 'Crm', keyId, kms, cache };
    await encryptFields(contact(1), ['contact.email'], options);
    now += 5 * 60 * 1000 - 1;
    await encryptFields(contact(2), ['contact.email'], options);
    expect(count('GenerateDataKeyCommand')).toBe(1);
    now += 1;
    await encryptFields(contact(3), ['contact.email'], options);
    expect(count('GenerateDataKeyCommand')).toBe(2);
  });

  test('integrations and paths never share a data key', async () => {
    const { kms, count } = countingKms();
    const cache = new DataKeyCache();
    await encryptFields(contact(1), PATHS, { integration: 'Crm', keyId, kms, cache });
    await encryptFields(contact(1), PATHS, { integration: 'Partner', keyId, kms, cache });
    expect(count('GenerateDataKeyCommand')).toBe(4);
  });

  test('concurrent records that need a new key share one GenerateDataKey', async () => {
    const { kms, count } = countingKms();
    const cache = new DataKeyCache();
    await Promise.all(Array.from({ length: 50 }, (_, i) => encryptFields(contact(i), ['contact.email'], { integration: 'Crm', keyId, kms, cache })));
    expect(count('GenerateDataKeyCommand')).toBe(1);
  });

  test('decrypting 1,000 records costs one KMS Decrypt per data key', async () => {
    const producer = countingKms();
    const encrypted = [];
    const cache = new DataKeyCache();
    for (let i = 0; i < 1000; i++) encrypted.push(await encryptFields(contact(i), PATHS, { integration: 'Crm', keyId, kms: producer.kms, cache }));
    const consumer = countingKms();
    const consumerCache = new DataKeyCache();
    for (let i = 0; i < 1000; i++) expect(await decryptFields(encrypted[i], PATHS, { integration: 'Crm', keyId, kms: consumer.kms, cache: consumerCache })).toStrictEqual(contact(i));
    expect(consumer.count('DecryptCommand')).toBe(2);
  });

  test('a ciphertext of another integration is refused without asking KMS', async () => {
    const encrypted = await encryptFields(contact(1), PATHS, { integration: 'Crm', keyId, kms: countingKms().kms, cache: new DataKeyCache() });
    const consumer = countingKms();
    await expect(decryptFields(encrypted, PATHS, { integration: 'Erp', keyId, kms: consumer.kms, cache: new DataKeyCache() })).rejects.toMatchObject({
      reason: FieldDecryptionFailureReason.INTEGRATION_MISMATCH,
    });
    expect(consumer.calls).toEqual([]);
  });

  test('a refused GenerateDataKey is reported and not cached: the next record retries', async () => {
    // moto does not enforce DisableKey on GenerateDataKey, so the refusal here is an alias that does not exist yet.
    const kms = new KMSClient(motoClientConfig());
    const alias = `alias/${uniqueName('pii')}`;
    const cache = new DataKeyCache();
    const options = { integration: 'Crm', keyId: alias, kms, cache };
    await expect(encryptFields(contact(1), PATHS, options)).rejects.toThrow(FieldEncryptionError);
    await expect(encryptFields(contact(1), PATHS, options)).rejects.toThrow(/KMS GenerateDataKey failed: NotFoundException/);
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
    const out = await encryptFields(contact(1), PATHS, options);
    expect(await decryptFields(out, PATHS, { integration: 'Crm', keyId, kms, cache })).toStrictEqual(contact(1));
  });

  test('KMS out of reach is reported as unavailable (worth a retry)', async () => {
    const out = await encryptFields(contact(1), PATHS, { integration: 'Crm', keyId, kms: new KMSClient(motoClientConfig()), cache: new DataKeyCache() });
    const unreachable = new KMSClient({ ...motoClientConfig(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    await expect(decryptFields(out, PATHS, { integration: 'Crm', keyId, kms: unreachable, cache: new DataKeyCache() })).rejects.toMatchObject({
      reason: FieldDecryptionFailureReason.KMS_UNAVAILABLE,
    });
  });

  test('without options.kms and options.keyId, the client comes from the environment (AWS_ENDPOINT_URL) and the key from FIELD_ENCRYPTION_KEY_ID, on both sides', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: motoClientConfig().endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      FIELD_ENCRYPTION_KEY_ID: keyId,
    });
    try {
      const out = await encryptFields(contact(7), PATHS, { integration: 'Crm' });
      expect(await decryptFields(out, PATHS, { integration: 'Crm' })).toStrictEqual(contact(7));
    } finally {
      process.env = saved;
    }
  });

  test('cache limits must be positive', () => {
    expect(() => new DataKeyCache({ maxAgeMs: 0 })).toThrow(/maxAgeMs must be a positive number/);
    expect(() => new DataKeyCache({ maxRecordsPerKey: 1.5 })).toThrow(/maxRecordsPerKey must be a positive integer/);
  });
});
