// The environment variable that holds an integration's outbound queue URL, shared by the construct
// (`integration.grantSendOutbound(fn)` sets it) and `sendOutbound` (which reads it). No imports: the
// runtime helpers and the constructs both load this file.

/** The prefix of every outbound queue variable. */
export const OUTBOUND_QUEUE_URL_ENV_PREFIX = 'OUTBOUND_QUEUE_URL_';

/**
 * The name of the environment variable holding the outbound queue URL of `integration`:
 * `OUTBOUND_QUEUE_URL_` and the name upper-cased, every character other than A-Z and 0-9 (after
 * upper-casing) replaced by `_`. `CrmContacts` gives `OUTBOUND_QUEUE_URL_CRMCONTACTS`, `erp-sync.v2`
 * gives `OUTBOUND_QUEUE_URL_ERP_SYNC_V2`.
 *
 * Two names can give one variable (`Erp-Sync` and `Erp_Sync`): a function granted both must be
 * refused at synth.
 * @throws Error when `integration` is not a non-empty string
 */
export function outboundQueueUrlEnv(integration: string): string {
  if (typeof integration !== 'string' || integration.length === 0) throw new Error(`an integration's name must be a non-empty string, got ${JSON.stringify(integration)}`);
  return `${OUTBOUND_QUEUE_URL_ENV_PREFIX}${integration.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
