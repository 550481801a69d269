import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isDeployedSecret, type ResolvedBinding, type ResolvedStrategy } from './bindings';
import { revokeDue } from './revocation';
import { currentSinceOf, rotatedTo } from './current-since';
import { historyReader } from './rotate';
import type { RotationLog, RotationStrategy } from './strategy';
import { CURRENT, listVersions, PENDING, versionWith } from './versions';

// The hourly credential sweep (an EventBridge schedule invokes the rotation function with it):
// for every credential of the platform, revoke superseded credentials whose overlap has ended,
// and measure the age of the AWSCURRENT version against the credential's policy age (a ticket)
// and its classification's limit (a page). A rotated credential still holding the value written at
// deploy an hour after it (its first rotation failed: the credential is unusable) pages; a rotation
// pending for more than 6 hours (Secrets Manager refuses new rotations until it completes) tickets. A partner-held signing secret is only measured: it
// changes when an operator puts the partner's new value. Everything it does follows from the
// deployed bindings and the secrets' versions; the invoking event carries nothing it reads.

/** How long after deploy a rotated credential must have had its first rotation. */
export const FIRST_ROTATION_GRACE_MS = 60 * 60 * 1000;
/** How long a rotation may stay pending before the sweep reports it stuck. */
export const STUCK_ROTATION_MS = 6 * 60 * 60 * 1000;

/** What the sweep found for one credential. */
export interface CredentialReport {
  readonly secretName: string;
  readonly integration: string;
  readonly credential: string;
  /** Age of the AWSCURRENT version, seconds. */
  readonly ageSeconds?: number;
  /** Past its policy age (ticket). */
  readonly due: boolean;
  /** Past its classification's limit (page). */
  readonly overdue: boolean;
  /** Versions whose credentials this sweep revoked. */
  readonly revoked: readonly string[];
  /** What is wrong besides the age: a credential never rotated, a rotation stuck. */
  readonly problems?: readonly string[];
  /** Why the credential could not be checked or revoked. */
  readonly error?: string;
}

/** What the sweep publishes (as EMF metrics in the function). */
export interface SweepMetrics {
  readonly credentials: ReadonlyArray<{ readonly integration: string; readonly credential: string; readonly ageSeconds: number }>;
  readonly integrations: ReadonlyArray<{ readonly integration: string; readonly due: number; readonly overdue: number }>;
  /** Credentials the sweep could not check or revoke. */
  readonly failures: number;
}

export interface SweepDependencies {
  readonly secretsManager: SecretsManagerClient;
  readonly bindings: ReadonlyMap<string, ResolvedBinding>;
  readonly strategyFor: (rotation: ResolvedStrategy) => RotationStrategy;
  readonly log: RotationLog;
  readonly publish: (metrics: SweepMetrics) => void;
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
}

async function sweepOne(name: string, binding: ResolvedBinding, deps: SweepDependencies, now: Date): Promise<CredentialReport> {
  const { secretsManager: sm, log } = deps;
  const base = { secretName: name, integration: binding.integration, credential: binding.credential };
  const meta = await sm.send(new DescribeSecretCommand({ SecretId: name }));
  const arn = meta.ARN ?? name;
  if (!isDeployedSecret(binding, meta.Name, meta.ARN)) throw new Error(`secret ${arn} has the credential's name but not its deployed ARN (deleted and re-created?): it is not swept`);
  // The record of when AWSCURRENT moved and the current version, from one answer (current-since.ts).
  const currentSince = currentSinceOf(meta);
  const currentVersionId = versionWith(meta.VersionIdsToStages ?? {}, CURRENT);
  let revoked: readonly string[] = [];
  if (binding.rotation) {
    const strategy = deps.strategyFor(binding.rotation);
    const history = historyReader(sm, arn, binding.overlapSeconds, currentSince, now);
    const outcome = await revokeDue({ sm, arn, strategy, overlapSeconds: binding.overlapSeconds, currentSince, currentVersionId, now, log, history });
    revoked = outcome.revoked;
  }
  const versions = await listVersions(sm, arn);
  const current = versions.find((v) => v.stages.includes(CURRENT));
  if (!current) return { ...base, due: false, overdue: false, revoked, error: 'the secret has no AWSCURRENT version' };
  const ageSeconds = Math.max(0, Math.floor((now.getTime() - current.createdAt) / 1000));
  const problems: string[] = [];
  // AWSCURRENT is where a rotation put it only if a finishSecret recorded the move (current-since.ts).
  const notRotated =
    binding.rotation !== undefined && current.id === currentVersionId && !rotatedTo(currentSince, current.id) && now.getTime() - current.createdAt > FIRST_ROTATION_GRACE_MS;
  if (binding.rotation) {
    if (notRotated) {
      problems.push('not rotated: AWSCURRENT holds a value no rotation put there (the value written at deploy, after a failed first rotation, or one moved there by hand); see the rotation function\'s log');
    }
    const stuck = versions.find((v) => v.stages.includes(PENDING) && !v.stages.includes(CURRENT) && now.getTime() - v.createdAt > STUCK_ROTATION_MS);
    if (stuck) {
      problems.push(`a rotation has been pending since ${new Date(stuck.createdAt).toISOString()} (version ${stuck.id}): Secrets Manager refuses new rotations until it completes or AWSPENDING is removed`);
    }
  }
  return {
    ...base,
    ageSeconds,
    due: ageSeconds > binding.ticketAfterSeconds || problems.length > 0,
    overdue: ageSeconds > binding.pageAfterSeconds || notRotated,
    revoked,
    ...(problems.length > 0 ? { problems } : {}),
  };
}

/** Sweeps every credential; a failure on one is reported and the others are still swept. */
export async function sweep(deps: SweepDependencies): Promise<CredentialReport[]> {
  const now = (deps.now ?? (() => new Date()))();
  const reports: CredentialReport[] = [];
  for (const [name, binding] of deps.bindings) {
    try {
      const report = await sweepOne(name, binding, deps, now);
      reports.push(report);
      // A credential that could not be checked (no AWSCURRENT version) is an error like a failed call.
      if (report.error !== undefined) deps.log.error('credential sweep failed for a credential', { ...report });
      else if (report.overdue) deps.log.error('credential past its classification\'s limit', { ...report });
      else if (report.due) deps.log.warn('credential past its policy age', { ...report });
      else deps.log.info('credential checked', { ...report });
    } catch (error) {
      const message = (error as Error).message;
      reports.push({ secretName: name, integration: binding.integration, credential: binding.credential, due: false, overdue: false, revoked: [], error: message });
      deps.log.error('credential sweep failed for a credential', { secretName: name, integration: binding.integration, credential: binding.credential, error: message });
    }
  }
  const byIntegration = new Map<string, { due: number; overdue: number }>();
  for (const r of reports) {
    const counts = byIntegration.get(r.integration) ?? { due: 0, overdue: 0 };
    if (r.due) counts.due += 1;
    if (r.overdue) counts.overdue += 1;
    byIntegration.set(r.integration, counts);
  }
  deps.publish({
    credentials: reports.flatMap((r) => (r.ageSeconds === undefined ? [] : [{ integration: r.integration, credential: r.credential, ageSeconds: r.ageSeconds }])),
    integrations: [...byIntegration].map(([integration, c]) => ({ integration, ...c })),
    failures: reports.filter((r) => r.error !== undefined).length,
  });
  return reports;
}
