import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { CredentialRotationHookRequest, CredentialRotationHookResponse } from '../../lib/secrets/rotation-config';
import { CredentialTestError, type RotationStrategy } from './strategy';

/** Sends a request to the user's hook function and returns its typed answer; throws on a function error. */
export type HookInvoker = (hookFunction: string, request: CredentialRotationHookRequest) => Promise<CredentialRotationHookResponse>;

/** A hook function answered with an error (or an answer that is not a hook response). */
export class HookFunctionError extends Error {
  override readonly name = 'HookFunctionError';
}

/** {@link HookInvoker} over Lambda Invoke (RequestResponse). */
export function lambdaHookInvoker(client: LambdaClient): HookInvoker {
  return async (hookFunction, request) => {
    const out = await client.send(
      new InvokeCommand({ FunctionName: hookFunction, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(request)) }),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (out.FunctionError) {
      const err = (body ?? {}) as { errorType?: string; errorMessage?: string };
      throw new HookFunctionError(`hook function ${hookFunction} failed on '${request.action}': ${err.errorType ?? out.FunctionError}: ${err.errorMessage ?? 'no message'}`);
    }
    return body as CredentialRotationHookResponse;
  };
}

/**
 * Checks that a hook answered the action it was asked: a non-empty value for `issue`, and exactly
 * `ok: true` for `test` and `revoke` (an answer that says anything else is not a pass).
 */
function expectResponse<A extends CredentialRotationHookRequest['action']>(
  hookFunction: string,
  action: A,
  response: CredentialRotationHookResponse | undefined,
): Extract<CredentialRotationHookResponse, { action: A }> {
  if (response?.action !== action) {
    throw new HookFunctionError(`hook function ${hookFunction} did not answer '${action}' with a hook response (wrap the hook with rotationHookHandler)`);
  }
  if (response.action === 'issue' && (typeof response.value !== 'string' || response.value === '')) {
    throw new HookFunctionError(`hook function ${hookFunction} issued no value`);
  }
  if (response.action !== 'issue' && (response as { ok?: unknown }).ok !== true) {
    throw new HookFunctionError(`hook function ${hookFunction} answered '${action}' without ok: true`);
  }
  return response as Extract<CredentialRotationHookResponse, { action: A }>;
}

/**
 * A third-party credential, rotated by the user's hook: `issue` in createSecret, `test` in
 * testSecret, `revoke` of a superseded value once AWSCURRENT has moved and the overlap has ended.
 * The hook function receives secret values in its event: grant its invocation to the rotation
 * role only.
 */
export function customHookStrategy(invoke: HookInvoker, hookFunction: string): RotationStrategy {
  return {
    create: async ({ secretArn, token, currentValue }) => {
      const res = expectResponse(hookFunction, 'issue', await invoke(hookFunction, { action: 'issue', secretId: secretArn, token, currentValue }));
      return res.value;
    },
    test: async ({ secretArn, token, pendingValue, currentValue }) => {
      try {
        expectResponse(hookFunction, 'test', await invoke(hookFunction, { action: 'test', secretId: secretArn, token, pendingValue, currentValue }));
      } catch (error) {
        throw new CredentialTestError(`the pending credential failed its test: ${(error as Error).message}`);
      }
    },
    revoke: async ({ secretArn, token, previousValue, currentValue }) => {
      expectResponse(hookFunction, 'revoke', await invoke(hookFunction, { action: 'revoke', secretId: secretArn, token, previousValue, currentValue }));
    },
  };
}
