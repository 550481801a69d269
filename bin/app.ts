#!/usr/bin/env node
// The main job: `npx cdk synth` synthesizes the example platforms (the main one and the mutual TLS one) with the five cdk-nag packs
// registered; any unacknowledged finding fails synth.
import { App } from 'aws-cdk-lib';
import { addComplianceChecks } from '../lib';
import { addExampleStacks } from './example-app';

const app = new App();
addComplianceChecks(app);
addExampleStacks(app);
app.synth();
