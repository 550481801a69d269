import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { DataClassification, HttpMethod, Inbound, IntegrationPlatform, Rotation, SecureIntegration, SignatureScheme } from '../../lib';
import { objectSchema, testFunction } from '../helpers';

// The one test of the credential resources with aws-cdk-lib's built-in CloudFormation validator on
// (test/setup-env.js turns it off for the others): secrets with their resource policies, schedules,
// the rotation function with its config layer and sweep rule, and the age and sweep alarms.

describe('CloudFormation template validation of the credential resources', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-si-credentials-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('a platform with every kind of credential synthesizes with the built-in validator on and reports nothing', () => {
    // GIVEN the validator on, failing synth on template errors
    const saved = process.env.CDK_VALIDATION;
    delete process.env.CDK_VALIDATION;
    try {
      const app = new App({ outdir, builtinCloudFormationValidation: true, context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
      const stack = new Stack(app, 'Credentials', { env: { account: '111111111111', region: 'eu-west-1' } });
      new IntegrationPlatform(stack, 'Platform');
      new SecureIntegration(stack, 'Crm', {
        owner: 'crm@example.com',
        dataClassification: DataClassification.CONFIDENTIAL,
        piiFields: ['email'],
        inbound: Inbound.api({ routes: [{ method: HttpMethod.POST, path: '/contacts', bodySchema: objectSchema, scopes: ['contacts.write'] }] }),
      });
      const userPool = new cognito.UserPool(stack, 'PartnerPool');
      const client = userPool.addClient('PartnerClient', { generateSecret: true });
      new SecureIntegration(stack, 'Erp', {
        owner: 'erp@example.com',
        dataClassification: DataClassification.INTERNAL,
        credentials: [
          { name: 'api-key', rotation: Rotation.generatedToken() },
          { name: 'partner-client', rotation: Rotation.cognitoClientSecret({ client: { client, userPool } }) },
          { name: 'hook-key', rotation: Rotation.custom(testFunction(stack, 'Hook')) },
        ],
      });
      new SecureIntegration(stack, 'Payments', {
        owner: 'payments@example.com',
        dataClassification: DataClassification.RESTRICTED,
        piiFields: [],
        inbound: Inbound.webhook({ path: '/webhooks/stripe', bodySchema: objectSchema, signature: SignatureScheme.stripe() }),
      });
      // WHEN
      const assembly = app.synth();
      // THEN synth did not throw, and the validator ran and reported nothing
      const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
      expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.CDK_VALIDATION = saved;
    }
  });
});
