import { createHmac } from 'node:crypto';
import { constantTimeEqual, SignatureConfigurationError, signingKeyOf, verifySignature, VerificationFailureReason } from '../../../lambda/shared/verify-signature';
import { DigestEncoding, SignatureScheme, SignatureSchemeConfig } from '../../../lib/gateway/signature-scheme';

/** The config as the ingest function receives it: through JSON, so only plain data survives. */
function configOf(scheme: SignatureScheme): SignatureSchemeConfig {
  return JSON.parse(JSON.stringify(scheme.bind())) as SignatureSchemeConfig;
}

/** An HMAC-SHA256 computed here with node:crypto, independently of the code under test. */
function hmac(secret: string, payload: string | Buffer, encoding: 'hex' | 'base64' = 'hex'): string {
  return createHmac('sha256', secret).update(payload).digest(encoding);
}

// GitHub's documented test vector:
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
const GITHUB_SECRET = "It's a Secret to Everybody";
const GITHUB_PAYLOAD = 'Hello, World!';
const GITHUB_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

// Slack's worked example: https://api.slack.com/authentication/verifying-requests-from-slack
const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const SLACK_TIMESTAMP = 1531420618;
const SLACK_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA' +
  '&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554' +
  '%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SLACK_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

const STRIPE_SECRET = 'whsec_current_0123456789abcdef';
const STRIPE_PREVIOUS_SECRET = 'whsec_previous_fedcba9876543210';
const STRIPE_T = 1700000000;
const STRIPE_BODY = '{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"customer_email":"a@example.com"}}}';
const stripeV1 = (secret: string, t = STRIPE_T, body = STRIPE_BODY) => hmac(secret, `${t}.${body}`);

describe('GitHub (X-Hub-Signature-256)', () => {
  const config = configOf(SignatureScheme.githubHmacSha256());

  test("accepts GitHub's documented test vector", () => {
    const result = verifySignature(config, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': GITHUB_SIGNATURE }, [GITHUB_SECRET]);
    expect(result).toEqual({ ok: true, secretIndex: 0 });
  });

  test('matches the header name case-insensitively (API Gateway may lower-case it)', () => {
    const result = verifySignature(config, GITHUB_PAYLOAD, { 'x-hub-signature-256': GITHUB_SIGNATURE }, [GITHUB_SECRET]);
    expect(result.ok).toBe(true);
  });

  test('accepts the raw body as a Buffer', () => {
    const result = verifySignature(config, Buffer.from(GITHUB_PAYLOAD, 'utf8'), { 'X-Hub-Signature-256': GITHUB_SIGNATURE }, [GITHUB_SECRET]);
    expect(result.ok).toBe(true);
  });

  test('rejects a body with one byte changed', () => {
    const result = verifySignature(config, 'Hello, World?', { 'X-Hub-Signature-256': GITHUB_SIGNATURE }, [GITHUB_SECRET]);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('rejects the wrong secret', () => {
    const result = verifySignature(config, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': GITHUB_SIGNATURE }, ["It's a Secret to Nobody"]);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('never puts the expected or the received digest in a failure', () => {
    const result = verifySignature(config, 'Hello, World?', { 'X-Hub-Signature-256': GITHUB_SIGNATURE }, [GITHUB_SECRET]);
    const text = JSON.stringify(result);
    expect(text).not.toContain(hmac(GITHUB_SECRET, 'Hello, World?'));
    expect(text).not.toContain(GITHUB_SIGNATURE.slice('sha256='.length));
  });

  test('reports a missing header', () => {
    const result = verifySignature(config, GITHUB_PAYLOAD, { 'content-type': 'application/json' }, [GITHUB_SECRET]);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISSING_HEADER });
  });

  test('reports a blank header as missing', () => {
    const result = verifySignature(config, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': '  ' }, [GITHUB_SECRET]);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISSING_HEADER });
  });

  test('reports the wrong prefix as malformed (the legacy SHA-1 header format)', () => {
    const result = verifySignature(config, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': `sha1=${hmac(GITHUB_SECRET, GITHUB_PAYLOAD)}` }, [GITHUB_SECRET]);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });

  test('reports a truncated digest as malformed', () => {
    const result = verifySignature(config, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': GITHUB_SIGNATURE.slice(0, -2) }, [GITHUB_SECRET]);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });

  test('reports a valid digest followed by extra characters as malformed rather than decoding leniently', () => {
    const result = verifySignature(config, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': `${GITHUB_SIGNATURE}zz` }, [GITHUB_SECRET]);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });

  test('reports the header sent twice with different values (in different cases) as malformed', () => {
    const headers = { 'X-Hub-Signature-256': GITHUB_SIGNATURE, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };
    const result = verifySignature(config, GITHUB_PAYLOAD, headers, [GITHUB_SECRET]);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });

  test('hashes non-UTF-8 body bytes as received', () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    const result = verifySignature(config, body, { 'X-Hub-Signature-256': `sha256=${hmac('s3cret', body)}` }, ['s3cret']);
    expect(result.ok).toBe(true);
  });
});

describe('Slack (X-Slack-Signature, v0)', () => {
  const config = configOf(SignatureScheme.slack());
  const headers = { 'X-Slack-Signature': SLACK_SIGNATURE, 'X-Slack-Request-Timestamp': String(SLACK_TIMESTAMP) };

  test("accepts Slack's worked example within the tolerance", () => {
    const result = verifySignature(config, SLACK_BODY, headers, [SLACK_SECRET], SLACK_TIMESTAMP + 60);
    expect(result).toEqual({ ok: true, secretIndex: 0, timestampSeconds: SLACK_TIMESTAMP });
  });

  test('accepts a timestamp exactly at the tolerance', () => {
    const result = verifySignature(config, SLACK_BODY, headers, [SLACK_SECRET], SLACK_TIMESTAMP + 300);
    expect(result.ok).toBe(true);
  });

  test('rejects a replay one second outside the tolerance', () => {
    const result = verifySignature(config, SLACK_BODY, headers, [SLACK_SECRET], SLACK_TIMESTAMP + 301);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE, detail: expect.stringMatching(/301 s in the past/) });
  });

  test('rejects a timestamp from the future outside the tolerance', () => {
    const result = verifySignature(config, SLACK_BODY, headers, [SLACK_SECRET], SLACK_TIMESTAMP - 301);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE, detail: expect.stringMatching(/301 s in the future/) });
  });

  test('rejects a refreshed timestamp on an old signature (the timestamp is signed)', () => {
    const now = SLACK_TIMESTAMP + 86400;
    const replayed = { ...headers, 'X-Slack-Request-Timestamp': String(now) };
    const result = verifySignature(config, SLACK_BODY, replayed, [SLACK_SECRET], now);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('reports a missing timestamp header', () => {
    const result = verifySignature(config, SLACK_BODY, { 'x-slack-signature': SLACK_SIGNATURE }, [SLACK_SECRET], SLACK_TIMESTAMP);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISSING_HEADER, detail: expect.stringMatching(/X-Slack-Request-Timestamp/) });
  });

  test('reports a timestamp in milliseconds-with-decimals form as malformed', () => {
    const result = verifySignature(config, SLACK_BODY, { ...headers, 'X-Slack-Request-Timestamp': '1531420618.5' }, [SLACK_SECRET], SLACK_TIMESTAMP);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });

  test('honours a custom tolerance', () => {
    const strict = configOf(SignatureScheme.slack({ toleranceSeconds: 30 }));
    const result = verifySignature(strict, SLACK_BODY, headers, [SLACK_SECRET], SLACK_TIMESTAMP + 31);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE });
  });
});

describe('Stripe (Stripe-Signature, t= and v1=)', () => {
  const config = configOf(SignatureScheme.stripe());
  const verify = (header: string, secrets = [STRIPE_SECRET], now = STRIPE_T + 10) =>
    verifySignature(config, STRIPE_BODY, { 'stripe-signature': header }, secrets, now);

  test('accepts a signature over "t.<raw body>"', () => {
    expect(verify(`t=${STRIPE_T},v1=${stripeV1(STRIPE_SECRET)}`)).toEqual({ ok: true, secretIndex: 0, timestampSeconds: STRIPE_T });
  });

  test('accepts any matching v1 among several, ignoring v0', () => {
    const header = `t=${STRIPE_T},v1=${stripeV1('whsec_other')},v1=${stripeV1(STRIPE_SECRET)},v0=${stripeV1('whsec_test')}`;
    expect(verify(header).ok).toBe(true);
  });

  test('accepts the previous secret during a rotation and says which matched', () => {
    const result = verify(`t=${STRIPE_T},v1=${stripeV1(STRIPE_PREVIOUS_SECRET)}`, [STRIPE_SECRET, STRIPE_PREVIOUS_SECRET]);
    expect(result).toEqual({ ok: true, secretIndex: 1, timestampSeconds: STRIPE_T });
  });

  test('rejects a signature made with neither secret', () => {
    const result = verify(`t=${STRIPE_T},v1=${stripeV1('whsec_attacker')}`, [STRIPE_SECRET, STRIPE_PREVIOUS_SECRET]);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('rejects a body with one byte changed', () => {
    const result = verifySignature(config, STRIPE_BODY.replace('a@', 'b@'), { 'Stripe-Signature': `t=${STRIPE_T},v1=${stripeV1(STRIPE_SECRET)}` }, [STRIPE_SECRET], STRIPE_T);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('rejects a replay outside the 300 s default tolerance', () => {
    const result = verify(`t=${STRIPE_T},v1=${stripeV1(STRIPE_SECRET)}`, [STRIPE_SECRET], STRIPE_T + 301);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE });
  });

  test('rejects a timestamp from the future outside the tolerance', () => {
    const result = verify(`t=${STRIPE_T},v1=${stripeV1(STRIPE_SECRET)}`, [STRIPE_SECRET], STRIPE_T - 301);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE });
  });

  test('reports a forged stale request as a mismatch: the signature is checked before the timestamp', () => {
    const result = verify(`t=${STRIPE_T},v1=${stripeV1('whsec_attacker')}`, [STRIPE_SECRET], STRIPE_T + 3600);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('reports a header without t= as malformed', () => {
    expect(verify(`v1=${stripeV1(STRIPE_SECRET)}`)).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });

  test('reports a header with two t= as malformed', () => {
    const result = verify(`t=${STRIPE_T},t=${STRIPE_T + 1},v1=${stripeV1(STRIPE_SECRET)}`);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });

  test('reports a header with only v0 signatures as malformed', () => {
    expect(verify(`t=${STRIPE_T},v0=${stripeV1(STRIPE_SECRET)}`)).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });
});

describe('generic HMAC-SHA256', () => {
  test('accepts a Shopify-style bare base64 digest', () => {
    const config = configOf(SignatureScheme.hmacSha256({ header: 'X-Shopify-Hmac-Sha256', encoding: DigestEncoding.BASE64 }));
    const body = '{"id":820982911946154500,"email":"jon@example.com"}';
    const result = verifySignature(config, body, { 'X-Shopify-Hmac-Sha256': hmac('shpss_secret', body, 'base64') }, ['shpss_secret']);
    expect(result).toEqual({ ok: true, secretIndex: 0 });
  });

  test('reports a hex digest where base64 is expected as malformed', () => {
    const config = configOf(SignatureScheme.hmacSha256({ header: 'X-Shopify-Hmac-Sha256', encoding: DigestEncoding.BASE64 }));
    const result = verifySignature(config, '{}', { 'x-shopify-hmac-sha256': hmac('shpss_secret', '{}') }, ['shpss_secret']);
    expect(result).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });

  test('signs the template literally: a body containing "{timestamp}" is hashed as is', () => {
    const config = configOf(
      SignatureScheme.hmacSha256({ header: 'X-Signature', prefix: 'v1=', encoding: DigestEncoding.HEX, timestampHeader: 'X-Timestamp', signedPayload: 'v1:{timestamp}:{body}' }),
    );
    const body = '{"note":"{timestamp} and {body}"}';
    const headers = { 'X-Signature': `v1=${hmac('k', `v1:1700000000:${body}`)}`, 'X-Timestamp': '1700000000' };
    expect(verifySignature(config, body, headers, ['k'], 1700000000).ok).toBe(true);
  });
});

describe('configuration faults', () => {
  const config = configOf(SignatureScheme.githubHmacSha256());

  test('throws when no secret is given', () => {
    expect(() => verifySignature(config, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': GITHUB_SIGNATURE }, [])).toThrow(SignatureConfigurationError);
  });

  test('throws on an empty secret rather than verifying with a key everyone knows', () => {
    expect(() => verifySignature(config, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': GITHUB_SIGNATURE }, [GITHUB_SECRET, ''])).toThrow(/empty/);
  });

  test('throws on an unknown encoding in the config', () => {
    const broken = { ...config, encoding: 'base32' } as unknown as SignatureSchemeConfig;
    expect(() => verifySignature(broken, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': GITHUB_SIGNATURE }, [GITHUB_SECRET])).toThrow(/unknown digest encoding "base32"/);
  });

  test('throws on an unknown secret encoding in the config', () => {
    const broken = { ...config, secretEncoding: 'hex' } as unknown as SignatureSchemeConfig;
    expect(() => verifySignature(broken, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': GITHUB_SIGNATURE }, [GITHUB_SECRET])).toThrow(/unknown secret encoding "hex"/);
  });

  test('throws on a space-list scheme without a version prefix', () => {
    const broken = { ...configOf(SignatureScheme.standardWebhooks()), signaturePrefix: '' };
    const headers = { 'webhook-signature': `v1,${hmac('k', 'x', 'base64')}`, 'webhook-id': 'msg_1', 'webhook-timestamp': '1700000000' };
    expect(() => verifySignature(broken, '{}', headers, ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 1700000000)).toThrow(/a space-list scheme needs a signaturePrefix/);
  });

  test('throws on {id} in the signed payload without an idHeader', () => {
    const broken = { ...configOf(SignatureScheme.standardWebhooks()), idHeader: undefined };
    const headers = { 'webhook-signature': `v1,${hmac('k', 'x', 'base64')}`, 'webhook-timestamp': '1700000000' };
    expect(() => verifySignature(broken, '{}', headers, ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 1700000000)).toThrow(/signedPayload uses \{id\} but the scheme names no idHeader/);
  });
});

describe('signing keys', () => {
  test('a UTF-8 scheme keys the HMAC with the secret text as stored, whsec_ prefix included (Stripe)', () => {
    expect(signingKeyOf(STRIPE_SECRET, undefined)).toEqual(Buffer.from(STRIPE_SECRET, 'utf8'));
    expect(signingKeyOf(STRIPE_SECRET, 'utf8')).toEqual(Buffer.from(STRIPE_SECRET, 'utf8'));
  });

  test('the existing schemes bind no secretEncoding, so their secrets stay text', () => {
    for (const scheme of [SignatureScheme.githubHmacSha256(), SignatureScheme.stripe(), SignatureScheme.slack()]) {
      expect(configOf(scheme).secretEncoding).toBeUndefined();
    }
  });
});

describe('constantTimeEqual', () => {
  test('returns false for unequal lengths without throwing', () => {
    expect(constantTimeEqual(Buffer.alloc(32, 1), Buffer.alloc(31, 1))).toBe(false);
  });

  test('returns true only for equal bytes', () => {
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
  });
});
