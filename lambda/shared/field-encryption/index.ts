// Field-level encryption of PII in JSON records, for the ingest function and for users' own handlers.
// The ciphertext format, and how a consumer in any language decrypts it, is in FORMAT.md.
export { encryptFields, decryptFields, isEncryptedField, ENCRYPTED_FIELD_TYPE, ENCRYPTION_CONTEXT_KEYS, KEY_ID_ENV, FieldDecryptionError, FieldDecryptionFailureReason, FieldEncryptionError } from './field-encryption';
export type { FieldEncryptionOptions, FieldDecryptionOptions } from './field-encryption';
export { DataKeyCache, KmsCallError } from './data-key-cache';
export type { DataKeyCacheOptions, FieldEncryptionContext } from './data-key-cache';
export { parseFieldPath, parseFieldPaths, FieldPathError, MAX_FIELD_PATH_LENGTH } from './field-path';
export type { FieldPath, FieldPathSegment } from './field-path';
