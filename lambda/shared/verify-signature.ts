import { createHmac, timingSafeEqual } from 'node:crypto';
// A type-only import: erased when esbuild bundles a handler, so no construct code reaches the Lambda.
import type { SignatureSchemeConfig } from '../../lib/gateway/signature-scheme';

/** Why a signed webhook was rejected. */
export enum VerificationFailureReason {
  /** The signature header, or the timestamp or id header the scheme signs, is absent or blank. */
  MISSING_HEADER = 'missing-header',
  /** A header is present but not in the scheme's format (wrong prefix, no digest, a digest of the wrong length or alphabet, a timestamp that is not whole seconds, an id with a `.`). */
  MALFORMED_HEADER = 'malformed-header',
  /** The signature is authentic but its signed timestamp is further from now than the tolerance, in the past or the future. */
  TIMESTAMP_OUT_OF_TOLERANCE = 'timestamp-out-of-tolerance',
  /** No digest in the header matches the body under any of the signing secrets. */
  MISMATCH = 'mismatch',
}

/** An accepted request. */
export interface VerificationSuccess {
  readonly ok: true;
  /** Which of the `secrets` passed to {@link verifySignature} matched: 0 for the first (current), 1 for the next (previous), ... */
  readonly secretIndex: number;
  /** The signed timestamp, in Unix seconds, where the scheme signs one. */
  readonly timestampSeconds?: number;
}

/** A rejected request. */
export interface VerificationFailure {
  readonly ok: false;
  /** Why, for metrics and the response code. */
  readonly reason: VerificationFailureReason;
  /** A sentence for the log. It never holds a digest, received or expected, nor a secret. */
  readonly detail: string;
}

/** The outcome of {@link verifySignature}. */
export type VerificationResult = VerificationSuccess | VerificationFailure;

/** The scheme's configuration or the secrets are unusable: a deployment fault, not a bad request. */
export class SignatureConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureConfigurationError';
  }
}

/** The only placeholders a signed-payload template may hold (see `SignatureSchemeConfig.signedPayload`). */
const PLACEHOLDERS = /(\{body\}|\{timestamp\}|\{id\})/;
/** Strict digest formats for SHA-256 (32 bytes): Node's decoders silently skip bad characters, so check first. */
// Keyed by the values of DigestEncoding, which is a type here (the enum itself stays out of the bundle).
const DIGEST_FORMATS: Readonly<Record<string, { readonly encoding: BufferEncoding; readonly pattern: RegExp; readonly description: string }>> = {
  hex: { encoding: 'hex', pattern: /^[0-9a-fA-F]{64}$/, description: '64 hexadecimal characters' },
  base64: { encoding: 'base64', pattern: /^[A-Za-z0-9+/]{43}=$/, description: '44 base64 characters' },
};
/** Unix seconds: digits only (12 digits reach past the year 33000). */
const UNIX_SECONDS = /^\d{1,12}$/;
/** Standard base64 (RFC 4648 section 4) with its padding, nothing else: Node's decoder would silently skip anything else. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The prefix of a Standard Webhooks symmetric secret. */
const WHSEC_PREFIX = 'whsec_';

/**
 * The HMAC key a signing secret stands for under the scheme's `secretEncoding` (a value of
 * `SecretEncoding`): its UTF-8 bytes, or for `whsec-base64` the bytes that `whsec_<base64>` (or
 * bare `<base64>`, as the Standard Webhooks reference library also accepts) decodes to.
 *
 * @returns the key, or undefined when a `whsec-base64` secret is not padded standard base64 or decodes to nothing
 * @throws SignatureConfigurationError on an unknown encoding
 */
export function signingKeyOf(secret: string, secretEncoding: string | undefined): Buffer | undefined {
  if (secretEncoding === undefined || secretEncoding === 'utf8') return Buffer.from(secret, 'utf8');
  if (secretEncoding === 'whsec-base64') {
    const encoded = secret.startsWith(WHSEC_PREFIX) ? secret.slice(WHSEC_PREFIX.length) : secret;
    if (encoded.length === 0 || !STRICT_BASE64.test(encoded)) return undefined;
    return Buffer.from(encoded, 'base64');
  }
  throw new SignatureConfigurationError(`unknown secret encoding ${JSON.stringify(secretEncoding)}`);
}

/**
 * Verifies a signed webhook against the scheme bound at synth time.
 *
 * The digest is checked first and the timestamp second, so `TIMESTAMP_OUT_OF_TOLERANCE` is only
 * ever reported for a genuinely signed request (a replay, or a clock problem worth an alarm).
 *
 * @param config the scheme, from `SignatureScheme.bind()`
 * @param rawBody the request body exactly as received: decode API Gateway's base64 bodies to a Buffer
 *   first, and never re-serialize parsed JSON
 * @param headers the request headers; names are matched case-insensitively
 * @param secrets the signing secrets to accept, current first; during a rotation also the previous one;
 *   as stored, turned into HMAC keys by the scheme's `secretEncoding` (see {@link signingKeyOf})
 * @param nowSeconds the receiver's clock, in Unix seconds
 * @throws SignatureConfigurationError when the config or the secrets are unusable (no secret, an
 *   empty one, or a `whsec-base64` one that is not base64)
 */
export function verifySignature(
  config: SignatureSchemeConfig,
  rawBody: string | Buffer,
  headers: Record<string, string | undefined>,
  secrets: string[],
  nowSeconds: number = Math.floor(Date.now() / 1000),
): VerificationResult {
  const keys = signingKeys(secrets, config.secretEncoding);
  const format = DIGEST_FORMATS[config.encoding as string];
  if (format === undefined) throw new SignatureConfigurationError(`unknown digest encoding ${JSON.stringify(config.encoding)}`);

  const signatureHeader = readHeader(headers, config.signatureHeader);
  if (!signatureHeader.ok) return signatureHeader;

  const parsed = parseSignatureHeader(config, signatureHeader.value);
  if (!parsed.ok) return parsed;
  let timestamp = parsed.timestamp;
  if (config.timestampHeader !== undefined) {
    const header = readHeader(headers, config.timestampHeader);
    if (!header.ok) return header;
    timestamp = header.value;
  }
  let id: string | undefined;
  if (config.idHeader !== undefined) {
    const header = readHeader(headers, config.idHeader);
    if (!header.ok) return header;
    // The id, the timestamp and the body are joined with '.': an id with a '.' would make the
    // boundaries ambiguous, and the Standard Webhooks spec says an id must not hold one.
    if (header.value.includes('.')) return failure(VerificationFailureReason.MALFORMED_HEADER, `'${config.idHeader}' contains a '.'`);
    id = header.value;
  }
  let timestampSeconds: number | undefined;
  if (timestamp !== undefined) {
    if (!UNIX_SECONDS.test(timestamp)) {
      return failure(VerificationFailureReason.MALFORMED_HEADER, 'the signed timestamp is not a Unix time in whole seconds');
    }
    timestampSeconds = Number(timestamp);
  }

  const provided = parsed.digests.filter((digest) => format.pattern.test(digest)).map((digest) => Buffer.from(digest, format.encoding));
  if (provided.length === 0) {
    return failure(VerificationFailureReason.MALFORMED_HEADER, `'${config.signatureHeader}' holds no digest of ${format.description}`);
  }

  const payload = signedPayloadParts(config, rawBody, timestamp, id);
  let matched = -1;
  // Every secret against every digest, no early exit: the time taken does not depend on which matched.
  keys.forEach((key, index) => {
    const hmac = createHmac('sha256', key);
    for (const part of payload) hmac.update(part);
    const expected = hmac.digest();
    for (const candidate of provided) {
      if (constantTimeEqual(expected, candidate) && matched < 0) matched = index;
    }
  });
  if (matched < 0) {
    return failure(VerificationFailureReason.MISMATCH, `the signature in '${config.signatureHeader}' matches the body under none of the signing secrets`);
  }

  if (timestampSeconds !== undefined) {
    const tolerance = config.toleranceSeconds;
    if (typeof tolerance !== 'number' || !(tolerance > 0)) {
      throw new SignatureConfigurationError('the scheme signs a timestamp but sets no positive toleranceSeconds');
    }
    const skew = nowSeconds - timestampSeconds;
    if (Math.abs(skew) > tolerance) {
      const when = skew > 0 ? `${skew} s in the past` : `${-skew} s in the future`;
      return failure(VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE, `the signed timestamp is ${when}; the tolerance is ${tolerance} s`);
    }
  }
  return timestampSeconds === undefined ? { ok: true, secretIndex: matched } : { ok: true, secretIndex: matched, timestampSeconds };
}

/**
 * Compares two digests in time that depends only on the expected digest's length (public: 32 bytes).
 * `timingSafeEqual` throws on unequal lengths, so a wrong-length input is compared against a
 * same-length stand-in and the length check folded in afterwards: no throw, no early exit.
 */
export function constantTimeEqual(expected: Buffer, provided: Buffer): boolean {
  const sameLength = provided.length === expected.length;
  const equal = timingSafeEqual(expected, sameLength ? provided : Buffer.alloc(expected.length));
  return sameLength && equal;
}

interface ParsedHeader {
  readonly ok: true;
  readonly digests: string[];
  /** The timestamp carried in the signature header itself (Stripe's `t`). */
  readonly timestamp?: string;
}

function parseSignatureHeader(config: SignatureSchemeConfig, value: string): ParsedHeader | VerificationFailure {
  // The values of SignatureHeaderFormat, compared as strings for the same reason as DIGEST_FORMATS.
  const format = config.headerFormat as string;
  if (format === 'digest') {
    const prefix = config.signaturePrefix ?? '';
    if (!value.startsWith(prefix)) {
      return failure(VerificationFailureReason.MALFORMED_HEADER, `'${config.signatureHeader}' does not start with '${prefix}'`);
    }
    return { ok: true, digests: [value.slice(prefix.length)] };
  }
  if (format === 'key-value-list') {
    const { timestampKey, signatureKey } = config;
    if (!timestampKey || !signatureKey) throw new SignatureConfigurationError('a key-value-list scheme needs timestampKey and signatureKey');
    const digests: string[] = [];
    const timestamps: string[] = [];
    for (const element of value.split(',')) {
      const separator = element.indexOf('=');
      if (separator < 0) continue;
      const key = element.slice(0, separator).trim();
      const entry = element.slice(separator + 1).trim();
      if (key === timestampKey) timestamps.push(entry);
      else if (key === signatureKey) digests.push(entry);
    }
    if (timestamps.length !== 1) {
      return failure(VerificationFailureReason.MALFORMED_HEADER, `'${config.signatureHeader}' must hold exactly one '${timestampKey}=' element, found ${timestamps.length}`);
    }
    if (digests.length === 0) {
      return failure(VerificationFailureReason.MALFORMED_HEADER, `'${config.signatureHeader}' holds no '${signatureKey}=' signature`);
    }
    return { ok: true, digests, timestamp: timestamps[0] };
  }
  if (format === 'space-list') {
    const prefix = config.signaturePrefix;
    if (!prefix) throw new SignatureConfigurationError('a space-list scheme needs a signaturePrefix, for example "v1,"');
    // Entries of other versions (Standard Webhooks' asymmetric "v1a,") are ignored.
    const digests = value
      .split(' ')
      .filter((entry) => entry.startsWith(prefix))
      .map((entry) => entry.slice(prefix.length));
    if (digests.length === 0) {
      return failure(VerificationFailureReason.MALFORMED_HEADER, `'${config.signatureHeader}' holds no '${prefix}' signature`);
    }
    return { ok: true, digests };
  }
  throw new SignatureConfigurationError(`unknown signature header format ${JSON.stringify(config.headerFormat)}`);
}

/** The signed payload as a sequence of byte strings, so the body is hashed as received and never searched or rewritten. */
function signedPayloadParts(config: SignatureSchemeConfig, rawBody: string | Buffer, timestamp: string | undefined, id: string | undefined): Buffer[] {
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  // Stryker disable next-line MethodExpression: equivalent, see reports/mutation/EQUIVALENT.md
  return config.signedPayload
    .split(PLACEHOLDERS)
    .filter((part) => part.length > 0)
    .map((part) => {
      if (part === '{body}') return body;
      if (part === '{timestamp}') {
        if (timestamp === undefined) throw new SignatureConfigurationError('signedPayload uses {timestamp} but the scheme carries no timestamp');
        // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
        return Buffer.from(timestamp, 'utf8');
      }
      if (part === '{id}') {
        if (id === undefined) throw new SignatureConfigurationError('signedPayload uses {id} but the scheme names no idHeader');
        // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
        return Buffer.from(id, 'utf8');
      }
      // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
      return Buffer.from(part, 'utf8');
    });
}

function readHeader(headers: Record<string, string | undefined>, name: string): { readonly ok: true; readonly value: string } | VerificationFailure {
  const wanted = name.toLowerCase();
  const values = new Set<string>();
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined && value.trim() !== '') values.add(value.trim());
  }
  if (values.size === 0) return failure(VerificationFailureReason.MISSING_HEADER, `the '${name}' header is missing or blank`);
  if (values.size > 1) return failure(VerificationFailureReason.MALFORMED_HEADER, `the '${name}' header appears more than once with different values`);
  return { ok: true, value: [...values][0] };
}

/** The HMAC keys of the secrets, in order; a secret that is unusable as a key is a deployment fault. */
function signingKeys(secrets: string[], secretEncoding: string | undefined): Buffer[] {
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new SignatureConfigurationError('no signing secret: pass the current secret (and, during a rotation, the previous one)');
  }
  // An empty key is a key everyone knows: accepting it would accept forged requests.
  if (secrets.some((secret) => typeof secret !== 'string' || secret.length === 0)) {
    throw new SignatureConfigurationError('a signing secret is empty or not a string');
  }
  return secrets.map((secret) => {
    const key = signingKeyOf(secret, secretEncoding);
    if (key === undefined || key.length === 0) {
      throw new SignatureConfigurationError(`a signing secret is not ${WHSEC_PREFIX} followed by padded standard base64 of the key`);
    }
    return key;
  });
}

function failure(reason: VerificationFailureReason, detail: string): VerificationFailure {
  return { ok: false, reason, detail };
}
