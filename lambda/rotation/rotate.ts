import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  PutSecretValueCommand,
  ResourceExistsException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { ROTATION_LABELS } from '../../lib/secrets/rotation-config';
import { isDeployedSecret, RotationConfigError, type ResolvedBinding, type ResolvedStrategy } from './bindings';
import { type CurrentSince, currentSinceOf, recordCurrentSince } from './current-since';
import { overlapEnd, type RevocationContext, revokeDue } from './revocation';
import type { CredentialHistory, RotationLog, RotationStrategy, StrategyContext } from './strategy';
import { CURRENT, listVersions, moveLabel, PENDING, type Stages, versionValue, versionWith } from './versions';

// Secrets Manager's four-step rotation protocol, the same for every strategy.
// See https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
//
// Safe against its own callers, not only against Secrets Manager's retries: the function may be
// invoked directly (anyone allowed lambda:InvokeFunction), with any step, for any token, in any
// order. Every decision is taken from what the function was deployed with (the secret's binding)
// and from the secret's version stages, never from the event beyond the secret and the token:
//  - the secret must be one of the platform's credentials (its binding, by name) and rotation on;
//  - the token must be the secret's AWSPENDING version (or already AWSCURRENT: the step is done);
//  - finishSecret moves AWSCURRENT only to a version labelled TESTED, a label that testSecret puts
//    on the version whose value passed the strategy's test, and that nobody else may move;
//  - a superseded credential is revoked only after the binding's overlap (see revocation.ts).

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
  /** The platform's credentials, by secret name (the function's config layer). */
  readonly bindings: ReadonlyMap<string, ResolvedBinding>;
  readonly strategyFor: (rotation: ResolvedStrategy) => RotationStrategy;
  readonly log: RotationLog;
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
}

/** The event or the secret's version stages do not allow the step: the step fails and Secrets Manager reports the rotation failed. */
export class RotationProtocolError extends Error {
  override readonly name = 'RotationProtocolError';
}

/** The binding of a secret, from its DescribeSecret answer. @throws RotationConfigError when the secret is not a rotated credential of this platform. */
export function bindingOf(meta: DescribeSecretCommandOutput, bindings: ReadonlyMap<string, ResolvedBinding>): ResolvedBinding & { readonly rotation: ResolvedStrategy } {
  const binding = meta.Name === undefined ? undefined : bindings.get(meta.Name);
  if (!binding) throw new RotationConfigError(`secret ${meta.ARN ?? meta.Name} is not a credential of this platform: this function rotates only the secrets it was deployed with`);
  if (!isDeployedSecret(binding, meta.Name, meta.ARN)) {
    throw new RotationConfigError(
      `secret ${meta.ARN} has the name of credential ${binding.integration}/${binding.credential} but not its ARN: it is not the secret deployed under that name (deleted and re-created?); nothing was changed`,
    );
  }
  if (!binding.rotation) {
    throw new RotationConfigError(`secret ${meta.ARN} (${binding.integration}/${binding.credential}) is held with a partner and is not rotated by this function`);
  }
  return binding as ResolvedBinding & { readonly rotation: ResolvedStrategy };
}

/** The secret's versions and values, read once per invocation when a strategy first asks. */
export function historyReader(sm: SecretsManagerClient, arn: string, overlapSeconds: number, record: CurrentSince | undefined, now: Date): () => Promise<CredentialHistory> {
  let read: Promise<CredentialHistory> | undefined;
  return () =>
    (read ??= (async () => {
      const versions = [];
      for (const v of await listVersions(sm, arn)) versions.push({ ...v, value: await versionValue(sm, arn, { VersionId: v.id }) });
      const current = versions.find((v) => v.stages.includes(CURRENT));
      return { versions, current, overlapEndsAt: current ? overlapEnd(current, overlapSeconds, record, now) : undefined };
    })());
}

/**
 * Runs one step. The guard first, on every step: the secret must be a rotated credential of this
 * platform with rotation enabled, the token must be a version of the secret, a token already
 * AWSCURRENT means the step is done, and a token that is not AWSPENDING is an error.
 */
export async function rotate(event: RotationEvent, deps: RotationDependencies): Promise<RotationOutcome> {
  const { secretsManager: sm, log } = deps;
  const token = event.ClientRequestToken;
  const meta = await sm.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
  const arn = meta.ARN ?? event.SecretId;
  const binding = bindingOf(meta, deps.bindings);
  if (!meta.RotationEnabled) throw new RotationProtocolError(`rotation is not enabled for secret ${arn}`);
  const versions: Stages = meta.VersionIdsToStages ?? {};
  const stages = versions[token];
  if (!stages) throw new RotationProtocolError(`secret version ${token} has no stage for rotation of secret ${arn}`);
  const alreadyCurrent = stages.includes(CURRENT);
  if (!alreadyCurrent && !stages.includes(PENDING)) {
    throw new RotationProtocolError(`secret version ${token} is not set as AWSPENDING for rotation of secret ${arn} (stages: ${stages.join(', ') || 'none'})`);
  }
  const strategy = deps.strategyFor(binding.rotation);
  const now = (deps.now ?? (() => new Date()))();
  const currentSince = currentSinceOf(meta);
  const history = historyReader(sm, arn, binding.overlapSeconds, currentSince, now);
  const ctx: StrategyContext = { secretArn: arn, token, log, now, history };
  const revocation = { sm, arn, strategy, overlapSeconds: binding.overlapSeconds, currentSince, currentVersionId: versionWith(versions, CURRENT), now, log, history };

  switch (event.Step) {
    case 'createSecret': {
      if (alreadyCurrent) return 'already-current';
      const currentValue = await versionValue(sm, arn, { VersionStage: CURRENT });
      if (currentValue === undefined) throw new RotationProtocolError(`secret ${arn} has no AWSCURRENT value to rotate from`);
      // Never issue a second value for a token that already has one (a replay, or a retry after a crash past PutSecretValue).
      if ((await versionValue(sm, arn, { VersionId: token, VersionStage: PENDING })) !== undefined) {
        log.info('createSecret: the pending version already has a value; nothing to do');
        return 'pending-value-exists';
      }
      // Revocations that came due since the last sweep, before a new credential is issued; a failure
      // here is the sweep's to report (and retry), not a reason to keep the current credential longer.
      try {
        await revokeDue(revocation);
      } catch (error) {
        log.warn('createSecret: revoking a superseded credential failed; the credential sweep retries it', { error: (error as Error).message });
      }
      const value = await strategy.create({ ...ctx, currentValue });
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
        if (error instanceof ResourceExistsException && (await versionValue(sm, arn, { VersionId: token, VersionStage: PENDING })) !== undefined) {
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
      if (strategy.set) await strategy.set({ ...ctx, pendingValue, currentValue: await versionValue(sm, arn, { VersionStage: CURRENT }) });
      log.info('setSecret: the pending credential is set at the service');
      return 'pending-value-set';
    }

    case 'testSecret': {
      if (alreadyCurrent) return 'already-current';
      const pendingValue = await pendingOf(sm, arn, token);
      try {
        await strategy.test({ ...ctx, pendingValue, currentValue: await versionValue(sm, arn, { VersionStage: CURRENT }) });
      } catch (error) {
        log.error('testSecret: the pending credential failed its test; AWSCURRENT stays on the previous version', { error: (error as Error).message });
        throw error;
      }
      // The pass, bound to this version: finishSecret moves AWSCURRENT only to a version that has it.
      // Checked again after the test: a rotation abandoned meanwhile (AWSPENDING removed, a newer
      // rotation started) must not take the label from the newer rotation's passed version.
      const now: Stages = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
      if (!now[token]?.includes(PENDING)) {
        throw new RotationProtocolError(`testSecret: version ${token} of ${arn} stopped being AWSPENDING during its test (the rotation was abandoned); its pass is not recorded`);
      }
      await moveLabel(sm, arn, ROTATION_LABELS.TESTED, token, now);
      log.info('testSecret: the pending credential passed its test');
      return 'pending-value-tested';
    }

    case 'finishSecret':
      return finish(versions, token, alreadyCurrent, revocation);

    default:
      throw new RotationProtocolError(`unknown rotation step '${String((event as { Step?: unknown }).Step)}'`);
  }
}

async function pendingOf(sm: SecretsManagerClient, arn: string, token: string): Promise<string> {
  const value = await versionValue(sm, arn, { VersionId: token, VersionStage: PENDING });
  if (value === undefined) throw new RotationProtocolError(`secret version ${token} of ${arn} has no AWSPENDING value: createSecret has not run for this token`);
  return value;
}

/**
 * finishSecret: move AWSCURRENT to the token's version (AWSPREVIOUS follows the old one) if its
 * value passed testSecret, remove AWSPENDING so the next rotation is not blocked, check that end
 * state, and revoke superseded credentials if the overlap is zero (otherwise the sweep does, once
 * the overlap has ended).
 *
 * A replay finds the token already AWSCURRENT: the stages are left as they are, but the end state
 * is checked again, so a finishSecret that crashed between its moves converges on a retry.
 */
async function finish(stagesAtStart: Stages, token: string, alreadyCurrent: boolean, revocation: RevocationContext): Promise<RotationOutcome> {
  const { sm, arn, log, overlapSeconds } = revocation;
  let versions = stagesAtStart;
  if (!alreadyCurrent) {
    // Stryker disable next-line OptionalChaining: equivalent, see reports/mutation/EQUIVALENT.md
    if (!versions[token]?.includes(ROTATION_LABELS.TESTED)) {
      throw new RotationProtocolError(`finishSecret: version ${token} of ${arn} has not passed testSecret; AWSCURRENT stays where it is`);
    }
    // Recorded first: a finishSecret that ends right after the move leaves a record that says a
    // rotation moved it, and that its time is not known (the overlap then counts from later).
    await recordCurrentSince(sm, arn, { versionId: token, at: revocation.now.getTime(), source: 'moving' });
    const previousId = versionWith(versions, CURRENT);
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: CURRENT, MoveToVersionId: token, RemoveFromVersionId: previousId }));
    log.info('finishSecret: moved AWSCURRENT to the new version', { previousVersionId: previousId });
  }

  // Remove AWSPENDING from this rotation's own version only: once AWSCURRENT has moved, Secrets
  // Manager may already have started a newer rotation, whose AWSPENDING is not ours to remove.
  versions = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
  if (versions[token]?.includes(PENDING)) {
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: PENDING, RemoveFromVersionId: token }));
  }
  for (const [id, stages] of Object.entries(versions)) {
    if (id !== token && stages.includes(PENDING)) log.info('finishSecret: AWSPENDING is on another version (a newer rotation); leaving it', { versionId: id });
  }
  versions = (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
  if (!versions[token]?.includes(CURRENT)) throw new RotationProtocolError(`finishSecret: AWSCURRENT is not on version ${token} of ${arn} after the move`);
  // Stryker disable next-line OptionalChaining: equivalent, see reports/mutation/EQUIVALENT.md
  if (versions[token]?.includes(PENDING)) {
    throw new RotationProtocolError(`finishSecret: AWSPENDING is still on version ${token} of ${arn}; the next rotation would be blocked`);
  }

  // The move is done: its time starts the overlap (a resumed finish that finds no record of the move records now: later, so longer).
  let record = revocation.currentSince;
  if (!alreadyCurrent || record?.versionId !== token || record.source === 'moving') {
    record = { versionId: token, at: revocation.now.getTime(), source: 'moved' };
    await recordCurrentSince(sm, arn, record);
  }

  if (overlapSeconds === 0) await revokeDue({ ...revocation, currentSince: record, currentVersionId: token });
  else log.info('finishSecret: the superseded credential stays valid for the overlap; the credential sweep revokes it after', { overlapSeconds });
  return alreadyCurrent ? 'finish-resumed' : 'finished';
}
