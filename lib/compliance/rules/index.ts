// The rules of IntegrationSecurityChecks, one per file, by layer of the framework.
import { apiMethodAuthorized } from './identity/api-method-authorized';
import { cognitoClientCredentialsOnly } from './identity/cognito-client-credentials-only';
import { mutualTlsDomainExclusive } from './identity/mutual-tls-domain-exclusive';
import { noAccessKeys } from './identity/no-access-keys';
import { integrationRegistered } from './inventory/integration-registered';
import { bodyValidated } from './network-and-gateway/body-validated';
import { stageBehindWebAcl } from './network-and-gateway/stage-behind-web-acl';
import { stageThrottled } from './network-and-gateway/stage-throttled';
import { alarmWindowFits } from './observability/alarm-window-fits';
import { finiteLogRetention } from './observability/finite-log-retention';
import { scheduledSyncAlarmed } from './observability/scheduled-sync-alarmed';
import { stageAlarmed } from './observability/stage-alarmed';
import { stageTracedAndLogged } from './observability/stage-traced-and-logged';
import type { IntegrationRule } from './rule';
import { noCredentialEnvironmentVariables } from './secrets-and-data/no-credential-environment-variables';
import { queueCustomerManagedKey } from './secrets-and-data/queue-customer-managed-key';
import { secretCustomerManagedKey } from './secrets-and-data/secret-customer-managed-key';
import { secretRotatedWithin90Days } from './secrets-and-data/secret-rotated-within-90-days';
import { tableCustomerManagedKey } from './secrets-and-data/table-customer-managed-key';

/** Every rule of the pack, in layer order. */
export const INTEGRATION_RULES: readonly IntegrationRule[] = [
  noAccessKeys,
  apiMethodAuthorized,
  cognitoClientCredentialsOnly,
  mutualTlsDomainExclusive,
  secretCustomerManagedKey,
  secretRotatedWithin90Days,
  noCredentialEnvironmentVariables,
  queueCustomerManagedKey,
  tableCustomerManagedKey,
  stageBehindWebAcl,
  bodyValidated,
  stageThrottled,
  stageTracedAndLogged,
  stageAlarmed,
  scheduledSyncAlarmed,
  alarmWindowFits,
  finiteLogRetention,
  integrationRegistered,
];

export type { IntegrationLayer, IntegrationRule } from './rule';
export { INTEGRATION_TAG } from './observability/scheduled-sync-alarmed';
