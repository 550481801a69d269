import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadBindings, type ResolvedBinding } from '../../../lambda/rotation/bindings';
import { sdkCognitoClientSecretApi } from '../../../lambda/rotation/cognito-client-secret';
import type { HookInvoker } from '../../../lambda/rotation/custom-hook';
import { rotationHookHandler } from '../../../lambda/rotation/hook';
import { rotate } from '../../../lambda/rotation/rotate';
import { strategyFor } from '../../../lambda/rotation/strategies';
import { sweep } from '../../../lambda/rotation/sweep';
import { DataClassification, IntegrationPlatform, Rotation, SecureIntegration, TokenCharset } from '../../../lib';
import type { CognitoClientSecretValue } from '../../../lib/secrets/rotation-config';
import { motoClientConfig, uniqueName } from '../../support/aws-env';
import { CognitoStandIn } from '../../support/cognito-stand-in';
import { createMotoRotationFunction, startRotation } from '../../support/rotation-fixtures';
import { integrationProps, testFunction } from '../../helpers';

// Every strategy rotates the exact credential the construct synthesizes: the secret's name and
// initial value from the template, the binding from the rotation function's config layer in the
// cloud assembly, the deploy-time references from the function's environment. The template's Refs
// are resolved to the resources created in moto (user pool, app client) as CloudFormation would
// resolve them; then two full rotations run for each credential, and its credential works after each.

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;

/** Resolves Ref, Fn::GetAtt and Fn::Join with the physical values given by logical id (and the pseudo parameters). */
function resolver(physical: Record<string, string>) {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com' };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if ('Ref' in o) {
      const id = String(o.Ref);
      const value = pseudo[id] ?? physical[id];
      if (value === undefined) throw new Error(`no physical value for Ref ${id}`);
      return value;
    }
    if ('Fn::GetAtt' in o) {
      const [id, attribute] = o['Fn::GetAtt'] as string[];
      const value = physical[`${id}.${attribute}`];
      if (value === undefined) throw new Error(`no physical value for GetAtt ${id}.${attribute}`);
      return value;
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return (resolve(parts) as string[]).join(sep);
    }
    if ('Fn::Split' in o) {
      const [sep, source] = o['Fn::Split'] as [string, unknown];
      return String(resolve(source)).split(sep);
    }
    if ('Fn::Select' in o) {
      const [index, list] = o['Fn::Select'] as [number, unknown];
      return (resolve(list) as unknown[])[index];
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve;
}

describe('rotating the credentials the construct synthesizes (moto; Cognito secret API and token endpoint from the stand-in)', () => {
  const sm = new SecretsManagerClient(motoClientConfig());
  const cognito = new CognitoStandIn();
  let idp: CognitoIdentityProviderClient;
  let resources: Resources;
  let assemblyDir: string;
  let rotationFunctionArn: string;

  beforeAll(async () => {
    idp = new CognitoIdentityProviderClient({ ...motoClientConfig(), endpoint: await cognito.start() });
    rotationFunctionArn = await createMotoRotationFunction();
    const app = new App({ context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'Synthesized', { env: { account: '123456789012', region: 'us-east-1' } });
    new IntegrationPlatform(stack, 'Platform');
    // CONFIDENTIAL: an Inbound.api integration, whose app-client secret is a managed credential.
    new SecureIntegration(stack, 'Crm', integrationProps(stack, {}, 'contacts.write'));
    new SecureIntegration(stack, 'Erp', {
      owner: 'erp@example.com',
      dataClassification: DataClassification.RESTRICTED,
      piiFields: [],
      credentials: [
        { name: 'callback-key', rotation: Rotation.generatedToken({ length: 64, charset: TokenCharset.HEX }), rotateEvery: Duration.days(7) },
        { name: 'partner-key', rotation: Rotation.custom(testFunction(stack, 'PartnerKeyHook')), rotateEvery: Duration.days(7), overlap: Duration.hours(2) },
      ],
    });
    const assembly = app.synth();
    assemblyDir = assembly.directory;
    resources = (assembly.getStackByName('Synthesized').template as { Resources: Resources }).Resources;
  });
  afterAll(() => cognito.stop());

  /** The rotation function's bindings, from its config layer's asset, with its environment resolved by `resolve`. */
  function deployedBindings(resolve: (v: unknown) => unknown): Map<string, ResolvedBinding> {
    const layers = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::LayerVersion' && String(r.Properties?.Description).includes('rotation bindings'));
    expect(layers).toHaveLength(1);
    const file = join(assemblyDir, String(layers[0].Metadata?.['aws:asset:path']), 'rotation', 'config.json');
    const fn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.Description).startsWith('cdk-secure-integrations rotation'))!;
    const env = resolve((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables) as NodeJS.ProcessEnv;
    return loadBindings(file, env);
  }

  /**
   * Creates, in moto, what CloudFormation creates from the template: the user pool and app client,
   * and every rotated credential's secret under its synthesized name with its initial value; then
   * resolves the rotation function's environment (the secrets' ARNs included) and loads its bindings.
   */
  async function deploy() {
    const idOf = (type: string) => Object.entries(resources).find(([, r]) => r.Type === type)![0];
    const poolId = idOf('AWS::Cognito::UserPool');
    const clientLogicalId = idOf('AWS::Cognito::UserPoolClient');
    const clientName = String(resources[clientLogicalId].Properties!.ClientName);
    const userPoolId = (await idp.send(new CreateUserPoolCommand({ PoolName: uniqueName('integrations') }))).UserPool!.Id!;
    const client = (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: clientName, GenerateSecret: true }))).UserPoolClient!;
    const physical: Record<string, string> = {
      [poolId]: userPoolId,
      [`${poolId}.Arn`]: `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${userPoolId}`,
      [clientLogicalId]: client.ClientId!,
      [`${Object.keys(resources).find((id) => id.startsWith('PartnerKeyHook') && resources[id].Type === 'AWS::Lambda::Function')}.Arn`]: 'arn:aws:lambda:us-east-1:123456789012:function:partner-key-hook',
      // The Cognito domain (its token endpoint is the stand-in's in the rotation test).
      [idOf('AWS::Cognito::UserPoolDomain')]: 'integrations-test',
    };
    const secrets = new Map<string, { arn: string; initial: string }>();
    for (const [id, r] of Object.entries(resources).filter(([, x]) => x.Type === 'AWS::SecretsManager::Secret')) {
      // The stack name is unique to this test file, and so are the secrets' names in the shared moto.
      const name = String(r.Properties!.Name);
      const initial = r.Properties!.SecretString !== undefined ? String(resolver(physical)(r.Properties!.SecretString)) : 'A'.repeat(48); // generateSecretString: 48 alphanumeric
      const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: initial }));
      physical[id] = created.ARN!;
      secrets.set(name.split('/').slice(-2).join('/'), { arn: created.ARN!, initial });
    }
    const bindings = deployedBindings(resolver(physical));
    return { bindings, secrets, userPoolId, clientId: client.ClientId!, generated: client.ClientSecret! };
  }
  let deployed: Awaited<ReturnType<typeof deploy>>;
  beforeAll(async () => {
    deployed = await deploy();
  });

  test('the synthesized bindings name each strategy, and the app client by the name the template gives it', async () => {
    const { bindings, clientId, secrets } = deployed;
    const byCredential = Object.fromEntries([...bindings.values()].map((b) => [`${b.integration}/${b.credential}`, b]));
    expect(byCredential['Crm/oauth2-client-secret'].rotation).toEqual({ strategy: 'cognito-client-secret', userPoolId: expect.stringMatching(/^us-east-1_/), client: { name: 'Crm' }, tokenEndpoint: 'https://integrations-test.auth.us-east-1.amazoncognito.com/oauth2/token' });
    expect(byCredential['Erp/callback-key'].rotation).toEqual({ strategy: 'generated-token', length: 64, charset: 'hex' });
    expect(byCredential['Erp/partner-key']).toEqual(expect.objectContaining({ rotation: { strategy: 'custom', hookFunction: 'arn:aws:lambda:us-east-1:123456789012:function:partner-key-hook' }, overlapSeconds: 7200 }));
    expect(clientId).toBeTruthy();
    // Each binding knows its secret's deployed ARN suffix: a secret re-created under the name has another.
    expect([...bindings.values()].map((b) => b.arnSuffix)).toEqual([...bindings.keys()].map((name) => [...secrets.values()].find((s) => s.arn.includes(`:secret:${name}-`))!.arn.slice(-6)));
  });

  test('each strategy rotates its synthesized initial value twice, and the credential works after each rotation', async () => {
    const { bindings, secrets, userPoolId, clientId, generated } = deployed;
    // The token endpoint is the stand-in's in this test (the binding names Cognito's real domain).
    for (const b of bindings.values()) if (b.rotation?.strategy === 'cognito-client-secret') Object.assign(b.rotation, { tokenEndpoint: cognito.tokenEndpoint });
    const live = new Set<string>();
    const hook = rotationHookHandler({
      issue: ({ token }) => {
        live.add(`partner-key-${token}`);
        return { value: `partner-key-${token}` };
      },
      test: ({ pendingValue }) => {
        if (!live.has(pendingValue)) throw new Error('the partner refused the key');
      },
      revoke: ({ previousValue }) => {
        live.delete(previousValue);
      },
    });
    const invokeHook: HookInvoker = async (_fn, request) => JSON.parse(JSON.stringify(await hook(JSON.parse(JSON.stringify(request)))));
    const services = { secretsManager: sm, cognito: sdkCognitoClientSecretApi(idp), invokeHook };
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const current = async (arn: string) => (await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))).SecretString!;
    // The clock: wall time (moto stamps versions with it), plus the hours each round lets pass.
    let passed = 0;
    const deps = { secretsManager: sm, bindings, strategyFor: (r: NonNullable<ResolvedBinding['rotation']>) => strategyFor(r, services), log, now: () => new Date(Date.now() + passed) };

    const crm = secrets.get('Crm/oauth2-client-secret')!;
    const key = secrets.get('Erp/callback-key')!;
    const partner = secrets.get('Erp/partner-key')!;
    live.add(partner.initial); // the placeholder stands for the key the partner issued before the first rotation
    expect(JSON.parse(crm.initial)).toEqual({ userPoolId, clientId }); // no secret: the first rotation adopts Cognito's

    const seen: Record<string, string[]> = { crm: [], key: [], partner: [] };
    for (let round = 1; round <= 2; round++) {
      for (const { arn } of [crm, key, partner]) {
        const token = await startRotation(sm, rotationFunctionArn, arn);
        for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await rotate({ SecretId: arn, ClientRequestToken: token, Step }, deps);
      }
      passed += 25 * 3600 * 1000; // past every overlap: the sweep revokes what the rotation superseded
      await sweep({ ...deps, publish: () => undefined });

      const client = JSON.parse(await current(crm.arn)) as CognitoClientSecretValue;
      expect(cognito.accepts(userPoolId, clientId, client.clientSecret!)).toBe(true);
      expect(cognito.ids(userPoolId, clientId)).toEqual([client.clientSecretId]);
      seen.crm.push(client.clientSecret!);
      expect(await current(key.arn)).toMatch(/^[0-9a-f]{64}$/);
      seen.key.push(await current(key.arn));
      expect([...live]).toEqual([await current(partner.arn)]);
      seen.partner.push(await current(partner.arn));
    }
    expect(seen.crm[0]).toBe(generated); // round 1 adopted Cognito's secret; round 2 replaced it
    expect(seen.crm[1]).not.toBe(generated);
    expect(new Set(seen.key).size).toBe(2);
    expect(new Set(seen.partner).size).toBe(2);
    expect(cognito.accepts(userPoolId, clientId, generated)).toBe(false);
  });
});
