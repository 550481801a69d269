// IAM's quotas on a role's policies: a managed policy holds at most 6,144 characters (white space
// not counted) and a role has at most 10 managed policies attached by default
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). ManagedPolicyRole
// spills grants into further policies before the first is full, and refuses an 11th at synth.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataClassification, Inbound, IntegrationPlatform, MANAGED_POLICY_MAX_CHARACTERS, ManagedPolicyRole, SecureIntegration, SignatureScheme, unacknowledgedFindings } from '../../lib';
import { objectSchema } from '../helpers';
import { deployedCharacters, LONG_STACK_NAME } from '../support/template-quotas';

const STACK = LONG_STACK_NAME;

function policiesOf(template: Template, prefix: string): Array<{ id: string; characters: number; statements: number }> {
  return Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
    .filter(([id]) => id.startsWith(prefix))
    .map(([id, r]) => ({ id, characters: deployedCharacters(r.Properties.PolicyDocument), statements: (r.Properties.PolicyDocument.Statement as unknown[]).length }));
}

describe('ManagedPolicyRole and the 6,144-character managed policy', () => {
  test('grants spill into further policies, each under the quota with deploy-time values, none lost', () => {
    const stack = new Stack(new App(), STACK, { env: { account: '123456789012', region: 'eu-central-1' } });
    const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const queues = Array.from({ length: 120 }, (_, i) => `arn:aws:sqs:eu-central-1:123456789012:${STACK}-queue-${i}`);
    queues.forEach((arn) => role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage', 'sqs:GetQueueUrl'], resources: [arn] })));
    const policies = policiesOf(Template.fromStack(stack), 'RolePolicy');
    expect(policies.length).toBeGreaterThan(1);
    expect(policies.length).toBeLessThanOrEqual(10);
    for (const p of policies) expect(p.characters).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARACTERS);
    expect(policies.reduce((sum, p) => sum + p.statements, 0)).toBe(120);
    expect(role.policies).toHaveLength(policies.length);
  });

  test('a statement too large to share a policy gets the first one alone (no empty policy); an identical statement is not counted twice', () => {
    const stack = new Stack(new App(), STACK, { env: { account: '123456789012', region: 'eu-central-1' } });
    const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const big = Array.from({ length: 66 }, (_, i) => `arn:aws:sqs:eu-central-1:123456789012:queue-${i}-${'q'.repeat(30)}`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: big }));
    for (let i = 0; i < 50; i++) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:GetQueueUrl'], resources: ['arn:aws:sqs:eu-central-1:123456789012:shared'] }));
    const policies = policiesOf(Template.fromStack(stack), 'RolePolicy');
    expect(policies.every((p) => p.statements > 0)).toBe(true);
    expect(policies.reduce((sum, p) => sum + p.statements, 0)).toBe(2);
  });

  test('a statement that grows after it was added past the quota is a synth error naming the policy', () => {
    const stack = new Stack(new App(), STACK, { env: { account: '123456789012', region: 'eu-central-1' } });
    const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const statement = new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-central-1:123456789012:first'] });
    role.addToPrincipalPolicy(statement);
    for (let i = 0; i < 80; i++) statement.addResources(`arn:aws:sqs:eu-central-1:123456789012:${STACK}-queue-${i}`);
    expect(() => Template.fromStack(stack)).toThrow(/Role\/Policy: the policy comes to about \d+ characters once deployed; IAM allows 6144/);
  });

  test('more than 10 managed policies on one role is a synth error naming the quota and the fix', () => {
    const stack = new Stack(new App(), STACK, { env: { account: '123456789012', region: 'eu-central-1' } });
    const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    for (let i = 0; i < 600; i++) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [`arn:aws:sqs:eu-central-1:123456789012:${STACK}-queue-${i}`] }));
    expect(() => Template.fromStack(stack)).toThrow(/managed policies[\s\S]*at most 10[\s\S]*Service Quotas/);
  });

  test('the ingest role of a platform with 15 signed webhooks that declare PII stays under the quota, in every policy', () => {
    const stack = new Stack(new App(), STACK, { env: { account: '123456789012', region: 'eu-central-1' } });
    // One stack for all 15 (the default budget would put the last in a nested stack with an ingest of its own).
    new IntegrationPlatform(stack, 'Platform', { stackBudget: { maxResources: 480, maxTemplateBytes: 950_000 } });
    for (let i = 0; i < 15; i++) {
      new SecureIntegration(stack, `PartnerWebhookWithALongName${i}`, {
        owner: 'team@example.com',
        dataClassification: DataClassification.CONFIDENTIAL,
        piiFields: ['contact.email'],
        inbound: Inbound.webhook({ path: `/webhooks/partner-${i}`, bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256(), signingSecretWriters: [] }),
      });
    }
    const template = Template.fromStack(stack);
    const policies = policiesOf(template, 'PlatformIngestFunctionRolePolicy');
    expect(policies.length).toBeGreaterThan(1);
    for (const p of policies) expect(p.characters).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARACTERS);
    // One statement for every integration's field encryption, not one each.
    const generateDataKey = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Condition?: Record<string, Record<string, unknown>> }>).filter((s) => s.Action === 'kms:GenerateDataKey' && s.Condition),
    );
    expect(generateDataKey).toHaveLength(1);
    expect(generateDataKey[0].Condition!.StringEquals['kms:EncryptionContext:integration']).toHaveLength(15);
    // The spilled policies need no acknowledgement of their own: the five packs report nothing.
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});
