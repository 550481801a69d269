// Field-level encryption of PII in JSON records, for the ingest function and for users' own handlers.
// The ciphertext format, and how a consumer in any language decrypts it, is in FORMAT.md.
export { encryptFields, isEncryptedField, ENCRYPTED_FIELD_TYPE, ENCRYPTION_CONTEXT_KEYS, KEY_ID_ENV, FieldEncryptionError, FieldEncryptionConfigurationError } from './field-encryption';
export type { FieldEncryptionOptions } from './field-encryption';
export { decryptFields, FieldDecryptionError, FieldDecryptionFailureReason, MAX_ENCRYPTED_FIELD_HEADER_LENGTH, MAX_ENCRYPTED_DATA_KEY_BYTES } from './field-decryption';
export type { FieldDecryptionOptions } from './field-decryption';
export { DataKeyCache, KmsCallError } from './data-key-cache';
export type { DataKeyCacheOptions, FieldEncryptionContext } from './data-key-cache';
export { parseFieldPath, parseFieldPaths, FieldPathError, MAX_FIELD_PATH_LENGTH } from './field-path';
export type { FieldPath, FieldPathSegment } from './field-path';
