#!/usr/bin/env node
// The main job: `npx cdk synth` synthesizes the example platform with the five cdk-nag packs
// registered; any unacknowledged finding fails synth.
import { App } from 'aws-cdk-lib';
import { addComplianceChecks } from '../lib';
import { ExamplePlatformStack } from './example-stack';

const app = new App();
addComplianceChecks(app);
new ExamplePlatformStack(app, 'IntegrationPlatformExample', {
  description: 'cdk-secure-integrations example platform: CRM contacts, partner orders, support tickets',
});
app.synth();
