// The JWE layer (jwe.ts) and the data-key cache (data-key-cache.ts) on their own: the exact checks,
// lengths and messages of the compact serialization, and what the cache asks KMS for and when. The
// cache tests use a stub KMS that records each command and answers as the test needs, including
// answers moto cannot give (a short key, a plain thrown value, a request held in flight); the last
// test runs the cache against moto's KMS.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { DataKeyCache, KmsCallError } from '../../../lambda/shared/field-encryption/data-key-cache';
import {
  base64url,
  decryptCompact,
  encryptCompact,
  fromBase64url,
  JweAuthenticationError,
  type JweHeader,
  MalformedJweError,
  parseCompact,
  peekHeader,
} from '../../../lambda/shared/field-encryption/jwe';
import { motoClientConfig } from '../../support/aws-env';

const KEY = Buffer.alloc(32, 7);
const HEADER: JweHeader = { alg: 'dir', enc: 'A256GCM', typ: 'pii+jwe' };
const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const withPart = (jwe: string, index: number, part: string) => jwe.split('.').map((p, i) => (i === index ? part : p)).join('.');

/** The error `fn` throws (fails the test when it throws none). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('jwe: compact serialization for "dir"/"A256GCM"', () => {
  test('encryptCompact writes header..iv.ciphertext.tag that plain AES-256-GCM decrypts, with the encoded header as the AAD', () => {
    const jwe = encryptCompact(HEADER, Buffer.from('"ada@example.com"'), KEY);
    const [header, encryptedKey, iv, ciphertext, tag] = jwe.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).toStrictEqual(HEADER);
    expect(header).toBe(encode(HEADER));
    expect(encryptedKey).toBe('');
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    const decipher = createDecipheriv('aes-256-gcm', KEY, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(header, 'ascii'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    expect(Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')).toBe('"ada@example.com"');
  });

  test('every encryption draws a fresh IV', () => {
    const ivs = new Set(Array.from({ length: 20 }, () => encryptCompact(HEADER, Buffer.from('x'), KEY).split('.')[2]));
    expect(ivs.size).toBe(20);
  });

  test('a JWE written by plain AES-256-GCM (as another JOSE library would) parses and decrypts', () => {
    const header = encode({ alg: 'dir', enc: 'A256GCM' });
    const iv = Buffer.alloc(12, 1);
    const cipher = createCipheriv('aes-256-gcm', KEY, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from(header, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update('{"a":1}', 'utf8'), cipher.final()]);
    const jwe = `${header}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
    const parsed = parseCompact(jwe);
    expect(parsed.encodedHeader).toBe(header);
    expect(parsed.header).toStrictEqual({ alg: 'dir', enc: 'A256GCM' });
    expect(parsed.iv).toStrictEqual(iv);
    expect(parsed.ciphertext).toStrictEqual(ciphertext);
    expect(parsed.tag).toStrictEqual(cipher.getAuthTag());
    expect(decryptCompact(parsed, KEY).toString('utf8')).toBe('{"a":1}');
  });

  test('an empty plaintext round-trips (an empty ciphertext part)', () => {
    const jwe = encryptCompact(HEADER, Buffer.alloc(0), KEY);
    expect(jwe.split('.')[3]).toBe('');
    expect(decryptCompact(parseCompact(jwe), KEY)).toStrictEqual(Buffer.alloc(0));
  });

  test('a key that is not 32 bytes is refused on both sides, with its length', () => {
    expect(() => encryptCompact(HEADER, Buffer.from('x'), Buffer.alloc(31))).toThrow('an A256GCM key is 32 bytes, got 31');
    const parsed = parseCompact(encryptCompact(HEADER, Buffer.from('x'), KEY));
    expect(() => decryptCompact(parsed, Buffer.alloc(33))).toThrow('an A256GCM key is 32 bytes, got 33');
    expect(() => decryptCompact(parsed, Buffer.alloc(16))).toThrow('an A256GCM key is 32 bytes, got 16');
  });

  test('decryptCompact itself refuses a truncated tag (a prefix of the real one), not only parseCompact', () => {
    const parsed = parseCompact(encryptCompact(HEADER, Buffer.from('"secret"'), KEY));
    for (const length of [4, 12, 15]) {
      expect(() => decryptCompact({ ...parsed, tag: parsed.tag.subarray(0, length) }, KEY)).toThrow(/Invalid authentication tag length/);
    }
    expect(decryptCompact(parsed, KEY).toString('utf8')).toBe('"secret"');
  });

  test('another key, or any changed part, is a JweAuthenticationError', () => {
    const jwe = encryptCompact(HEADER, Buffer.from('"secret"'), KEY);
    const wrongKey = thrown(() => decryptCompact(parseCompact(jwe), Buffer.alloc(32, 8)));
    expect(wrongKey).toBeInstanceOf(JweAuthenticationError);
    expect(wrongKey.name).toBe('JweAuthenticationError');
    expect(wrongKey.message).toMatch(/does not authenticate \(AES-GCM tag mismatch\)/);
    // A header changed by one member (still valid for parseCompact) no longer matches the AAD.
    const otherHeader = withPart(jwe, 0, encode({ ...HEADER, typ: 'pii+jwf' }));
    expect(thrown(() => decryptCompact(parseCompact(otherHeader), KEY))).toBeInstanceOf(JweAuthenticationError);
    const parsed = parseCompact(jwe);
    const flipped = Buffer.from(parsed.ciphertext);
    flipped[0] ^= 1;
    expect(thrown(() => decryptCompact({ ...parsed, ciphertext: flipped }, KEY))).toBeInstanceOf(JweAuthenticationError);
  });

  describe('base64url', () => {
    test('encodes exactly the bytes of a view into a larger buffer', () => {
      const whole = Buffer.from([0xff, 0xfb, 0x01, 0x02, 0x03, 0xfe]);
      const view = new Uint8Array(whole.buffer, whole.byteOffset + 1, 3);
      expect(base64url(view)).toBe(Buffer.from([0xfb, 0x01, 0x02]).toString('base64url'));
      expect(base64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    });

    test('fromBase64url decodes the alphabet and refuses anything else, naming the part', () => {
      expect(fromBase64url('-_8', 'x')).toStrictEqual(Buffer.from([0xfb, 0xff]));
      expect(fromBase64url('', 'x')).toStrictEqual(Buffer.alloc(0));
      expect(fromBase64url('AAAAAA', 'x')).toHaveLength(4);
      for (const text of ['AA=A', 'A+B/', 'AA AA', ' AAA', 'AAA ', 'AA\nA', 'AAAA=']) {
        const error = thrown(() => fromBase64url(text, 'the part'));
        expect(error).toBeInstanceOf(MalformedJweError);
        expect(error.name).toBe('MalformedJweError');
        expect(error.message).toBe('the part is not base64url');
      }
    });

    test('a length of 1 modulo 4 is no base64 at all and is refused; 2 and 3 are unpadded tails', () => {
      expect(() => fromBase64url('A', 'x')).toThrow('x is not base64url');
      expect(() => fromBase64url('AAAAA', 'x')).toThrow('x is not base64url');
      expect(fromBase64url('AA', 'x')).toHaveLength(1);
      expect(fromBase64url('AAA', 'x')).toHaveLength(2);
    });
  });

  describe('peekHeader', () => {
    test('returns the decoded header of a compact JWE without decrypting', () => {
      const jwe = encryptCompact(HEADER, Buffer.from('1'), KEY);
      expect(peekHeader(jwe)).toStrictEqual(HEADER);
      expect(peekHeader(withPart(jwe, 3, '!'))).toStrictEqual(HEADER);
    });

    test('is undefined for anything that is not five parts with a base64url JSON object header', () => {
      const jwe = encryptCompact(HEADER, Buffer.from('1'), KEY);
      expect(peekHeader('')).toBeUndefined();
      expect(peekHeader('ada@example.com')).toBeUndefined();
      expect(peekHeader(jwe.split('.')[0])).toBeUndefined();
      expect(peekHeader(jwe.split('.').slice(0, 4).join('.'))).toBeUndefined();
      expect(peekHeader(`${jwe}.`)).toBeUndefined();
      expect(peekHeader(withPart(jwe, 0, encode(['dir'])))).toBeUndefined();
      expect(peekHeader(withPart(jwe, 0, encode('dir')))).toBeUndefined();
      expect(peekHeader(withPart(jwe, 0, encode(null)))).toBeUndefined();
      expect(peekHeader(withPart(jwe, 0, `${encode(HEADER)}*`))).toBeUndefined();
      expect(peekHeader(withPart(jwe, 0, Buffer.from('{"alg":').toString('base64url')))).toBeUndefined();
      // JSON.parse would accept these objects, but they are not the compact header this module writes (base64url of '{"').
      expect(peekHeader(withPart(jwe, 0, Buffer.from(` ${JSON.stringify(HEADER)}`).toString('base64url')))).toBeUndefined();
      expect(peekHeader(withPart(jwe, 0, Buffer.from(`{ "alg": "dir", "enc": "A256GCM" }`).toString('base64url')))).toBeUndefined();
      expect(() => parseCompact(withPart(jwe, 0, Buffer.from(` ${JSON.stringify(HEADER)}`).toString('base64url')))).toThrow('the JWE protected header is not base64url-encoded JSON');
    });
  });

  describe('parseCompact refuses with the reason', () => {
    // A fixed JWE (as encryptCompact writes it), so that no library code runs outside a test.
    const jwe = `${encode(HEADER)}..${'A'.repeat(16)}.${'B'.repeat(4)}.${'C'.repeat(22)}`;
    const headerOf = (h: Record<string, unknown>) => withPart(jwe, 0, encode(h));
    const refusal = (text: string) => {
      const error = thrown(() => parseCompact(text));
      expect(error).toBeInstanceOf(MalformedJweError);
      return error.message;
    };

    test('the number of parts', () => {
      expect(refusal(`${jwe}.x`)).toBe('a compact JWE has 5 parts, this has 6');
      expect(refusal('a.b')).toBe('a compact JWE has 5 parts, this has 2');
    });

    test('a header that is not base64url JSON', () => {
      expect(refusal(withPart(jwe, 0, 'e30*'))).toBe('the JWE protected header is not base64url-encoded JSON');
      expect(refusal(withPart(jwe, 0, 'bm90IGpzb24'))).toBe('the JWE protected header is not base64url-encoded JSON');
    });

    test('a header decoded by the caller is used as given', () => {
      expect(() => parseCompact(jwe, undefined)).not.toThrow();
      expect(parseCompact(jwe, { alg: 'dir', enc: 'A256GCM', given: true }).header).toStrictEqual({ alg: 'dir', enc: 'A256GCM', given: true });
      expect(() => parseCompact(jwe, { alg: 'RSA-OAEP', enc: 'A256GCM' })).toThrow('only "alg":"dir" with "enc":"A256GCM" is accepted, got "RSA-OAEP"/"A256GCM"');
    });

    test('any algorithm but "dir" with "A256GCM", naming what the header says', () => {
      expect(refusal(headerOf({ ...HEADER, alg: 'A256KW' }))).toBe('only "alg":"dir" with "enc":"A256GCM" is accepted, got "A256KW"/"A256GCM"');
      expect(refusal(headerOf({ ...HEADER, enc: 'A128GCM' }))).toBe('only "alg":"dir" with "enc":"A256GCM" is accepted, got "dir"/"A128GCM"');
      expect(refusal(headerOf({ enc: 'A256GCM' }))).toBe('only "alg":"dir" with "enc":"A256GCM" is accepted, got undefined/"A256GCM"');
      expect(refusal(headerOf({ alg: 'none' }))).toBe('only "alg":"dir" with "enc":"A256GCM" is accepted, got "none"/undefined');
    });

    test('"crit" or "zip", each on its own', () => {
      const message = 'the JWE header carries "crit" or "zip", which this format never uses';
      expect(refusal(headerOf({ ...HEADER, crit: [] }))).toBe(message);
      expect(refusal(headerOf({ ...HEADER, zip: 'DEF' }))).toBe(message);
    });

    test('an encrypted key part', () => {
      expect(refusal(withPart(jwe, 1, 'AAAA'))).toBe('the JWE Encrypted Key must be empty with "alg":"dir"');
    });

    test('an IV, tag or ciphertext that is not base64url, naming the part', () => {
      expect(refusal(withPart(jwe, 2, 'AAAA+AAAAAAAAAAA'))).toBe('the JWE IV is not base64url');
      expect(refusal(withPart(jwe, 4, 'AAAAAAAAAAAAAAAAAAAA/A'))).toBe('the JWE authentication tag is not base64url');
      expect(refusal(withPart(jwe, 3, 'AAAAA'))).toBe('the JWE ciphertext is not base64url');
    });

    test('an IV other than 12 bytes and a tag other than 16 bytes, with the length found', () => {
      expect(refusal(withPart(jwe, 2, base64url(Buffer.alloc(11))))).toBe('the JWE IV must be 12 bytes, got 11');
      expect(refusal(withPart(jwe, 2, base64url(Buffer.alloc(13))))).toBe('the JWE IV must be 12 bytes, got 13');
      expect(refusal(withPart(jwe, 4, base64url(Buffer.alloc(15))))).toBe('the JWE authentication tag must be 16 bytes, got 15');
      expect(refusal(withPart(jwe, 4, base64url(Buffer.alloc(17))))).toBe('the JWE authentication tag must be 16 bytes, got 17');
    });
  });
});

/** A stub KMS: each call is recorded and answered by `answer` (a promise, so a test can hold it). */
function stubKms(answer: (command: GenerateDataKeyCommand | DecryptCommand, index: number) => Promise<unknown>) {
  const commands: (GenerateDataKeyCommand | DecryptCommand)[] = [];
  const kms = {
    send: (command: GenerateDataKeyCommand | DecryptCommand) => {
      commands.push(command);
      return answer(command, commands.length - 1);
    },
  } as unknown as KMSClient;
  return { kms, commands };
}

const dataKey = (fill: number) => ({ Plaintext: new Uint8Array(32).fill(fill), CiphertextBlob: new Uint8Array([fill, 1, 2]) });

/** The KmsCallError `promise` rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<KmsCallError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e as KmsCallError,
  );
  expect(error).toBeInstanceOf(KmsCallError);
  return error as KmsCallError;
}

/** A promise the test settles later. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('DataKeyCache', () => {
  test('the defaults: 5 minutes, 1,000 records per key, 1,000 decrypted keys, the system clock', async () => {
    const { kms, commands } = stubKms(async () => dataKey(1));
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      // Created under the fake clock: the cache reads Date.now as it is when constructed.
      const cache = new DataKeyCache();
      expect([cache.maxAgeMs, cache.maxRecordsPerKey, cache.maxDecryptedKeys]).toStrictEqual([300_000, 1000, 1000]);
      await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm' });
      jest.setSystemTime(1_000_000 + 299_999);
      await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm' });
      expect(commands).toHaveLength(1);
      jest.setSystemTime(1_000_000 + 300_000);
      await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm' });
      expect(commands).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  test('limits must be positive (maxAgeMs) and whole (the counts), and the message gives the value', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new DataKeyCache({ maxAgeMs: bad })).toThrow(`DataKeyCache maxAgeMs must be a positive number, got ${bad}`);
    }
    for (const bad of [0, -2, 1.5, Number.NaN]) {
      expect(() => new DataKeyCache({ maxRecordsPerKey: bad })).toThrow(`DataKeyCache maxRecordsPerKey must be a positive integer, got ${bad}`);
      expect(() => new DataKeyCache({ maxDecryptedKeys: bad })).toThrow(`DataKeyCache maxDecryptedKeys must be a positive integer, got ${bad}`);
    }
    const smallest = new DataKeyCache({ maxAgeMs: 0.5, maxRecordsPerKey: 1, maxDecryptedKeys: 1 });
    expect([smallest.maxAgeMs, smallest.maxRecordsPerKey, smallest.maxDecryptedKeys]).toStrictEqual([0.5, 1, 1]);
  });

  describe('encrypt side', () => {
    test('GenerateDataKey asks for an AES-256 key under the key id with the context as given', async () => {
      const { kms, commands } = stubKms(async () => dataKey(3));
      const context = { integration: 'Crm', field: 'contact.email' };
      const key = await new DataKeyCache().dataKeyForRecord(kms, 'alias/pii', context);
      expect(key).toStrictEqual({ plaintext: new Uint8Array(32).fill(3), encrypted: new Uint8Array([3, 1, 2]) });
      expect(commands).toHaveLength(1);
      expect(commands[0]).toBeInstanceOf(GenerateDataKeyCommand);
      expect(commands[0].input).toStrictEqual({ KeyId: 'alias/pii', KeySpec: 'AES_256', EncryptionContext: context });
      expect((commands[0].input as { EncryptionContext: object }).EncryptionContext).not.toBe(context);
    });

    test('a key is used for maxRecordsPerKey records, then replaced', async () => {
      const { kms, commands } = stubKms(async (_c, i) => dataKey(i));
      const cache = new DataKeyCache({ maxRecordsPerKey: 3 });
      const keys = [];
      for (let i = 0; i < 7; i++) keys.push((await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm' })).plaintext[0]);
      expect(keys).toStrictEqual([0, 0, 0, 1, 1, 1, 2]);
      expect(commands).toHaveLength(3);
    });

    test('the context is one cache entry whatever the order of its members, and another key id or value is another entry', async () => {
      const { kms, commands } = stubKms(async (_c, i) => dataKey(i));
      const cache = new DataKeyCache();
      await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm', field: 'a' });
      await cache.dataKeyForRecord(kms, 'k', { field: 'a', integration: 'Crm' });
      expect(commands).toHaveLength(1);
      await cache.dataKeyForRecord(kms, 'k2', { integration: 'Crm', field: 'a' });
      await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm', field: 'b' });
      // Values that would collide if the id were a plain concatenation.
      await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm', field: 'a","x' });
      await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm", "field', ['a']: 'x' } as Record<string, string>);
      expect(commands).toHaveLength(5);
    });

    test('a failed GenerateDataKey is dropped only when still the cached entry: the replacing key stays in use', async () => {
      const first = deferred<unknown>();
      const { kms, commands } = stubKms((_c, i) => (i === 0 ? first.promise : Promise.resolve(dataKey(i))));
      let now = 0;
      const cache = new DataKeyCache({ maxAgeMs: 10, now: () => now });
      const failing = cache.dataKeyForRecord(kms, 'k', { integration: 'Crm' });
      now = 10; // the pending entry is now too old: the next record replaces it
      const replacing = await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm' });
      first.reject(new Error('boom'));
      await expect(failing).rejects.toThrow('KMS GenerateDataKey failed: Error: boom');
      expect((await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm' })).plaintext[0]).toBe(replacing.plaintext[0]);
      expect(commands).toHaveLength(2);
    });

    test('a failure is a KmsCallError with the SDK name, the message and the cause, and is not cached', async () => {
      const refusal = Object.assign(new Error('Alias alias/x is not found.'), { name: 'NotFoundException' });
      let fail = true;
      const { kms, commands } = stubKms(async () => {
        if (fail) throw refusal;
        return dataKey(9);
      });
      const cache = new DataKeyCache();
      const error = await rejection(cache.dataKeyForRecord(kms, 'alias/x', { integration: 'Crm' }));
      expect(error).toBeInstanceOf(KmsCallError);
      expect(error.name).toBe('KmsCallError');
      expect(error.kmsErrorName).toBe('NotFoundException');
      expect(error.message).toBe('KMS GenerateDataKey failed: NotFoundException: Alias alias/x is not found.');
      expect(error.cause).toBe(refusal);
      fail = false;
      expect((await cache.dataKeyForRecord(kms, 'alias/x', { integration: 'Crm' })).plaintext[0]).toBe(9);
      expect(commands).toHaveLength(2);
    });

    test('a thrown value that is not an Error is reported by its text, named Error', async () => {
      const { kms } = stubKms(() => Promise.reject('socket hang up'));
      const error = await rejection(new DataKeyCache().dataKeyForRecord(kms, 'k', { integration: 'Crm' }));
      expect(error.message).toBe('KMS GenerateDataKey failed: Error: socket hang up');
      expect(error.kmsErrorName).toBe('Error');
      const empty = await rejection(new DataKeyCache().dataKeyForRecord(stubKms(() => Promise.reject(undefined)).kms, 'k', { integration: 'Crm' }));
      expect(empty.message).toBe('KMS GenerateDataKey failed: Error: undefined');
    });

    test('an answer without a 32-byte key or without the encrypted key is refused as InvalidResponse', async () => {
      for (const answer of [
        { Plaintext: new Uint8Array(16), CiphertextBlob: new Uint8Array([1]) },
        { Plaintext: new Uint8Array(33), CiphertextBlob: new Uint8Array([1]) },
        { CiphertextBlob: new Uint8Array([1]) },
        { Plaintext: new Uint8Array(32), CiphertextBlob: new Uint8Array(0) },
        { Plaintext: new Uint8Array(32) },
      ]) {
        const error = await rejection(new DataKeyCache()
          .dataKeyForRecord(stubKms(async () => answer).kms, 'k', { integration: 'Crm' })
          );
        expect(error).toBeInstanceOf(KmsCallError);
        expect(error.kmsErrorName).toBe('InvalidResponse');
        expect(error.message).toBe('KMS GenerateDataKey returned no 32-byte key and no encrypted key');
      }
    });
  });

  describe('decrypt side', () => {
    const edk = new Uint8Array([5, 6, 7]);

    test('Decrypt sends the encrypted key and the context, and the key id only when pinned', async () => {
      const { kms, commands } = stubKms(async () => ({ Plaintext: new Uint8Array(32).fill(4) }));
      const cache = new DataKeyCache();
      const context = { integration: 'Crm', field: 'contact.email' };
      expect(await cache.decryptedDataKey(kms, edk, context, 'arn:aws:kms:us-east-1:1:key/a')).toStrictEqual(new Uint8Array(32).fill(4));
      expect(await cache.decryptedDataKey(kms, edk, context)).toStrictEqual(new Uint8Array(32).fill(4));
      expect(commands.map((c) => c.constructor)).toStrictEqual([DecryptCommand, DecryptCommand]);
      expect(commands[0].input).toStrictEqual({ CiphertextBlob: edk, EncryptionContext: context, KeyId: 'arn:aws:kms:us-east-1:1:key/a' });
      expect(commands[1].input).toStrictEqual({ CiphertextBlob: edk, EncryptionContext: context });
    });

    test('a decrypted key is reused for maxAgeMs, for the same encrypted key, context and pinned key only', async () => {
      let now = 0;
      const { kms, commands } = stubKms(async (_c, i) => ({ Plaintext: new Uint8Array(32).fill(i) }));
      const cache = new DataKeyCache({ maxAgeMs: 100, now: () => now });
      const ctx = { integration: 'Crm', field: 'a' };
      expect((await cache.decryptedDataKey(kms, edk, ctx, 'k'))[0]).toBe(0);
      now = 99;
      expect((await cache.decryptedDataKey(kms, edk, { field: 'a', integration: 'Crm' }, 'k'))[0]).toBe(0);
      expect(commands).toHaveLength(1);
      await cache.decryptedDataKey(kms, new Uint8Array([5, 6, 8]), ctx, 'k');
      await cache.decryptedDataKey(kms, edk, { integration: 'Crm', field: 'b' }, 'k');
      await cache.decryptedDataKey(kms, edk, ctx, 'other');
      await cache.decryptedDataKey(kms, edk, ctx);
      expect(commands).toHaveLength(5);
      now = 100;
      expect((await cache.decryptedDataKey(kms, edk, ctx, 'k'))[0]).toBe(5);
      now = 150;
      expect((await cache.decryptedDataKey(kms, edk, ctx, 'k'))[0]).toBe(5);
      expect(commands).toHaveLength(6);
    });

    test('beyond maxDecryptedKeys the oldest key is dropped first', async () => {
      const { kms, commands } = stubKms(async (_c, i) => ({ Plaintext: new Uint8Array(32).fill(i) }));
      const cache = new DataKeyCache({ maxDecryptedKeys: 2 });
      const ctx = { integration: 'Crm' };
      const a = new Uint8Array([1]);
      const b = new Uint8Array([2]);
      const c = new Uint8Array([3]);
      await cache.decryptedDataKey(kms, a, ctx);
      await cache.decryptedDataKey(kms, b, ctx);
      expect(commands).toHaveLength(2);
      await cache.decryptedDataKey(kms, c, ctx); // drops a
      expect((await cache.decryptedDataKey(kms, b, ctx))[0]).toBe(1);
      expect((await cache.decryptedDataKey(kms, c, ctx))[0]).toBe(2);
      expect(commands).toHaveLength(3);
      expect((await cache.decryptedDataKey(kms, a, ctx))[0]).toBe(3);
      expect(commands).toHaveLength(4);
    });

    test('concurrent requests for one key share one Decrypt', async () => {
      const { kms, commands } = stubKms(async () => ({ Plaintext: new Uint8Array(32) }));
      const cache = new DataKeyCache();
      await Promise.all([cache.decryptedDataKey(kms, edk, { integration: 'Crm' }), cache.decryptedDataKey(kms, edk, { integration: 'Crm' })]);
      expect(commands).toHaveLength(1);
    });

    test('a refused Decrypt is a KmsCallError and is not cached; an old failure does not evict the key that replaced it', async () => {
      const refusal = Object.assign(new Error('bad context'), { name: 'InvalidCiphertextException' });
      const first = deferred<unknown>();
      let now = 0;
      const { kms, commands } = stubKms((_c, i) => (i === 0 ? first.promise : i === 1 ? Promise.reject(refusal) : Promise.resolve({ Plaintext: new Uint8Array(32).fill(i) })));
      const cache = new DataKeyCache({ maxAgeMs: 10, now: () => now });
      const ctx = { integration: 'Crm' };
      const old = cache.decryptedDataKey(kms, edk, ctx);
      now = 10;
      const error = await rejection(cache.decryptedDataKey(kms, edk, ctx));
      expect(error).toBeInstanceOf(KmsCallError);
      expect(error.kmsErrorName).toBe('InvalidCiphertextException');
      expect(error.message).toBe('KMS Decrypt failed: InvalidCiphertextException: bad context');
      expect(error.cause).toBe(refusal);
      const fresh = await cache.decryptedDataKey(kms, edk, ctx);
      expect(fresh[0]).toBe(2);
      first.reject(new Error('late'));
      await expect(old).rejects.toThrow('KMS Decrypt failed: Error: late');
      expect(await cache.decryptedDataKey(kms, edk, ctx)).toBe(fresh);
      expect(commands).toHaveLength(3);
    });

    test('an answer without a 32-byte key is refused as InvalidResponse', async () => {
      for (const answer of [{}, { Plaintext: new Uint8Array(31) }, { Plaintext: new Uint8Array(64) }]) {
        const error = await rejection(new DataKeyCache().decryptedDataKey(stubKms(async () => answer).kms, edk, { integration: 'Crm' }));
        expect(error).toBeInstanceOf(KmsCallError);
        expect(error.kmsErrorName).toBe('InvalidResponse');
        expect(error.message).toBe('KMS Decrypt returned no 32-byte data key');
      }
    });
  });

  test('clear() forgets the keys of both sides', async () => {
    const { kms, commands } = stubKms(async (c) => (c instanceof GenerateDataKeyCommand ? dataKey(1) : { Plaintext: new Uint8Array(32) }));
    const cache = new DataKeyCache();
    await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm' });
    await cache.decryptedDataKey(kms, new Uint8Array([9, 9]), { integration: 'Crm' });
    cache.clear();
    await cache.dataKeyForRecord(kms, 'k', { integration: 'Crm' });
    await cache.decryptedDataKey(kms, new Uint8Array([9, 9]), { integration: 'Crm' });
    expect(commands.map((c) => c.constructor.name)).toStrictEqual(['GenerateDataKeyCommand', 'DecryptCommand', 'GenerateDataKeyCommand', 'DecryptCommand']);
  });

  test('with moto KMS: a generated key decrypts to the same key under its context, and another context is refused', async () => {
    const kms = new KMSClient(motoClientConfig());
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const context = { integration: 'Crm', field: 'contact.email' };
    const key = await new DataKeyCache().dataKeyForRecord(kms, keyId, context);
    expect(key.plaintext).toHaveLength(32);
    expect(Buffer.from(await new DataKeyCache().decryptedDataKey(kms, key.encrypted, context, keyId))).toStrictEqual(Buffer.from(key.plaintext));
    await expect(new DataKeyCache().decryptedDataKey(kms, key.encrypted, { ...context, field: 'contact.phone' }, keyId)).rejects.toThrow(/^KMS Decrypt failed: InvalidCiphertextException/);
  });
});
