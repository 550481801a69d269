// The signature of a direct call, with the integration's signing secret (Secrets Manager, AWSCURRENT).
import { createHmac } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Webhook } from 'standardwebhooks';
// Type-only imports: erased when esbuild bundles the handler, so no construct code reaches the Lambda.
import type { SecretEncoding } from '../../lib/gateway/signature-scheme';
import type { OutboundSigningConfig } from '../../lib/outbound/outbound-config';
import { DEFAULT_SIGNING_SECRET_OVERLAP_SECONDS, minimumKeyBytes, refusalReason, signingSecrets } from '../ingest/signing-secrets';
import { signingKeyOf } from '../shared/verify-signature';

/** How each kind reads its secret: `hmac-sha256` as UTF-8 text (at least 32 bytes), `standard-webhooks` as `whsec_<base64>` (at least 24 key bytes). */
const ENCODING: Readonly<Record<OutboundSigningConfig['kind'], SecretEncoding>> = {
  // SecretEncoding is an enum of the construct library: its values, cast, keep it out of the bundle.
  'hmac-sha256': 'utf8' as SecretEncoding,
  'standard-webhooks': 'whsec-base64' as SecretEncoding,
};

/** The signing secret cannot sign: too short, or for `standard-webhooks` not `whsec_` base64. An operator's fault, not the record's. */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

/** What a signature covers. */
export interface SignedRequest {
  /** The request body, exactly as sent. */
  readonly body: string;
  /** The delivery's id (`webhook-id`): the record's idempotency key. */
  readonly messageId: string;
  /** When the request is signed (`webhook-timestamp`, in whole seconds). */
  readonly at: Date;
}

/** The HMAC key a secret stands for under `kind`, or SigningKeyError when it is too short to sign with. */
export function signingKey(kind: OutboundSigningConfig['kind'], secret: string): Buffer {
  const encoding = ENCODING[kind];
  if (encoding === undefined) throw new SigningKeyError(`unknown signing kind ${JSON.stringify(kind)}`);
  const key = signingKeyOf(secret, encoding);
  const minimum = minimumKeyBytes(encoding);
  if (!key || key.length < minimum) {
    throw new SigningKeyError(
      kind === 'standard-webhooks'
        ? `the signing secret is not whsec_ base64 of at least ${minimum} key bytes`
        : `the signing secret is shorter than ${minimum} bytes (RFC 2104 section 3)`,
    );
  }
  return key;
}

/**
 * The signature headers of a request, with the signing secrets current first:
 * - `hmac-sha256`: `<header>: sha256=<hex HMAC-SHA256(secret, body)>` (GitHub's X-Hub-Signature-256
 *   form) with the current secret: the form carries one signature;
 * - `standard-webhooks`: `webhook-id`, `webhook-timestamp` and `webhook-signature`, signed by the
 *   Standard Webhooks reference library with every secret given, space-separated (`v1,<a> v1,<b>`):
 *   the spec's way through a rotation, so a partner holding either secret verifies.
 * @throws SigningKeyError when there is no secret, or the current one is too short
 */
export function signatureHeaders(signing: { readonly kind: OutboundSigningConfig['kind']; readonly header: string }, secrets: readonly string[], request: SignedRequest): Record<string, string> {
  if (secrets.length === 0) throw new SigningKeyError('no signing secret');
  if (signing.kind === 'hmac-sha256') {
    const key = signingKey(signing.kind, secrets[0]);
    return { [signing.header]: `sha256=${createHmac('sha256', key).update(request.body, 'utf8').digest('hex')}` };
  }
  // The reference library signs `${id}.${timestamp}.${body}` with the decoded key (format raw: each key was checked).
  const signatures = secrets.map((secret) => new Webhook(signingKey(signing.kind, secret), { format: 'raw' }).sign(request.messageId, request.at, request.body));
  return { 'webhook-id': request.messageId, 'webhook-timestamp': String(Math.floor(request.at.getTime() / 1000)), 'webhook-signature': signatures.join(' ') };
}

/**
 * How long after a rotation the previous signing secret still signs (`standard-webhooks`, beside the
 * current one), in seconds: the platform's overlap for a superseded credential, 24 hours.
 */
export const SIGNING_OVERLAP_SECONDS = DEFAULT_SIGNING_SECRET_OVERLAP_SECONDS;

/**
 * The secrets that sign a request under `kind`, current first, read like the ingest's (AWSCURRENT,
 * and AWSPREVIOUS while it is within {@link SIGNING_OVERLAP_SECONDS} of the current version's
 * creation; cached in the container for 5 minutes, so the sender signs with a new value within that
 * time of a rotation). `hmac-sha256` gets the current one only. A previous value too short to sign
 * with is left out.
 * @throws SigningKeyError when AWSCURRENT is too short (RFC 2104: under 32 bytes; a whsec_ secret under 24 key bytes)
 */
export async function signingSecretsFor(client: SecretsManagerClient, secretId: string, kind: OutboundSigningConfig['kind'], now = Date.now()): Promise<string[]> {
  const encoding = ENCODING[kind];
  if (encoding === undefined) throw new SigningKeyError(`unknown signing kind ${JSON.stringify(kind)}`);
  const { values, tooShort } = await signingSecrets(client, secretId, SIGNING_OVERLAP_SECONDS, now, encoding);
  if (tooShort.includes('AWSCURRENT')) throw new SigningKeyError(`the signing secret's AWSCURRENT is ${refusalReason(encoding)}`);
  return kind === 'hmac-sha256' ? values.slice(0, 1) : values;
}
