import { randomBytes } from 'node:crypto';
import { DescribeSecretCommand, GetRandomPasswordCommand, type SecretsManagerClient, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import type { GeneratedTokenCharset } from '../../lib/secrets/rotation-config';
import { CredentialTestError, type RotationStrategy } from './strategy';

/** The shape a token of each charset must have. */
const SHAPES: Record<GeneratedTokenCharset, RegExp> = {
  alphanumeric: /^[A-Za-z0-9]+$/,
  'ascii-printable': /^[\x21-\x7e]+$/,
  hex: /^[0-9a-f]+$/,
  base64url: /^[A-Za-z0-9_-]+$/,
  whsec: /^whsec_[A-Za-z0-9+/]+$/,
};

/**
 * A token of `length` characters: from Secrets Manager's GetRandomPassword for the password-like
 * charsets (one of each included character type required), from node:crypto's CSPRNG for the
 * encodings (`randomBytes`, then hex or unpadded base64url, cut to length; or a Standard Webhooks
 * `whsec_` secret of that length).
 */
export async function generateToken(client: SecretsManagerClient, length: number, charset: GeneratedTokenCharset): Promise<string> {
  switch (charset) {
    case 'hex':
      // Stryker disable next-line ArithmeticOperator: equivalent, see reports/mutation/EQUIVALENT.md
      return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
    case 'base64url':
      return randomBytes(Math.ceil((length * 3) / 4)).toString('base64url').slice(0, length);
    case 'whsec':
      // `whsec_` and base64 of (length - 6) / 4 * 3 bytes: exactly length characters, no padding.
      return `whsec_${randomBytes(((length - 6) / 4) * 3).toString('base64')}`;
    case 'alphanumeric':
    case 'ascii-printable': {
      const out = await client.send(
        new GetRandomPasswordCommand({
          PasswordLength: length,
          ExcludePunctuation: charset === 'alphanumeric',
          IncludeSpace: false,
          RequireEachIncludedType: true,
        }),
      );
      if (!out.RandomPassword) throw new Error('GetRandomPassword returned no password');
      return out.RandomPassword;
    }
  }
}

/** Why `value` is not a token of the configured shape, or undefined when it is. The value itself is never part of the reason. */
export function tokenShapeProblem(value: string, length: number, charset: GeneratedTokenCharset): string | undefined {
  if (value.length !== length) return `the token has ${value.length} characters, the configuration says ${length}`;
  if (!SHAPES[charset].test(value)) return `the token has characters outside the ${charset} charset`;
  return undefined;
}

/**
 * Credentials we issue ourselves (webhook signing secrets we hand out, partner-facing API keys):
 * the value is the credential, so there is nothing to set at a service. Verifiers read AWSCURRENT,
 * and AWSPREVIOUS while the overlap runs: revoking the superseded token, once the overlap has
 * ended, is removing AWSPREVIOUS from its version, so that a verifier following the stages stops
 * accepting it (the version keeps the rotation's REVOKED label, so it is not deleted).
 */
export function generatedTokenStrategy(client: SecretsManagerClient, length: number, charset: GeneratedTokenCharset): RotationStrategy {
  return {
    create: () => generateToken(client, length, charset),
    test: async ({ pendingValue }) => {
      const problem = tokenShapeProblem(pendingValue, length, charset);
      if (problem) throw new CredentialTestError(`pending generated token rejected: ${problem}`);
    },
    revoke: async ({ secretArn, token: versionId, log }) => {
      const stages = (await client.send(new DescribeSecretCommand({ SecretId: secretArn }))).VersionIdsToStages ?? {};
      if (!stages[versionId]?.includes('AWSPREVIOUS')) return;
      await client.send(new UpdateSecretVersionStageCommand({ SecretId: secretArn, VersionStage: 'AWSPREVIOUS', RemoveFromVersionId: versionId }));
      log.info('the superseded token is no longer AWSPREVIOUS: verifiers stop accepting it', { versionId });
    },
  };
}
