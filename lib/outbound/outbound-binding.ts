// What an `Outbound.api` integration takes from its SecureIntegration, and what it made: narrow
// interfaces, so that lib/outbound imports neither the integration nor the platform.
import type { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { IntegrationFunction } from '../functions/integration-function';
import type { IntegrationQueue } from '../integration/integration-queue';
import type { CredentialProps, IntegrationCredential } from '../secrets/integration-credential';

/**
 * What the integration gives its outbound API side.
 * @jsii ignore TypeScript only: the context of the library's own bind step.
 */
export interface OutboundApiBindContext {
  readonly scope: Construct;
  readonly integrationName: string;
  /** The platform key: queues, the connection's secret, field encryption. */
  readonly encryptionKey: kms.IKey;
  /** The integration's declared PII fields. */
  readonly piiFields: readonly string[];
  /** Whether the integration has an inbound side (whose ingest encrypts its PII fields). */
  readonly hasInbound: boolean;
  /** Whether the classification requires a decision on PII (CONFIDENTIAL, RESTRICTED). */
  readonly classificationRequiresPii: boolean;
  /** The longest a credential of the integration may live. */
  readonly credentialMaxAge: Duration;
  /** Adds a credential to the integration (rotated, listed, watched for age). */
  readonly addCredential: (credential: CredentialProps, prop: string) => IntegrationCredential;
  /** Lets a function use the platform key for this integration's fields (encryption context `{ integration }`). */
  readonly grantFieldKey: (grantee: iam.IGrantable, mode: 'decrypt' | 'encrypt') => void;
  /** The platform's outbound event bus, created on first use. */
  readonly outboundBus: () => events.IEventBus;
}

/**
 * What an `Outbound.api` side made.
 * @jsii ignore TypeScript only: read through SecureIntegration's outbound members.
 */
export interface OutboundApiBinding {
  readonly kind: 'api';
  /** `direct` (the sender calls) or `api-destination`. */
  readonly mode: 'direct' | 'api-destination';
  readonly authMethod: string;
  readonly endpoint: string;
  readonly partnerHost: string;
  readonly queue: IntegrationQueue;
  readonly sender: IntegrationFunction;
  readonly signingSecret?: secretsmanager.ISecret;
  readonly partnerSecret?: secretsmanager.ISecret;
  /** The client certificate's secret, for mutual TLS. */
  readonly clientCertificate?: secretsmanager.ISecret;
  readonly connection?: events.Connection;
  readonly apiDestination?: events.ApiDestination;
  readonly rule?: events.Rule;
  /** The environment variable `sendOutbound` reads the queue's URL from. */
  readonly queueUrlEnv: string;
}
