import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** How long a signing secret is cached in the container, in ms (a rotation takes effect within it). */
export const SECRET_CACHE_MS = 5 * 60 * 1000;

const cache = new Map<string, { values: string[]; fetchedAt: number }>();

/**
 * The signing secret's current value and, during a rotation's overlap, its previous one (the
 * sender may still sign with it), cached per container for {@link SECRET_CACHE_MS}.
 */
export async function signingSecrets(client: SecretsManagerClient, secretId: string, now = Date.now()): Promise<string[]> {
  const cached = cache.get(secretId);
  if (cached && now - cached.fetchedAt < SECRET_CACHE_MS) return cached.values;
  const current = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }));
  const values = [current.SecretString!];
  try {
    const previous = await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSPREVIOUS' }));
    if (previous.SecretString && previous.SecretString !== values[0]) values.push(previous.SecretString);
  } catch (error) {
    // No previous version before the first rotation.
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  cache.set(secretId, { values, fetchedAt: now });
  return values;
}

/** Forgets cached secrets (tests). */
export function clearSecretCache(): void {
  cache.clear();
}
