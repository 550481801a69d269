import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

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

/** The signing secrets a request may be verified with, and what was refused. */
export interface SigningSecrets {
  /** AWSCURRENT, then AWSPREVIOUS while it is within the overlap; only secrets of at least 32 bytes. */
  readonly values: string[];
  /** Versions refused for being shorter than {@link MIN_SIGNING_SECRET_BYTES}. */
  readonly tooShort: Array<'AWSCURRENT' | 'AWSPREVIOUS'>;
}

interface Cached {
  readonly current: string;
  readonly currentCreatedAt: number;
  readonly previous?: string;
  readonly fetchedAt: number;
}

const cache = new Map<string, Cached>();

function select(c: Cached, overlapSeconds: number, now: number): SigningSecrets {
  const values: string[] = [];
  const tooShort: SigningSecrets['tooShort'] = [];
  if (Buffer.byteLength(c.current, 'utf8') >= MIN_SIGNING_SECRET_BYTES) values.push(c.current);
  else tooShort.push('AWSCURRENT');
  if (c.previous !== undefined && now < c.currentCreatedAt + overlapSeconds * 1000) {
    if (Buffer.byteLength(c.previous, 'utf8') >= MIN_SIGNING_SECRET_BYTES) values.push(c.previous);
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
 */
export async function signingSecrets(
  client: SecretsManagerClient,
  secretId: string,
  overlapSeconds = DEFAULT_SIGNING_SECRET_OVERLAP_SECONDS,
  now = Date.now(),
): Promise<SigningSecrets> {
  const cached = cache.get(secretId);
  if (cached && now - cached.fetchedAt < SECRET_CACHE_MS) return select(cached, overlapSeconds, now);
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
  return select(entry, overlapSeconds, now);
}

/** Forgets cached secrets (tests). */
export function clearSecretCache(): void {
  cache.clear();
}
