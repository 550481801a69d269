import { PutSecretValueCommand, RotateSecretCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { createMotoRotationFunction, RotationHarness } from '../support/rotation-fixtures';

test('probe', async () => {
  const fnArn = await createMotoRotationFunction();
  const h = new RotationHarness('generated-token', fnArn);
  const { token: t1, firstVersion } = await h.createSecret();
  console.log('start', await h.stages());
  const t0 = Date.now();
  for (let i = 0; i < 50; i++) await h.stages();
  console.log('describe ms', (Date.now() - t0) / 50);
  console.log(await h.step(t1, 'createSecret'));
  // RotateSecret while PENDING on t1 (not current)
  try { const t2 = await h.startRotation(); console.log('rotate while pending: accepted', t2, await h.stages()); } catch (e) { console.log('rotate while pending refused', (e as Error).name, (e as Error).message); }
  console.log('t1 createSecret after', await h.step(t1, 'createSecret'));
  try { await h.sm.send(new PutSecretValueCommand({ SecretId: h.arn, ClientRequestToken: t1, SecretString: 'x'.repeat(40), VersionStages: ['AWSPENDING'] })); console.log('put t1 ok', await h.stages()); } catch (e) { console.log('put t1 err', (e as Error).name, (e as Error).message); }
  // pending on current
  const h2 = new RotationHarness('generated-token', fnArn);
  const s2 = await h2.createSecret();
  for (const s of ['createSecret', 'setSecret', 'testSecret'] as const) await h2.step(s2.token, s);
  await h2.sm.send(new UpdateSecretVersionStageCommand({ SecretId: h2.arn, VersionStage: 'AWSCURRENT', MoveToVersionId: s2.token, RemoveFromVersionId: s2.firstVersion }));
  console.log(await h2.stages());
  try { await h2.startRotation(); console.log('accepted', await h2.stages()); } catch (e) { console.log('refused', (e as Error).name, (e as Error).message); }
  // finish effects
  const r = await h2.step(s2.token, 'finishSecret'); console.log(r);
  void firstVersion; void RotateSecretCommand;
});
