// The ERP's API-key rotation hook: issue a new key, test it, revoke the old one (the ERP's own API).
import { rotationHookHandler } from '../../lambda/shared/runtime';

export const handler = rotationHookHandler({
  issue: async () => ({ value: `erp-${Date.now()}` }),
  test: async () => undefined,
  revoke: async () => undefined,
});
