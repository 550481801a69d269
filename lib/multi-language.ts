// The API that jsii compiles for Python (and other jsii languages): the constructs, their props
// and the static factories a user writes an integration with. TypeScript users import the package
// root (lib/index.ts), which exports this and more: the runtime wire formats (ingest and rotation
// config, inventory records), the internal building blocks and free functions, which jsii cannot
// express or which only the library's own Node.js handlers use. README's "Python" section lists
// what is TypeScript-only.
export * from './platform/integration-platform';
export type { FunctionHost, FunctionNetwork, InventoryHost } from './core/platform-host';
export * from './platform/platform-vpc';
export * from './integration/data-classification';
export * from './integration/secure-integration';
export * from './integration/inbound';
export * from './integration/target';
export * from './integration/integration-queue';
export * from './integration/deduplication';
export * from './integration/outbound';
export * from './gateway/api-route';
export * from './gateway/cors';
export * from './gateway/signature-scheme';
export * from './gateway/web-acl';
export * from './identity/auth';
export * from './identity/truststore';
export * from './identity/oauth2-client-credentials';
export * from './functions/integration-function';
export * from './compliance/nag-packs';
export * from './compliance/integration-security-checks';
export * from './secrets/rotation';
export * from './secrets/integration-credential';
export * from './observability/slo';
export * from './observability/heartbeat';
export * from './observability/integration-metrics';
export * from './inventory/inventory-report';
export * from './inventory/inventory-table';
export * from './identity/managed-policy-role';
export * from './secrets/rotation-window';
export * from './gateway/json-schema-model';
export { IamAccess, type PolicyRoute } from './gateway/api-resource-policy';
export type { AdmittedClientCertificate } from './integration/route-binding';
export * from './gateway/integration-api';
export * from './observability/traffic-alarms';
export * from './observability/credential-alarms';
export * from './observability/alarm-description';
export * from './observability/platform-dashboard';
export type { StackBudget } from './platform/integration-placement';
export * from './secrets/rotation-function';
export * from './outbound/outbound-auth';
export * from './outbound/api-outbound';
