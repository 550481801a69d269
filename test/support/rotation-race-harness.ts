// Support for the crash and race tests of the rotation function (test/lambda/rotation/rotation-crash-retry.test.ts
// and rotation-race.test.ts), driven step by step against moto_server's Secrets Manager (real version
// stages; moto runs no rotation code).
//

// Crashes and races of the rotation function (lambda/rotation/rotate.ts), driven step by step
// against moto_server's Secrets Manager (real version stages; moto runs no rotation code).
//
// Crashes: the harness ends an invocation right after its n-th effect (an SDK call that moto has
// answered, or a call of the in-process hook). That is a middleware around the real moto-backed
// client, because the real backend cannot produce "the call succeeded, then the Lambda invocation
// ended" (a timeout, an out-of-memory kill, a lost response); everything before the throw really
// happened in moto.
//
// Races: what moto does and what is arranged by hand.
//  - REAL (moto): version stages, PutSecretValue, UpdateSecretVersionStage, RotateSecret creating
//    the new AWSPENDING version.
//  - moto's RotateSecret guard is the inverse of the real service's (pinned in the first test of
//    'two rotations racing'): moto refuses RotateSecret while AWSPENDING is on the AWSCURRENT
//    version ("Previous rotation request is still in progress.") and accepts it while AWSPENDING is
//    on another version, silently moving AWSPENDING to the new token. The real service accepts the
//    first ("AWSPENDING and AWSCURRENT on the same version": the previous rotation is complete)
//    and refuses the second ("A previous rotation isn't complete. That rotation will be
//    reattempted."). So the tests never rely on moto's guard: `startSecondRotation` applies the
//    real service's rule itself (ARRANGED), and a second token exists only the two ways it can
//    with the real service: RotateSecret after the previous rotation completed (AWSPENDING gone or
//    on AWSCURRENT; for the latter moto needs AWSPENDING removed first, ARRANGED with
//    UpdateSecretVersionStage), or an operator unblocking a stuck rotation by removing AWSPENDING
//    from its version and calling RotateSecret (the AWS troubleshooting advice; the removal is an
//    ordinary UpdateSecretVersionStage call, so it is real). The old token's invocations still in
//    flight or retried are then the "loser".
//  - moto's UpdateSecretVersionStage requires RemoveFromVersionId only for AWSCURRENT: moving any
//    other label that another version holds, without naming that version, attaches the label to
//    both, and moving a label to the version that holds it attaches it to that version twice. The
//    real service refuses the first ("If the staging label you are trying to attach to one version
//    is already attached to a different version, then you must include this parameter") and a
//    version's labels are a set. The harness below applies the real rules (ARRANGED, in a
//    middleware inside the crash seam, so a refused call is an effect like any answer of the
//    backend). They matter for the rotation's own labels (TESTED, REVOKED) moved by an invocation
//    that read the stages before another invocation moved them.
//
// Time: the harness's virtual clock does not move unless a test moves it; a version is stamped
// with the time the harness first sees it. The real service stamps versions created one after
// the other at different times, so `startSecondRotation` lets a millisecond pass first. The
// bindings are the harness's defaults: a custom credential's overlap is 0 (superseded credentials
// are revoked when the rotation finishes), a generated token's a day; deferred revocation across
// time is the property's (rotation-property.test.ts).
import { InvalidParameterException, UpdateSecretVersionStageCommand, type UpdateSecretVersionStageCommandInput } from '@aws-sdk/client-secrets-manager';
import type { RotationStep } from '../../lambda/rotation/rotate';
import { ROTATION_LABELS } from '../../lib/secrets/rotation-config';
import { RotationHarness, stagesOf, STEPS, type StepResult, type StrategyKind } from './rotation-fixtures';

export const KINDS: readonly StrategyKind[] = ['generated-token', 'custom'];
export const { TESTED, REVOKED } = ROTATION_LABELS;
/** The guard's error for a token that is not (any more) AWSPENDING. moto lists a version without labels with no stages; the real service omits it. */
export const GUARD = /is not set as AWSPENDING for rotation of secret|has no stage for rotation of secret/;

export function ok(result: StepResult): StepResult {
  if (result.error) throw result.error;
  return result;
}
export const idx = (step: RotationStep) => STEPS.indexOf(step);
export const versionWith = (stages: Record<string, string[]>, stage: string) => Object.keys(stages).find((id) => stages[id].includes(stage));

/** The real service's rules for moving a label without RemoveFromVersionId (see above), on every invocation's client. */
export class RotationHarnessWithRealLabelRules extends RotationHarness {
  override depsFor(...seams: Parameters<RotationHarness['depsFor']>): ReturnType<RotationHarness['depsFor']> {
    const out = super.depsFor(...seams);
    out.client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as UpdateSecretVersionStageCommandInput;
        if (context.commandName !== 'UpdateSecretVersionStageCommand' || input.MoveToVersionId === undefined || input.RemoveFromVersionId !== undefined) return next(args);
        const label = input.VersionStage ?? '';
        const holder = versionWith(await stagesOf(this.sm, this.arn), label);
        if (holder !== undefined && holder !== input.MoveToVersionId) {
          throw new InvalidParameterException({
            message: `The staging label ${label} is attached to version ${holder}: specify it in RemoveFromVersionId (the real service's rule, applied by the test)`,
            $metadata: {},
          });
        }
        const answer = await next(args);
        // Already there: moto attached it a second time; take the copy off again (moto removes one occurrence).
        if (holder !== undefined) await this.sm.send(new UpdateSecretVersionStageCommand({ SecretId: this.arn, VersionStage: label, RemoveFromVersionId: holder }));
        return answer;
      },
      { step: 'initialize', name: 'realServiceLabelRules' },
    );
    return out;
  }
}
/** A harness with the real service's label rules, for the moto Lambda function RotateSecret needs. */
export const harnessOf = (functionArn: string) => (kind: StrategyKind) => new RotationHarnessWithRealLabelRules(kind, functionArn);

/** The effects step `k` makes in a clean rotation (the steps before it run first). */
export async function effectsOf(harness: (kind: StrategyKind) => RotationHarness, kind: StrategyKind, k: RotationStep): Promise<readonly string[]> {
  const h = harness(kind);
  const { token } = await h.createSecret();
  for (const s of STEPS.slice(0, idx(k))) ok(await h.step(token, s));
  return ok(await h.step(token, k)).effects;
}


/**
 * RotateSecret as the real service answers it (see above): refused while AWSPENDING
 * is on a version other than AWSCURRENT; otherwise a new AWSPENDING version. With `operator`, an
 * operator first unblocks a stuck rotation by removing AWSPENDING from its version.
 */
export async function startSecondRotation(h: RotationHarness, options: { operator?: boolean } = {}): Promise<string> {
  const stages = await h.stages();
  const pending = versionWith(stages, 'AWSPENDING');
  const current = versionWith(stages, 'AWSCURRENT');
  if (pending !== undefined && pending !== current && !options.operator) {
    throw new Error("InvalidRequestException: A previous rotation isn't complete. That rotation will be reattempted. (the real service's answer, applied by the test)");
  }
  // Operator: real UpdateSecretVersionStage. AWSPENDING on AWSCURRENT: ARRANGED, since moto refuses RotateSecret there while the real service moves the label itself.
  if (pending !== undefined) await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: h.arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: pending }));
  h.advance(1); // a new version is created after the ones before it
  return h.startRotation();
}

