import {
  type DescribeSecretCommandOutput,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  type SecretVersionsListEntry,
  TagResourceCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { RotationStrategyConfig } from '../../lib/secrets/rotation-config';
import { rotationConfigFromTags } from './config';
import type { RotationLog, RotationStrategy } from './strategy';

// Secrets Manager's four-step rotation protocol, the same for every strategy.
// See https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/** The event Secrets Manager sends the rotation function. */
export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep;
  /** Sent for rotations with an assumed role or cross-account; passed through to PutSecretValue. Sensitive: never logged. */
  readonly RotationToken?: string;
}

/** What a step did (logged, and returned for tests; Secrets Manager ignores the result). */
export type RotationOutcome =
  | 'already-current'
  | 'pending-value-exists'
  | 'pending-value-created'
  | 'pending-value-set'
  | 'pending-value-tested'
  | 'finished'
  | 'finish-resumed';

export interface RotationDependencies {
  readonly secretsManager: SecretsManagerClient;
  readonly strategyFor: (config: RotationStrategyConfig) => RotationStrategy;
  readonly log: RotationLog;
}

/** The event or the secret's version stages do not allow the step: the step fails and Secrets Manager reports the rotation failed. */
export class RotationProtocolError extends Error {
  override readonly name = 'RotationProtocolError';
}

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';

type Versions = Record<string, string[]>;

function versionWith(versions: Versions, stage: string): string | undefined {
  return Object.keys(versions).find((id) => versions[id].includes(stage));
}

/** A version's SecretString, or undefined when the version (or its value) does not exist. */
async function secretString(sm: SecretsManagerClient, secretId: string, select: { VersionId?: string; VersionStage?: string }): Promise<string | undefined> {
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: secretId, ...select }));
    if (out.SecretString === undefined) throw new RotationProtocolError(`secret ${secretId} holds a binary value: rotation supports SecretString only`);
    return out.SecretString;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Runs one step. The guard first, on every step: rotation must be enabled, the token must be a
 * version of the secret, a token already AWSCURRENT means the step is done, and a token that is
 * not AWSPENDING is an error.
 */
export async function rotate(event: RotationEvent, deps: RotationDependencies): Promise<RotationOutcome> {
  const { secretsManager: sm, log } = deps;
  const token = event.ClientRequestToken;
  const meta = await sm.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
  const arn = meta.ARN ?? event.SecretId;
  if (!meta.RotationEnabled) throw new RotationProtocolError(`rotation is not enabled for secret ${arn}`);
  const versions: Versions = meta.VersionIdsToStages ?? {};
  const stages = versions[token];
  if (!stages) throw new RotationProtocolError(`secret version ${token} has no stage for rotation of secret ${arn}`);
  const alreadyCurrent = stages.includes(CURRENT);
  if (!alreadyCurrent && !stages.includes(PENDING)) {
    throw new RotationProtocolError(`secret version ${token} is not set as AWSPENDING for rotation of secret ${arn} (stages: ${stages.join(', ') || 'none'})`);
  }
  const strategy = () => deps.strategyFor(rotationConfigFromTags(meta.Tags));
  const ctx = { secretArn: arn, token, log };

  switch (event.Step) {
    case 'createSecret': {
      if (alreadyCurrent) return 'already-current';
      const currentValue = await secretString(sm, arn, { VersionStage: CURRENT });
      if (currentValue === undefined) throw new RotationProtocolError(`secret ${arn} has no AWSCURRENT value to rotate from`);
      // Never issue a second value for a token that already has one (a replay, or a retry after a crash past PutSecretValue).
      if ((await secretString(sm, arn, { VersionId: token, VersionStage: PENDING })) !== undefined) {
        log.info('createSecret: the pending version already has a value; nothing to do');
        return 'pending-value-exists';
      }
      const value = await strategy().create({ ...ctx, currentValue });
      try {
        await sm.send(
          new PutSecretValueCommand({
            SecretId: arn,
            ClientRequestToken: token,
            SecretString: value,
            VersionStages: [PENDING],
            ...(event.RotationToken ? { RotationToken: event.RotationToken } : {}),
          }),
        );
      } catch (error) {
        // A concurrent invocation for the same token stored its value first: keep that one.
        if (error instanceof ResourceExistsException && (await secretString(sm, arn, { VersionId: token, VersionStage: PENDING })) !== undefined) {
          log.warn('createSecret: another invocation stored the pending value first; keeping it');
          return 'pending-value-exists';
        }
        throw error;
      }
      log.info('createSecret: stored the new value as AWSPENDING');
      return 'pending-value-created';
    }

    case 'setSecret': {
      if (alreadyCurrent) return 'already-current';
      const pendingValue = await pendingOf(sm, arn, token);
      const s = strategy();
      if (s.set) await s.set({ ...ctx, pendingValue, currentValue: await secretString(sm, arn, { VersionStage: CURRENT }) });
      log.info('setSecret: the pending credential is set at the service');
      return 'pending-value-set';
    }

    case 'testSecret': {
      if (alreadyCurrent) return 'already-current';
      const pendingValue = await pendingOf(sm, arn, token);
      try {
        await strategy().test({ ...ctx, pendingValue, currentValue: await secretString(sm, arn, { VersionStage: CURRENT }) });
      } catch (error) {
        log.error('testSecret: the pending credential failed its test; AWSCURRENT stays on the previous version', { error: (error as Error).message });
        throw error;
      }
      log.info('testSecret: the pending credential passed its test');
      return 'pending-value-tested';
    }

    case 'finishSecret':
      return finish(sm, meta, token, alreadyCurrent, strategy, ctx);

    default:
      throw new RotationProtocolError(`unknown rotation step '${String((event as { Step?: unknown }).Step)}'`);
  }
}

async function pendingOf(sm: SecretsManagerClient, arn: string, token: string): Promise<string> {
  const value = await secretString(sm, arn, { VersionId: token, VersionStage: PENDING });
  if (value === undefined) throw new RotationProtocolError(`secret version ${token} of ${arn} has no AWSPENDING value: createSecret has not run for this token`);
  return value;
}

/** The secret tag that records the newest version whose credential has been revoked. */
export const LAST_REVOKED_TAG = 'cdk-secure-integrations:last-revoked-version';

/**
 * Revokes every credential this secret superseded since the last revocation: the previous one, and
 * also one that a crashed finishSecret never revoked (the next rotation started before its retry)
 * or that an abandoned rotation issued but never made current. Versions created after the one named
 * by {@link LAST_REVOKED_TAG} are candidates, except the current one, a newer rotation's pending
 * one, and any holding the current value; the tag then moves to the newest of them, so a credential
 * is revoked once per rotation that supersedes it (strategies revoke idempotently, for replays).
 */
async function revokeSuperseded(
  sm: SecretsManagerClient,
  meta: DescribeSecretCommandOutput,
  token: string,
  s: RotationStrategy,
  ctx: { secretArn: string; token: string; log: RotationLog },
): Promise<void> {
  const { secretArn: arn, log } = ctx;
  const versions: SecretVersionsListEntry[] = [];
  let next: string | undefined;
  do {
    const page = await sm.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true, NextToken: next }));
    versions.push(...(page.Versions ?? []));
    next = page.NextToken;
  } while (next);
  const lastRevoked = meta.Tags?.find((t) => t.Key === LAST_REVOKED_TAG)?.Value;
  const cutoff = versions.find((v) => v.VersionId === lastRevoked)?.CreatedDate?.getTime() ?? Number.NEGATIVE_INFINITY;
  const currentValue = await secretString(sm, arn, { VersionId: token, VersionStage: CURRENT });
  if (currentValue === undefined) return;
  const candidates = versions
    // Creation times may tie (second resolution): ties are candidates again, revoked idempotently.
    .filter((v) => v.VersionId !== token && v.VersionId !== lastRevoked && (v.CreatedDate?.getTime() ?? 0) >= cutoff)
    .filter((v) => !(v.VersionStages ?? []).some((stage) => stage === CURRENT || stage === PENDING))
    .sort((a, b) => (a.CreatedDate?.getTime() ?? 0) - (b.CreatedDate?.getTime() ?? 0));
  let newest: string | undefined;
  for (const version of candidates) {
    const previousValue = await secretString(sm, arn, { VersionId: version.VersionId });
    // Never revoke a value that is also the current one (a version copied from AWSCURRENT).
    if (previousValue !== undefined && previousValue !== currentValue) {
      await s.revoke!({ ...ctx, previousValue, currentValue });
      log.info('finishSecret: revoked a superseded credential', { versionId: version.VersionId });
    }
    newest = version.VersionId;
  }
  if (newest) await sm.send(new TagResourceCommand({ SecretId: arn, Tags: [{ Key: LAST_REVOKED_TAG, Value: newest }] }));
}

/**
 * finishSecret: move AWSCURRENT to the token's version (AWSPREVIOUS follows the old one), remove
 * AWSPENDING so the next rotation is not blocked, check that end state, and only then let the
 * strategy revoke the previous credential.
 *
 * A replay finds the token already AWSCURRENT: the stages are left as they are, but the end state
 * is checked and the revocation is run again (strategies revoke idempotently), so a finishSecret
 * that crashed between moving AWSCURRENT and revoking converges when Secrets Manager retries it.
 */
async function finish(
  sm: SecretsManagerClient,
  meta: DescribeSecretCommandOutput,
  token: string,
  alreadyCurrent: boolean,
  strategy: () => RotationStrategy,
  ctx: { secretArn: string; token: string; log: RotationLog },
): Promise<RotationOutcome> {
  const { secretArn: arn, log } = ctx;
  const s = strategy(); // a broken configuration fails before AWSCURRENT moves
  if (!alreadyCurrent) {
    const previousId = versionWith(meta.VersionIdsToStages ?? {}, CURRENT);
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: CURRENT, MoveToVersionId: token, RemoveFromVersionId: previousId }));
    log.info('finishSecret: moved AWSCURRENT to the new version', { previousVersionId: previousId });
  }

  // Remove AWSPENDING from this rotation's own version only: once AWSCURRENT has moved, Secrets
  // Manager may already have started a newer rotation, whose AWSPENDING is not ours to remove.
  let versions: Versions = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
  if (versions[token]?.includes(PENDING)) {
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: PENDING, RemoveFromVersionId: token }));
  }
  for (const [id, stages] of Object.entries(versions)) {
    if (id !== token && stages.includes(PENDING)) log.info('finishSecret: AWSPENDING is on another version (a newer rotation); leaving it', { versionId: id });
  }
  versions = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
  if (!versions[token]?.includes(CURRENT)) throw new RotationProtocolError(`finishSecret: AWSCURRENT is not on version ${token} of ${arn} after the move`);
  if (versions[token]?.includes(PENDING)) {
    throw new RotationProtocolError(`finishSecret: AWSPENDING is still on version ${token} of ${arn}; the next rotation would be blocked`);
  }

  if (s.revoke) await revokeSuperseded(sm, meta, token, s, ctx);
  return alreadyCurrent ? 'finish-resumed' : 'finished';
}
