// encryptFields / decryptFields against moto_server's KMS: round trips on realistic records, the
// encryption context KMS sees, every refusal, and consumers that use only standard libraries
// (jose in a separate Node.js process; Python with boto3 and `cryptography`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DataKeyCache,
  decryptFields,
  encryptFields,
  FieldDecryptionFailureReason,
  FieldEncryptionError,
  FieldPathError,
  isEncryptedField,
} from '../../../lambda/shared/field-encryption';
import { motoClientConfig } from '../../support/aws-env';

const kms = new KMSClient(motoClientConfig());
const STRIPE_PII = ['data.object.customer_email', 'data.object.billing_details.*'];
const GITHUB_PII = ['pusher.email', 'sender.email', 'commits[*].author.email'];

/** A Stripe-style checkout event (CATALOG.md: RESTRICTED). */
function stripeEvent() {
  return {
    id: 'evt_1QxYz2ABCdef',
    type: 'checkout.session.completed',
    data: {
      object: {
        id: 'cs_test_a1b2c3',
        amount_total: 4200,
        currency: 'eur',
        customer_email: 'jenny.rosen@example.com',
        billing_details: {
          name: 'Jenny Rosen',
          email: 'jenny.rosen@example.com',
          phone: null,
          address: { city: 'Berlin', country: 'DE', line1: 'Unter den Linden 1', line2: null, postal_code: '10117' },
        },
        livemode: false,
      },
    },
  };
}

/** A GitHub push event: `sender` has no email in push events. */
function githubPush() {
  return {
    ref: 'refs/heads/main',
    pusher: { name: 'octocat', email: 'octocat@github.com' },
    sender: { login: 'octocat', id: 583231 },
    commits: [
      { id: '6dcb09b', message: 'Fix all the bugs', author: { name: 'Monalisa Octocat', email: 'mona@github.com' } },
      { id: '7a8f3e1', message: 'Add tests', author: { name: 'Hubot', email: 'hubot@github.com' } },
    ],
  };
}

const headerOf = (jwe: unknown): Record<string, unknown> => JSON.parse(Buffer.from(String(jwe).split('.')[0], 'base64url').toString('utf8'));

function withHeader(jwe: unknown, header: Record<string, unknown>): string {
  const parts = String(jwe).split('.');
  parts[0] = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  return parts.join('.');
}

/** The JWE with one bit flipped in part `index` (2: IV, 3: ciphertext, 4: tag). */
function flipBit(jwe: unknown, index: number): string {
  const parts = String(jwe).split('.');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[0] ^= 1;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('field encryption against moto KMS', () => {
  let keyId: string;
  let otherKeyId: string;
  let stripe: Record<string, unknown>;
  const encrypt = (record: object, paths: string[], integration = 'Stripe') => encryptFields(record, paths, { integration, keyId, kms, cache: new DataKeyCache() });
  const decrypt = (record: object, integration = 'Stripe', extra: { keyId?: string } = {}, paths: readonly string[] = STRIPE_PII) =>
    decryptFields(record, paths, { integration, kms, cache: new DataKeyCache(), keyId, ...extra });
  const rejects = (p: Promise<unknown>, reason: FieldDecryptionFailureReason, message: RegExp) =>
    expect(p).rejects.toMatchObject({ name: 'FieldDecryptionError', reason, message: expect.stringMatching(message) });

  beforeAll(async () => {
    keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    otherKeyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    stripe = await encrypt(stripeEvent(), STRIPE_PII);
  });

  test('a Stripe event round-trips to the exact record, with every PII value encrypted and the rest untouched', async () => {
    // GIVEN a Stripe event WHEN its PII fields are encrypted
    const original = stripeEvent();
    const encrypted = await encrypt(original, STRIPE_PII);
    // THEN the PII values are encrypted fields, one per value under billing_details.*
    const object = (encrypted.data as { object: Record<string, unknown> }).object;
    expect(isEncryptedField(object.customer_email)).toBe(true);
    const billing = object.billing_details as Record<string, unknown>;
    expect(Object.keys(billing)).toEqual(['name', 'email', 'phone', 'address']);
    expect(Object.values(billing).every(isEncryptedField)).toBe(true);
    expect(JSON.stringify(encrypted)).not.toMatch(/jenny|Rosen|Linden/i);
    expect(object.amount_total).toBe(4200);
    expect(encrypted.id).toBe(original.id);
    // AND the input is not modified, and decryption restores the record exactly
    expect(original).toStrictEqual(stripeEvent());
    expect(await decrypt(encrypted)).toStrictEqual(stripeEvent());
  });

  test('a GitHub push: every commit author email is encrypted; the missing sender.email is left alone', async () => {
    const encrypted = await encrypt(githubPush(), GITHUB_PII, 'GitHub');
    const commits = encrypted.commits as Array<{ author: Record<string, unknown> }>;
    expect(commits.map((c) => isEncryptedField(c.author.email))).toEqual([true, true]);
    expect(commits[0].author.name).toBe('Monalisa Octocat');
    expect(encrypted.sender).toStrictEqual({ login: 'octocat', id: 583231 });
    expect(await decrypt(encrypted, 'GitHub', {}, GITHUB_PII)).toStrictEqual(githubPush());
  });

  test('values of every JSON type come back with their type', async () => {
    const record = { n: 42, f: -0.5, t: true, no: false, nil: null, obj: { a: [1, '2', { b: null }] }, arr: [], s: 'ünïcödé 🎉 "quoted"', empty: '', zero: 0 };
    const paths = Object.keys(record);
    const encrypted = await encrypt(record, paths);
    expect(paths.every((p) => isEncryptedField(encrypted[p]))).toBe(true);
    expect(await decrypt(encrypted, 'Stripe', {}, paths)).toStrictEqual(record);
  });

  test('a JSON key "__proto__" under a wildcard is encrypted like any other key, and restored', async () => {
    const record = JSON.parse('{"user":{"__proto__":"x@example.com","name":"X"}}');
    const encrypted = await encrypt(record, ['user.*']);
    const user = encrypted.user as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(user, '__proto__') && isEncryptedField(user['__proto__'])).toBe(true);
    expect(headerOf(user['__proto__']).loc).toBe('user.__proto__');
    expect(JSON.stringify(encrypted)).not.toContain('x@example.com');
    const decrypted = await decrypt(encrypted, 'Stripe', {}, ['user.*']);
    expect(JSON.stringify(decrypted)).toBe(JSON.stringify(record));
    // The value is an own property again; the object's prototype is untouched (an Object.prototype, whose own prototype is null).
    const restored = (decrypted as { user: object }).user;
    expect(Object.getOwnPropertyDescriptor(restored, '__proto__')?.value).toBe('x@example.com');
    expect(Object.getPrototypeOf(Object.getPrototypeOf(restored))).toBeNull();
  });

  test('paths the record does not have leave it unchanged and cost no KMS call', async () => {
    const calls: string[] = [];
    const counting = new KMSClient(motoClientConfig());
    counting.middlewareStack.add((next, context) => async (args) => (calls.push(String(context.commandName)), next(args)), { step: 'initialize' });
    const record = { contact: { name: 'Ada' }, items: 'not-an-array', list: [{ other: 1 }] };
    const out = await encryptFields(record, ['contact.email', 'items[*].email', 'list[*].email', 'missing.*', 'contact.name.first'], {
      integration: 'Crm',
      keyId,
      kms: counting,
      cache: new DataKeyCache(),
    });
    expect(out).toStrictEqual(record);
    expect(calls).toEqual([]);
  });

  test('KMS receives the encryption context {integration, field} that the header carries, and the location is bound as well', async () => {
    const object = (stripe.data as { object: Record<string, Record<string, unknown>> }).object;
    const header = headerOf(object.billing_details.email);
    expect(header).toMatchObject({ alg: 'dir', enc: 'A256GCM', typ: 'pii+jwe', cty: 'json' });
    expect(header.ctx).toStrictEqual({ integration: 'Stripe', field: 'data.object.billing_details.*' });
    expect(header.loc).toBe('data.object.billing_details.email');
    expect(headerOf(object.customer_email).loc).toBeUndefined(); // no wildcard: the location is the field itself
    // The encrypted data key opens only with exactly that context (moto checks it as AWS KMS does).
    const CiphertextBlob = Buffer.from(String(header.edk), 'base64url');
    const ok = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: header.ctx as Record<string, string> }));
    expect(ok.Plaintext).toHaveLength(32);
    await expect(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { integration: 'Stripe', field: 'data.object.customer_email' } }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  test('moto honours the encryption context on Decrypt: another context, or none, is refused', async () => {
    const out = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { integration: 'A', field: 'x' } }));
    for (const EncryptionContext of [{ integration: 'B', field: 'x' }, { integration: 'A', field: 'y' }, undefined]) {
      await expect(kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext }))).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
    }
  });

  test('a ciphertext moved to another field is refused, also between the fields of one wildcard', async () => {
    const moved = structuredClone(stripe) as ReturnType<typeof stripeEvent>;
    const object = moved.data.object as Record<string, unknown> & { billing_details: Record<string, unknown> };
    object.billing_details.email = object.customer_email;
    await rejects(decrypt(moved), FieldDecryptionFailureReason.LOCATION_MISMATCH, /billing_details.email.*encrypted for data.object.customer_email/);
    const swapped = structuredClone(stripe) as ReturnType<typeof stripeEvent>;
    const billing = swapped.data.object.billing_details as Record<string, unknown>;
    [billing.name, billing.email] = [billing.email, billing.name];
    await rejects(decrypt(swapped), FieldDecryptionFailureReason.LOCATION_MISMATCH, /moved to another field/);
  });

  test('a header rewritten to claim the new place fails authentication', async () => {
    const moved = structuredClone(stripe) as ReturnType<typeof stripeEvent>;
    const billing = moved.data.object.billing_details as Record<string, unknown>;
    billing.name = withHeader(billing.email, { ...headerOf(billing.email), loc: 'data.object.billing_details.name' });
    await rejects(decrypt(moved), FieldDecryptionFailureReason.TAMPERED, /does not authenticate/);
  });

  test('a ciphertext of another integration is refused (checked before KMS is asked)', async () => {
    await rejects(decrypt(stripe, 'Shopify'), FieldDecryptionFailureReason.INTEGRATION_MISMATCH, /encrypted for integration "Stripe", and "Shopify" is expected/);
  });

  test('a header rewritten to claim another integration is refused by KMS (encryption context)', async () => {
    const forged = structuredClone(stripe) as ReturnType<typeof stripeEvent>;
    const object = forged.data.object as Record<string, unknown>;
    const header = headerOf(object.customer_email);
    object.customer_email = withHeader(object.customer_email, { ...header, ctx: { ...(header.ctx as object), integration: 'Shopify' } });
    const only = { data: { object: { customer_email: object.customer_email } } };
    await rejects(decrypt(only, 'Shopify'), FieldDecryptionFailureReason.KMS_REJECTED, /KMS Decrypt failed: InvalidCiphertextException/);
  });

  test.each([
    ['IV', 2],
    ['ciphertext', 3],
    ['authentication tag', 4],
  ])('a tampered %s is refused', async (_part, index) => {
    const tampered = { data: { object: { customer_email: flipBit((stripe.data as { object: Record<string, unknown> }).object.customer_email, index) } } };
    await rejects(decrypt(tampered), FieldDecryptionFailureReason.TAMPERED, /AES-GCM tag mismatch/);
  });

  test('a truncated tag or a foreign algorithm is refused as malformed', async () => {
    const jwe = String((stripe.data as { object: Record<string, unknown> }).object.customer_email);
    const truncated = jwe.slice(0, jwe.lastIndexOf('.') + 1) + jwe.split('.')[4].slice(0, 11);
    await rejects(decrypt({ data: { object: { customer_email: truncated } } }), FieldDecryptionFailureReason.MALFORMED, /tag must be 16 bytes/);
    const a128 = withHeader(jwe, { ...headerOf(jwe), enc: 'A128GCM' });
    await rejects(decrypt({ data: { object: { customer_email: a128 } } }), FieldDecryptionFailureReason.MALFORMED, /only "alg":"dir" with "enc":"A256GCM"/);
  });

  test('a data key of another KMS key is refused when the consumer pins its key', async () => {
    await rejects(decrypt(stripe, 'Stripe', { keyId: otherKeyId }), FieldDecryptionFailureReason.KMS_REJECTED, /KMS Decrypt failed/);
    expect(await decrypt(stripe, 'Stripe', { keyId })).toStrictEqual(stripeEvent());
  });

  test('bad paths and options are refused with the fix', async () => {
    await expect(encrypt(stripeEvent(), ['data.object[0].email'])).rejects.toThrow(FieldPathError);
    await expect(encrypt(stripeEvent(), ['data.object', 'data.object.customer_email'])).rejects.toThrow(/overlap/);
    await expect(encryptFields(stripeEvent(), STRIPE_PII, { integration: '', keyId, kms })).rejects.toThrow(/options.integration must be/);
    const saved = process.env.FIELD_ENCRYPTION_KEY_ID;
    delete process.env.FIELD_ENCRYPTION_KEY_ID;
    await expect(encryptFields(stripeEvent(), STRIPE_PII, { integration: 'Stripe', kms })).rejects.toThrow(FieldEncryptionError);
    if (saved !== undefined) process.env.FIELD_ENCRYPTION_KEY_ID = saved;
  });

  describe('consumers with standard libraries only', () => {
    /** What any consumer does first: read the header, and have KMS decrypt the data key under the header's context. */
    async function dataKeyOf(jwe: unknown): Promise<Buffer> {
      const header = headerOf(jwe);
      const out = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(String(header.edk), 'base64url'), EncryptionContext: header.ctx as Record<string, string>, KeyId: keyId }));
      return Buffer.from(out.Plaintext!);
    }

    test("jose's compactDecrypt (a separate Node.js process) decrypts a field given the data key from KMS Decrypt", async () => {
      const jwe = (stripe.data as { object: Record<string, Record<string, unknown>> }).object.billing_details.address;
      const script = `
        import { compactDecrypt } from 'jose';
        const { jwe, key } = JSON.parse(process.env.INPUT);
        const { plaintext, protectedHeader } = await compactDecrypt(jwe, Buffer.from(key, 'base64url'), { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
        process.stdout.write(JSON.stringify({ value: JSON.parse(new TextDecoder().decode(plaintext)), loc: protectedHeader.loc }));`;
      const input = JSON.stringify({ jwe, key: (await dataKeyOf(jwe)).toString('base64url') });
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: `${__dirname}/../../..`, env: { ...process.env, INPUT: input } });
      expect(JSON.parse(out.toString())).toStrictEqual({ value: stripeEvent().data.object.billing_details.address, loc: 'data.object.billing_details.address' });
    });

    test("FORMAT.md's Python reader (boto3 and `cryptography`) gives decryptFields' answer on every case: values, and refusals with the same reason and location", async () => {
      // GIVEN the Python block of FORMAT.md exactly as written there, and a driver that runs it per case
      const format = readFileSync(`${__dirname}/../../../lambda/shared/field-encryption/FORMAT.md`, 'utf8');
      const block = /Python, with boto3[\s\S]*?```python\n([\s\S]*?)```/.exec(format)![1];
      const driver = `
import os, sys, boto3
kms = boto3.client('kms', endpoint_url=os.environ['MOTO_ENDPOINT'], region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')
out = []
for case in json.loads(sys.stdin.read()):
    try: out.append({'value': decrypt_fields(case['record'], case['integration'], case['paths'], case['keyArn'], kms)})
    except FieldDecryptionError as error: out.append({'reason': error.reason, 'location': error.location})
print(json.dumps(out))`;
      // AND cases: round trips, planted markers, and one of each refusal
      const object = (stripe.data as { object: Record<string, Record<string, unknown>> }).object;
      // Keys outside the path syntax: their location is written as JSON.stringify writes them (lone surrogates escaped, astral characters not).
      const keys = { 'first name': 'Ada', prénom: 'Ada', plain: 1, 'a\u0001b': null, 'nl\n': true, 'q"\\': [1], '\ud800': 'lone', '😀': 'e' };
      const github = await encrypt(githubPush(), GITHUB_PII, 'GitHub');
      const forged = await encryptFields(stripeEvent(), STRIPE_PII, { integration: 'Stripe', keyId: otherKeyId, kms, cache: new DataKeyCache() });
      const planted = `${Buffer.from('{"typ":"pii+jwe","alg":"dir"}').toString('base64url')}..x.y.z`;
      const moved = structuredClone(stripe) as { data: { object: Record<string, Record<string, unknown>> } };
      moved.data.object.billing_details.email = object.customer_email;
      const cases: Array<{ record: object; paths: string[]; integration?: string }> = [
        { record: stripe, paths: STRIPE_PII },
        { record: github, paths: GITHUB_PII, integration: 'GitHub' },
        { record: await encrypt({ user: keys }, ['user.*']), paths: ['user.*'] },
        { record: { ...stripe, note: object.customer_email, title: planted, list: [planted] }, paths: STRIPE_PII },
        { record: forged, paths: STRIPE_PII },
        { record: { data: { object: { customer_email: 'jenny.rosen@example.com' } } }, paths: STRIPE_PII },
        { record: { data: { object: { customer_email: planted } } }, paths: STRIPE_PII },
        { record: moved, paths: STRIPE_PII },
        { record: { data: { object: { customer_email: flipBit(object.customer_email, 3) } } }, paths: STRIPE_PII },
        { record: stripe, paths: STRIPE_PII, integration: 'Shopify' },
      ];
      const expected = [];
      for (const c of cases) {
        try {
          expected.push({ value: await decrypt(c.record, c.integration ?? 'Stripe', {}, c.paths) });
        } catch (error) {
          expected.push({ reason: (error as { reason: string }).reason, location: (error as { location: string }).location });
        }
      }
      expect(expected.map((e) => ('reason' in e ? e.reason : 'value'))).toEqual([
        'value',
        'value',
        'value',
        'value',
        'kms-rejected',
        'not-encrypted',
        'malformed',
        'location-mismatch',
        'tampered',
        'integration-mismatch',
      ]);
      // WHEN Python decrypts the same cases with the pinned key
      const input = JSON.stringify(cases.map((c) => ({ ...c, integration: c.integration ?? 'Stripe', keyArn: keyId })));
      const out = execFileSync('python3', ['-c', `${block}\n${driver}`], { input });
      // THEN it answers as decryptFields does
      expect(JSON.parse(out.toString())).toStrictEqual(JSON.parse(JSON.stringify(expected)));
    });
  });
});
