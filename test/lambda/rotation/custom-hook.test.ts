// The custom strategy's side of the user's rotation hook: the Lambda Invoke request the rotation sends
// (lambda/rotation/custom-hook.ts), how it reads the answer, and the handler wrapper users deploy
// (lambda/rotation/hook.ts). moto runs no function code, so Invoke goes to a fake Lambda client
// that records each request and answers as Lambda does (API reference, Invoke):
//  - a function error still answers HTTP 200, with X-Amz-Function-Error (`FunctionError`: `Handled`
//    or `Unhandled`) and the error object ({ errorType, errorMessage }) as the payload; a timeout or
//    a crash of the runtime may carry a payload that is not that object;
//  - throttling, a missing function and a denied call are errors of Invoke itself
//    (TooManyRequestsException, ResourceNotFoundException, AccessDeniedException).
// The four steps around it, against moto's Secrets Manager, are in rotation-strategies.test.ts.
import { type LambdaClient, ResourceNotFoundException, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { customHookStrategy, type HookInvoker, HookFunctionError, lambdaHookInvoker } from '../../../lambda/rotation/custom-hook';
import { rotationHookHandler } from '../../../lambda/rotation/hook';
import { CredentialTestError } from '../../../lambda/rotation/strategy';
import type { CredentialRotationHookRequest, CredentialRotationHookResponse } from '../../../lib/secrets/rotation-config';

const HOOK = 'arn:aws:lambda:us-east-1:123456789012:function:partner-key-rotation';
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:integrations/partner-AbCdEf';
const meta = { $metadata: {} };

/** A Lambda client whose Invoke answers `answer` (or throws it), recording each request. */
function fakeLambda(answer: { Payload?: Uint8Array; FunctionError?: string } | Error) {
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    sent.push({ command: command.constructor.name, input: command.input });
    if (answer instanceof Error) throw answer;
    return { StatusCode: 200, ...answer };
  };
  return { invoke: lambdaHookInvoker({ send } as unknown as LambdaClient), sent };
}
const bytes = (text: string) => new TextEncoder().encode(text);
const issue: CredentialRotationHookRequest = { action: 'issue', secretId: ARN, token: 'v-2', currentValue: 'key-1' };

describe('Lambda Invoke of the hook function', () => {
  test('is one synchronous (RequestResponse) invocation of the bound function, with the request as its JSON payload', async () => {
    const lambda = fakeLambda({ Payload: bytes('{"action":"issue","value":"key-2"}') });
    expect(await lambda.invoke(HOOK, issue)).toEqual({ action: 'issue', value: 'key-2' });
    expect(lambda.sent).toHaveLength(1);
    expect(lambda.sent[0].command).toBe('InvokeCommand');
    const { Payload, ...rest } = lambda.sent[0].input;
    expect(rest).toEqual({ FunctionName: HOOK, InvocationType: 'RequestResponse' });
    expect(JSON.parse(Buffer.from(Payload as Uint8Array).toString('utf8'))).toEqual(issue);
  });

  test('a function error becomes a HookFunctionError (so named in the log) naming the function, the action, the error type and its message', async () => {
    const lambda = fakeLambda({ FunctionError: 'Unhandled', Payload: bytes('{"errorType":"PartnerError","errorMessage":"quota reached"}') });
    const attempt = lambda.invoke(HOOK, issue);
    await expect(attempt).rejects.toBeInstanceOf(HookFunctionError);
    await expect(attempt).rejects.toMatchObject({ name: 'HookFunctionError' });
    await expect(attempt).rejects.toThrow(`hook function ${HOOK} failed on 'issue': PartnerError: quota reached`);
  });

  test.each([
    ['an error object without type or message', 'Handled', '{}', 'Handled: no message'],
    ['a payload that is not JSON (a crashed runtime)', 'Unhandled', 'Task timed out', 'Unhandled: no message'],
    ['no payload at all', 'Unhandled', '', 'Unhandled: no message'],
    ['only a message (a timeout)', 'Unhandled', '{"errorMessage":"Task timed out after 3.00 seconds"}', 'Unhandled: Task timed out after 3.00 seconds'],
  ])('a function error with %s is still an error, named by X-Amz-Function-Error', async (_, FunctionError, payload, said) => {
    const lambda = fakeLambda({ FunctionError, ...(payload ? { Payload: bytes(payload) } : {}) });
    await expect(lambda.invoke(HOOK, { action: 'test', secretId: ARN, token: 'v-2', pendingValue: 'key-2' })).rejects.toThrow(new HookFunctionError(`hook function ${HOOK} failed on 'test': ${said}`));
  });

  test.each([
    ['is not JSON', bytes('key-2')],
    ['is empty', bytes('')],
    ['is absent', undefined],
  ])('an answer whose payload %s reads as no answer', async (_, Payload) => {
    expect(await fakeLambda({ ...(Payload ? { Payload } : {}) }).invoke(HOOK, issue)).toBeUndefined();
  });

  test.each([
    ['throttled', new TooManyRequestsException({ message: 'Rate Exceeded.', Type: 'User', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', ...meta })],
    ['not found', new ResourceNotFoundException({ message: `Function not found: ${HOOK}`, ...meta })],
  ])('an Invoke that is %s fails with the service error unchanged', async (_, error) => {
    await expect(fakeLambda(error).invoke(HOOK, issue)).rejects.toBe(error);
  });
});

describe('the custom strategy', () => {
  /** A hook that answers `answer` and records each request it gets. */
  function hook(answer: unknown | ((request: CredentialRotationHookRequest) => unknown)) {
    const requests: Array<{ fn: string; request: CredentialRotationHookRequest }> = [];
    const invoke: HookInvoker = async (fn, request) => {
      requests.push({ fn, request });
      return (typeof answer === 'function' ? answer(request) : answer) as CredentialRotationHookResponse;
    };
    return { strategy: customHookStrategy(invoke, HOOK), requests };
  }
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const ctx = { secretArn: ARN, token: 'v-2', log, now: new Date(), history: () => Promise.reject(new Error('unused')) };

  test('createSecret asks the hook to issue, with the secret, the token and the current value, and stores the value it issued', async () => {
    const h = hook({ action: 'issue', value: 'key-2' });
    expect(await h.strategy.create({ ...ctx, currentValue: 'key-1' })).toBe('key-2');
    expect(h.requests).toStrictEqual([{ fn: HOOK, request: { action: 'issue', secretId: ARN, token: 'v-2', currentValue: 'key-1' } }]);
  });

  test.each([
    ['an empty value', { action: 'issue', value: '' }],
    ['a value that is not a string', { action: 'issue', value: 42 }],
    ['no value', { action: 'issue' }],
  ])('an issue answered with %s fails createSecret: nothing is stored', async (_, answer) => {
    await expect(hook(answer).strategy.create({ ...ctx, currentValue: 'key-1' })).rejects.toThrow(new HookFunctionError(`hook function ${HOOK} issued no value`));
  });

  test.each([
    ['no answer (a hook not wrapped with rotationHookHandler)', undefined],
    ["another action's answer", { action: 'test', ok: true }],
    ['a bare value', 'key-2'],
  ])('an issue answered with %s fails createSecret', async (_, answer) => {
    await expect(hook(answer).strategy.create({ ...ctx, currentValue: 'key-1' })).rejects.toThrow(
      new HookFunctionError(`hook function ${HOOK} did not answer 'issue' with a hook response (wrap the hook with rotationHookHandler)`),
    );
  });

  test('testSecret asks the hook to test the pending value (with the current one) and passes on exactly ok: true', async () => {
    const h = hook({ action: 'test', ok: true });
    await expect(h.strategy.test({ ...ctx, pendingValue: 'key-2', currentValue: 'key-1' })).resolves.toBeUndefined();
    expect(h.requests).toStrictEqual([{ fn: HOOK, request: { action: 'test', secretId: ARN, token: 'v-2', pendingValue: 'key-2', currentValue: 'key-1' } }]);
  });

  test.each([
    ['ok: false', { action: 'test', ok: false }, `hook function ${HOOK} answered 'test' without ok: true`],
    ['ok: "true" (a string)', { action: 'test', ok: 'true' }, `hook function ${HOOK} answered 'test' without ok: true`],
    ['no ok', { action: 'test' }, `hook function ${HOOK} answered 'test' without ok: true`],
    ["the issue action's answer", { action: 'issue', value: 'key-3' }, `hook function ${HOOK} did not answer 'test' with a hook response (wrap the hook with rotationHookHandler)`],
  ])('a test answered with %s is a failed test: AWSCURRENT stays on the working credential', async (_, answer, reason) => {
    const attempt = hook(answer).strategy.test({ ...ctx, pendingValue: 'key-2' });
    await expect(attempt).rejects.toBeInstanceOf(CredentialTestError);
    await expect(attempt).rejects.toThrow(`the pending credential failed its test: ${reason}`);
  });

  test('a hook whose invocation fails (a function error, throttling) fails the test as a failed test', async () => {
    const h = hook(() => {
      throw new HookFunctionError(`hook function ${HOOK} failed on 'test': Error: partner says no`);
    });
    await expect(h.strategy.test({ ...ctx, pendingValue: 'key-2' })).rejects.toThrow(new CredentialTestError(`the pending credential failed its test: hook function ${HOOK} failed on 'test': Error: partner says no`));
  });

  test('revoke asks the hook to revoke the superseded value (telling it the current one) and needs ok: true', async () => {
    const h = hook({ action: 'revoke', ok: true });
    await expect(h.strategy.revoke!({ ...ctx, token: 'v-1', previousValue: 'key-1', currentValue: 'key-2' })).resolves.toBeUndefined();
    expect(h.requests).toStrictEqual([{ fn: HOOK, request: { action: 'revoke', secretId: ARN, token: 'v-1', previousValue: 'key-1', currentValue: 'key-2' } }]);
  });

  test('a revoke answered without ok: true, or by a failing function, fails (not as a test failure): the sweep retries it', async () => {
    const notRevoked = hook({ action: 'revoke', ok: false }).strategy.revoke!({ ...ctx, previousValue: 'key-1', currentValue: 'key-2' });
    await expect(notRevoked).rejects.toBeInstanceOf(HookFunctionError);
    await expect(notRevoked).rejects.toThrow(`hook function ${HOOK} answered 'revoke' without ok: true`);
    const throttled = new TooManyRequestsException({ message: 'Rate Exceeded.', ...meta });
    await expect(
      hook(() => {
        throw throttled;
      }).strategy.revoke!({ ...ctx, previousValue: 'key-1', currentValue: 'key-2' }),
    ).rejects.toBe(throttled);
  });

  test('an issue that fails in the function fails createSecret with the function error itself', async () => {
    const error = new HookFunctionError(`hook function ${HOOK} failed on 'issue': Error: partner down`);
    await expect(
      hook(() => {
        throw error;
      }).strategy.create({ ...ctx, currentValue: 'key-1' }),
    ).rejects.toBe(error);
  });
});

describe('rotationHookHandler (the hook function users deploy)', () => {
  function recordingHook(issued: unknown = { value: 'key-2' }) {
    const calls: Array<[string, unknown]> = [];
    const handler = rotationHookHandler({
      issue: (c) => (calls.push(['issue', c]), issued as { value: string }),
      test: async (c) => void calls.push(['test', c]),
      revoke: async (c) => void calls.push(['revoke', c]),
    });
    return { handler, calls };
  }

  test('issue gets the secret, the token and the current value, and its value is answered as an issue response', async () => {
    const h = recordingHook();
    expect(await h.handler({ action: 'issue', secretId: ARN, token: 'v-2', currentValue: 'key-1' })).toStrictEqual({ action: 'issue', value: 'key-2' });
    expect(h.calls).toStrictEqual([['issue', { secretId: ARN, token: 'v-2', currentValue: 'key-1' }]]);
  });

  test('test gets the pending and current values, and passing is answered ok: true', async () => {
    const h = recordingHook();
    expect(await h.handler({ action: 'test', secretId: ARN, token: 'v-2', pendingValue: 'key-2', currentValue: 'key-1' })).toStrictEqual({ action: 'test', ok: true });
    expect(h.calls).toStrictEqual([['test', { secretId: ARN, token: 'v-2', pendingValue: 'key-2', currentValue: 'key-1' }]]);
  });

  test('revoke gets the previous and current values, and is answered ok: true', async () => {
    const h = recordingHook();
    expect(await h.handler({ action: 'revoke', secretId: ARN, token: 'v-1', previousValue: 'key-1', currentValue: 'key-2' })).toStrictEqual({ action: 'revoke', ok: true });
    expect(h.calls).toStrictEqual([['revoke', { secretId: ARN, token: 'v-1', previousValue: 'key-1', currentValue: 'key-2' }]]);
  });

  test.each([
    ['an empty value', { value: '' }],
    ['a value that is not a string', { value: 42 }],
    ['no value', {}],
  ])('an issue that returns %s throws (a function error), so that no empty credential is stored', async (_, issued) => {
    await expect(recordingHook(issued).handler({ action: 'issue', secretId: ARN, token: 'v-2', currentValue: 'key-1' })).rejects.toThrow(
      new Error('the hook issued no value: issue() must return { value } with a non-empty string'),
    );
  });

  test('a hook that throws makes the function fail with that error (Lambda reports a function error)', async () => {
    const error = new Error('partner API refused the key');
    const handler = rotationHookHandler({ issue: () => ({ value: 'k' }), test: () => Promise.reject(error), revoke: () => undefined });
    await expect(handler({ action: 'test', secretId: ARN, token: 'v-2', pendingValue: 'k' })).rejects.toBe(error);
  });

  test.each([
    ['an unknown action', { action: 'rotate' }, 'rotate'],
    ['no action', {}, 'undefined'],
    ['no event', undefined, 'undefined'],
  ])('an event with %s is refused, calling no hook method', async (_, event, shown) => {
    const h = recordingHook();
    await expect(h.handler(event as never)).rejects.toThrow(new Error(`unknown rotation hook action '${shown}': expected issue, test or revoke`));
    expect(h.calls).toEqual([]);
  });
});
