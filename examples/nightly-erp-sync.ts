// A nightly ERP export: a scheduled job of yours pushes to the ERP, with an API key the ERP issues
// and the platform rotates through your hook every 30 days; a heartbeat pages when a night is missed.
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { DataClassification, IntegrationFunction, Outbound, Rotation, SecureIntegration } from '../lib';

export function nightlyErpSync(app: App): Stack {
  const stack = new Stack(app, 'ErpSync');
  const job = new IntegrationFunction(stack, 'ExportJob', { entry: join(__dirname, 'handlers', 'noop.ts'), timeout: Duration.minutes(5) });
  const erpKeyHook = new IntegrationFunction(stack, 'ErpKeyHook', { entry: join(__dirname, 'handlers', 'erp-key-hook.ts') });
  new SecureIntegration(stack, 'ErpSync', {
    owner: 'finance-integrations@example.com',
    dataClassification: DataClassification.RESTRICTED,
    piiFields: [], // the job reads and sends payroll totals, no personal data
    credentials: [{ name: 'erp-api-key', rotation: Rotation.custom(erpKeyHook.function), rotateEvery: Duration.days(30), overlap: Duration.hours(6) }],
    outbound: Outbound.schedule({ handler: job.function, every: Duration.days(1) }),
    heartbeat: { every: Duration.days(1), grace: Duration.hours(2) },
  });
  return stack;
}
