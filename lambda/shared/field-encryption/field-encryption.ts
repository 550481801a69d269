// encryptFields: PII fields of a JSON record encrypted one by one with KMS envelope encryption, each
// value replaced by a JWE compact string (the format is specified in FORMAT.md); and what the decrypt
// side (field-decryption.ts) shares with it: the marker, the context keys, the key's variable, the
// container's KMS client and data-key cache.
import { KMSClient } from '@aws-sdk/client-kms';
import { DataKeyCache, FieldEncryptionContext } from './data-key-cache';
import { FieldPath, findOccurrences, parseFieldPaths, setOwn } from './field-path';
import { base64url, encryptCompact, JweHeader, peekHeader } from './jwe';

/** The JWE `typ` that marks an encrypted field: how {@link decryptFields} and consumers recognise one. */
export const ENCRYPTED_FIELD_TYPE = 'pii+jwe';
/** The keys of the KMS encryption context (and of the header's `ctx`): use them in key policy and grant conditions. */
export const ENCRYPTION_CONTEXT_KEYS = { integration: 'integration', field: 'field' } as const;
/**
 * The environment variable the KMS key is read from when `keyId` is not given: by encryptFields to
 * generate data keys, and by decryptFields to pin the key (`SecureIntegration.grantDecrypt` sets it
 * on a Lambda function to the platform key's ARN).
 */
export const KEY_ID_ENV = 'FIELD_ENCRYPTION_KEY_ID';

/** Options of {@link encryptFields}. */
export interface FieldEncryptionOptions {
  /** The integration the record belongs to; bound to every ciphertext and passed to KMS in the encryption context. */
  readonly integration: string;
  /**
   * The KMS key that generates data keys: key id, key ARN, alias name or alias ARN.
   * @default - the value of the FIELD_ENCRYPTION_KEY_ID environment variable
   */
  readonly keyId?: string;
  /**
   * The KMS client.
   * @default - one client per container, configured from the environment (AWS_ENDPOINT_URL works)
   */
  readonly kms?: KMSClient;
  /**
   * Where data keys are cached, with their limits.
   * @default - one cache per container: keys used for 5 minutes or 1,000 records at most
   */
  readonly cache?: DataKeyCache;
}

/** Fields could not be encrypted (bad options, or KMS refused to generate a data key); nothing is returned. */
export class FieldEncryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FieldEncryptionError';
  }
}

/**
 * encryptFields or decryptFields was called wrongly: no integration, no KMS key (neither `keyId` nor
 * FIELD_ENCRYPTION_KEY_ID), or `paths` missing. A deployment or code problem, not a bad record:
 * retrying does not help. Bad path syntax is a FieldPathError.
 */
export class FieldEncryptionConfigurationError extends FieldEncryptionError {
  constructor(message: string) {
    super(message);
    this.name = 'FieldEncryptionConfigurationError';
  }
}

let defaultKms: KMSClient | undefined;
/** The container's data-key cache, shared by encryptFields and decryptFields unless one is passed. */
export const defaultCache = new DataKeyCache();
const parsedPathLists = new Map<string, FieldPath[]>();

/** The injected client, or the container's one. */
export function kmsClient(injected?: KMSClient): KMSClient {
  return injected ?? (defaultKms ??= new KMSClient({}));
}

/** Parsed (and cached) `piiFields` paths; throws FieldPathError, or FieldEncryptionConfigurationError when `paths` is no array. */
export function pathsOf(paths: readonly string[], fn: string): FieldPath[] {
  if (!Array.isArray(paths)) {
    throw new FieldEncryptionConfigurationError(`${fn}: paths must be the integration's piiFields (an array of paths), got ${JSON.stringify(paths)}`);
  }
  const id = JSON.stringify(paths);
  let parsed = parsedPathLists.get(id);
  if (!parsed) {
    parsed = parseFieldPaths(paths);
    if (parsedPathLists.size >= 100) parsedPathLists.clear();
    parsedPathLists.set(id, parsed);
  }
  return parsed;
}

/** The integration's name from the options, or FieldEncryptionConfigurationError. */
export function checkIntegration(integration: unknown, fn: string): string {
  if (typeof integration !== 'string' || integration.length === 0) {
    throw new FieldEncryptionConfigurationError(`${fn}: options.integration must be the integration's name, got ${JSON.stringify(integration)}`);
  }
  return integration;
}

/**
 * Encrypts the values `paths` name in a JSON record, each on its own, and returns a copy of the
 * record with each such value replaced by an encrypted-field string (a JWE, see FORMAT.md). The
 * input is not modified. Paths the record does not have are left alone; any JSON value (string,
 * number, boolean, null, object, array) is encrypted as its JSON text, so {@link decryptFields}
 * restores it with its type.
 *
 * One data key per (integration, declared path), from KMS GenerateDataKey with the encryption
 * context `{ integration, field: <declared path> }`, reused per `options.cache`'s limits.
 *
 * @param record a JSON object (as JSON.parse returns it)
 * @param paths PII field paths (see parseFieldPath): dot paths, `[*]` for arrays, a trailing `.*`
 * @throws FieldPathError for a bad path; FieldEncryptionError when KMS refuses or options are wrong
 */
export async function encryptFields(record: object, paths: readonly string[], options: FieldEncryptionOptions): Promise<Record<string, unknown>> {
  const integration = checkIntegration(options?.integration, 'encryptFields');
  const keyId = options.keyId ?? process.env[KEY_ID_ENV];
  if (!keyId) throw new FieldEncryptionConfigurationError(`encryptFields: no KMS key: pass options.keyId or set the ${KEY_ID_ENV} environment variable`);
  const fieldPaths = pathsOf(paths, 'encryptFields');
  const copy = structuredClone(record) as Record<string, unknown>;
  const found = fieldPaths.map((fieldPath) => ({ fieldPath, occurrences: findOccurrences(copy, fieldPath) })).filter((f) => f.occurrences.length > 0);
  const cache = options.cache ?? defaultCache;
  const kms = kmsClient(options.kms);
  // Wait for every path's key before deciding: a call left in flight after a sibling failed would be
  // shared with (and fail) the next record, though the cache never keeps a failure.
  const settled = await Promise.allSettled(found.map((f) => cache.dataKeyForRecord(kms, keyId, contextOf(integration, f.fieldPath.path))));
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    const error = failed.reason as Error;
    throw new FieldEncryptionError(`encryptFields: no data key for integration ${JSON.stringify(integration)}: ${error.message}`, { cause: error });
  }
  const keys = settled.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<DataKeyCache['dataKeyForRecord']>>>).value);
  found.forEach(({ fieldPath, occurrences }, i) => {
    const ctx = contextOf(integration, fieldPath.path);
    const edk = base64url(keys[i].encrypted);
    for (const { parent, key, location } of occurrences) {
      const header: JweHeader = {
        alg: 'dir',
        enc: 'A256GCM',
        typ: ENCRYPTED_FIELD_TYPE,
        cty: 'json',
        ctx,
        ...(location === fieldPath.path ? {} : { loc: location }),
        edk,
      };
      const value = (parent as Record<string | number, unknown>)[key];
      setOwn(parent, key, encryptCompact(header, Buffer.from(JSON.stringify(value), 'utf8'), keys[i].plaintext));
    }
  });
  return copy;
}

/** The KMS encryption context of a declared path's data keys. */
export function contextOf(integration: string, field: string): FieldEncryptionContext {
  return { [ENCRYPTION_CONTEXT_KEYS.integration]: integration, [ENCRYPTION_CONTEXT_KEYS.field]: field };
}

/** True when `value` is an encrypted field as {@link encryptFields} writes it (judged by its header, not decrypted). */
export function isEncryptedField(value: unknown): value is string {
  return typeof value === 'string' && peekHeader(value)?.typ === ENCRYPTED_FIELD_TYPE;
}
