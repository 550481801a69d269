// Shared fixtures for the rotation tests (test/lambda/rotation/*.test.ts), all against moto_server:
//  - the moto Lambda function that RotateSecret needs (moto runs no code in it: the tests drive the steps),
//  - a secret with rotation started (AWSPENDING on a version without a value, as Secrets Manager leaves it),
//  - the bindings the rotation function would be deployed with (what lib/ writes into its config layer),
//  - a step harness with two seams: a crash injected after the n-th effect of an invocation (an SDK
//    call that reached moto, or a call of the in-process hook), and a pause after the n-th effect
//    (to interleave two invocations at the level of single API calls), plus the tracking the
//    invariants need (values that passed testSecret, values created per token, revocations), and a
//    virtual clock (see RotationHarness) so that a test can let days pass.
import { randomUUID } from 'node:crypto';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { ResolvedBinding, ResolvedStrategy } from '../../lambda/rotation/bindings';
import type { HookInvoker } from '../../lambda/rotation/custom-hook';
import { rotationHookHandler } from '../../lambda/rotation/hook';
import { rotate, type RotationDependencies, type RotationOutcome, type RotationStep } from '../../lambda/rotation/rotate';
import { strategyFor } from '../../lambda/rotation/strategies';
import { CredentialTestError, type RotationStrategy } from '../../lambda/rotation/strategy';
import { ROTATION_LABELS } from '../../lib/secrets/rotation-config';
import { motoClientConfig, motoEndpoint, uniqueName } from './aws-env';

export const STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

// ---------------------------------------------------------------------------------------------
// Secret and rotation setup
// ---------------------------------------------------------------------------------------------

/**
 * The function RotateSecret points at. moto's CreateFunction needs an IAM role;
 * @aws-sdk/client-iam is not a dependency, and moto accepts an unsigned query-protocol call whose
 * credential scope names the service. The code is an empty zip: moto tries to run it in Docker,
 * which is absent, so RotateSecret runs no code and the tests drive the four steps.
 */
export async function createMotoRotationFunction(): Promise<string> {
  const roleName = uniqueName('rotation-role');
  const res = await fetch(motoEndpoint(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
    body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: roleName, AssumeRolePolicyDocument: '{}' }),
  });
  if (res.status !== 200) throw new Error(`moto CreateRole answered HTTP ${res.status}`);
  const fn = await new LambdaClient(motoClientConfig()).send(
    new CreateFunctionCommand({
      FunctionName: uniqueName('rotation'),
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: `arn:aws:iam::123456789012:role/${roleName}`,
      Code: { ZipFile: Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]) },
    }),
  );
  return fn.FunctionArn!;
}

export type Tag = { Key: string; Value: string };
export const tagList = (tags: object): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value: String(Value) }));

/** RotateSecret with a new token (moto: AWSPENDING on a new version without a value; with rotateImmediately false, a copy of the current value). */
export async function startRotation(sm: SecretsManagerClient, functionArn: string, arn: string, rotateImmediately?: boolean): Promise<string> {
  const token = randomUUID();
  await sm.send(
    new RotateSecretCommand({
      SecretId: arn,
      RotationLambdaARN: functionArn,
      RotationRules: { AutomaticallyAfterDays: 30 },
      ClientRequestToken: token,
      ...(rotateImmediately === undefined ? {} : { RotateImmediately: rotateImmediately }),
    }),
  );
  return token;
}

/** A new secret (unique name) with rotation enabled and a rotation started: AWSPENDING on a version without a value. */
export async function createRotatingSecret(
  sm: SecretsManagerClient,
  functionArn: string,
  options: { value: string; tags?: object; namePrefix?: string; rotateImmediately?: boolean },
): Promise<{ arn: string; name: string; token: string; firstVersion: string }> {
  const name = uniqueName(options.namePrefix ?? 'integrations/rotated');
  const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: options.value, Tags: tagList(options.tags ?? {}) }));
  const token = await startRotation(sm, functionArn, created.ARN!, options.rotateImmediately);
  return { arn: created.ARN!, name, token, firstVersion: created.VersionId! };
}

// ---------------------------------------------------------------------------------------------
// Bindings: what the platform writes into the rotation function's config layer, per secret name
// ---------------------------------------------------------------------------------------------

const DAY = 24 * 60 * 60;

/** A binding of a test credential, with generous age thresholds unless a test sets them. */
export function binding(rotation: ResolvedStrategy | undefined, overrides: Partial<ResolvedBinding> = {}): ResolvedBinding {
  return { integration: 'TestIntegration', credential: 'test-credential', rotation, overlapSeconds: 0, ticketAfterSeconds: 31 * DAY, pageAfterSeconds: 32 * DAY, ...overrides };
}

/** The bindings map the function holds, for one secret. */
export const bindingsOf = (name: string, b: ResolvedBinding): Map<string, ResolvedBinding> => new Map([[name, b]]);

export async function stagesOf(sm: SecretsManagerClient, arn: string): Promise<Record<string, string[]>> {
  return (await sm.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {};
}

/** The value at a stage (always with VersionStage: moto's GetSecretValue without it may answer another version). */
export async function valueAt(sm: SecretsManagerClient, arn: string, VersionStage: string): Promise<string | undefined> {
  return (await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage }))).SecretString;
}

/** The value stored for a version, or undefined when the version has none (moto answers ResourceNotFoundException). */
export async function valueOfVersion(sm: SecretsManagerClient, arn: string, VersionId: string): Promise<string | undefined> {
  try {
    return (await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId }))).SecretString;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Step harness: crash and pause seams, tracking for the invariants
// ---------------------------------------------------------------------------------------------

export const TOKEN_STRATEGY: ResolvedStrategy = { strategy: 'generated-token', length: 40, charset: 'alphanumeric' };
export const TOKEN_INITIAL = 'Initial0Token0Value0Of0Forty0Characters0'; // 40 alphanumeric characters
export const CUSTOM_STRATEGY: ResolvedStrategy = { strategy: 'custom', hookFunction: 'arn:aws:lambda:us-east-1:123456789012:function:partner-key-rotation' };
export const CUSTOM_INITIAL = 'key-initial';

export type StrategyKind = 'generated-token' | 'custom';
export const strategyOf = (kind: StrategyKind) => (kind === 'custom' ? CUSTOM_STRATEGY : TOKEN_STRATEGY);
export const initialFor = (kind: StrategyKind) => (kind === 'custom' ? CUSTOM_INITIAL : TOKEN_INITIAL);

/** The Lambda invocation ended (timeout, out of memory, lost response) after the effect named in the message had happened. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** How an injected testSecret failure behaves for a token: every time, or only the first time (a transient failure). */
export type TestFailure = 'always' | 'once';

export interface StepResult {
  readonly outcome?: RotationOutcome;
  readonly error?: Error;
  /** The invocation ended by the injected crash (whatever error the code turned it into). */
  readonly crashed: boolean;
  /** The effects of this invocation, in order: `sm:<Command>` for a call that reached moto, `hook:<action>` for a hook call. */
  readonly effects: readonly string[];
}

export interface InvocationOptions {
  /** End the invocation right after its n-th effect (1-based): the effect happened, the invocation did not finish. */
  readonly crashAfter?: number;
  /** Suspend the invocation right after its n-th effect until `resume()` (see {@link RotationHarness.start}). */
  readonly pauseAfter?: number;
  /**
   * Whether Secrets Manager made this invocation as part of a rotation (the default), or somebody
   * invoked the function directly. A finishSecret by Secrets Manager that succeeds completes the
   * rotation: Secrets Manager then sets the secret's LastRotatedDate (the harness does, on its clock).
   */
  readonly direct?: boolean;
}

export interface RunningStep {
  /** Resolves when the invocation is suspended at its pause point, or has ended without reaching it. */
  readonly paused: Promise<void>;
  readonly resume: () => void;
  readonly result: Promise<StepResult>;
}

let shared: SecretsManagerClient | undefined;
const sharedClient = () => (shared ??= new SecretsManagerClient(motoClientConfig()));

/** Options of a {@link RotationHarness}. */
export interface HarnessOptions {
  /**
   * The binding's overlap, seconds.
   * @default - a custom credential 0 (revoked when the rotation finishes); a generated token a day
   * (its superseded value stays AWSPREVIOUS through the rotation, as deployed by default)
   */
  readonly overlapSeconds?: number;
}

/**
 * Drives rotate() against moto for one strategy, as Secrets Manager would invoke it, and records
 * what the invariants need. Every invocation gets its own SDK client (with the crash/pause seam)
 * and its own effect counter, so two invocations can run concurrently.
 *
 * The crash seam is a middleware on the real moto-backed client: the call is sent and answered by
 * moto, and only then does the invocation throw. The real backend cannot produce that error (it is
 * the Lambda invocation ending after the call), so this wrapper is the only way to get it.
 *
 * The virtual clock: a test lets time pass with {@link advance}. The rotation runs on that clock
 * (its `now`), and its client reports each version's CreatedDate and the secret's LastRotatedDate
 * on it too (moto stamps wall-clock times, which a test cannot move): a version is created at the
 * virtual time the harness first sees it (CreateSecret, RotateSecret, PutSecretValue), and
 * LastRotatedDate is the virtual time at which Secrets Manager (not a direct invocation) last
 * completed a rotation, as the service documents it ("the most recent date and time that the
 * Secrets Manager rotation process was successfully completed").
 */
export class RotationHarness {
  /** A client without seams, for arranging and asserting (one for all harnesses). */
  readonly sm = sharedClient();
  /** Every value that passed testSecret (recorded by the strategy wrapper after the strategy's own test returned). */
  readonly passed = new Set<string>();
  /** create() called for a token that already had a stored value (must stay empty). */
  readonly created = new Map<string, string[]>();
  readonly regenerated: string[] = [];
  /** Injected testSecret failures, by token. */
  readonly failTest = new Map<string, TestFailure>();
  /** Custom strategy: the partner's live keys, and every revoke call (the value revoked). */
  readonly live = new Set<string>([CUSTOM_INITIAL]);
  readonly revoked: string[] = [];
  /** Custom strategy: revoke calls for a value that was AWSCURRENT at that moment (must stay empty). */
  readonly revokedCurrent: string[] = [];
  /** Custom strategy: revoke calls before the overlap after the value's successor became current (must stay empty). */
  readonly revokedEarly: string[] = [];
  /** The secret the harness is rotating (set by {@link createSecret}). */
  arn = '';
  name = '';
  /** The virtual clock, ms since the epoch. */
  private clockMs = Date.now();
  /** Virtual creation time of each version, as first seen. */
  private readonly versionCreated = new Map<string, number>();
  /** Virtual time of the last rotation Secrets Manager completed. */
  private lastRotated?: number;
  /** The values AWSCURRENT held, in order, with the version that held each. */
  private readonly currentHistory: Array<{ versionId: string; value: string; since: number }> = [];
  /** The first value seen for each version: a version's value must never change. */
  private readonly seen = new Map<string, string>();

  constructor(
    readonly kind: StrategyKind,
    private readonly functionArn: string,
    readonly options: HarnessOptions = {},
  ) {}

  get initial(): string {
    return initialFor(this.kind);
  }

  /** The binding the harness's secret is deployed with. */
  get binding(): ResolvedBinding {
    return binding(strategyOf(this.kind), { overlapSeconds: this.overlapSeconds });
  }

  /** The overlap the harness's binding has. */
  get overlapSeconds(): number {
    return this.options.overlapSeconds ?? (this.kind === 'generated-token' ? 86400 : 0);
  }

  /** The virtual time. */
  now(): Date {
    return new Date(this.clockMs);
  }

  /** Lets time pass on the virtual clock. */
  advance(ms: number): void {
    this.clockMs += ms;
  }

  private sighted(versionId: string | undefined): void {
    if (versionId && !this.versionCreated.has(versionId)) this.versionCreated.set(versionId, this.clockMs);
  }

  /** A fresh secret with a rotation started (first token AWSPENDING). */
  async createSecret(): Promise<{ arn: string; token: string; firstVersion: string }> {
    const out = await createRotatingSecret(this.sm, this.functionArn, { value: this.initial, namePrefix: `integrations/${this.kind}` });
    this.arn = out.arn;
    this.name = out.name;
    // Created one after the other, as the real service stamps them (ms apart at least): a version
    // created in the same instant as AWSCURRENT's would count as superseded by it (revocation.ts).
    this.versionCreated.set(out.firstVersion, this.clockMs - 1);
    this.sighted(out.token);
    this.currentHistory.push({ versionId: out.firstVersion, value: this.initial, since: this.clockMs });
    return out;
  }

  /** Real RotateSecret on moto (which has its own, different guard: see rotation-race.test.ts). */
  async startRotation(): Promise<string> {
    const token = await startRotation(this.sm, this.functionArn, this.arn);
    this.sighted(token);
    return token;
  }

  stages(): Promise<Record<string, string[]>> {
    return stagesOf(this.sm, this.arn);
  }

  /**
   * The invariants that must hold after any sequence of invocations, as messages (empty when they
   * all hold): exactly one version has AWSCURRENT and it holds a value that passed testSecret (or
   * the initial value); AWSPENDING, and the rotation's own TESTED and REVOKED labels, are each on at
   * most one version; no value was created for a token that already had one; for the custom
   * strategy, the AWSCURRENT credential is live at the partner, no revoke hit the AWSCURRENT
   * credential, and none came before the overlap after its successor became current. With `deep`,
   * also that no version's value ever changed (one GetSecretValue per version).
   */
  async check(options: { deep?: boolean } = {}): Promise<{ problems: string[]; stages: Record<string, string[]>; current?: string; currentValue?: string }> {
    const problems: string[] = [];
    const stages = await this.stages();
    const withStage = (stage: string) => Object.keys(stages).filter((id) => stages[id].includes(stage));
    const current = withStage('AWSCURRENT');
    if (current.length !== 1) problems.push(`AWSCURRENT is on ${current.length} versions`);
    for (const label of ['AWSPENDING', ROTATION_LABELS.TESTED, ROTATION_LABELS.REVOKED]) {
      const holders = withStage(label);
      if (holders.length > 1 || holders.some((id) => stages[id].filter((s) => s === label).length > 1)) problems.push(`${label} is on more than one version`);
    }
    const values = new Map<string, string | undefined>();
    for (const id of options.deep ? Object.keys(stages) : current) values.set(id, await valueOfVersion(this.sm, this.arn, id));
    if (options.deep) {
      for (const [id, value] of values) {
        if (value === undefined) continue;
        const first = this.seen.get(id);
        if (first === undefined) this.seen.set(id, value);
        else if (first !== value) problems.push(`the value of version ${id} changed`);
      }
    }
    const currentValue = current.length === 1 ? values.get(current[0]) : undefined;
    if (currentValue === undefined) problems.push('AWSCURRENT has no value');
    else if (currentValue !== this.initial && !this.passed.has(currentValue)) problems.push(`AWSCURRENT (version ${current[0]}) holds a value that never passed testSecret`);
    if (current.length === 1 && currentValue !== undefined && this.currentHistory.at(-1)?.versionId !== current[0]) this.currentHistory.push({ versionId: current[0], value: currentValue, since: this.clockMs });
    if (this.regenerated.length > 0) problems.push(`create() ran for tokens that already had a value: ${this.regenerated.join(', ')}`);
    if (this.kind === 'custom') {
      if (currentValue !== undefined && !this.live.has(currentValue)) problems.push('the AWSCURRENT credential is not live at the partner');
      if (this.revokedCurrent.length > 0) problems.push(`revoke hit the AWSCURRENT credential: ${this.revokedCurrent.join(', ')}`);
      if (this.revokedEarly.length > 0) problems.push(`revoked before the overlap ended: ${this.revokedEarly.join(', ')}`);
    }
    return { problems, stages, current: current.length === 1 ? current[0] : undefined, currentValue };
  }

  /** {@link check}'s messages only. */
  async invariantViolations(options: { deep?: boolean } = {}): Promise<string[]> {
    return (await this.check(options)).problems;
  }

  /** Runs one step to its end (crash included) and reports it; never throws for the step's own error. */
  step(token: string, step: RotationStep, options: InvocationOptions = {}): Promise<StepResult> {
    return this.start(token, step, options).result;
  }

  /** Starts one invocation; with `pauseAfter`, it suspends after that effect until `resume()`. */
  start(token: string, step: RotationStep, options: InvocationOptions = {}): RunningStep {
    const effects: string[] = [];
    let crashed = false;
    let resumeFn: () => void = () => undefined;
    const resumed = new Promise<void>((r) => (resumeFn = r));
    let signalPaused: () => void = () => undefined;
    const paused = new Promise<void>((r) => (signalPaused = r));
    /** Called before each effect: an invocation that crashed is dead, whatever its code caught. */
    const beforeEffect = (label: string) => {
      if (crashed) throw new SimulatedCrash(`the invocation ended before ${label}`);
    };
    /** Called after each effect happened: crash or suspend here. */
    const afterEffect = async (label: string) => {
      effects.push(label);
      if (options.crashAfter === effects.length) {
        crashed = true;
        throw new SimulatedCrash(`injected crash after effect ${effects.length} (${label})`);
      }
      if (options.pauseAfter === effects.length) {
        signalPaused();
        await resumed;
      }
    };
    const { deps, client } = this.depsFor(afterEffect, beforeEffect);
    const result = (async (): Promise<StepResult> => {
      try {
        const outcome = await rotate({ SecretId: this.arn, ClientRequestToken: token, Step: step }, deps);
        if (crashed) return { error: new SimulatedCrash('the invocation ended'), crashed, effects };
        // Secrets Manager completes the rotation when its finishSecret succeeds.
        if (step === 'finishSecret' && !options.direct) this.lastRotated = this.clockMs;
        return { outcome, crashed, effects };
      } catch (error) {
        return { error: error as Error, crashed, effects };
      } finally {
        signalPaused(); // an invocation that ended before its pause point
        client.destroy();
      }
    })();
    return { paused, resume: () => resumeFn(), result };
  }

  /** The rotation's dependencies for one invocation: a seamed client, the secret's binding, the virtual clock. */
  depsFor(
    afterEffect: (label: string) => Promise<void> = async () => undefined,
    beforeEffect: (label: string) => void = () => undefined,
  ): { deps: RotationDependencies; client: SecretsManagerClient } {
    const client = this.virtualClockClient();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        beforeEffect(`sm:${String(context.commandName).replace(/Command$/, '')}`);
        let out: Awaited<ReturnType<typeof next>> | undefined;
        let failure: unknown;
        try {
          out = await next(args);
        } catch (error) {
          failure = error;
        }
        // The call reached moto and has been answered (with a value or an error): the effect happened.
        await afterEffect(`sm:${String(context.commandName).replace(/Command$/, '')}`);
        if (failure !== undefined) throw failure;
        return out!;
      },
      { step: 'initialize', name: 'rotationHarnessSeam' },
    );
    const handler = rotationHookHandler({
      issue: ({ token }) => {
        // An idempotent partner (the token is the idempotency key, as hook.ts recommends).
        this.live.add(`key-${token}`);
        return { value: `key-${token}` };
      },
      test: async ({ pendingValue }) => {
        if (!this.live.has(pendingValue)) throw new Error('the partner API refused the key');
      },
      revoke: async ({ previousValue }) => {
        this.revoked.push(previousValue);
        if ((await valueAt(this.sm, this.arn, 'AWSCURRENT')) === previousValue) this.revokedCurrent.push(previousValue);
        if (this.revokedTooEarly(previousValue)) this.revokedEarly.push(previousValue);
        this.live.delete(previousValue);
      },
    });
    // Through JSON, as Lambda carries the request and the response; the effect happens even when the hook throws.
    const invokeHook: HookInvoker = async (_fn, request) => {
      beforeEffect(`hook:${request.action}`);
      let out: Awaited<ReturnType<HookInvoker>> | undefined;
      let failure: unknown;
      try {
        out = JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(request)))));
      } catch (error) {
        failure = error;
      }
      await afterEffect(`hook:${request.action}`);
      if (failure !== undefined) throw failure;
      return out!;
    };
    const unusedCognito = {
      add: () => Promise.reject(new Error('unused')),
      list: () => Promise.reject(new Error('unused')),
      delete: () => Promise.reject(new Error('unused')),
      describe: () => Promise.reject(new Error('unused')),
    };
    const deps: RotationDependencies = {
      secretsManager: client,
      bindings: bindingsOf(this.name, this.binding),
      strategyFor: (rotation) => this.tracked(strategyFor(rotation, { secretsManager: client, cognito: unusedCognito, invokeHook })),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      now: () => this.now(),
    };
    return { deps, client };
  }

  /**
   * Whether revoking `value` now comes before the overlap after its successor became current: when
   * the harness first saw the successor as AWSCURRENT (checks run after every invocation), whoever
   * moved it (Secrets Manager's rotation or a direct invocation).
   */
  private revokedTooEarly(value: string): boolean {
    const i = this.currentHistory.findIndex((h) => h.value === value);
    const successor = i >= 0 ? this.currentHistory[i + 1] : undefined;
    if (!successor) return false; // never current (an abandoned rotation's credential): revocable at any time
    return this.clockMs < successor.since + this.overlapSeconds * 1000;
  }

  /** A moto client whose answers carry version creation times and LastRotatedDate on the virtual clock. */
  private virtualClockClient(): SecretsManagerClient {
    const client = new SecretsManagerClient(motoClientConfig());
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const output = out.output as unknown as Record<string, unknown>;
        const command = String(context.commandName);
        if (command === 'PutSecretValueCommand') this.sighted(output.VersionId as string | undefined);
        if (command === 'ListSecretVersionIdsCommand') {
          for (const v of (output.Versions as Array<{ VersionId?: string; CreatedDate?: Date }>) ?? []) {
            this.sighted(v.VersionId);
            if (v.VersionId) v.CreatedDate = new Date(this.versionCreated.get(v.VersionId)!);
          }
        }
        if (command === 'GetSecretValueCommand' && typeof output.VersionId === 'string') {
          this.sighted(output.VersionId);
          output.CreatedDate = new Date(this.versionCreated.get(output.VersionId)!);
        }
        if (command === 'DescribeSecretCommand') output.LastRotatedDate = this.lastRotated === undefined ? undefined : new Date(this.lastRotated);
        return out;
      },
      { step: 'initialize', name: 'virtualClock' },
    );
    return client;
  }

  /** The strategy, with the tracking the invariants need around create and test. */
  private tracked(inner: RotationStrategy): RotationStrategy {
    return {
      ...inner,
      create: async (ctx) => {
        // Ground truth from moto, through the seam-less client: does the token already have a value?
        if ((await valueOfVersion(this.sm, ctx.secretArn, ctx.token)) !== undefined) this.regenerated.push(ctx.token);
        const value = await inner.create(ctx);
        this.created.set(ctx.token, [...(this.created.get(ctx.token) ?? []), value]);
        return value;
      },
      test: async (ctx) => {
        const failure = this.failTest.get(ctx.token);
        if (failure) {
          if (failure === 'once') this.failTest.delete(ctx.token);
          throw new CredentialTestError(`injected testSecret failure for token ${ctx.token}`);
        }
        await inner.test(ctx);
        this.passed.add(ctx.pendingValue);
      },
    };
  }
}
