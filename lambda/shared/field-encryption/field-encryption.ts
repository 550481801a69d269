// encryptFields / decryptFields: PII fields of a JSON record encrypted one by one with KMS envelope
// encryption, each value replaced by a JWE compact string (the format is specified in FORMAT.md).
import { KMSClient } from '@aws-sdk/client-kms';
import { DataKeyCache, FieldEncryptionContext, KmsCallError } from './data-key-cache';
import { FieldPath, FieldPathError, findOccurrences, isJsonObject, locationMatches, parseFieldPath, parseFieldPaths, setOwn, appendEach, appendField } from './field-path';
import { base64url, decryptCompact, encryptCompact, fromBase64url, JweAuthenticationError, JweHeader, MalformedJweError, parseCompact, ParsedJwe, peekHeader } from './jwe';

/** The JWE `typ` that marks an encrypted field: how {@link decryptFields} and consumers recognise one. */
export const ENCRYPTED_FIELD_TYPE = 'pii+jwe';
/** The keys of the KMS encryption context (and of the header's `ctx`): use them in key policy and grant conditions. */
export const ENCRYPTION_CONTEXT_KEYS = { integration: 'integration', field: 'field' } as const;
/** The environment variable the KMS key id is read from when `keyId` is not given. */
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

/** Options of {@link decryptFields}. */
export interface FieldDecryptionOptions {
  /** The integration the record must belong to: a field encrypted for any other integration is refused. */
  readonly integration: string;
  /**
   * Pin the KMS key: passed as KeyId to KMS Decrypt, which then refuses data keys of any other key.
   * @default - the key recorded in the encrypted data key
   */
  readonly keyId?: string;
  /**
   * The KMS client.
   * @default - one client per container, configured from the environment (AWS_ENDPOINT_URL works)
   */
  readonly kms?: KMSClient;
  /**
   * Where decrypted data keys are cached.
   * @default - one cache per container: keys kept for 5 minutes
   */
  readonly cache?: DataKeyCache;
}

/** Why an encrypted field was refused. */
export enum FieldDecryptionFailureReason {
  /** The value is marked as an encrypted field but is not a well-formed one. */
  MALFORMED = 'malformed',
  /** The field was encrypted for another integration than the one expected. */
  INTEGRATION_MISMATCH = 'integration-mismatch',
  /** The ciphertext was encrypted for another place in the record: it was moved or swapped. */
  LOCATION_MISMATCH = 'location-mismatch',
  /** KMS refused the data key: wrong encryption context, wrong or disabled key, or no permission. */
  KMS_REJECTED = 'kms-rejected',
  /** KMS could not be reached or throttled the call: worth a retry. */
  KMS_UNAVAILABLE = 'kms-unavailable',
  /** AES-GCM authentication failed: the header, IV, ciphertext or tag was altered. */
  TAMPERED = 'tampered',
}

/** An encrypted field could not be decrypted; nothing of the record is returned. */
export class FieldDecryptionError extends Error {
  constructor(
    readonly reason: FieldDecryptionFailureReason,
    /** Where in the record the field was found. */
    readonly location: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot decrypt the field at ${location}: ${message}`, options);
    this.name = 'FieldDecryptionError';
  }
}

/** Fields could not be encrypted (bad options, or KMS refused to generate a data key); nothing is returned. */
export class FieldEncryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FieldEncryptionError';
  }
}

/** KMS errors that mean "no", as opposed to "not now". */
const KMS_REJECTIONS = new Set([
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'AccessDeniedException',
  'NotFoundException',
  'DisabledException',
  'KMSInvalidStateException',
  'InvalidKeyUsageException',
  'InvalidResponse',
]);

let defaultKms: KMSClient | undefined;
const defaultCache = new DataKeyCache();
const parsedPathLists = new Map<string, FieldPath[]>();

function kmsClient(injected?: KMSClient): KMSClient {
  return injected ?? (defaultKms ??= new KMSClient({}));
}

function pathsOf(paths: readonly string[]): FieldPath[] {
  const id = JSON.stringify(paths);
  let parsed = parsedPathLists.get(id);
  if (!parsed) {
    parsed = parseFieldPaths(paths);
    if (parsedPathLists.size >= 100) parsedPathLists.clear();
    parsedPathLists.set(id, parsed);
  }
  return parsed;
}

function checkIntegration(integration: unknown, fn: string): string {
  if (typeof integration !== 'string' || integration.length === 0) {
    throw new FieldEncryptionError(`${fn}: options.integration must be the integration's name, got ${JSON.stringify(integration)}`);
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
  if (!keyId) throw new FieldEncryptionError(`encryptFields: no KMS key: pass options.keyId or set the ${KEY_ID_ENV} environment variable`);
  const fieldPaths = pathsOf(paths);
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

function contextOf(integration: string, field: string): FieldEncryptionContext {
  return { [ENCRYPTION_CONTEXT_KEYS.integration]: integration, [ENCRYPTION_CONTEXT_KEYS.field]: field };
}

/** True when `value` is an encrypted field as {@link encryptFields} writes it (judged by its header, not decrypted). */
export function isEncryptedField(value: unknown): value is string {
  return typeof value === 'string' && peekHeader(value)?.typ === ENCRYPTED_FIELD_TYPE;
}

interface FoundField {
  readonly parent: Record<string, unknown> | unknown[];
  readonly key: string | number;
  readonly location: string;
  readonly jwe: ParsedJwe;
  readonly ctx: FieldEncryptionContext;
  readonly edk: Buffer;
}

/** Every encrypted field in the record, checked against the expected integration and its place, not yet decrypted. */
function findEncryptedFields(root: unknown, integration: string): FoundField[] {
  const found: FoundField[] = [];
  const stack: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number; location: string }> = [];
  const push = (node: unknown, location: string) => {
    if (Array.isArray(node)) node.forEach((_, i) => stack.push({ parent: node, key: i, location: appendEach(location) }));
    else if (isJsonObject(node)) Object.keys(node).forEach((k) => stack.push({ parent: node, key: k, location: appendField(location, k) }));
  };
  push(root, '');
  for (let item = stack.pop(); item; item = stack.pop()) {
    const value = (item.parent as Record<string | number, unknown>)[item.key];
    const header = typeof value === 'string' ? peekHeader(value) : undefined;
    if (header?.typ === ENCRYPTED_FIELD_TYPE) found.push(checkField(item.parent, item.key, item.location, value as string, header, integration));
    else push(value, item.location);
  }
  return found;
}

function checkField(parent: FoundField['parent'], key: string | number, location: string, value: string, header: Record<string, unknown>, integration: string): FoundField {
  const malformed = (message: string, cause?: unknown) => new FieldDecryptionError(FieldDecryptionFailureReason.MALFORMED, location, message, { cause });
  let jwe: ParsedJwe;
  try {
    jwe = parseCompact(value, header);
  } catch (error) {
    throw malformed((error as Error).message, error);
  }
  const { ctx, loc, edk, cty } = jwe.header;
  const contextKeys = Object.values(ENCRYPTION_CONTEXT_KEYS);
  if (!isJsonObject(ctx) || Object.keys(ctx).length !== contextKeys.length || !contextKeys.every((k) => typeof ctx[k] === 'string')) {
    throw malformed(`the header's "ctx" must be {"${contextKeys.join('": string, "')}": string}`);
  }
  if (cty !== 'json' || typeof edk !== 'string' || edk === '') throw malformed('the header needs "cty":"json" and an "edk"');
  const context = ctx as Record<string, string>;
  if (context.integration !== integration) {
    throw new FieldDecryptionError(
      FieldDecryptionFailureReason.INTEGRATION_MISMATCH,
      location,
      `it was encrypted for integration ${JSON.stringify(context.integration)}, and ${JSON.stringify(integration)} is expected`,
    );
  }
  let fieldPath: FieldPath;
  try {
    fieldPath = parseFieldPath(context.field);
  } catch (error) {
    if (error instanceof FieldPathError) throw malformed(`the header's field is not a valid path: ${error.message}`, error);
    throw error;
  }
  const encryptedAt = loc ?? context.field;
  if (typeof encryptedAt !== 'string' || !locationMatches(fieldPath, encryptedAt)) {
    throw malformed(`the header's "loc" ${JSON.stringify(loc)} is not a value of the field ${JSON.stringify(context.field)}`);
  }
  if (encryptedAt !== location) {
    throw new FieldDecryptionError(
      FieldDecryptionFailureReason.LOCATION_MISMATCH,
      location,
      `it was encrypted for ${encryptedAt}: a ciphertext moved to another field is refused`,
    );
  }
  let edkBytes: Buffer;
  try {
    edkBytes = fromBase64url(edk, 'the header\'s "edk"');
  } catch (error) {
    throw malformed((error as MalformedJweError).message, error);
  }
  return { parent, key, location, jwe, ctx: context, edk: edkBytes };
}

/**
 * Finds every encrypted field in a record (by its JWE header's `typ`, wherever it is), checks that it
 * was encrypted for `options.integration` and for the place it is found at, decrypts its data key with
 * KMS under the encryption context from its header, and returns a copy of the record with the
 * original values, types included. The input is not modified.
 *
 * @throws FieldDecryptionError for the first field refused, with the reason and its location
 */
export async function decryptFields<T = Record<string, unknown>>(record: object, options: FieldDecryptionOptions): Promise<T> {
  const integration = checkIntegration(options?.integration, 'decryptFields');
  const copy = structuredClone(record);
  const fields = findEncryptedFields(copy, integration);
  const cache = options.cache ?? defaultCache;
  const kms = kmsClient(options.kms);
  const keys = await Promise.all(
    fields.map(async (f) => {
      try {
        return await cache.decryptedDataKey(kms, f.edk, f.ctx, options.keyId);
      } catch (error) {
        const name = error instanceof KmsCallError ? error.kmsErrorName : '';
        const reason = KMS_REJECTIONS.has(name) ? FieldDecryptionFailureReason.KMS_REJECTED : FieldDecryptionFailureReason.KMS_UNAVAILABLE;
        throw new FieldDecryptionError(reason, f.location, (error as Error).message, { cause: error });
      }
    }),
  );
  fields.forEach((f, i) => {
    let plaintext: Buffer;
    try {
      plaintext = decryptCompact(f.jwe, keys[i]);
    } catch (error) {
      if (error instanceof JweAuthenticationError) throw new FieldDecryptionError(FieldDecryptionFailureReason.TAMPERED, f.location, error.message);
      throw error;
    }
    setOwn(f.parent, f.key, JSON.parse(plaintext.toString('utf8')));
  });
  return copy as T;
}
