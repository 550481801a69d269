import type { App, Environment } from 'aws-cdk-lib';
import { ExamplePlatformStack } from './example-stack';
import { PartnerMtlsStack } from './partner-mtls-stack';

/** The example app's stacks: the main platform (OAuth 2.0, IAM, webhooks) and the mutual TLS one. */
export function addExampleStacks(app: App, options: { env?: Environment; mainId?: string; mtlsId?: string } = {}): { main: ExamplePlatformStack; mtls: PartnerMtlsStack } {
  const main = new ExamplePlatformStack(app, options.mainId ?? 'IntegrationPlatformExample', {
    env: options.env,
    description: 'cdk-secure-integrations example platform: CRM contacts, partner orders, support tickets, billing events, GitHub events',
  });
  const mtls = new PartnerMtlsStack(app, options.mtlsId ?? 'PartnerMtlsExample', {
    env: options.env,
    description: 'cdk-secure-integrations example: a dealer CRM pushing contact updates over mutual TLS',
  });
  return { main, mtls };
}
