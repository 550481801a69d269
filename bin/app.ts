#!/usr/bin/env node
// The main job: `npx cdk synth` synthesizes the example platforms (the main one and the mutual TLS one) with the six packs
// registered (cdk-nag's five and IntegrationSecurityChecks); any unacknowledged finding fails synth. It prints a summary
// (stacks, integrations, resources, findings, where the reports are) on stderr.
import { App } from 'aws-cdk-lib';
import { addComplianceChecks } from '../lib';
import { addExampleStacks } from './example-app';
import { mainJobSummary } from './main-job-summary';

const app = new App();
addComplianceChecks(app);
addExampleStacks(app);
process.stderr.write(mainJobSummary(app.synth()));
