// The client certificate a mutual TLS partner requires: read from its secret
// (`{ "certificate": "<PEM chain>", "privateKey": "<PEM>" }`) and cached in the container, so a
// renewal (a new AWSCURRENT) takes effect within the cache time.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** How long a client certificate is cached in the container, in ms. */
export const CLIENT_CERTIFICATE_CACHE_MS = 5 * 60 * 1000;

/** A certificate and key as node:tls takes them. */
export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
}

const cache = new Map<string, { readonly value: ClientCertificate; readonly until: number }>();

/**
 * The client certificate in `secretId` (AWSCURRENT), checked: PEM certificate(s) and a private key
 * that node:crypto parses, the leaf's public key matching the private key, and the leaf valid now.
 * @throws Error naming what is wrong (never the key): the sender retries and logs it
 */
export async function clientCertificateFrom(client: SecretsManagerClient, secretId: string, now = Date.now()): Promise<ClientCertificate> {
  const cached = cache.get(secretId);
  if (cached && cached.until > now) return cached.value;
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const value = parseClientCertificate(out.SecretString ?? '', now);
  cache.set(secretId, { value, until: now + CLIENT_CERTIFICATE_CACHE_MS });
  return value;
}

/** Parses and checks the secret's JSON. @throws Error naming what is wrong */
export function parseClientCertificate(secretString: string, now = Date.now()): ClientCertificate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new Error('the client certificate secret is not JSON ({ "certificate": "<PEM>", "privateKey": "<PEM>" })');
  }
  const { certificate, privateKey } = (parsed ?? {}) as { certificate?: unknown; privateKey?: unknown };
  if (typeof certificate !== 'string' || typeof privateKey !== 'string') throw new Error('the client certificate secret needs string fields certificate and privateKey (PEM)');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certificate);
  } catch {
    throw new Error('the client certificate secret\'s certificate is not a PEM X.509 certificate');
  }
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    throw new Error('the client certificate secret\'s privateKey is not a PEM private key (unencrypted)');
  }
  if (!leaf.checkPrivateKey(key)) throw new Error(`the client certificate's private key does not match its certificate (${leaf.subject.replace(/\n/g, ', ')})`);
  if (Date.parse(leaf.validTo) <= now || Date.parse(leaf.validFrom) > now) throw new Error(`the client certificate is not valid now (valid ${leaf.validFrom} to ${leaf.validTo})`);
  return { cert: certificate, key: privateKey };
}

/** Forgets cached certificates (tests). */
export function clearClientCertificateCache(): void {
  cache.clear();
}
