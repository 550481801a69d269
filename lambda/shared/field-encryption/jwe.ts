// JWE Compact Serialization (RFC 7516 section 7.1) for one key management mode and one content
// encryption algorithm only: "alg": "dir" (RFC 7518 section 4.5) and "enc": "A256GCM" (RFC 7518
// section 5.3), on node:crypto's AES-256-GCM. No primitive of our own: the header is the additional
// authenticated data exactly as RFC 7516 section 5.1 step 14 says, so any JOSE library (jose, jwcrypto,
// Nimbus JOSE+JWT) decrypts these objects given the key; test/lambda/shared/field-encryption.test.ts proves
// it with jose (in a separate process) and with Python's `cryptography`.
//
// Why not the `jose` package itself at run time: its maintained line (v6) is ESM only, which jest
// cannot require from CommonJS before Node.js 24.9 (this library's tests and its users' handler
// tests), and through WebCrypto it measured about 3 times slower per record (BENCHMARKS.md). For
// "dir"/"A256GCM" jose runs the same AES-GCM call; this file adds the strict parsing below.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The protected header of every JWE this module writes: the standard fields plus private ones. */
export interface JweHeader {
  readonly alg: 'dir';
  readonly enc: 'A256GCM';
  readonly [param: string]: unknown;
}

/** A compact JWE split into its parts, the header decoded but not yet trusted. */
export interface ParsedJwe {
  /** The header as received, base64url: the additional authenticated data. */
  readonly encodedHeader: string;
  readonly header: Record<string, unknown>;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** The string is a JWE of ours, but broken: the reason is in the message. */
export class MalformedJweError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedJweError';
  }
}

/** The authentication tag does not verify: the header, IV, ciphertext or tag was changed, or the key is wrong. */
export class JweAuthenticationError extends Error {
  constructor() {
    super('the JWE does not authenticate (AES-GCM tag mismatch): the header, IV, ciphertext or tag was altered, or this is not its key');
    this.name = 'JweAuthenticationError';
  }
}

const IV_BYTES = 12; // RFC 7518 section 5.3: a 96-bit IV
const TAG_BYTES = 16; // RFC 7518 section 5.3: a 128-bit authentication tag
const KEY_BYTES = 32; // A256GCM
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function base64url(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64url');
}

/** Strict base64url: Node's decoder skips characters outside the alphabet, so check first. */
export function fromBase64url(text: string, what: string): Buffer {
  if (!BASE64URL.test(text) || text.length % 4 === 1) throw new MalformedJweError(`${what} is not base64url`);
  return Buffer.from(text, 'base64url');
}

function checkKey(key: Uint8Array): void {
  if (key.byteLength !== KEY_BYTES) throw new Error(`an A256GCM key is ${KEY_BYTES} bytes, got ${key.byteLength}`);
}

/** Encrypts `plaintext` under `key` (the content encryption key itself, "alg": "dir"), with a fresh random IV. */
export function encryptCompact(header: JweHeader, plaintext: Uint8Array, key: Uint8Array): string {
  checkKey(key);
  const encodedHeader = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  const iv = randomBytes(IV_BYTES);
  // Stryker disable next-line ObjectLiteral: equivalent, see reports/mutation/EQUIVALENT.md
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
  cipher.setAAD(Buffer.from(encodedHeader, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  // The second part, the JWE Encrypted Key, is empty for "dir".
  return `${encodedHeader}..${base64url(iv)}.${base64url(ciphertext)}.${base64url(cipher.getAuthTag())}`;
}

/**
 * Decodes the header of a compact JWE without decrypting. Returns undefined when `text` is not a
 * compact JWE at all (wrong number of parts, a header that is not base64url JSON).
 */
export function peekHeader(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('eyJ')) return undefined; // base64url of '{"'
  const end = text.indexOf('.');
  if (end < 0 || text.split('.').length !== 5) return undefined;
  try {
    const header: unknown = JSON.parse(fromBase64url(text.slice(0, end), 'header').toString('utf8'));
    // Stryker disable next-line LogicalOperator: equivalent, see reports/mutation/EQUIVALENT.md
    return typeof header === 'object' && header !== null && !Array.isArray(header) ? (header as Record<string, unknown>) : undefined;
    // Stryker disable next-line BlockStatement: equivalent, see reports/mutation/EQUIVALENT.md
  } catch {
    return undefined;
  }
}

/**
 * Splits and checks a compact JWE for "dir"/"A256GCM". Throws MalformedJweError.
 * @param header the header {@link peekHeader} already decoded from `text`, to spare decoding it twice
 */
export function parseCompact(text: string, header: Record<string, unknown> | undefined = peekHeader(text)): ParsedJwe {
  const parts = text.split('.');
  if (parts.length !== 5) throw new MalformedJweError(`a compact JWE has 5 parts, this has ${parts.length}`);
  const [encodedHeader, encryptedKey, ivText, ciphertextText, tagText] = parts;
  if (!header) throw new MalformedJweError('the JWE protected header is not base64url-encoded JSON');
  if (header.alg !== 'dir' || header.enc !== 'A256GCM') {
    throw new MalformedJweError(`only "alg":"dir" with "enc":"A256GCM" is accepted, got ${JSON.stringify(header.alg)}/${JSON.stringify(header.enc)}`);
  }
  // RFC 7516 section 4.1.13: a recipient must understand every "crit" parameter; we define none. "zip" is not used.
  if ('crit' in header || 'zip' in header) throw new MalformedJweError('the JWE header carries "crit" or "zip", which this format never uses');
  if (encryptedKey !== '') throw new MalformedJweError('the JWE Encrypted Key must be empty with "alg":"dir"');
  const iv = fromBase64url(ivText, 'the JWE IV');
  const tag = fromBase64url(tagText, 'the JWE authentication tag');
  // Check the lengths: node:crypto would accept a truncated tag, which weakens authentication.
  if (iv.length !== IV_BYTES) throw new MalformedJweError(`the JWE IV must be ${IV_BYTES} bytes, got ${iv.length}`);
  if (tag.length !== TAG_BYTES) throw new MalformedJweError(`the JWE authentication tag must be ${TAG_BYTES} bytes, got ${tag.length}`);
  return { encodedHeader, header, iv, ciphertext: fromBase64url(ciphertextText, 'the JWE ciphertext'), tag };
}

/** Decrypts a parsed JWE. Throws JweAuthenticationError when the tag does not verify. */
export function decryptCompact(jwe: ParsedJwe, key: Uint8Array): Buffer {
  checkKey(key);
  const decipher = createDecipheriv('aes-256-gcm', key, jwe.iv, { authTagLength: TAG_BYTES });
  // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
  decipher.setAAD(Buffer.from(jwe.encodedHeader, 'ascii'));
  decipher.setAuthTag(jwe.tag);
  try {
    return Buffer.concat([decipher.update(jwe.ciphertext), decipher.final()]);
  } catch {
    throw new JweAuthenticationError();
  }
}
