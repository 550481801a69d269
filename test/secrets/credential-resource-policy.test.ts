import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataClassification, Inbound, IntegrationPlatform, Rotation, SecureIntegration, SignatureScheme } from '../../lib';
import { integrationProps, newStack, objectSchema } from '../helpers';

// The wiring of each credential's resource policy (test/secrets/credential-guard.test.ts evaluates
// what the policy allows and denies): every secret has one, it exempts the rotation role,
// CloudFormation and the break-glass roles, and a partner-held signing secret still takes new values.

const BREAK_GLASS = 'arn:aws:iam::111111111111:role/credential-break-glass';

/** A platform with an Inbound.api integration, a generated-token credential and a signed webhook. */
function platformTemplate(breakGlass = false): Template {
  const stack = newStack();
  new IntegrationPlatform(stack, 'Platform', breakGlass ? { credentialBreakGlassRoles: [iam.Role.fromRoleArn(stack, 'BreakGlass', BREAK_GLASS)] } : {});
  new SecureIntegration(stack, 'Crm', integrationProps(stack, {}, 'crm.write'));
  new SecureIntegration(stack, 'Erp', {
    owner: 'erp@example.com',
    dataClassification: DataClassification.INTERNAL,
    credentials: [{ name: 'partner-api-key', rotation: Rotation.generatedToken() }],
  });
  new SecureIntegration(stack, 'Hooks', {
    owner: 'hooks@example.com',
    dataClassification: DataClassification.INTERNAL,
    inbound: Inbound.webhook({ path: '/hooks', bodySchema: objectSchema, signature: SignatureScheme.githubHmacSha256() }),
  });
  return Template.fromStack(stack);
}

interface Statement {
  Effect: string;
  Principal: unknown;
  Action: string[];
  Resource: unknown;
  Condition: { ArnNotEquals?: { 'aws:PrincipalArn': unknown[] }; 'ForAllValues:StringNotEquals'?: { 'aws:CalledVia': string[] } };
}

/** Each secret's name and the statements of the resource policies attached to it. */
function policiesBySecret(template: Template): Map<string, Statement[]> {
  const secrets = template.findResources('AWS::SecretsManager::Secret');
  const policies = Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy'));
  return new Map(
    Object.entries(secrets).map(([id, secret]) => [
      secret.Properties.Name as string,
      policies.filter((p) => JSON.stringify(p.Properties.SecretId) === JSON.stringify({ Ref: id })).flatMap((p) => p.Properties.ResourcePolicy.Statement as Statement[]),
    ]),
  );
}

/** The principals every Deny statement of a policy exempts (by aws:PrincipalArn). */
function exemptFromEveryDeny(statements: Statement[]): string[] {
  const denies = statements.filter((s) => s.Effect === 'Deny');
  const exemptions = denies.map((s) => (s.Condition.ArnNotEquals?.['aws:PrincipalArn'] ?? []).map((a) => JSON.stringify(a)));
  return exemptions.length === 0 ? [] : exemptions.reduce((a, b) => a.filter((x) => b.includes(x)));
}

function rotationRoleArn(template: Template): unknown {
  const schedule = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'))[0];
  const fn = schedule.Properties.RotationLambdaARN['Fn::GetAtt'][0];
  return template.toJSON().Resources[fn].Properties.Role;
}

const template = platformTemplate();
const policies = policiesBySecret(template);
const named = (suffix: string) => [...policies.entries()].find(([name]) => name.endsWith(suffix))![1];

describe("each credential's resource policy", () => {
  test('is attached to every secret: the managed client secret, a declared credential and a signing secret', () => {
    expect([...policies.keys()].map((n) => n.replace(/^integrations\/[^/]+\//, '')).sort()).toEqual(['Crm/oauth2-client-secret', 'Erp/partner-api-key', 'signing-secret']);
    for (const [name, statements] of policies) expect({ name, hasDeny: statements.some((st) => st.Effect === 'Deny') }).toEqual({ name, hasDeny: true });
  });

  test.each([['/Crm/oauth2-client-secret'], ['/Erp/partner-api-key'], ['/signing-secret']])(
    'of %s denies changes to any principal of any account, except the rotation role, and lets CloudFormation deploy',
    (suffix) => {
      const statements = named(suffix);
      for (const statement of statements) {
        expect(statement).toEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: '*',
            Action: expect.arrayContaining(['secretsmanager:UpdateSecretVersionStage', 'secretsmanager:TagResource', 'secretsmanager:PutResourcePolicy', 'secretsmanager:RotateSecret']),
          }),
        );
      }
      expect(exemptFromEveryDeny(statements)).toContain(JSON.stringify(rotationRoleArn(template)));
      expect(statements.some((st) => st.Condition['ForAllValues:StringNotEquals']?.['aws:CalledVia'].includes('cloudformation.amazonaws.com'))).toBe(true);
    },
  );

  test('of a rotated credential denies PutSecretValue too', () => {
    for (const suffix of ['/Crm/oauth2-client-secret', '/Erp/partner-api-key']) {
      for (const statement of named(suffix)) expect(statement.Action).toContain('secretsmanager:PutSecretValue');
    }
  });

  test("of a partner-held signing secret leaves PutSecretValue to IAM, so that an operator can put the partner's new secret", () => {
    for (const statement of named('/signing-secret')) expect(statement.Action).not.toContain('secretsmanager:PutSecretValue');
  });

  test('exempts the break-glass roles of the platform alongside the rotation role', () => {
    // GIVEN a platform with a break-glass role
    const withBreakGlass = policiesBySecret(platformTemplate(true));
    // THEN every secret's policy exempts it from every Deny
    for (const [name, statements] of withBreakGlass) {
      expect({ name, exempt: exemptFromEveryDeny(statements) }).toEqual({ name, exempt: expect.arrayContaining([JSON.stringify(BREAK_GLASS)]) });
    }
  });
});
