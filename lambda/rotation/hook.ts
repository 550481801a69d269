// For users: turns a CredentialRotationHook into the Lambda handler that the `custom` rotation
// strategy invokes.
//
//   export const handler = rotationHookHandler({
//     async issue({ token }) { return { value: await partner.createApiKey({ idempotencyKey: token }) }; },
//     async test({ pendingValue }) { await partner.ping(pendingValue); },
//     async revoke({ previousValue }) { await partner.deleteApiKey(previousValue); },
//   });
import type { CredentialRotationHook, CredentialRotationHookRequest, CredentialRotationHookResponse } from '../../lib/secrets/rotation-config';

export type { CredentialRotationHook, CredentialRotationHookRequest, CredentialRotationHookResponse } from '../../lib/secrets/rotation-config';

/**
 * The Lambda handler for a {@link CredentialRotationHook}: dispatches the rotation function's
 * request to `issue`, `test` or `revoke` and returns the typed response. Whoever may invoke the
 * hook function can have it issue or revoke a credential at the third party: the platform's
 * rotation role needs no grant beyond what the construct adds, so give no other principal
 * `lambda:InvokeFunction` on it. An error thrown by the
 * hook propagates (Lambda reports a function error, and the rotation step fails); keep secret
 * values out of error messages, as they reach the rotation function's log.
 */
export function rotationHookHandler(hook: CredentialRotationHook): (event: CredentialRotationHookRequest) => Promise<CredentialRotationHookResponse> {
  return async (event) => {
    switch (event?.action) {
      case 'issue': {
        const { value } = await hook.issue({ secretId: event.secretId, token: event.token, currentValue: event.currentValue });
        if (typeof value !== 'string' || value === '') throw new Error('the hook issued no value: issue() must return { value } with a non-empty string');
        return { action: 'issue', value };
      }
      case 'test':
        await hook.test({ secretId: event.secretId, token: event.token, pendingValue: event.pendingValue, currentValue: event.currentValue });
        return { action: 'test', ok: true };
      case 'revoke':
        await hook.revoke({ secretId: event.secretId, token: event.token, previousValue: event.previousValue, currentValue: event.currentValue });
        return { action: 'revoke', ok: true };
      default:
        throw new Error(`unknown rotation hook action '${String((event as { action?: unknown } | undefined)?.action)}': expected issue, test or revoke`);
    }
  };
}
