// Shared fixtures for the rotation tests (test/lambda/rotation*.test.ts), all against moto_server:
//  - the moto Lambda function that RotateSecret needs (moto runs no code in it: the tests drive the steps),
//  - a secret with rotation started (AWSPENDING on a version without a value, as Secrets Manager leaves it),
//  - a step harness with two seams: a crash injected after the n-th effect of an invocation (an SDK
//    call that reached moto, or a call of the in-process hook), and a pause after the n-th effect
//    (to interleave two invocations at the level of single API calls), plus the tracking the
//    invariants need (values that passed testSecret, values created per token, revocations).
import { randomUUID } from 'node:crypto';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { HookInvoker } from '../../lambda/rotation/custom-hook';
import { rotationHookHandler } from '../../lambda/rotation/hook';
import { rotate, type RotationDependencies, type RotationOutcome, type RotationStep } from '../../lambda/rotation/rotate';
import { strategyFor } from '../../lambda/rotation/strategies';
import { CredentialTestError, type RotationStrategy } from '../../lambda/rotation/strategy';
import type { RotationTags } from '../../lib/secrets/rotation-config';
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
  options: { tags: object; value: string; namePrefix?: string; rotateImmediately?: boolean },
): Promise<{ arn: string; token: string; firstVersion: string }> {
  const created = await sm.send(new CreateSecretCommand({ Name: uniqueName(options.namePrefix ?? 'integrations/rotated'), SecretString: options.value, Tags: tagList(options.tags) }));
  const token = await startRotation(sm, functionArn, created.ARN!, options.rotateImmediately);
  return { arn: created.ARN!, token, firstVersion: created.VersionId! };
}

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

export const TOKEN_TAGS: RotationTags = {
  'cdk-secure-integrations:rotation-strategy': 'generated-token',
  'cdk-secure-integrations:generated-token-length': '40',
  'cdk-secure-integrations:generated-token-charset': 'alphanumeric',
};
export const TOKEN_INITIAL = 'Initial0Token0Value0Of0Forty0Characters0'; // 40 alphanumeric characters
export const CUSTOM_TAGS: RotationTags = { 'cdk-secure-integrations:rotation-strategy': 'custom', 'cdk-secure-integrations:custom-hook-function': 'partner-key-rotation' };
export const CUSTOM_INITIAL = 'key-initial';

export type StrategyKind = 'generated-token' | 'custom';
export const tagsFor = (kind: StrategyKind) => (kind === 'custom' ? CUSTOM_TAGS : TOKEN_TAGS);
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
}

export interface RunningStep {
  /** Resolves when the invocation is suspended at its pause point, or has ended without reaching it. */
  readonly paused: Promise<void>;
  readonly resume: () => void;
  readonly result: Promise<StepResult>;
}

let shared: SecretsManagerClient | undefined;
const sharedClient = () => (shared ??= new SecretsManagerClient(motoClientConfig()));

/**
 * Drives rotate() against moto for one strategy, as Secrets Manager would invoke it, and records
 * what the invariants need. Every invocation gets its own SDK client (with the crash/pause seam)
 * and its own effect counter, so two invocations can run concurrently.
 *
 * The crash seam is a middleware on the real moto-backed client: the call is sent and answered by
 * moto, and only then does the invocation throw. The real backend cannot produce that error (it is
 * the Lambda invocation ending after the call), so this wrapper is the only way to get it.
 */
export class RotationHarness {
  /** A client without seams, for arranging and asserting (one for all harnesses). */
  readonly sm = sharedClient();
  /** Every value that passed testSecret (recorded by the strategy wrapper after the strategy's own test returned). */
  readonly passed = new Set<string>();
  /** create() called for a token that already had a stored value (must stay empty). */
  readonly regenerated: string[] = [];
  /** Values the strategy's create() produced, by token, in order. */
  readonly created = new Map<string, string[]>();
  /** Injected testSecret failures, by token. */
  readonly failTest = new Map<string, TestFailure>();
  /** Custom strategy: the partner's live keys, and every revoke call (the value revoked). */
  readonly live = new Set<string>([CUSTOM_INITIAL]);
  readonly revoked: string[] = [];
  /** Custom strategy: revoke calls for a value that was AWSCURRENT at that moment (must stay empty). */
  readonly revokedCurrent: string[] = [];
  /** The secret the harness is rotating (set by {@link createSecret}). */
  arn = '';
  /** The first value seen for each version: a version's value must never change. */
  private readonly seen = new Map<string, string>();

  constructor(
    readonly kind: StrategyKind,
    private readonly functionArn: string,
  ) {}

  get initial(): string {
    return initialFor(this.kind);
  }

  /** A fresh secret with a rotation started (first token AWSPENDING). */
  async createSecret(): Promise<{ arn: string; token: string; firstVersion: string }> {
    const out = await createRotatingSecret(this.sm, this.functionArn, { tags: tagsFor(this.kind), value: this.initial, namePrefix: `integrations/${this.kind}` });
    this.arn = out.arn;
    return out;
  }

  /** Real RotateSecret on moto (which has its own, different guard: see rotation-race.test.ts). */
  startRotation(): Promise<string> {
    return startRotation(this.sm, this.functionArn, this.arn);
  }

  stages(): Promise<Record<string, string[]>> {
    return stagesOf(this.sm, this.arn);
  }

  /**
   * The invariants that must hold after any sequence of invocations, as messages (empty when they
   * all hold): exactly one version has AWSCURRENT and it holds a value that passed testSecret (or
   * the initial value); AWSPENDING is on at most one version; no value was created for a token
   * that already had one; for the custom strategy, the AWSCURRENT credential is live at the
   * partner and no revoke hit the AWSCURRENT credential. With `deep`, also that no version's value
   * ever changed (one GetSecretValue per version; the cheap check makes two calls).
   */
  async check(options: { deep?: boolean } = {}): Promise<{ problems: string[]; stages: Record<string, string[]>; current?: string; currentValue?: string }> {
    const problems: string[] = [];
    const stages = await this.stages();
    const withStage = (stage: string) => Object.keys(stages).filter((id) => stages[id].includes(stage));
    const current = withStage('AWSCURRENT');
    const pending = withStage('AWSPENDING');
    if (current.length !== 1) problems.push(`AWSCURRENT is on ${current.length} versions`);
    if (pending.length > 1) problems.push(`AWSPENDING is on ${pending.length} versions`);
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
    if (this.regenerated.length > 0) problems.push(`create() ran for tokens that already had a value: ${this.regenerated.join(', ')}`);
    if (this.kind === 'custom') {
      if (currentValue !== undefined && !this.live.has(currentValue)) problems.push('the AWSCURRENT credential is not live at the partner');
      if (this.revokedCurrent.length > 0) problems.push(`revoke hit the AWSCURRENT credential: ${this.revokedCurrent.join(', ')}`);
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
    const { deps, client } = this.depsFor(afterEffect);
    const result = (async (): Promise<StepResult> => {
      try {
        const outcome = await rotate({ SecretId: this.arn, ClientRequestToken: token, Step: step }, deps);
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

  private depsFor(afterEffect: (label: string) => Promise<void>): { deps: RotationDependencies; client: SecretsManagerClient } {
    const client = new SecretsManagerClient(motoClientConfig());
    client.middlewareStack.add(
      (next, context) => async (args) => {
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
        this.live.delete(previousValue);
      },
    });
    // Through JSON, as Lambda carries the request and the response; the effect happens even when the hook throws.
    const invokeHook: HookInvoker = async (_fn, request) => {
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
    const unusedCognito = { add: () => Promise.reject(new Error('unused')), list: () => Promise.reject(new Error('unused')), delete: () => Promise.reject(new Error('unused')) };
    const deps: RotationDependencies = {
      secretsManager: client,
      strategyFor: (config) => this.tracked(strategyFor(config, { secretsManager: client, cognito: unusedCognito, invokeHook })),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    };
    return { deps, client };
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
