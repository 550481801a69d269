// Data keys from KMS, cached per container: on the encrypt side a key is reused for at most
// `maxAgeMs` and `maxRecordsPerKey` records, then a new one is generated; on the decrypt side a key
// KMS has decrypted for one exact (encrypted key, encryption context) pair is reused for `maxAgeMs`.
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';

/** The KMS encryption context of a data key: `{ integration, field }`, the field as declared (see FORMAT.md). */
export type FieldEncryptionContext = Readonly<Record<string, string>>;

/** A data key: the plaintext key for AES-256-GCM and the same key encrypted by KMS. */
export interface DataKey {
  readonly plaintext: Uint8Array;
  readonly encrypted: Uint8Array;
}

/** Limits of a {@link DataKeyCache}. */
export interface DataKeyCacheOptions {
  /**
   * How long a data key is used for, from the moment it is requested, in milliseconds. Also how long
   * a decrypted data key is kept on the decrypt side.
   * @default 300000 (5 minutes)
   */
  readonly maxAgeMs?: number;
  /**
   * How many records one data key encrypts before a new one is generated. A record counts once per
   * data key it uses, however many array elements it holds; AES-GCM with random 96-bit IVs stays far
   * below NIST SP 800-38D's 2^32 invocations per key either way.
   * @default 1000
   */
  readonly maxRecordsPerKey?: number;
  /**
   * How many decrypted data keys the decrypt side keeps; the oldest is dropped first.
   * @default 1000
   */
  readonly maxDecryptedKeys?: number;
  /**
   * The clock, in milliseconds since the epoch (injectable for tests).
   * @default Date.now
   */
  readonly now?: () => number;
}

/** A KMS call failed. `kmsErrorName` is the SDK's error name (for example InvalidCiphertextException). */
export class KmsCallError extends Error {
  constructor(
    message: string,
    readonly kmsErrorName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KmsCallError';
  }
}

interface EncryptEntry {
  readonly key: Promise<DataKey>;
  readonly createdAt: number;
  records: number;
}

interface DecryptEntry {
  readonly key: Promise<Uint8Array>;
  readonly createdAt: number;
}

/**
 * Data keys cached in memory, once per container: create one at module level (or use the default
 * one the module keeps) and pass it to every call. Concurrent calls that need the same new key share
 * one KMS request.
 */
export class DataKeyCache {
  readonly maxAgeMs: number;
  readonly maxRecordsPerKey: number;
  readonly maxDecryptedKeys: number;
  private readonly now: () => number;
  private readonly encryptKeys = new Map<string, EncryptEntry>();
  private readonly decryptKeys = new Map<string, DecryptEntry>();

  constructor(options: DataKeyCacheOptions = {}) {
    this.maxAgeMs = positive('maxAgeMs', options.maxAgeMs ?? 5 * 60 * 1000);
    this.maxRecordsPerKey = positiveInteger('maxRecordsPerKey', options.maxRecordsPerKey ?? 1000);
    this.maxDecryptedKeys = positiveInteger('maxDecryptedKeys', options.maxDecryptedKeys ?? 1000);
    this.now = options.now ?? Date.now;
  }

  /**
   * The data key for the next record under (key, context): the cached one while it is younger than
   * `maxAgeMs` and has encrypted fewer than `maxRecordsPerKey` records, else a new one from
   * KMS GenerateDataKey. Counts the record.
   */
  dataKeyForRecord(kms: KMSClient, keyId: string, context: FieldEncryptionContext): Promise<DataKey> {
    const id = cacheId(keyId, context);
    const now = this.now();
    let entry = this.encryptKeys.get(id);
    if (!entry || now - entry.createdAt >= this.maxAgeMs || entry.records >= this.maxRecordsPerKey) {
      const created: EncryptEntry = { key: generateDataKey(kms, keyId, context), createdAt: now, records: 0 };
      this.encryptKeys.set(id, created);
      created.key.catch(() => {
        if (this.encryptKeys.get(id) === created) this.encryptKeys.delete(id);
      });
      entry = created;
    }
    entry.records++;
    return entry.key;
  }

  /**
   * The plaintext of an encrypted data key, from KMS Decrypt with exactly this context (and key, when
   * pinned), cached for `maxAgeMs` under the (encrypted key, context, key) triple, so a cached key is
   * only ever returned for a context KMS itself accepted.
   */
  decryptedDataKey(kms: KMSClient, encrypted: Uint8Array, context: FieldEncryptionContext, keyId?: string): Promise<Uint8Array> {
    const id = `${cacheId(keyId ?? '', context)}\u0000${Buffer.from(encrypted).toString('base64')}`;
    const now = this.now();
    const entry = this.decryptKeys.get(id);
    if (entry && now - entry.createdAt < this.maxAgeMs) return entry.key;
    this.decryptKeys.delete(id);
    const created: DecryptEntry = { key: decryptDataKey(kms, encrypted, context, keyId), createdAt: now };
    this.decryptKeys.set(id, created);
    created.key.catch(() => {
      if (this.decryptKeys.get(id) === created) this.decryptKeys.delete(id);
    });
    while (this.decryptKeys.size > this.maxDecryptedKeys) this.decryptKeys.delete(this.decryptKeys.keys().next().value!);
    return created.key;
  }

  /** Forgets every key (for example after a key policy change). */
  clear(): void {
    this.encryptKeys.clear();
    this.decryptKeys.clear();
  }
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`DataKeyCache ${name} must be a positive number, got ${value}`);
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`DataKeyCache ${name} must be a positive integer, got ${value}`);
  return value;
}

/** A collision-free id: JSON of an array of strings, context keys sorted. */
function cacheId(keyId: string, context: FieldEncryptionContext): string {
  return JSON.stringify([keyId, ...Object.keys(context).sort().flatMap((k) => [k, context[k]])]);
}

function kmsError(action: string, error: unknown): KmsCallError {
  const name = (error as Error)?.name ?? 'Error';
  return new KmsCallError(`KMS ${action} failed: ${name}: ${(error as Error)?.message ?? String(error)}`, name, { cause: error });
}

async function generateDataKey(kms: KMSClient, keyId: string, context: FieldEncryptionContext): Promise<DataKey> {
  let out;
  try {
    out = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }));
  } catch (error) {
    throw kmsError('GenerateDataKey', error);
  }
  if (out.Plaintext?.byteLength !== 32 || !out.CiphertextBlob?.byteLength) {
    throw new KmsCallError('KMS GenerateDataKey returned no 32-byte key and no encrypted key', 'InvalidResponse');
  }
  return { plaintext: out.Plaintext, encrypted: out.CiphertextBlob };
}

async function decryptDataKey(kms: KMSClient, encrypted: Uint8Array, context: FieldEncryptionContext, keyId?: string): Promise<Uint8Array> {
  let out;
  try {
    out = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted, EncryptionContext: { ...context }, ...(keyId ? { KeyId: keyId } : {}) }));
  } catch (error) {
    throw kmsError('Decrypt', error);
  }
  if (out.Plaintext?.byteLength !== 32) throw new KmsCallError('KMS Decrypt returned no 32-byte data key', 'InvalidResponse');
  return out.Plaintext;
}
