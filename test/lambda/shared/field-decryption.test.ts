// decryptFields against moto_server's KMS: only the declared paths are read, the KMS key is pinned
// by default, and every way a value at a declared path can be wrong is a typed FieldDecryptionError.
import { CreateKeyCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DataKeyCache,
  decryptFields,
  encryptFields,
  FieldDecryptionFailureReason,
  FieldEncryptionConfigurationError,
  isEncryptedField,
  KEY_ID_ENV,
  MAX_ENCRYPTED_FIELD_HEADER_LENGTH,
} from '../../../lambda/shared/field-encryption';
import { encryptCompact } from '../../../lambda/shared/field-encryption/jwe';
import { motoClientConfig } from '../../support/aws-env';

const kms = new KMSClient(motoClientConfig());
const PATHS = ['contact.email', 'contact.address.*'];
const contact = () => ({ id: 'c-1', contact: { name: 'Ada', email: 'ada@example.com', address: { city: 'London', zip: null } } });

/** A KMS client on moto that records every command it sends. */
function countingKms() {
  const client = new KMSClient(motoClientConfig());
  const calls: string[] = [];
  client.middlewareStack.add((next, context) => async (args) => (calls.push(String(context.commandName)), next(args)), { step: 'initialize' });
  return { client, calls };
}

const headerOf = (jwe: unknown): Record<string, unknown> => JSON.parse(Buffer.from(String(jwe).split('.')[0], 'base64url').toString('utf8'));
const encodeHeader = (header: unknown) => Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
function withHeader(jwe: unknown, header: Record<string, unknown>): string {
  const parts = String(jwe).split('.');
  parts[0] = encodeHeader(header);
  return parts.join('.');
}
function withPart(jwe: unknown, index: number, part: string): string {
  const parts = String(jwe).split('.');
  parts[index] = part;
  return parts.join('.');
}

describe('decryptFields reads only the declared paths and pins the KMS key', () => {
  let keyId: string;
  let attackerKeyId: string;
  let genuine: Record<string, unknown>;
  let savedKey: string | undefined;
  const email = (record: Record<string, unknown>) => (record.contact as Record<string, unknown>).email;
  const decrypt = (record: object, extra: { keyId?: string; allowAnyKey?: boolean; kms?: KMSClient } = {}, paths: readonly string[] = PATHS) =>
    decryptFields(record, paths, { integration: 'Crm', kms, cache: new DataKeyCache(), keyId, ...extra });
  const rejects = (p: Promise<unknown>, reason: FieldDecryptionFailureReason, message: RegExp) =>
    expect(p).rejects.toMatchObject({ name: 'FieldDecryptionError', reason, message: expect.stringMatching(message) });

  beforeAll(async () => {
    keyId = (await kms.send(new CreateKeyCommand({ Description: 'platform key' }))).KeyMetadata!.Arn!;
    attackerKeyId = (await kms.send(new CreateKeyCommand({ Description: "an attacker's own key" }))).KeyMetadata!.Arn!;
    genuine = await encryptFields(contact(), PATHS, { integration: 'Crm', keyId, kms, cache: new DataKeyCache() });
    savedKey = process.env[KEY_ID_ENV];
  });
  afterEach(() => {
    if (savedKey === undefined) delete process.env[KEY_ID_ENV];
    else process.env[KEY_ID_ENV] = savedKey;
  });

  /** A value at `contact.email` encrypted exactly as encryptFields would, but with `plaintext` as given. */
  async function fieldWithPlaintext(plaintext: Buffer): Promise<string> {
    const ctx = { integration: 'Crm', field: 'contact.email' };
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: ctx }));
    const header = { alg: 'dir', enc: 'A256GCM', typ: 'pii+jwe', cty: 'json', ctx, edk: Buffer.from(dataKey.CiphertextBlob!).toString('base64url') } as const;
    return encryptCompact(header, plaintext, dataKey.Plaintext!);
  }

  describe('the key is pinned', () => {
    test('by default from FIELD_ENCRYPTION_KEY_ID: a value encrypted under another KMS key at a declared path is refused', async () => {
      // GIVEN a consumer whose environment names the platform key (as grantDecrypt sets it)
      process.env[KEY_ID_ENV] = keyId;
      // AND a record whose declared field was encrypted under an attacker's own key, with the right context
      const forged = await encryptFields(contact(), PATHS, { integration: 'Crm', keyId: attackerKeyId, kms, cache: new DataKeyCache() });
      // WHEN it is decrypted without options.keyId THEN KMS refuses it, since the key is pinned
      // (AWS KMS answers IncorrectKeyException; moto answers AccessDeniedException)
      await rejects(decrypt(forged, { keyId: undefined }), FieldDecryptionFailureReason.KMS_REJECTED, /KMS Decrypt failed: (IncorrectKeyException|AccessDeniedException)/);
      // AND the genuine record decrypts
      expect(await decrypt(genuine, { keyId: undefined })).toStrictEqual(contact());
    });

    test('options.keyId pins the key too, whatever the environment says', async () => {
      process.env[KEY_ID_ENV] = attackerKeyId;
      const forged = await encryptFields(contact(), PATHS, { integration: 'Crm', keyId: attackerKeyId, kms, cache: new DataKeyCache() });
      await rejects(decrypt(forged, { keyId }), FieldDecryptionFailureReason.KMS_REJECTED, /KMS Decrypt failed/);
    });

    test('with no key at all decryptFields refuses to run, before any KMS call; unpinned only with allowAnyKey: true', async () => {
      delete process.env[KEY_ID_ENV];
      const counting = countingKms();
      const forged = await encryptFields(contact(), PATHS, { integration: 'Crm', keyId: attackerKeyId, kms, cache: new DataKeyCache() });
      const noKey = decrypt(forged, { keyId: undefined, kms: counting.client });
      await expect(noKey).rejects.toThrow(FieldEncryptionConfigurationError);
      await expect(decrypt(forged, { keyId: undefined, kms: counting.client })).rejects.toThrow(/no KMS key to pin: pass options.keyId, or set the FIELD_ENCRYPTION_KEY_ID/);
      await expect(decrypt(forged, { keyId: '' })).rejects.toThrow(/options.keyId must be a KMS key id/);
      expect(counting.calls).toEqual([]);
      // The explicit opt-out decrypts whatever key the data key names: the attacker's value is accepted.
      expect(await decrypt(forged, { keyId: undefined, allowAnyKey: true })).toStrictEqual(contact());
      // A key that is known is pinned even with allowAnyKey.
      process.env[KEY_ID_ENV] = keyId;
      await rejects(decrypt(forged, { keyId: undefined, allowAnyKey: true }), FieldDecryptionFailureReason.KMS_REJECTED, /KMS Decrypt failed/);
    });
  });

  describe('only the declared paths are read', () => {
    test('a marker planted in free text (a GitHub issue title) is left as it is', async () => {
      // GIVEN an issue whose title and body are strings that look like encrypted fields, one of them a real one
      const planted = `${encodeHeader({ typ: 'pii+jwe', alg: 'dir', enc: 'A256GCM' })}..not.a.field`;
      expect(planted.startsWith('eyJ0eXAiOiJwaWkrandlIi')).toBe(true);
      const issue = { action: 'opened', issue: { title: planted, body: `see ${email(genuine)}`, labels: [email(genuine)] }, contact: { email: 'ada@example.com' } };
      const encrypted = await encryptFields(issue, ['contact.email'], { integration: 'Crm', keyId, kms, cache: new DataKeyCache() });
      // WHEN the record is decrypted with its declared paths
      const decrypted = await decrypt(encrypted, {}, ['contact.email']);
      // THEN the free text comes back as it was, and only the declared field is decrypted
      expect(decrypted).toStrictEqual(issue);
    });

    test('a genuine ciphertext copied to an undeclared path is left as it is, and KMS is asked only for the declared ones', async () => {
      const counting = countingKms();
      const record = { ...structuredClone(genuine), note: email(genuine), history: [{ email: email(genuine) }] };
      const decrypted = await decrypt(record, { kms: counting.client });
      expect(decrypted).toStrictEqual({ ...contact(), note: email(genuine), history: [{ email: email(genuine) }] });
      expect(isEncryptedField(decrypted.note)).toBe(true);
      expect(counting.calls).toEqual(['DecryptCommand', 'DecryptCommand']); // contact.email and contact.address.*
    });

    test('clear text at a declared path is refused as not encrypted; a path the record lacks is skipped', async () => {
      for (const value of ['ada@example.com', null, 42, { nested: true }, ['a'], '', `${encodeHeader({ typ: 'JWT', alg: 'none' })}.e30.`]) {
        const record = { contact: { email: value } };
        await rejects(decrypt(record), FieldDecryptionFailureReason.NOT_ENCRYPTED, /contact.email is a declared PII path, and it holds/);
      }
      expect(await decrypt({ id: 'c-2', contact: { name: 'Bob' } })).toStrictEqual({ id: 'c-2', contact: { name: 'Bob' } });
      expect(await decrypt({ contact: 'not an object' })).toStrictEqual({ contact: 'not an object' });
    });
  });

  describe('every malformed value is a typed error', () => {
    test('a plaintext that is not UTF-8 JSON text is refused as malformed, never a raw SyntaxError', async () => {
      for (const plaintext of [Buffer.from('ada@example.com'), Buffer.from([0xff, 0xfe, 0x22]), Buffer.from('\ufeff"ada"'), Buffer.from('NaN')]) {
        const record = { contact: { email: await fieldWithPlaintext(plaintext) } };
        await rejects(decrypt(record, {}, ['contact.email']), FieldDecryptionFailureReason.MALFORMED, /plaintext is not UTF-8 JSON text/);
      }
      // The same construction with JSON text decrypts: the refusals above are about the plaintext alone.
      expect(await decrypt({ contact: { email: await fieldWithPlaintext(Buffer.from('"ada@example.com"')) } }, {}, ['contact.email'])).toStrictEqual({
        contact: { email: 'ada@example.com' },
      });
    });

    test.each<[string, (jwe: string) => string, FieldDecryptionFailureReason, RegExp]>([
      ['4 parts', (j) => j.split('.').slice(0, 4).join('.'), FieldDecryptionFailureReason.MALFORMED, /5 parts, this has 4/],
      ['6 parts', (j) => `${j}.x`, FieldDecryptionFailureReason.MALFORMED, /5 parts, this has 6/],
      ['a header only', (j) => j.split('.')[0], FieldDecryptionFailureReason.MALFORMED, /5 parts, this has 1/],
      ['an IV that is not base64url', (j) => withPart(j, 2, 'AA*A'), FieldDecryptionFailureReason.MALFORMED, /IV is not base64url/],
      ['a padded tag', (j) => withPart(j, 4, `${j.split('.')[4]}==`), FieldDecryptionFailureReason.MALFORMED, /tag is not base64url/],
      ['a ciphertext that is not base64url', (j) => withPart(j, 3, 'A'), FieldDecryptionFailureReason.MALFORMED, /ciphertext is not base64url/],
      ['an encrypted key part', (j) => withPart(j, 1, 'AAAA'), FieldDecryptionFailureReason.MALFORMED, /Encrypted Key must be empty/],
      ['a header that is not JSON', (j) => withPart(j, 0, Buffer.from('{"typ":"pii+jwe"').toString('base64url')), FieldDecryptionFailureReason.NOT_ENCRYPTED, /not an encrypted field/],
      ['a header that is not UTF-8', (j) => withPart(j, 0, Buffer.concat([Buffer.from('{"typ":"pii+jwe","x":"'), Buffer.from([0xff]), Buffer.from('"}')]).toString('base64url')), FieldDecryptionFailureReason.NOT_ENCRYPTED, /not an encrypted field/],
      ['a header that is a JSON array', (j) => withPart(j, 0, encodeHeader(['pii+jwe'])), FieldDecryptionFailureReason.NOT_ENCRYPTED, /not an encrypted field/],
      ['another algorithm', (j) => withHeader(j, { ...headerOf(j), alg: 'A256KW' }), FieldDecryptionFailureReason.MALFORMED, /only "alg":"dir"/],
      ['"crit"', (j) => withHeader(j, { ...headerOf(j), crit: ['exp'] }), FieldDecryptionFailureReason.MALFORMED, /"crit" or "zip"/],
      ['no "cty"', (j) => withHeader(j, { ...headerOf(j), cty: undefined }), FieldDecryptionFailureReason.MALFORMED, /"cty":"json"/],
      ['"ctx" a string', (j) => withHeader(j, { ...headerOf(j), ctx: 'Crm' }), FieldDecryptionFailureReason.MALFORMED, /"ctx" must be/],
      ['"ctx" with another member', (j) => withHeader(j, { ...headerOf(j), ctx: { ...(headerOf(j).ctx as object), tenant: 'x' } }), FieldDecryptionFailureReason.MALFORMED, /"ctx" must be/],
      ['"ctx.field" a number', (j) => withHeader(j, { ...headerOf(j), ctx: { integration: 'Crm', field: 1 } }), FieldDecryptionFailureReason.MALFORMED, /"ctx" must be/],
      ['"loc" a number', (j) => withHeader(j, { ...headerOf(j), loc: 7 }), FieldDecryptionFailureReason.MALFORMED, /"loc", when present, must be a string/],
      ['"edk" missing', (j) => withHeader(j, { ...headerOf(j), edk: undefined }), FieldDecryptionFailureReason.MALFORMED, /needs an "edk" string/],
      ['"edk" not base64url', (j) => withHeader(j, { ...headerOf(j), edk: 'a+b/' }), FieldDecryptionFailureReason.MALFORMED, /"edk" is not base64url/],
      ['"edk" over 6,144 bytes', (j) => withHeader(j, { ...headerOf(j), edk: 'A'.repeat(8196) }), FieldDecryptionFailureReason.MALFORMED, /"edk" is 6147 bytes, KMS takes at most 6144/],
      ['a header over the limit', (j) => withHeader(j, { ...headerOf(j), pad: 'x'.repeat(MAX_ENCRYPTED_FIELD_HEADER_LENGTH) }), FieldDecryptionFailureReason.MALFORMED, /the header is \d+ characters, at most 16384/],
    ])('%s: refused before any KMS call', async (_case, mutate, reason, message) => {
      const counting = countingKms();
      const record = { contact: { email: mutate(String(email(genuine))) } };
      await rejects(decrypt(record, { kms: counting.client }, ['contact.email']), reason, message);
      expect(counting.calls).toEqual([]);
    });

    test('the call shape of earlier versions, decryptFields(record, options), is a configuration error that says what to pass', async () => {
      const call = decryptFields as unknown as (record: object, options: object) => Promise<unknown>;
      await expect(call(genuine, { integration: 'Crm', keyId })).rejects.toThrow(FieldEncryptionConfigurationError);
      await expect(call(genuine, { integration: 'Crm', keyId })).rejects.toThrow(/paths must be the integration's piiFields/);
    });
  });
});
