import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Webhook } from 'standardwebhooks';
import { clearSecretCache } from '../../../lambda/ingest/signing-secrets';
import { signatureHeaders, signingSecretsFor, SigningKeyError } from '../../../lambda/outbound/sign';
import { motoClientConfig, uniqueName } from '../../support/aws-env';

/** GitHub's own library (@octokit/webhooks-methods) verifies `[payload, signature]` pairs under `secret`. */
const githubVerify = (secret: string, pairs: Array<[string, string]>): boolean[] =>
  JSON.parse(execFileSync(process.execPath, [join(__dirname, '..', '..', 'support', 'github-verify.mjs'), secret], { input: JSON.stringify(pairs), encoding: 'utf8' }));

const HMAC_SECRET = 'outbound-hmac-secret-7c1e9a4f2b8d6e03a5c7';
// 24 random bytes, as Svix issues them (the Standard Webhooks minimum).
const WHSEC_24 = `whsec_${Buffer.from('0123456789abcdefghijklmn').toString('base64')}`;
const body = JSON.stringify({ orderId: 'PO-1001', lines: [{ sku: 'A-1', quantity: 2 }], note: 'ünïcödé ✓' });
const at = new Date();
const request = { body, messageId: '3f1c2e9a-0d7b-4c55-9e21-6a8b4f0c1d2e', at };

describe('the signature of a direct call', () => {
  test("hmac-sha256: `sha256=<hex>` in the configured header, which GitHub's library verifies", () => {
    const headers = signatureHeaders({ kind: 'hmac-sha256', header: 'X-Hub-Signature-256' }, [HMAC_SECRET], request);
    expect(Object.keys(headers)).toEqual(['X-Hub-Signature-256']);
    expect(headers['X-Hub-Signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const tampered = body.replace('"quantity":2', '"quantity":20');
    expect(githubVerify(HMAC_SECRET, [
      [body, headers['X-Hub-Signature-256']],
      [tampered, headers['X-Hub-Signature-256']],
    ])).toEqual([true, false]);
  });

  test('standard-webhooks: webhook-id, webhook-timestamp and webhook-signature, which the reference library verifies', () => {
    const headers = signatureHeaders({ kind: 'standard-webhooks', header: 'ignored' }, [WHSEC_24], request);
    expect(headers['webhook-id']).toBe(request.messageId);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(WHSEC_24).verify(body, headers)).toEqual(JSON.parse(body));
    // Signed over id, timestamp and body: another id does not verify.
    expect(() => new Webhook(WHSEC_24).verify(body, { ...headers, 'webhook-id': 'another' })).toThrow('No matching signature');
  });

  test('an hmac-sha256 secret under 32 bytes is refused; 32 bytes sign (RFC 2104 section 3)', () => {
    const sign = (secret: string) => signatureHeaders({ kind: 'hmac-sha256', header: 'X-Signature' }, [secret], request);
    expect(() => sign('x'.repeat(31))).toThrow(SigningKeyError);
    expect(() => sign('x'.repeat(31))).toThrow('shorter than 32 bytes');
    expect(sign('x'.repeat(32))['X-Signature']).toMatch(/^sha256=/);
    // Bytes, not characters: 16 two-byte characters are 32 bytes.
    expect(sign('é'.repeat(16))['X-Signature']).toMatch(/^sha256=/);
  });

  test('a standard-webhooks secret needs whsec_ base64 of at least 24 key bytes', () => {
    const sign = (secret: string) => signatureHeaders({ kind: 'standard-webhooks', header: '' }, [secret], request);
    expect(() => sign(`whsec_${Buffer.alloc(23, 7).toString('base64')}`)).toThrow(SigningKeyError);
    expect(() => sign('whsec_not base64!')).toThrow('not whsec_ base64 of at least 24 key bytes');
    expect(() => sign('whsec_')).toThrow(SigningKeyError);
    // The reference library also accepts the bare base64.
    const bare = Buffer.alloc(32, 9).toString('base64');
    expect(new Webhook(bare).verify(body, sign(bare))).toEqual(JSON.parse(body));
  });

  test('an unknown kind, or no secret, is refused', () => {
    expect(() => signatureHeaders({ kind: 'md5' as never, header: 'X' }, [HMAC_SECRET], request)).toThrow(SigningKeyError);
    expect(() => signatureHeaders({ kind: 'hmac-sha256', header: 'X' }, [], request)).toThrow('no signing secret');
  });

  test('standard-webhooks during a rotation: one signature per secret, so a partner holding either verifies; hmac-sha256 signs with the current one', () => {
    const previous = `whsec_${Buffer.alloc(33, 1).toString('base64')}`;
    const headers = signatureHeaders({ kind: 'standard-webhooks', header: '' }, [WHSEC_24, previous], request);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(WHSEC_24).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    const hmac = signatureHeaders({ kind: 'hmac-sha256', header: 'X-Signature-256' }, [HMAC_SECRET, 'previous-secret-that-is-long-enough-to-sign'], request);
    expect(githubVerify(HMAC_SECRET, [[body, hmac['X-Signature-256']]])).toEqual([true]);
  });
});

describe('the signing secrets (Secrets Manager on moto)', () => {
  const secretsManager = new SecretsManagerClient(motoClientConfig());
  beforeEach(() => clearSecretCache());
  const create = async (value: string) => (await secretsManager.send(new CreateSecretCommand({ Name: uniqueName('outbound/signing'), SecretString: value }))).ARN!;

  test('AWSCURRENT is read once and cached for 5 minutes: a new value signs after that', async () => {
    const arn = await create(HMAC_SECRET);
    const t0 = Date.now();
    expect(await signingSecretsFor(secretsManager, arn, 'hmac-sha256', t0)).toEqual([HMAC_SECRET]);
    await secretsManager.send(new PutSecretValueCommand({ SecretId: arn, SecretString: `${HMAC_SECRET}-rotated` }));
    expect(await signingSecretsFor(secretsManager, arn, 'hmac-sha256', t0 + 4 * 60_000)).toEqual([HMAC_SECRET]);
    // hmac-sha256 carries one signature: the current secret's.
    expect(await signingSecretsFor(secretsManager, arn, 'hmac-sha256', t0 + 5 * 60_000)).toEqual([`${HMAC_SECRET}-rotated`]);
  });

  test('standard-webhooks signs with AWSCURRENT and, for 24 hours after a rotation, AWSPREVIOUS', async () => {
    const previous = `whsec_${Buffer.alloc(33, 2).toString('base64')}`;
    const arn = await create(previous);
    await secretsManager.send(new PutSecretValueCommand({ SecretId: arn, SecretString: WHSEC_24 }));
    const t0 = Date.now();
    expect(await signingSecretsFor(secretsManager, arn, 'standard-webhooks', t0)).toEqual([WHSEC_24, previous]);
    expect(await signingSecretsFor(secretsManager, arn, 'standard-webhooks', t0 + 25 * 3_600_000)).toEqual([WHSEC_24]);
  });

  test('an AWSCURRENT too short to sign with is refused; a short AWSPREVIOUS is left out', async () => {
    const short = await create('only-20-bytes-secret');
    await expect(signingSecretsFor(secretsManager, short, 'hmac-sha256')).rejects.toThrow("AWSCURRENT is shorter than 32 bytes");
    const arn = await create(`whsec_${Buffer.alloc(12, 3).toString('base64')}`);
    await secretsManager.send(new PutSecretValueCommand({ SecretId: arn, SecretString: WHSEC_24 }));
    expect(await signingSecretsFor(secretsManager, arn, 'standard-webhooks')).toEqual([WHSEC_24]);
  });

  test('a secret that does not exist is an error, not a value', async () => {
    await expect(signingSecretsFor(secretsManager, uniqueName('outbound/missing'), 'hmac-sha256')).rejects.toThrow();
  });
});
