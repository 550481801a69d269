// Runtime helpers for users' own handlers: `import { decryptFields } from 'cdk-secure-integrations/runtime'`.
export * from './field-encryption';
export { verifySignature, VerificationFailureReason, SignatureConfigurationError } from './verify-signature';
export type { VerificationResult, VerificationSuccess, VerificationFailure } from './verify-signature';
export { rotationHookHandler } from '../rotation/hook';
export type { IntegrationRecord } from '../../lib/ingest/ingest-config';
export type { CredentialRotationHook, CredentialIssueContext, CredentialTestContext, CredentialRevokeContext } from '../../lib/secrets/rotation-config';
export { recordSync } from './signals';
export type { SyncResult } from './signals';
export { sendOutbound, outboundQueueUrlEnv, OutboundPayloadError, MAX_OUTBOUND_MESSAGE_BYTES } from './outbound';
export type { SendOutboundOptions, SendOutboundResult } from './outbound';
export type { OutboundEnvelope } from '../../lib/outbound/outbound-config';
