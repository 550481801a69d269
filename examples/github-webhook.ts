// A GitHub webhook: GitHub signs each delivery (X-Hub-Signature-256); the ingest verifies it in
// constant time, deduplicates on X-GitHub-Delivery, and puts the event on the integration's queue.
import { App, Stack } from 'aws-cdk-lib';
import { DataClassification, Inbound, SecureIntegration, SignatureScheme } from '../lib';

export function githubWebhook(app: App): Stack {
  const stack = new Stack(app, 'GitHubEvents');
  new SecureIntegration(stack, 'GitHubEvents', {
    owner: 'developer-platform@example.com',
    dataClassification: DataClassification.CONFIDENTIAL,
    piiFields: ['pusher.email'],
    inbound: Inbound.webhook({
      path: '/webhooks/github',
      signature: SignatureScheme.githubHmacSha256(),
      bodySchema: { type: 'object', properties: { ref: { type: 'string' }, pusher: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } } } } },
      signingSecretWriters: [],
    }),
  });
  return stack;
}
