// A large catalog written in one stack, as a platform team does: past its stackBudget, the platform
// places integrations in nested stacks of its own (each with its own ingest and rotation function).
import { App, Duration, Stack } from 'aws-cdk-lib';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, Rotation, SecureIntegration } from '../lib';

export function largeCatalog(app: App, integrations = 24): Stack {
  const stack = new Stack(app, 'IntegrationCatalog');
  const platform = new IntegrationPlatform(stack, 'Platform', { stackBudget: { maxResources: 120 } });
  for (let i = 0; i < integrations; i++) {
    new SecureIntegration(stack, `Partner${i}`, {
      platform,
      owner: `team-${i % 5}@example.com`,
      dataClassification: DataClassification.INTERNAL,
      credentials: i % 2 === 0 ? [{ name: 'callback-key', rotation: Rotation.generatedToken(), rotateEvery: Duration.days(30) }] : [],
      inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: `/partners/p${i}`, bodySchema: { type: 'object' }, scopes: [`p${i}.write`] }] }),
    });
  }
  return stack;
}
