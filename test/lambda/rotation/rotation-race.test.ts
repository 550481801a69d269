import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import type { RotationStep } from '../../../lambda/rotation/rotate';
import { createMotoRotationFunction, STEPS, type StepResult, type StrategyKind, valueAt, valueOfVersion } from '../../support/rotation-fixtures';
import { effectsOf as effectsWith, GUARD, harnessOf, idx, KINDS, ok, REVOKED, startSecondRotation, TESTED } from '../../support/rotation-race-harness';

// Races of the rotation function: two rotations of one secret, interleaved at step granularity and
// at the granularity of single API calls (see test/support/rotation-race-harness.ts for what moto
// does and what the tests arrange).

let functionArn: string;
beforeAll(async () => {
  functionArn = await createMotoRotationFunction();
});
const harness = (kind: StrategyKind) => harnessOf(functionArn)(kind);
const effectsOf = (kind: StrategyKind, k: RotationStep) => effectsWith(harness, kind, k);

describe('two rotations racing', () => {
  test("moto's RotateSecret guard is the inverse of the real service's (pinned: a moto upgrade that fixes it shows up here)", async () => {
    const h = harness('generated-token');
    const { token: t1, firstVersion } = await h.createSecret();
    ok(await h.step(t1, 'createSecret'));
    // AWSPENDING on t1, not AWSCURRENT: the real service refuses; moto accepts and moves AWSPENDING.
    await expect(startSecondRotation(h)).rejects.toThrow(/A previous rotation isn't complete/);
    const t2 = await h.startRotation();
    expect(await h.stages()).toEqual({ [firstVersion]: ['AWSCURRENT'], [t1]: [], [t2]: ['AWSPENDING'] });
    // AWSPENDING on the AWSCURRENT version (a finishSecret that crashed after moving AWSCURRENT): the real service accepts; moto refuses.
    ok(await h.step(t2, 'createSecret'));
    await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: h.arn, VersionStage: 'AWSCURRENT', MoveToVersionId: t2, RemoveFromVersionId: firstVersion }));
    await expect(h.startRotation()).rejects.toThrow('Previous rotation request is still in progress.');
    const t3 = await startSecondRotation(h);
    expect((await h.stages())[t3]).toEqual(['AWSPENDING']);
  });

  /**
   * t1 runs `split` steps; t2 starts (the real service's way: after t1 completed, or by an
   * operator unblocking t1); then t1's remaining invocations (in flight, or retried by Secrets
   * Manager: each of the four steps once more) and t2's four steps run in `order`. The invariants
   * are checked after every step.
   */
  async function race(kind: StrategyKind, split: number, order: ReadonlyArray<'t1' | 't2'>) {
    const h = harness(kind);
    const { token: t1, firstVersion } = await h.createSecret();
    for (const s of STEPS.slice(0, split)) ok(await h.step(t1, s));
    if (split < 4) await expect(startSecondRotation(h)).rejects.toThrow(/A previous rotation isn't complete/);
    const t2 = await startSecondRotation(h, { operator: split < 4 });
    const t1Value = await valueOfVersion(h.sm, h.arn, t1);
    const tokens = { t1, t2 };
    const next = { t1: 0, t2: 0 };
    const results: Record<'t1' | 't2', Array<StepResult & { t2Finished: boolean }>> = { t1: [], t2: [] };
    const currents: Array<string | undefined> = [];
    for (const who of order) {
      const t2Finished = results.t2.length === 4;
      const r = await h.step(tokens[who], STEPS[next[who]++]);
      results[who].push({ ...r, t2Finished });
      const { problems, current } = await h.check();
      expect(problems).toEqual([]);
      currents.push(current);
    }
    // t2 always completes, undisturbed by t1's invocations.
    expect(results.t2.map((r) => r.error?.message)).toEqual([undefined, undefined, undefined, undefined]);
    expect(results.t2.map((r) => r.outcome)).toEqual(['pending-value-created', 'pending-value-set', 'pending-value-tested', 'finished']);
    const t2Value = (await valueAt(h.sm, h.arn, 'AWSCURRENT'))!;
    expect(h.passed.has(t2Value)).toBe(true);
    const stages = await h.stages();
    if (split < 4) {
      // t1 is the loser: every one of its invocations fails the guard; it never held AWSCURRENT, and keeps no label but the
      // REVOKED watermark (custom: t2's finishSecret revoked what t1 issued, or found nothing to revoke, and recorded it there).
      for (const r of results.t1) expect(r.error?.message).toMatch(GUARD);
      expect(stages).toEqual({ [firstVersion]: ['AWSPREVIOUS'], [t1]: kind === 'custom' ? [REVOKED] : [], [t2]: [TESTED, 'AWSCURRENT'] });
      expect(currents).not.toContain(t1);
      if (t1Value !== undefined) expect(t2Value).not.toBe(t1Value);
    } else {
      // t1 had completed: its replays before t2's finishSecret are no-ops (t2's AWSPENDING is left alone), after it they fail the guard.
      for (const r of results.t1) {
        if (r.t2Finished) expect(r.error?.message).toMatch(GUARD);
        else expect(r.outcome).toBe(r === results.t1[3] ? 'finish-resumed' : 'already-current');
      }
      expect(stages).toEqual({ [firstVersion]: [], [t1]: kind === 'custom' ? ['AWSPREVIOUS', REVOKED] : ['AWSPREVIOUS'], [t2]: [TESTED, 'AWSCURRENT'] });
    }
    expect(await h.invariantViolations({ deep: true })).toEqual([]);
    if (kind === 'custom') {
      // Every superseded credential is revoked: the initial one, and t1's, whether t1 became current or was abandoned
      // after its createSecret issued it (a replay of t1's finishSecret may revoke one again; revocation is idempotent).
      const expected = split === 0 ? ['key-initial'] : ['key-initial', `key-${t1}`];
      expect([...new Set(h.revoked)].sort()).toEqual(expected.sort());
      expect(h.live.has(`key-${t2}`)).toBe(true);
      expect(h.live.has('key-initial')).toBe(false);
    }
  }

  const ORDERS: ReadonlyArray<ReadonlyArray<'t1' | 't2'>> = [
    ['t1', 't1', 't1', 't1', 't2', 't2', 't2', 't2'],
    ['t2', 't2', 't2', 't2', 't1', 't1', 't1', 't1'],
    ['t1', 't2', 't1', 't2', 't1', 't2', 't1', 't2'],
    ['t2', 't1', 't2', 't1', 't2', 't1', 't2', 't1'],
    ['t2', 't2', 't2', 't1', 't1', 't1', 't2', 't1'], // t1's finishSecret after t2's, its other steps while t2 is pending
  ];
  // While t1 is abandoned (split < 4) its stages never change again, so where its invocations fall does not matter: two orders
  // suffice there. After t1 completed (split 4), its replays behave differently before and after t2's finishSecret: all five orders.
  test.each([0, 1, 2, 3, 4])('at step granularity: t1 ran %i steps before t2 started; t1 and t2 interleaved, both strategies', async (split) => {
    const orders = split === 4 ? ORDERS : ORDERS.slice(2, 4);
    await Promise.all(KINDS.flatMap((kind) => orders.map((order) => race(kind, split, order))));
  });

  /**
   * At the level of single API calls: t1's step `k` is suspended right after its `pauseAfter`-th
   * effect; meanwhile t2 starts and runs to testSecret ('tested') or to the end ('finished'); then
   * t1's invocation resumes (and t2 finishes, for 'tested'). The invariants are checked after every
   * event. Returns what happened, for the assertions that depend on the pause point.
   */
  async function raceInsideStep(kind: StrategyKind, k: RotationStep, pauseAfter: number, during: 'tested' | 'finished') {
    const h = harness(kind);
    const { token: t1, firstVersion } = await h.createSecret();
    for (const s of STEPS.slice(0, idx(k))) ok(await h.step(t1, s));
    const inFlight = h.start(t1, k, { pauseAfter });
    await inFlight.paused;
    const t2 = await startSecondRotation(h, { operator: true });
    const t2Results: StepResult[] = [];
    for (const s of during === 'finished' ? STEPS : STEPS.slice(0, 3)) {
      t2Results.push(await h.step(t2, s));
      expect(await h.invariantViolations()).toEqual([]);
    }
    inFlight.resume();
    const t1Result = await inFlight.result;
    expect(t1Result.effects.length).toBeGreaterThan(pauseAfter); // it was suspended in the middle, not at its end
    expect(await h.invariantViolations()).toEqual([]);
    if (during === 'tested') {
      t2Results.push(await h.step(t2, 'finishSecret'));
      expect(await h.invariantViolations()).toEqual([]);
    }
    const { problems, stages, current } = await h.check({ deep: true });
    expect(problems).toEqual([]);
    // Whatever the interleaving: the next rotation is not blocked, and a token whose invocation failed holds no label (or is the AWSPREVIOUS of a rotation that completed).
    expect(Object.values(stages).flat()).not.toContain('AWSPENDING');
    expect([t1, t2]).toContain(current);
    for (const [token, failed] of [[t1, t1Result.error !== undefined], [t2, t2Results.some((r) => r.error)]] as const) {
      if (failed) expect(stages[token] ?? []).not.toContain('AWSCURRENT');
    }
    return { h, t1, t2, firstVersion, t1Result, t2Results, current };
  }

  describe.each(KINDS)('%s, inside a step (API-call granularity)', (kind) => {
    test.each(STEPS)("t1's %s suspended after each of its effects while t2 runs, then resumed", async (k) => {
      const effects = await effectsOf(kind, k);
      const points = effects.slice(0, -1).map((_, i) => i + 1);
      // finishSecret behaves differently depending on whether t2 finished before t1 resumes (testSecret too: see the end of this file).
      const variants = k === 'finishSecret' ? (['tested', 'finished'] as const) : (['finished'] as const);
      const runs = await Promise.all(points.flatMap((n) => variants.map((during) => raceInsideStep(kind, k, n, during).then((r) => ({ n, during, ...r })))));
      const moveAt = effects.indexOf('sm:UpdateSecretVersionStage') + 1; // finishSecret's effect that moves AWSCURRENT
      for (const r of runs) {
        const t2Completed = r.t2Results.every((x) => x.error === undefined);
        if (k !== 'finishSecret') {
          // t1 had not moved AWSCURRENT: t2 wins; t1's resumed createSecret fails (its PutSecretValue names a version that lost AWSPENDING),
          // its setSecret only reads, its testSecret fails or moves TESTED onto t1 (which no finishSecret can make current: it is not AWSPENDING).
          expect(r.current).toBe(r.t2);
          expect(t2Completed).toBe(true);
          if (k === 'createSecret') expect(r.t1Result.error).toBeDefined();
        } else if (r.n < moveAt && r.during === 'finished') {
          // t2 completed first: t1's UpdateSecretVersionStage names a version that no longer holds AWSCURRENT, and the backend refuses it.
          expect(r.current).toBe(r.t2);
          expect(r.t1Result.error?.name).toBe('InvalidParameterException');
        } else if (r.n < moveAt || (r.n === moveAt && r.during === 'tested')) {
          // t1 (tested before its finishSecret began) moves AWSCURRENT but leaves t2's AWSPENDING alone; t2, tested too,
          // then finishes and becomes current. Every value that held AWSCURRENT passed testSecret.
          expect(r.t1Result.error).toBeUndefined();
          expect(r.current).toBe(r.t2);
          expect(t2Completed).toBe(true);
        } else {
          // t1 had moved AWSCURRENT (and possibly removed its AWSPENDING) before t2 started: t2 is a legitimate next rotation and completes;
          // t1's resumed invocation completes or fails on the changed stages, harmlessly.
          expect(r.current).toBe(r.t2);
          expect(t2Completed).toBe(true);
        }
      }
    });
  });
});

describe('a rotation overtaken by the next one leaves nothing behind: no AWSPENDING blocking the next rotation, no superseded credential live', () => {
  test("an older token's in-flight finishSecret leaves alone the AWSPENDING of a rotation the real service started after AWSCURRENT moved", async () => {
    const h = harness('generated-token');
    const { token: t1, firstVersion } = await h.createSecret();
    for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) ok(await h.step(t1, s));
    const inFlight = h.start(t1, 'finishSecret', { pauseAfter: 3 }); // suspended right after its UpdateSecretVersionStage moved AWSCURRENT
    await inFlight.paused;
    const t2 = await startSecondRotation(h); // the real service accepts: AWSPENDING is on the AWSCURRENT version
    ok(await h.step(t2, 'createSecret'));
    inFlight.resume();
    expect(ok(await inFlight.result).outcome).toBe('finished'); // removes only this rotation's own AWSPENDING (already gone), not t2's
    expect((await h.stages())[t2]).toEqual(['AWSPENDING']);
    for (const s of ['setSecret', 'testSecret', 'finishSecret'] as const) ok(await h.step(t2, s));
    expect(await h.stages()).toEqual({ [firstVersion]: [], [t1]: ['AWSPREVIOUS'], [t2]: [TESTED, 'AWSCURRENT'] });
    expect(await h.invariantViolations({ deep: true })).toEqual([]);
  });

  test('a finishSecret that crashed after moving AWSCURRENT, then the next rotation started before a retry: the next finishSecret revokes both superseded credentials', async () => {
    const h = harness('custom');
    const { token: t1, firstVersion } = await h.createSecret();
    for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) ok(await h.step(t1, s));
    expect((await h.step(t1, 'finishSecret', { crashAfter: 3 })).crashed).toBe(true); // AWSPENDING and AWSCURRENT on t1: the real service counts the rotation as done
    expect(h.revoked).toEqual([]);
    const t2 = await startSecondRotation(h);
    for (const s of STEPS) ok(await h.step(t2, s));
    expect((await h.step(t1, 'finishSecret')).error?.message).toMatch(GUARD); // t1 is AWSPREVIOUS now: a retry cannot revoke
    expect(h.revoked).toEqual(['key-initial', `key-${t1}`]); // t2 revoked its previous credential and the one t1 never got to
    expect([...h.live]).toEqual([`key-${t2}`]);
    expect(await h.stages()).toEqual({ [firstVersion]: [], [t1]: ['AWSPREVIOUS', REVOKED], [t2]: [TESTED, 'AWSCURRENT'] });
    expect(await h.invariantViolations({ deep: true })).toEqual([]);
  });

  test('a credential issued by a rotation an operator abandoned (AWSPENDING removed) is revoked by the next finishSecret', async () => {
    const h = harness('custom');
    const { token: t1, firstVersion } = await h.createSecret();
    ok(await h.step(t1, 'createSecret')); // key-t1 issued at the partner
    const t2 = await startSecondRotation(h, { operator: true });
    for (const s of STEPS) ok(await h.step(t2, s));
    expect((await h.step(t1, 'setSecret')).error?.message).toMatch(GUARD);
    expect([...h.live]).toEqual([`key-${t2}`]);
    expect(h.revoked).toEqual(['key-initial', `key-${t1}`]);
    expect(await h.stages()).toEqual({ [firstVersion]: ['AWSPREVIOUS'], [t1]: [REVOKED], [t2]: [TESTED, 'AWSCURRENT'] });
    expect(await h.invariantViolations({ deep: true })).toEqual([]);
  });
});

describe("an abandoned rotation's testSecret still in flight", () => {
  // testSecret checks that its token is still AWSPENDING after its test, before it records the pass: an abandoned rotation's
  // late pass must not take TESTED from the rotation that replaced it (whose finishSecret would then be refused once).
  test("an abandoned token's testSecret, still in flight when the next rotation passed its own test, leaves TESTED with the next rotation, whose finishSecret completes", async () => {
    const h = harness('generated-token');
    const { token: t1 } = await h.createSecret();
    for (const s of ['createSecret', 'setSecret'] as const) ok(await h.step(t1, s));
    const inFlight = h.start(t1, 'testSecret', { pauseAfter: 3 }); // its test has passed; it has not moved TESTED yet
    await inFlight.paused;
    const t2 = await startSecondRotation(h, { operator: true }); // an operator abandons t1 and starts a new rotation
    for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) ok(await h.step(t2, s));
    inFlight.resume();
    expect((await inFlight.result).error?.message).toMatch(/stopped being AWSPENDING during its test/); // t1's pass does not count
    expect((await h.stages())[t2]).toEqual(['AWSPENDING', TESTED]);
    ok(await h.step(t2, 'finishSecret'));
    expect((await h.stages())[t2]).toEqual([TESTED, 'AWSCURRENT']);
  });
});
