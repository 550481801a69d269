import type { RotationStep } from '../../../lambda/rotation/rotate';
import { ROTATION_LABELS } from '../../../lib/secrets/rotation-config';
import { createMotoRotationFunction, STEPS, type StrategyKind, valueAt, valueOfVersion } from '../../support/rotation-fixtures';
import { effectsOf as effectsWith, harnessOf, idx, KINDS, ok } from '../../support/rotation-race-harness';

// Crashes of the rotation function: each step, with a crash injected after each of its effects (see
// test/support/rotation-race-harness.ts), then Secrets Manager's retry of the step or of the whole
// rotation, converges.

let functionArn: string;
beforeAll(async () => {
  functionArn = await createMotoRotationFunction();
});
const harness = (kind: StrategyKind) => harnessOf(functionArn)(kind);
const effectsOf = (kind: StrategyKind, k: RotationStep) => effectsWith(harness, kind, k);
const { TESTED, REVOKED } = ROTATION_LABELS;

describe('a crash after each step (and inside it), then a retry, converges', () => {
  /**
   * Runs the steps before `k` cleanly, crashes step `k` after its `crashAfter`-th effect, then
   * lets Secrets Manager retry: the same step with the same token and on to the end ('step'), or
   * the whole rotation from createSecret with the same token ('rotation').
   * Returns undefined when step `k` makes fewer effects than `crashAfter` (the enumeration is done).
   */
  async function crashThenRetry(kind: StrategyKind, k: RotationStep, crashAfter: number, retry: 'step' | 'rotation') {
    const h = harness(kind);
    const { token, firstVersion } = await h.createSecret();
    for (const s of STEPS.slice(0, idx(k))) ok(await h.step(token, s));
    const crash = await h.step(token, k, { crashAfter });
    if (!crash.crashed) {
      expect(crash.error).toBeUndefined();
      return undefined;
    }
    expect(crash.error).toBeDefined();
    const storedAtCrash = await valueOfVersion(h.sm, h.arn, token);
    expect(await h.invariantViolations({ deep: true })).toEqual([]);

    const retried = retry === 'step' ? STEPS.slice(idx(k)) : STEPS;
    for (const s of retried) ok(await h.step(token, s));

    // AWSCURRENT on the new version (which passed testSecret), AWSPENDING gone, the old version AWSPREVIOUS (and, custom, revoked).
    expect(await h.stages()).toEqual({ [firstVersion]: kind === 'custom' ? ['AWSPREVIOUS', REVOKED] : ['AWSPREVIOUS'], [token]: [TESTED, 'AWSCURRENT'] });
    const current = (await valueAt(h.sm, h.arn, 'AWSCURRENT'))!;
    // A value stored before the crash is the one that became current: the replay did not change it.
    if (storedAtCrash !== undefined) {
      expect(current).toBe(storedAtCrash);
      expect(h.created.get(token)).toEqual([current]);
    }
    expect(h.passed.has(current)).toBe(true);
    expect(h.regenerated).toEqual([]);
    expect(await h.invariantViolations({ deep: true })).toEqual([]);
    if (kind === 'custom') {
      // The previous credential is revoked exactly once, in finishSecret (the overlap is 0). The one
      // exception: the crash came right after the revoke, before the REVOKED label moved to the
      // version (the durable record of the revocation), and the retried finishSecret revokes the
      // same previous credential again. revocation.ts does that on purpose (revocation is at least
      // once; the strategy contract requires an idempotent revoke).
      const crashedAfterRevoke = crash.effects.at(-1) === 'hook:revoke';
      expect(h.revoked).toEqual(crashedAfterRevoke ? [h.initial, h.initial] : [h.initial]);
      expect([...h.live]).toEqual([current]);
    }
    return crash.effects;
  }

  describe.each(KINDS)('%s', (kind) => {
    test.each(STEPS)('a crash after each effect of %s, then the step retried or the whole rotation retried with the same token', async (k) => {
      const effects = await effectsOf(kind, k);
      const points = effects.map((_, i) => i + 1);
      const runs = await Promise.all(points.flatMap((n) => [crashThenRetry(kind, k, n, 'step'), crashThenRetry(kind, k, n, 'rotation')]));
      // Every effect of the step was a crash point, the last one being "the step's work was done but the invocation did not return".
      expect(runs.map((r) => r?.at(-1))).toEqual(effects.flatMap((e) => [e, e]));
      if (k === 'finishSecret') expect(effects).toContain('sm:UpdateSecretVersionStage');
      // testSecret ends by moving TESTED to the token; the custom finishSecret by revoking, then moving REVOKED.
      if (k === 'testSecret') expect(effects.at(-1)).toBe('sm:UpdateSecretVersionStage');
      if (k === 'finishSecret' && kind === 'custom') expect(effects.slice(-2)).toEqual(['hook:revoke', 'sm:UpdateSecretVersionStage']);
    });
  });

  test('custom: a crash inside finishSecret right after UpdateSecretVersionStage moved AWSCURRENT; the retry removes AWSPENDING and revokes once', async () => {
    const h = harness('custom');
    const { token, firstVersion } = await h.createSecret();
    for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) ok(await h.step(token, s));
    const crash = await h.step(token, 'finishSecret', { crashAfter: 3 });
    expect(crash).toEqual(expect.objectContaining({ crashed: true, error: expect.objectContaining({ name: 'SimulatedCrash' }) }));
    expect(crash.effects).toEqual(['sm:DescribeSecret', 'sm:TagResource', 'sm:UpdateSecretVersionStage']); // when AWSCURRENT moves is recorded first
    expect(await h.stages()).toEqual({ [firstVersion]: ['AWSPREVIOUS'], [token]: ['AWSPENDING', TESTED, 'AWSCURRENT'] }); // the crash point
    expect(h.revoked).toEqual([]);

    expect(ok(await h.step(token, 'finishSecret')).outcome).toBe('finish-resumed');
    expect(await h.stages()).toEqual({ [firstVersion]: ['AWSPREVIOUS', REVOKED], [token]: [TESTED, 'AWSCURRENT'] });
    expect(h.revoked).toEqual(['key-initial']);
    expect(await valueAt(h.sm, h.arn, 'AWSCURRENT')).toBe(`key-${token}`);
    expect(await h.invariantViolations()).toEqual([]);
  });
});

