// decryptFields: the consumer side of FORMAT.md. Only the values at the integration's declared paths
// are decrypted, each under the pinned KMS key; a marker-looking string anywhere else is plain data.
// Every way a value at a declared path can be wrong maps to one FieldDecryptionFailureReason.
import { KMSClient } from '@aws-sdk/client-kms';
import { DataKeyCache, FieldEncryptionContext, KmsCallError } from './data-key-cache';
import { checkIntegration, defaultCache, ENCRYPTED_FIELD_TYPE, ENCRYPTION_CONTEXT_KEYS, FieldEncryptionConfigurationError, KEY_ID_ENV, kmsClient, pathsOf } from './field-encryption';
import { FieldOccurrence, findOccurrences, isJsonObject, setOwn } from './field-path';
import { decryptCompact, fromBase64url, JweAuthenticationError, MalformedJweError, parseCompact, ParsedJwe } from './jwe';

/**
 * The longest protected header accepted, in base64url characters: an `edk` of KMS's largest
 * ciphertext (6,144 bytes, 8,192 characters), a 256-character path twice (`ctx.field`, `loc`)
 * and the integration's name fit with room to spare.
 */
export const MAX_ENCRYPTED_FIELD_HEADER_LENGTH = 16_384;
/**
 * The largest encrypted data key (`edk`, decoded) accepted: KMS Decrypt's CiphertextBlob limit.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html
 */
export const MAX_ENCRYPTED_DATA_KEY_BYTES = 6_144;

/** Options of {@link decryptFields}. */
export interface FieldDecryptionOptions {
  /** The integration the record must belong to: a field encrypted for any other integration is refused. */
  readonly integration: string;
  /**
   * The KMS key the data keys must belong to (key id, key ARN, alias name or alias ARN): passed as
   * KeyId to KMS Decrypt, which refuses a data key of any other key (IncorrectKeyException).
   * @default - the FIELD_ENCRYPTION_KEY_ID environment variable, which `SecureIntegration.grantDecrypt`
   * sets on a Lambda function; with neither, a FieldEncryptionConfigurationError (unless `allowAnyKey`)
   */
  readonly keyId?: string;
  /**
   * DANGEROUS: when no key is known (no `keyId`, no FIELD_ENCRYPTION_KEY_ID), decrypt data keys of
   * whatever KMS key their ciphertext names. Anyone who can write a record, and who has a KMS key of
   * their own that your role may use, can then make you accept values they chose. Only for tests or
   * a one-off migration; a key that is known is always pinned, whatever this says.
   * @default false
   */
  readonly allowAnyKey?: boolean;
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

/** Why a value at a declared path was refused. */
export enum FieldDecryptionFailureReason {
  /**
   * A declared path holds a value that is not an encrypted field: not a string, or a string whose
   * first part is not a base64url JSON header with `"typ":"pii+jwe"`. encryptFields encrypts every
   * value present at a declared path (null included), so clear text there was not encrypted by it.
   */
  NOT_ENCRYPTED = 'not-encrypted',
  /**
   * The value is marked as an encrypted field but breaks the format: not 5 parts, bad base64url, a
   * header field missing or of the wrong type, another algorithm, IV or tag of the wrong length, a
   * header or data key over its limit, or a plaintext that is not UTF-8 JSON text.
   */
  MALFORMED = 'malformed',
  /** The field was encrypted for another integration than the one expected. */
  INTEGRATION_MISMATCH = 'integration-mismatch',
  /** The ciphertext was encrypted for another declared path or another place in the record: it was moved or swapped. */
  LOCATION_MISMATCH = 'location-mismatch',
  /** KMS refused the data key: wrong encryption context, not the pinned key, a disabled key, or no permission. */
  KMS_REJECTED = 'kms-rejected',
  /** KMS could not be reached or throttled the call: worth a retry. */
  KMS_UNAVAILABLE = 'kms-unavailable',
  /** AES-GCM authentication failed: the header, IV, ciphertext or tag was altered. */
  TAMPERED = 'tampered',
}

/** A value at a declared path could not be decrypted; nothing of the record is returned. */
export class FieldDecryptionError extends Error {
  constructor(
    readonly reason: FieldDecryptionFailureReason,
    /** Where in the record the value was found. */
    readonly location: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot decrypt the field at ${location}: ${message}`, options);
    this.name = 'FieldDecryptionError';
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

/**
 * Whether a KMS error (its SDK name, as in {@link KmsCallError.kmsErrorName}) means "no" (a wrong or
 * disabled key, a wrong context, no permission) rather than "not now" (throttling, an outage).
 */
export function isKmsRejection(kmsErrorName: string): boolean {
  return KMS_REJECTIONS.has(kmsErrorName);
}

const CONTEXT_KEYS: readonly string[] = Object.values(ENCRYPTION_CONTEXT_KEYS);
// Strict UTF-8 with the BOM kept (JSON.parse then refuses it), as Python's and Java's readers decode.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface CheckedField extends FieldOccurrence {
  readonly jwe: ParsedJwe;
  readonly ctx: FieldEncryptionContext;
  readonly edk: Buffer;
}

/** The header of a value that carries the marker, or undefined when the value is not an encrypted field at all. */
function markerHeader(value: string): Record<string, unknown> | undefined {
  const end = value.indexOf('.');
  try {
    const header: unknown = JSON.parse(UTF8.decode(fromBase64url(end < 0 ? value : value.slice(0, end), 'header')));
    return isJsonObject(header) && header.typ === ENCRYPTED_FIELD_TYPE ? header : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks the value found at `occurrence` (a place `declaredPath` names) before any KMS call, in the
 * order FORMAT.md gives: an encrypted field, well formed, for `integration`, and encrypted for this
 * declared path and this place.
 */
function checkField(occurrence: FieldOccurrence, declaredPath: string, integration: string): CheckedField {
  const { location } = occurrence;
  const refuse = (reason: FieldDecryptionFailureReason, message: string, cause?: unknown) => new FieldDecryptionError(reason, location, message, { cause });
  const malformed = (message: string, cause?: unknown) => refuse(FieldDecryptionFailureReason.MALFORMED, message, cause);
  const value: unknown = (occurrence.parent as Record<string | number, unknown>)[occurrence.key];
  const header = typeof value === 'string' ? markerHeader(value) : undefined;
  if (header === undefined) {
    const what = typeof value === 'string' ? 'a string that is not an encrypted field' : value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw refuse(
      FieldDecryptionFailureReason.NOT_ENCRYPTED,
      `${declaredPath} is a declared PII path, and it holds ${what}: every value there must be an encrypted field (clear text at a declared path was not written by encryptFields)`,
    );
  }
  const text = value as string;
  let jwe: ParsedJwe;
  try {
    jwe = parseCompact(text, header);
  } catch (error) {
    throw malformed((error as Error).message, error);
  }
  if (jwe.encodedHeader.length > MAX_ENCRYPTED_FIELD_HEADER_LENGTH) {
    throw malformed(`the header is ${jwe.encodedHeader.length} characters, at most ${MAX_ENCRYPTED_FIELD_HEADER_LENGTH} are accepted`);
  }
  const { ctx, loc, edk, cty } = jwe.header;
  if (!isJsonObject(ctx) || Object.keys(ctx).length !== CONTEXT_KEYS.length || !CONTEXT_KEYS.every((k) => typeof ctx[k] === 'string')) {
    throw malformed(`the header's "ctx" must be {"${CONTEXT_KEYS.join('": string, "')}": string}`);
  }
  if (cty !== 'json') throw malformed('the header needs "cty":"json"');
  if (typeof edk !== 'string' || edk === '') throw malformed('the header needs an "edk" string');
  if (loc !== undefined && typeof loc !== 'string') throw malformed('the header\'s "loc", when present, must be a string');
  let edkBytes: Buffer;
  try {
    edkBytes = fromBase64url(edk, 'the header\'s "edk"');
  } catch (error) {
    throw malformed((error as MalformedJweError).message, error);
  }
  if (edkBytes.length > MAX_ENCRYPTED_DATA_KEY_BYTES) throw malformed(`the header's "edk" is ${edkBytes.length} bytes, KMS takes at most ${MAX_ENCRYPTED_DATA_KEY_BYTES}`);
  const context = ctx as Record<string, string>;
  if (context.integration !== integration) {
    throw refuse(
      FieldDecryptionFailureReason.INTEGRATION_MISMATCH,
      `it was encrypted for integration ${JSON.stringify(context.integration)}, and ${JSON.stringify(integration)} is expected`,
    );
  }
  const encryptedAt = (loc as string | undefined) ?? context.field;
  if (context.field !== declaredPath || encryptedAt !== location) {
    throw refuse(
      FieldDecryptionFailureReason.LOCATION_MISMATCH,
      `it was encrypted for ${encryptedAt} (declared path ${context.field}), and it is found at ${location} (declared path ${declaredPath}): a ciphertext moved to another field is refused`,
    );
  }
  return { ...occurrence, jwe, ctx: context, edk: edkBytes };
}

/** The KMS key to pin: `options.keyId`, else FIELD_ENCRYPTION_KEY_ID; undefined only when the caller allowed any key. */
function pinnedKey(options: FieldDecryptionOptions): string | undefined {
  if (options.keyId !== undefined) {
    if (typeof options.keyId !== 'string' || options.keyId.trim() === '') {
      throw new FieldEncryptionConfigurationError(`decryptFields: options.keyId must be a KMS key id, key ARN or alias, got ${JSON.stringify(options.keyId)}`);
    }
    return options.keyId;
  }
  const fromEnv = process.env[KEY_ID_ENV]?.trim();
  if (fromEnv) return fromEnv;
  if (options.allowAnyKey === true) return undefined;
  throw new FieldEncryptionConfigurationError(
    `decryptFields: no KMS key to pin: pass options.keyId, or set the ${KEY_ID_ENV} environment variable ` +
      '(SecureIntegration.grantDecrypt sets it on a Lambda function to the platform key ARN); ' +
      'options.allowAnyKey: true turns pinning off, which lets anyone with a KMS key of their own forge values',
  );
}

/**
 * Decrypts the values at the integration's declared PII paths, and returns a copy of the record with
 * the original values, types included. The input is not modified.
 *
 * - Only the places `paths` name are read (the same `piiFields` syntax and walk as encryptFields).
 *   A string anywhere else is data, even one that looks like an encrypted field: it is left as it is.
 * - Every value present at a declared path must be an encrypted field, for `options.integration`,
 *   encrypted for that declared path and that place (header `ctx.field` and `loc`); a path the
 *   record does not have is skipped, as encryptFields skips it.
 * - The data key is decrypted by KMS with the header's encryption context and KeyId = the pinned key
 *   (`options.keyId`, else FIELD_ENCRYPTION_KEY_ID; none is a configuration error unless `allowAnyKey`).
 *
 * @param record a JSON object (as JSON.parse returns it)
 * @param paths the integration's `piiFields`, exactly as declared (see parseFieldPath)
 * @throws FieldDecryptionError for the first value refused, with its reason and location;
 * FieldEncryptionConfigurationError for missing options; FieldPathError for a bad path
 */
export async function decryptFields<T = Record<string, unknown>>(record: object, paths: readonly string[], options: FieldDecryptionOptions): Promise<T> {
  const fieldPaths = pathsOf(paths, 'decryptFields(record, paths, options)');
  const integration = checkIntegration(options?.integration, 'decryptFields');
  const keyId = pinnedKey(options);
  const copy = structuredClone(record);
  const fields = fieldPaths.flatMap((fieldPath) => findOccurrences(copy, fieldPath).map((occurrence) => checkField(occurrence, fieldPath.path, integration)));
  const cache = options.cache ?? defaultCache;
  const kms = kmsClient(options.kms);
  // Every call settles before the first refusal (in record order, so the same record always gets the same error) is reported.
  const settled = await Promise.allSettled(fields.map((f) => cache.decryptedDataKey(kms, f.edk, f.ctx, keyId)));
  const keys = settled.map((result, i) => {
    if (result.status === 'fulfilled') return result.value;
    const error: unknown = result.reason;
    const name = error instanceof KmsCallError ? error.kmsErrorName : '';
    const reason = KMS_REJECTIONS.has(name) ? FieldDecryptionFailureReason.KMS_REJECTED : FieldDecryptionFailureReason.KMS_UNAVAILABLE;
    throw new FieldDecryptionError(reason, fields[i].location, (error as Error).message, { cause: error });
  });
  const values = fields.map((f, i) => {
    let plaintext: Buffer;
    try {
      plaintext = decryptCompact(f.jwe, keys[i]);
    } catch (error) {
      if (error instanceof JweAuthenticationError) throw new FieldDecryptionError(FieldDecryptionFailureReason.TAMPERED, f.location, error.message);
      throw error;
    }
    try {
      return JSON.parse(UTF8.decode(plaintext)) as unknown;
    } catch (error) {
      throw new FieldDecryptionError(FieldDecryptionFailureReason.MALFORMED, f.location, 'the plaintext is not UTF-8 JSON text ("cty":"json")', { cause: error });
    }
  });
  fields.forEach((f, i) => setOwn(f.parent, f.key, values[i]));
  return copy as T;
}
