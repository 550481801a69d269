import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ROTATION_LABELS } from '../../lib/secrets/rotation-config';
import { type CurrentSince, knownSince, recordCurrentSince } from './current-since';
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
// policy), like the record of when AWSCURRENT moved (a tag; see current-since.ts): a caller who may
// write the secret's value cannot stop or hasten a revocation.

/**
 * When the credentials AWSCURRENT superseded may be revoked: the overlap after AWSCURRENT moved to
 * its version (see current-since.ts), or undefined when when it moved is not known.
 */
export function overlapEnd(current: SecretVersion, overlapSeconds: number, record: CurrentSince | undefined, now: Date): Date | undefined {
  const since = knownSince(record, current.id, current.createdAt, now.getTime());
  return since === undefined ? undefined : new Date(since + overlapSeconds * 1000);
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
  /** The record of when AWSCURRENT moved, from the same DescribeSecret answer as `currentVersionId`. */
  readonly currentSince?: CurrentSince;
  /** The version DescribeSecret said was AWSCURRENT: if it has moved since, this pass revokes nothing. */
  readonly currentVersionId?: string;
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
  // AWSCURRENT moved since the record was read (a finishSecret in between): the record may be another version's.
  if (!current || (ctx.currentVersionId !== undefined && current.id !== ctx.currentVersionId)) return { revoked: [] };
  const watermark = versions.find((v) => v.stages.includes(ROTATION_LABELS.REVOKED));
  const cutoff = watermark?.createdAt ?? Number.NEGATIVE_INFINITY;
  const candidates = versions.filter(
    (v) => v.id !== current.id && v.id !== watermark?.id && v.createdAt >= cutoff && v.createdAt <= current.createdAt && !v.stages.includes(PENDING),
  );
  if (candidates.length === 0) return { revoked: [] };
  const ends = overlapEnd(current, ctx.overlapSeconds, ctx.currentSince, ctx.now);
  if (ends === undefined) {
    // When AWSCURRENT moved is not known: from now, recorded; nothing is revoked before the overlap from now.
    const finishMoved = ctx.currentSince?.versionId === current.id; // a `moving` record: a finishSecret moved it
    await recordCurrentSince(sm, arn, { versionId: current.id, at: ctx.now.getTime(), source: finishMoved ? 'moved' : 'seen' });
    log.info('when AWSCURRENT moved was not recorded: its overlap counts from now', { versionId: current.id });
    // With no overlap, what is due from now is due now: revoke in this pass (a finishSecret that
    // crashed after moving AWSCURRENT would otherwise leave the old credential live until another pass).
    if (ctx.overlapSeconds > 0) return { revoked: [], waitingUntil: new Date(ctx.now.getTime() + ctx.overlapSeconds * 1000) };
  } else if (ctx.now.getTime() < ends.getTime()) {
    return { revoked: [], waitingUntil: ends };
  }

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
    // Stryker disable next-line ArrowFunction: equivalent, see reports/mutation/EQUIVALENT.md
    for (const id of Object.keys(stages)) stages[id] = stages[id].filter((s) => s !== ROTATION_LABELS.REVOKED);
    stages[version.id].push(ROTATION_LABELS.REVOKED);
    revoked.push(version.id);
  }
  return { revoked };
}
