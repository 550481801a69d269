import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Webhook } from 'standardwebhooks';
import { clearSecretCache, MIN_WHSEC_KEY_BYTES, minimumKeyBytes, refusalReason, signingSecrets } from '../../../lambda/ingest/signing-secrets';
import { SignatureConfigurationError, signingKeyOf, verifySignature, VerificationFailureReason } from '../../../lambda/shared/verify-signature';
import { SecretEncoding, SignatureScheme, SignatureSchemeConfig } from '../../../lib/gateway/signature-scheme';
import { motoClientConfig, uniqueName } from '../../support/aws-env';

/**
 * Standard Webhooks deliveries, signed by the reference library (`standardwebhooks`, the spec's own
 * JavaScript implementation) and verified by the ingest's verifySignature.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */

/** The config as the ingest function receives it: through JSON, so only plain data survives. */
const config = JSON.parse(JSON.stringify(SignatureScheme.standardWebhooks().bind())) as SignatureSchemeConfig;

// The reference library's own test secret: 24 key bytes, the size Svix issues.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PREVIOUS_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OTHER_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
// The spec's example message.
const MSG_ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
const T = 1674087231;
const BODY = '{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}';

/** A delivery as a Standard Webhooks sender makes it: the signature header from the reference signer. */
function delivery(secret = SECRET, message: { id?: string; t?: number; body?: string } = {}) {
  const { id = MSG_ID, t = T, body = BODY } = message;
  return {
    body,
    headers: { 'webhook-id': id, 'webhook-timestamp': String(t), 'webhook-signature': new Webhook(secret).sign(id, new Date(t * 1000), body) },
  };
}

/** The base64 digest of a `v1,<digest>` entry. */
const digestOf = (entry: string) => entry.slice('v1,'.length);

describe('Standard Webhooks: signatures made by the reference library', () => {
  test('accepts a genuine delivery and reports its timestamp', () => {
    const { body, headers } = delivery();
    expect(verifySignature(config, body, headers, [SECRET], T + 10)).toEqual({ ok: true, secretIndex: 0, timestampSeconds: T });
  });

  test('agrees with the reference library on a delivery made now', () => {
    const now = Math.floor(Date.now() / 1000);
    const { body, headers } = delivery(SECRET, { t: now });
    expect(() => new Webhook(SECRET).verify(body, headers)).not.toThrow();
    expect(verifySignature(config, body, headers, [SECRET], now).ok).toBe(true);
  });

  test('matches header names case-insensitively and takes the body as a Buffer', () => {
    const { body, headers } = delivery();
    const upper = { 'Webhook-Id': headers['webhook-id'], 'Webhook-Timestamp': headers['webhook-timestamp'], 'Webhook-Signature': headers['webhook-signature'] };
    expect(verifySignature(config, Buffer.from(body, 'utf8'), upper, [SECRET], T).ok).toBe(true);
  });

  test('accepts the secret without its whsec_ prefix, as the reference library does', () => {
    const { body, headers } = delivery();
    expect(verifySignature(config, body, headers, [SECRET.slice('whsec_'.length)], T).ok).toBe(true);
  });

  test('accepts a body with multi-byte UTF-8 characters', () => {
    const { body, headers } = delivery(SECRET, { body: '{"name":"Zoë Müller","city":"東京"}' });
    expect(verifySignature(config, body, headers, [SECRET], T).ok).toBe(true);
  });

  test('rejects a tampered body', () => {
    const { headers } = delivery();
    const result = verifySignature(config, BODY.replace('contact.created', 'contact.deleted'), headers, [SECRET], T);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('rejects a tampered webhook-id (the id is signed)', () => {
    const { body, headers } = delivery();
    const result = verifySignature(config, body, { ...headers, 'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4X' }, [SECRET], T);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('rejects a refreshed webhook-timestamp on an old signature (the timestamp is signed)', () => {
    const { body, headers } = delivery();
    const result = verifySignature(config, body, { ...headers, 'webhook-timestamp': String(T + 3600) }, [SECRET], T + 3600);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('rejects a delivery signed with another secret', () => {
    const { body, headers } = delivery(OTHER_SECRET);
    expect(verifySignature(config, body, headers, [SECRET], T)).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('reads the secret as base64: the same secret used as UTF-8 text (as Stripe does) does not verify', () => {
    const { body, headers } = delivery();
    const asText = { ...config, secretEncoding: SecretEncoding.UTF8 };
    expect(verifySignature(asText, body, headers, [SECRET], T)).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('never puts the expected or the received digest in a failure', () => {
    const { headers } = delivery();
    const text = JSON.stringify(verifySignature(config, `${BODY} `, headers, [SECRET], T));
    expect(text).not.toContain(digestOf(headers['webhook-signature']));
    expect(text).not.toContain(digestOf(delivery(SECRET, { body: `${BODY} ` }).headers['webhook-signature']));
  });
});

describe('Standard Webhooks: several signatures in webhook-signature', () => {
  const genuine = delivery().headers['webhook-signature'];
  const forged = delivery(OTHER_SECRET).headers['webhook-signature'];
  const verify = (signature: string, secrets = [SECRET]) => verifySignature(config, BODY, { ...delivery().headers, 'webhook-signature': signature }, secrets, T);

  test('accepts when any v1 entry matches, wherever it stands', () => {
    expect(verify(`${forged} ${genuine}`).ok).toBe(true);
    expect(verify(`${genuine} ${forged}`).ok).toBe(true);
  });

  test('rejects when no v1 entry matches', () => {
    expect(verify(`${forged} ${delivery(PREVIOUS_SECRET).headers['webhook-signature']}`)).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('ignores v1a entries, even one carrying the valid HMAC', () => {
    // The spec's example: a v1 and a v1a (ed25519) signature side by side.
    const v1a = 'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==';
    expect(verify(`${genuine} ${v1a}`).ok).toBe(true);
    expect(verify(v1a)).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER, detail: expect.stringMatching(/holds no 'v1,' signature/) });
    expect(verify(`v1a,${digestOf(genuine)}`)).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
    expect(verify(`v2,${digestOf(genuine)} V1,${digestOf(genuine)}`)).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });

  test('tolerates repeated spaces between entries', () => {
    expect(verify(`${forged}   ${genuine}`).ok).toBe(true);
  });
});

describe('Standard Webhooks: a rotated secret', () => {
  test('accepts a delivery signed with the previous secret while it is passed, and says which matched', () => {
    const { body, headers } = delivery(PREVIOUS_SECRET);
    expect(verifySignature(config, body, headers, [SECRET, PREVIOUS_SECRET], T)).toEqual({ ok: true, secretIndex: 1, timestampSeconds: T });
    expect(verifySignature(config, body, headers, [SECRET], T)).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('accepts a sender rotating its secret that signs with both, under either of ours', () => {
    const both = `${delivery(SECRET).headers['webhook-signature']} ${delivery(PREVIOUS_SECRET).headers['webhook-signature']}`;
    const headers = { ...delivery().headers, 'webhook-signature': both };
    expect(verifySignature(config, BODY, headers, [SECRET, PREVIOUS_SECRET], T)).toMatchObject({ ok: true, secretIndex: 0 });
    expect(verifySignature(config, BODY, headers, [PREVIOUS_SECRET], T)).toMatchObject({ ok: true, secretIndex: 0 });
  });
});

describe('Standard Webhooks: the replay window', () => {
  const { body, headers } = delivery();

  test('accepts a timestamp exactly 300 s away, in the past or the future', () => {
    expect(verifySignature(config, body, headers, [SECRET], T + 300).ok).toBe(true);
    expect(verifySignature(config, body, headers, [SECRET], T - 300).ok).toBe(true);
  });

  test('rejects a replay 301 s old', () => {
    expect(verifySignature(config, body, headers, [SECRET], T + 301)).toMatchObject({
      ok: false,
      reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE,
      detail: expect.stringMatching(/301 s in the past; the tolerance is 300 s/),
    });
  });

  test('rejects a timestamp 301 s in the future', () => {
    expect(verifySignature(config, body, headers, [SECRET], T - 301)).toMatchObject({
      ok: false,
      reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE,
      detail: expect.stringMatching(/301 s in the future/),
    });
  });

  test('honours a custom tolerance', () => {
    const strict = JSON.parse(JSON.stringify(SignatureScheme.standardWebhooks({ toleranceSeconds: 30 }).bind())) as SignatureSchemeConfig;
    expect(verifySignature(strict, body, headers, [SECRET], T + 30).ok).toBe(true);
    expect(verifySignature(strict, body, headers, [SECRET], T + 31)).toMatchObject({ ok: false, reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE });
  });

  test('reports a forged stale delivery as a mismatch: the signature is checked before the timestamp', () => {
    const forged = delivery(OTHER_SECRET);
    expect(verifySignature(config, forged.body, forged.headers, [SECRET], T + 3600)).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });
});

describe('Standard Webhooks: missing and malformed headers', () => {
  const { body, headers } = delivery();
  const without = (name: keyof typeof headers) => Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));

  test.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const)('reports a missing %s header, naming it', (name) => {
    expect(verifySignature(config, body, without(name), [SECRET], T)).toMatchObject({
      ok: false,
      reason: VerificationFailureReason.MISSING_HEADER,
      detail: expect.stringContaining(`'${name}'`),
    });
  });

  test('reports a blank webhook-id as missing', () => {
    expect(verifySignature(config, body, { ...headers, 'webhook-id': ' ' }, [SECRET], T)).toMatchObject({ ok: false, reason: VerificationFailureReason.MISSING_HEADER });
  });

  test('reports a webhook-id containing "." as malformed, even when signed (the spec says ids must not hold one)', () => {
    const dotted = delivery(SECRET, { id: 'msg_1.1674087231' });
    expect(verifySignature(config, dotted.body, dotted.headers, [SECRET], T)).toMatchObject({
      ok: false,
      reason: VerificationFailureReason.MALFORMED_HEADER,
      detail: "'webhook-id' contains a '.'",
    });
  });

  test('reports a timestamp that is not whole Unix seconds as malformed', () => {
    for (const timestamp of ['hello', '1674087231.5', '-1674087231', '2023-01-19T00:13:51Z']) {
      expect(verifySignature(config, body, { ...headers, 'webhook-timestamp': timestamp }, [SECRET], T)).toMatchObject({
        ok: false,
        reason: VerificationFailureReason.MALFORMED_HEADER,
      });
    }
  });

  test('reports non-base64 junk, hex, and a truncated digest in a v1 entry as malformed rather than decoding leniently', () => {
    const digest = digestOf(headers['webhook-signature']);
    for (const signature of ['v1,not base64 at all!', `v1,${'ab'.repeat(32)}`, `v1,${digest.slice(0, 8)}`, `v1,${digest.slice(0, -1)}`, `v1,${digest}==`, 'v1,', 'garbage']) {
      expect(verifySignature(config, body, { ...headers, 'webhook-signature': signature }, [SECRET], T)).toMatchObject({
        ok: false,
        reason: VerificationFailureReason.MALFORMED_HEADER,
      });
    }
  });

  test('reports the URL-safe base64 alphabet as malformed (the spec uses standard base64)', () => {
    const urlSafe = headers['webhook-signature'].replace(/\+/g, '-').replace(/\//g, '_');
    // The reference signature of this message contains '+' or '/', or the test proves nothing.
    expect(urlSafe).not.toBe(headers['webhook-signature']);
    expect(verifySignature(config, body, { ...headers, 'webhook-signature': urlSafe }, [SECRET], T)).toMatchObject({
      ok: false,
      reason: VerificationFailureReason.MALFORMED_HEADER,
    });
  });
});

describe('Standard Webhooks: secrets', () => {
  test('a whsec_ secret is the base64 of its key; the prefix is optional', () => {
    const key = randomBytes(24);
    expect(signingKeyOf(`whsec_${key.toString('base64')}`, 'whsec-base64')).toEqual(key);
    expect(signingKeyOf(key.toString('base64'), 'whsec-base64')).toEqual(key);
  });

  test.each([
    ['not base64', 'whsec_this is not base64!'],
    ['the URL-safe alphabet', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La-_Sw'],
    ['missing padding', 'whsec_YWI'],
    ['a trailing newline', `${SECRET}\n`],
    ['only the prefix', 'whsec_'],
  ])('a whsec_ secret with %s has no key', (_what, secret) => {
    expect(signingKeyOf(secret, 'whsec-base64')).toBeUndefined();
  });

  test('verifySignature refuses a junk whsec_ secret as a deployment fault rather than trying it', () => {
    const { body, headers } = delivery();
    expect(() => verifySignature(config, body, headers, [SECRET, 'whsec_!!!!'], T)).toThrow(SignatureConfigurationError);
    expect(() => verifySignature(config, body, headers, ['whsec_'], T)).toThrow(/not whsec_ followed by padded standard base64/);
  });
});

describe('Standard Webhooks: which signing secrets the ingest accepts (moto Secrets Manager)', () => {
  const secretsManager = new SecretsManagerClient(motoClientConfig());
  const whsec = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;
  async function secretHolding(value: string, replacedBy?: string): Promise<string> {
    const name = uniqueName('integrations/svix/signing-secret');
    await secretsManager.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    if (replacedBy !== undefined) await secretsManager.send(new PutSecretValueCommand({ SecretId: name, SecretString: replacedBy }));
    return name;
  }
  const accepted = async (value: string) => signingSecrets(secretsManager, await secretHolding(value), undefined, undefined, SecretEncoding.WHSEC_BASE64);

  beforeEach(() => clearSecretCache());

  test('the minimum is 24 decoded key bytes, the smallest key the spec allows (32 for UTF-8 secrets)', () => {
    expect(MIN_WHSEC_KEY_BYTES).toBe(24);
    expect(minimumKeyBytes(SecretEncoding.WHSEC_BASE64)).toBe(24);
    expect(minimumKeyBytes(SecretEncoding.UTF8)).toBe(32);
    expect(minimumKeyBytes(undefined)).toBe(32);
  });

  test('a 24-byte key (what Svix issues) is accepted', async () => {
    expect(await accepted(SECRET)).toEqual({ values: [SECRET], tooShort: [] });
  });

  test('a 23-byte key is refused, although its whsec_ text is 38 bytes long', async () => {
    const short = whsec(23);
    expect(Buffer.byteLength(short)).toBeGreaterThanOrEqual(32);
    expect(await accepted(short)).toEqual({ values: [], tooShort: ['AWSCURRENT'] });
  });

  test('keys of 64 bytes, the spec maximum, and beyond it are accepted (HMAC hashes long keys first)', async () => {
    const max = whsec(64);
    const beyond = whsec(100);
    expect((await accepted(max)).values).toEqual([max]);
    expect((await accepted(beyond)).values).toEqual([beyond]);
  });

  test('a bare base64 key without the prefix is accepted like the reference library', async () => {
    const bare = randomBytes(32).toString('base64');
    expect((await accepted(bare)).values).toEqual([bare]);
  });

  test('a secret that is not base64 is refused, however long', async () => {
    const junk = 'whsec_ this is a passphrase someone typed, not a key!';
    expect(await accepted(junk)).toEqual({ values: [], tooShort: ['AWSCURRENT'] });
  });

  test('within the overlap a short previous key is dropped while the current one is accepted', async () => {
    const previous = whsec(16);
    const current = whsec(32);
    const name = await secretHolding(previous, current);
    expect(await signingSecrets(secretsManager, name, 3600, Date.now(), SecretEncoding.WHSEC_BASE64)).toEqual({ values: [current], tooShort: ['AWSPREVIOUS'] });
  });

  test('within the overlap the previous key verifies a delivery its sender still signs with', async () => {
    const name = await secretHolding(PREVIOUS_SECRET, SECRET);
    const { values } = await signingSecrets(secretsManager, name, 3600, Date.now(), SecretEncoding.WHSEC_BASE64);
    const { body, headers } = delivery(PREVIOUS_SECRET);
    expect(verifySignature(config, body, headers, values, T)).toMatchObject({ ok: true, secretIndex: 1 });
  });

  test('a cached secret is read under each call\'s encoding (two routes may share it)', async () => {
    const name = await secretHolding(whsec(23));
    expect((await signingSecrets(secretsManager, name, undefined, undefined, SecretEncoding.WHSEC_BASE64)).tooShort).toEqual(['AWSCURRENT']);
    // The same 38-character text is long enough as a UTF-8 secret.
    expect((await signingSecrets(secretsManager, name)).tooShort).toEqual([]);
  });

  test('the refusal is described for the log by encoding', () => {
    expect(refusalReason(undefined)).toBe('shorter than 32 bytes');
    expect(refusalReason(SecretEncoding.WHSEC_BASE64)).toBe('not whsec_ base64 of at least 24 key bytes');
  });
});
