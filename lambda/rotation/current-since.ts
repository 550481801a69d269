import { type DescribeSecretCommandOutput, type SecretsManagerClient, TagResourceCommand } from '@aws-sdk/client-secrets-manager';

// When AWSCURRENT moved to its version, which starts the overlap of the credentials it superseded,
// and whether a rotation put it there. Secrets Manager records neither per version (LastRotatedDate
// is the end of the last rotation Secrets Manager itself ran, not of a step invoked directly, and
// names no version), so the rotation keeps it in one tag of the secret, which only the rotation
// role may write (the secret's resource policy):
//   <version id>@<ISO 8601 time>@moving  finishSecret, just before it moves AWSCURRENT to the version
//   <version id>@<ISO 8601 time>@moved   finishSecret, once AWSCURRENT is on the version
//   <version id>@<ISO 8601 time>@seen    revocation, finding AWSCURRENT on a version no rotation recorded
// Only `moved` and `seen` start an overlap; a `moving` record naming the current version (a
// finishSecret that ended between the move and its record, or a move someone made later by hand)
// says nothing of when it moved, so the overlap starts when revocation next looks. Errors go
// toward a longer overlap, never a shorter one.

/** The secret tag that records when AWSCURRENT moved. */
export const CURRENT_SINCE_TAG = 'cdk-secure-integrations:current-since';

/** Who wrote the record, and when in the move. */
export type CurrentSinceSource = 'moving' | 'moved' | 'seen';

/** A parsed record. */
export interface CurrentSince {
  readonly versionId: string;
  readonly at: number;
  readonly source: CurrentSinceSource;
}

/** The record in a DescribeSecret answer's tags, if it is one. */
export function currentSinceOf(meta: DescribeSecretCommandOutput): CurrentSince | undefined {
  const value = meta.Tags?.find((t) => t.Key === CURRENT_SINCE_TAG)?.Value;
  const [versionId, iso, source] = (value ?? '').split('@');
  // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
  const at = Date.parse(iso ?? '');
  if (!versionId || Number.isNaN(at) || !['moving', 'moved', 'seen'].includes(source)) return undefined;
  return { versionId, at, source: source as CurrentSinceSource };
}

/** Writes the record. */
export async function recordCurrentSince(sm: SecretsManagerClient, arn: string, record: CurrentSince): Promise<void> {
  await sm.send(new TagResourceCommand({ SecretId: arn, Tags: [{ Key: CURRENT_SINCE_TAG, Value: `${record.versionId}@${new Date(record.at).toISOString()}@${record.source}` }] }));
}

/** How far the function's clock may be behind Secrets Manager's (a version's CreatedDate) before a record looks older than its version. */
const CLOCK_SKEW_MS = 60 * 1000;

/**
 * When AWSCURRENT moved to `currentId`, as far as the record says: its time when it is a `moved`
 * or `seen` record of that version, no later than `now` and no earlier than the version's
 * creation; otherwise undefined (not known).
 */
export function knownSince(record: CurrentSince | undefined, currentId: string, createdAt: number, now: number): number | undefined {
  if (!record || record.versionId !== currentId || record.source === 'moving') return undefined;
  return record.at >= createdAt - CLOCK_SKEW_MS && record.at <= now ? record.at : undefined;
}

/** Whether a rotation put AWSCURRENT on `currentId` (a finishSecret recorded the move). */
export function rotatedTo(record: CurrentSince | undefined, currentId: string): boolean {
  return record !== undefined && record.versionId === currentId && record.source !== 'seen';
}
