import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ROTATION_LABELS } from '../../lib/secrets/rotation-config';
import type { RotationLog, RotationStrategy, StrategyContext } from './strategy';
import { CURRENT, listVersions, moveLabel, PENDING, type SecretVersion, type Stages, versionValue } from './versions';

// Deferred revocation: a credential that AWSCURRENT superseded stays valid for the binding's
// overlap, so that whoever cached it (a partner, a consumer) has time to fetch the new one; after
// that, the rotation revokes it. Revocation runs in finishSecret when the overlap is zero, in the
// platform's hourly credential sweep, and before the next rotation issues a credential.
//
// Which credentials: every version created after the one labelled REVOKED (the watermark) and no
// later than AWSCURRENT's version, except AWSCURRENT itself and a newer rotation's AWSPENDING; that
// is, the previous credential, one a crashed finishSecret never revoked, and one an abandoned
// rotation issued. The watermark moves to each version once its credential is revoked, so a
// credential is revoked once (versions created in the same instant as the watermark are candidates
// again: strategies revoke idempotently), and a revocation that fails stops the walk where it is.
// The watermark is a staging label, which only the rotation role may move (the secret's resource
// policy): a caller who may write the secret's tags or value cannot stop a revocation.

/** The secret tag in which finishSecret records when AWSCURRENT moved: `<version id>@<ISO 8601 time>`. */
export const CURRENT_SINCE_TAG = 'cdk-secure-integrations:current-since';

/**
 * When the credentials AWSCURRENT superseded may be revoked: the overlap after AWSCURRENT took
 * over, counted from the latest of the version's creation, the end of the rotation that made it
 * current (DescribeSecret's LastRotatedDate, set by Secrets Manager when a rotation it ran
 * succeeds) and the time finishSecret recorded when it moved AWSCURRENT (the CURRENT_SINCE_TAG, for
 * a finishSecret invoked directly, which Secrets Manager does not record). The tag counts only
 * for the current version and between its creation and `now`: a tag written by anyone else (which
 * the secret's resource policy denies) can neither start the overlap early nor postpone it forever.
 */
export function overlapEnd(current: SecretVersion, overlapSeconds: number, lastRotatedAt?: Date, currentSince?: string, now?: Date): Date {
  let start = current.createdAt;
  const rotated = lastRotatedAt?.getTime();
  if (rotated !== undefined && rotated > start) start = rotated;
  const [versionId, at] = (currentSince ?? '').split('@');
  const since = Date.parse(at ?? '');
  if (versionId === current.id && !Number.isNaN(since) && since > start && (now === undefined || since <= now.getTime())) start = since;
  return new Date(start + overlapSeconds * 1000);
}

/** What one revocation pass did. */
export interface RevocationOutcome {
  /** Versions whose credentials were revoked (or found already superseded by an equal value), oldest first. */
  readonly revoked: string[];
  /** Set when the overlap has not ended: nothing is revoked before this time. */
  readonly waitingUntil?: Date;
}

export interface RevocationContext {
  readonly sm: SecretsManagerClient;
  readonly arn: string;
  readonly strategy: RotationStrategy;
  readonly overlapSeconds: number;
  readonly lastRotatedAt?: Date;
  /** The secret's CURRENT_SINCE_TAG value. */
  readonly currentSince?: string;
  readonly now: Date;
  readonly log: RotationLog;
  /** Reads the secret's versions and values for strategies that need them (see StrategyContext.history). */
  readonly history: StrategyContext['history'];
}

/** Revokes every superseded credential whose overlap has ended; see the top of this file. */
export async function revokeDue(ctx: RevocationContext): Promise<RevocationOutcome> {
  const { sm, arn, strategy, log } = ctx;
  if (!strategy.revoke) return { revoked: [] };
  const versions = await listVersions(sm, arn);
  const current = versions.find((v) => v.stages.includes(CURRENT));
  if (!current) return { revoked: [] };
  const ends = overlapEnd(current, ctx.overlapSeconds, ctx.lastRotatedAt, ctx.currentSince, ctx.now);
  const watermark = versions.find((v) => v.stages.includes(ROTATION_LABELS.REVOKED));
  const cutoff = watermark?.createdAt ?? Number.NEGATIVE_INFINITY;
  const candidates = versions.filter(
    (v) => v.id !== current.id && v.id !== watermark?.id && v.createdAt >= cutoff && v.createdAt <= current.createdAt && !v.stages.includes(PENDING),
  );
  if (candidates.length === 0) return { revoked: [] };
  if (ctx.now.getTime() < ends.getTime()) return { revoked: [], waitingUntil: ends };

  const currentValue = await versionValue(sm, arn, { VersionId: current.id, VersionStage: CURRENT });
  if (currentValue === undefined) return { revoked: [] };
  const stages: Stages = Object.fromEntries(versions.map((v) => [v.id, [...v.stages]]));
  const revoked: string[] = [];
  for (const version of candidates) {
    const previousValue = await versionValue(sm, arn, { VersionId: version.id });
    // A version without a value (a rotation whose createSecret never ran) or holding the current value issued nothing to revoke.
    if (previousValue !== undefined && previousValue !== currentValue) {
      await strategy.revoke({ secretArn: arn, token: version.id, log, now: ctx.now, history: ctx.history, previousValue, currentValue });
      log.info('revoked a superseded credential', { versionId: version.id });
    }
    await moveLabel(sm, arn, ROTATION_LABELS.REVOKED, version.id, stages);
    for (const id of Object.keys(stages)) stages[id] = stages[id].filter((s) => s !== ROTATION_LABELS.REVOKED);
    stages[version.id].push(ROTATION_LABELS.REVOKED);
    revoked.push(version.id);
  }
  return { revoked };
}
