import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import type { RotationStep } from '../../lambda/rotation/rotate';
import { createMotoRotationFunction, RotationHarness, STEPS, type StrategyKind, type TestFailure } from '../support/rotation-fixtures';

// Property: whatever sequence of invocations Secrets Manager delivers (two tokens for one secret,
// steps retried, rotations re-attempted with the same token, invocations crashing after any of
// their effects, testSecret failing for some tokens), the secret stays sound. Each run rotates a
// fresh secret (unique name) in moto_server; the strategy (generated token, or custom with an
// in-process hook) is part of the generated case.
//
// Secrets Manager as the generator models it: it invokes a token's steps in order, one attempt
// after another. Within an attempt a step is invoked only once the step before it succeeded;
// a failed or crashed step may be invoked again (a retry, or a duplicate delivery of the last
// step), and a new attempt starts at createSecret with the same token. A second token exists only
// as the real service allows it (see rotation-race.test.ts: moto's RotateSecret guard is the
// inverse of the real one, so the test applies the real rule): RotateSecret after the previous
// rotation completed (AWSPENDING gone, or on AWSCURRENT: ARRANGED by removing it first, because
// moto refuses there), refused while another version is AWSPENDING, unless an operator removes
// AWSPENDING from that version first (a real UpdateSecretVersionStage call). The old token's
// invocations keep coming after that: the guard must stop them.
//
// After every action: exactly one version has AWSCURRENT, and it holds the initial value or a
// value that passed testSecret (recorded by the strategy wrapper in the harness); AWSPENDING is on
// at most one version; create() never ran for a token that already had a value. After every
// createSecret and at the end, also that no version's value ever changed. Custom strategy: the
// AWSCURRENT credential is live at the partner, no revoke hit the AWSCURRENT credential, and only
// credentials that had been AWSCURRENT were ever revoked.

let functionArn: string;
beforeAll(async () => {
  functionArn = await createMotoRotationFunction();
});

type Who = 't1' | 't2';
type Action =
  | { readonly type: 'invoke'; readonly who: Who; readonly move: 'next' | 'retry' | 'restart' | 'any'; readonly anyStep: RotationStep; readonly crashAfter?: number }
  | { readonly type: 'start-t2'; readonly operator: boolean };
interface Scenario {
  readonly kind: StrategyKind;
  readonly failTest: Readonly<Record<Who, TestFailure | undefined>>;
  readonly actions: readonly Action[];
}

const failureArb = fc.constantFrom<TestFailure | undefined>(undefined, undefined, 'once', 'always');
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 14,
    arbitrary: fc.record({
      type: fc.constant('invoke' as const),
      who: fc.constantFrom<Who>('t1', 't2'),
      move: fc.constantFrom('next', 'next', 'next', 'next', 'next', 'retry', 'restart', 'any'),
      anyStep: fc.constantFrom(...STEPS),
      // A crash after the n-th effect of the invocation (no crash when the invocation makes fewer).
      crashAfter: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }) }),
    }),
  },
  // Starting t2: the real service refuses while t1 is AWSPENDING, unless (less often) an operator unblocks it.
  { weight: 1, arbitrary: fc.record({ type: fc.constant('start-t2' as const), operator: fc.constantFrom(false, false, true) }) },
);
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  kind: fc.constantFrom<StrategyKind>('generated-token', 'custom'),
  failTest: fc.record({ t1: failureArb, t2: failureArb }),
  actions: fc.array(actionArb, { minLength: 10, maxLength: 36 }),
});

/** Secrets Manager's view of one token: the last step invoked, and how far the current attempt got. */
class TokenSchedule {
  lastInvoked?: RotationStep;
  /** Index of the last step that succeeded in the current attempt (-1: none). */
  progress = -1;

  /** The step Secrets Manager would invoke for this move, or undefined when it would not invoke any. */
  stepFor(move: 'next' | 'retry' | 'restart' | 'any', anyStep: RotationStep): RotationStep | undefined {
    switch (move) {
      case 'restart':
        return 'createSecret';
      case 'retry':
        return this.lastInvoked;
      case 'next':
        return STEPS[this.progress + 1]; // undefined once finishSecret succeeded
      case 'any': {
        const i = STEPS.indexOf(anyStep);
        return i === 0 || i === this.progress + 1 || anyStep === this.lastInvoked ? anyStep : undefined;
      }
    }
  }

  record(step: RotationStep, succeeded: boolean): void {
    const i = STEPS.indexOf(step);
    this.lastInvoked = step;
    if (i === 0) this.progress = succeeded ? 0 : -1; // createSecret starts an attempt
    else if (succeeded) this.progress = Math.max(this.progress, i);
  }
}

async function run(scenario: Scenario): Promise<void> {
  const h = new RotationHarness(scenario.kind, functionArn);
  const { token: t1 } = await h.createSecret();
  const tokens: Partial<Record<Who, string>> = { t1 };
  const schedule: Record<Who, TokenSchedule> = { t1: new TokenSchedule(), t2: new TokenSchedule() };
  if (scenario.failTest.t1) h.failTest.set(t1, scenario.failTest.t1);
  const everCurrent = new Set<string>([h.initial]);
  const trace: string[] = [];

  const checkAfter = async (what: string, deep: boolean) => {
    const { problems, currentValue } = await h.check({ deep });
    if (currentValue !== undefined) everCurrent.add(currentValue);
    // Revoked: superseded credentials only (ones that were current, or that an abandoned rotation issued), never the current one.
    if (h.kind === 'custom' && currentValue !== undefined && h.revoked.includes(currentValue)) problems.push(`revoked the current credential (${currentValue})`);
    trace.push(what);
    if (problems.length > 0) throw new Error(`invariants broken after: ${trace.join(' → ')}\n${problems.join('\n')}`);
  };

  for (const action of scenario.actions) {
    if (action.type === 'start-t2') {
      if (tokens.t2) continue;
      const stages = await h.stages();
      const pending = Object.keys(stages).find((id) => stages[id].includes('AWSPENDING'));
      const pendingIsCurrent = pending !== undefined && stages[pending].includes('AWSCURRENT');
      if (pending !== undefined && !pendingIsCurrent && !action.operator) continue; // the real service refuses: "A previous rotation isn't complete"
      if (pending !== undefined) await h.sm.send(new UpdateSecretVersionStageCommand({ SecretId: h.arn, VersionStage: 'AWSPENDING', RemoveFromVersionId: pending }));
      tokens.t2 = await h.startRotation();
      if (scenario.failTest.t2) h.failTest.set(tokens.t2, scenario.failTest.t2);
      await checkAfter(`start t2${pending === undefined ? '' : pendingIsCurrent ? ' (AWSPENDING was on AWSCURRENT)' : ' (operator removed AWSPENDING)'}`, false);
      continue;
    }
    const token = tokens[action.who];
    if (!token) continue;
    const step = schedule[action.who].stepFor(action.move, action.anyStep);
    if (!step) continue;
    const result = await h.step(token, step, { crashAfter: action.crashAfter });
    schedule[action.who].record(step, !result.error);
    const how = result.crashed ? `crash after ${result.effects.at(-1)}` : result.error ? `failed: ${result.error.message.slice(0, 80)}` : result.outcome;
    await checkAfter(`${action.who} ${step} (${how})`, step === 'createSecret');
  }
  await checkAfter('end', true);
}

// Hand-written cases run first, so that every run covers the paths random sequences reach rarely.
const next = (who: Who, crashAfter?: number): Action => ({ type: 'invoke', who, move: 'next', anyStep: 'createSecret', crashAfter });
const EXAMPLES: Scenario[] = [
  {
    // finishSecret crashes right after moving AWSCURRENT; the next rotation starts (the real service allows it: AWSPENDING is on AWSCURRENT); t1's retries come late.
    kind: 'custom',
    failTest: { t1: undefined, t2: undefined },
    actions: [next('t1'), next('t1'), next('t1'), next('t1', 2), { type: 'start-t2', operator: false }, next('t2'), { type: 'invoke', who: 't1', move: 'retry', anyStep: 'createSecret' }, next('t2'), next('t2'), next('t2'), { type: 'invoke', who: 't1', move: 'retry', anyStep: 'createSecret' }],
  },
  {
    // A transient testSecret failure, a re-attempt, then a second rotation whose createSecret crashes after PutSecretValue.
    kind: 'generated-token',
    failTest: { t1: 'once', t2: undefined },
    actions: [next('t1'), next('t1'), next('t1'), next('t1'), { type: 'invoke', who: 't1', move: 'restart', anyStep: 'createSecret' }, next('t1'), next('t1'), next('t1'), { type: 'start-t2', operator: false }, next('t2', 5), next('t2'), next('t2'), { type: 'invoke', who: 't1', move: 'any', anyStep: 'finishSecret' }, next('t2'), next('t2')],
  },
  {
    // t1's test always fails: RotateSecret is refused until an operator removes AWSPENDING; t1's invocations keep arriving.
    kind: 'custom',
    failTest: { t1: 'always', t2: undefined },
    actions: [next('t1'), next('t1'), next('t1'), { type: 'start-t2', operator: false }, next('t1'), { type: 'start-t2', operator: true }, next('t2'), next('t1'), next('t2'), next('t2'), next('t1'), next('t2', 3), next('t2')],
  },
];

describe('rotation property (fast-check, moto)', () => {
  test('any sequence Secrets Manager can deliver for two tokens, with crashes and failing tests, keeps AWSCURRENT on a tested value', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, run), { numRuns: 30, examples: EXAMPLES.map((e) => [e]) });
  }, 180_000);

  // Found by this property when the generator ignores Secrets Manager's order (any step, any time).
  test.failing("KNOWN GAP (outside Secrets Manager's order, e.g. a manual invocation): finishSecret for a token whose createSecret never ran moves AWSCURRENT to a version without a value", async () => {
    const h = new RotationHarness('generated-token', functionArn);
    const { token } = await h.createSecret();
    const finish = await h.step(token, 'finishSecret'); // today: 'finished'
    expect(finish.error).toBeDefined();
    expect(await h.invariantViolations()).toEqual([]); // today: 'AWSCURRENT has no value'
  });
});
