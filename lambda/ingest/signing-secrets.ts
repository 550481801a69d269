import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
// A type-only import: erased when esbuild bundles the handler, so no construct code reaches the Lambda.
import type { SecretEncoding } from '../../lib/gateway/signature-scheme';
import { signingKeyOf } from '../shared/verify-signature';

/** How long a signing secret is cached in the container, in ms (a change takes effect within it). */
export const SECRET_CACHE_MS = 5 * 60 * 1000;
/** How long AWSPREVIOUS verifies after AWSCURRENT was created, when the route does not say. */
export const DEFAULT_SIGNING_SECRET_OVERLAP_SECONDS = 24 * 60 * 60;
/**
 * The shortest signing secret the ingest accepts, in bytes: an HMAC-SHA256 key shorter than the
 * hash's 32-byte output weakens the MAC (RFC 2104 section 3: "less than L bytes is strongly
 * discouraged").
 * @see https://www.rfc-editor.org/rfc/rfc2104#section-3
 */
export const MIN_SIGNING_SECRET_BYTES = 32;
/**
 * The shortest HMAC key the ingest accepts from a Standard Webhooks secret (`whsec_<base64>`), in
 * decoded bytes.
 *
 * The Standard Webhooks spec has senders generate the key at random, "between 24 bytes (192 bits)
 * and 64 bytes (512 bits)", and Svix, its main implementation, issues 24-byte keys (as in the
 * reference library's tests): {@link MIN_SIGNING_SECRET_BYTES} would refuse every such sender.
 * RFC 2104's advice is about a key's strength, and a key drawn at random and delivered as base64
 * (unlike a text secret, which a person may have typed) has 192 bits of it, far beyond any search.
 * Fewer than 24 bytes is outside the spec and refused. Keys over 64 bytes are outside it too but
 * harmless (HMAC hashes a key longer than its 64-byte block first, RFC 2104 section 2), so they are
 * accepted rather than turned into an outage.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#signature-scheme
 */
export const MIN_WHSEC_KEY_BYTES = 24;

/** The shortest key, in bytes, accepted under a scheme's `secretEncoding`. */
export function minimumKeyBytes(secretEncoding?: SecretEncoding): number {
  return (secretEncoding as string | undefined) === 'whsec-base64' ? MIN_WHSEC_KEY_BYTES : MIN_SIGNING_SECRET_BYTES;
}

/**
 * Why a secret in {@link SigningSecrets.tooShort} was refused, for the log: `shorter than 32 bytes`,
 * or for a Standard Webhooks secret `not whsec_ base64 of at least 24 key bytes`.
 */
export function refusalReason(secretEncoding?: SecretEncoding): string {
  const minimum = minimumKeyBytes(secretEncoding);
  return (secretEncoding as string | undefined) === 'whsec-base64' ? `not whsec_ base64 of at least ${minimum} key bytes` : `shorter than ${minimum} bytes`;
}

/** The signing secrets a request may be verified with, and what was refused. */
export interface SigningSecrets {
  /** AWSCURRENT, then AWSPREVIOUS while it is within the overlap; only secrets whose key is long enough. */
  readonly values: string[];
  /**
   * Versions refused for a key shorter than {@link minimumKeyBytes} (32 bytes; 24 decoded bytes for
   * a `whsec_` secret). A `whsec_` secret that is not padded standard base64 yields no key at all
   * and is refused with them.
   */
  readonly tooShort: Array<'AWSCURRENT' | 'AWSPREVIOUS'>;
}

interface Cached {
  readonly current: string;
  readonly currentCreatedAt: number;
  readonly previous?: string;
  readonly fetchedAt: number;
}

const cache = new Map<string, Cached>();

function select(c: Cached, overlapSeconds: number, now: number, secretEncoding: SecretEncoding | undefined): SigningSecrets {
  const minimum = minimumKeyBytes(secretEncoding);
  const longEnough = (secret: string) => (signingKeyOf(secret, secretEncoding)?.length ?? 0) >= minimum;
  const values: string[] = [];
  const tooShort: SigningSecrets['tooShort'] = [];
  if (longEnough(c.current)) values.push(c.current);
  else tooShort.push('AWSCURRENT');
  if (c.previous !== undefined && now < c.currentCreatedAt + overlapSeconds * 1000) {
    if (longEnough(c.previous)) values.push(c.previous);
    else tooShort.push('AWSPREVIOUS');
  }
  return { values, tooShort };
}

/**
 * The signing secret's current value and, within the overlap after the current version was
 * created (`overlapSeconds`), its previous one: the sender may still sign with it until it
 * switches. After the overlap the previous value no longer verifies, so a secret replaced because
 * it leaked stops working. The overlap counts from the version's creation, which for a value put
 * with PutSecretValue (the default stage AWSCURRENT) is when it became current. Cached per
 * container for {@link SECRET_CACHE_MS}.
 *
 * `secretEncoding` is the route's scheme's (`SignatureSchemeConfig.secretEncoding`): it says how
 * long a key must be and how to read it. It cannot be guessed from the value: Stripe's secrets
 * also start with `whsec_`, yet are used as text.
 */
export async function signingSecrets(
  client: SecretsManagerClient,
  secretId: string,
  overlapSeconds = DEFAULT_SIGNING_SECRET_OVERLAP_SECONDS,
  now = Date.now(),
  secretEncoding?: SecretEncoding,
): Promise<SigningSecrets> {
  const cached = cache.get(secretId);
  if (cached && now - cached.fetchedAt < SECRET_CACHE_MS) return select(cached, overlapSeconds, now, secretEncoding);
  const current = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  const currentCreatedAt = current.CreatedDate?.getTime() ?? 0;
  // The previous value is read whatever this route's overlap: routes may share a secret with
  // different overlaps, and select() applies each one's on every call.
  let previous: string | undefined;
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSPREVIOUS' }));
    if (out.SecretString && out.SecretString !== current.SecretString) previous = out.SecretString;
  } catch (error) {
    // No previous version before the first change.
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const entry: Cached = { current: current.SecretString ?? '', currentCreatedAt, previous, fetchedAt: now };
  cache.set(secretId, entry);
  // Routes sharing a secret could read it differently: select() applies this route's encoding on every call.
  return select(entry, overlapSeconds, now, secretEncoding);
}

/** Forgets cached secrets (tests). */
export function clearSecretCache(): void {
  cache.clear();
}
