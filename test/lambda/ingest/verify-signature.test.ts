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

describe('digest header format: the prefix and the digest', () => {
  const config = configOf(SignatureScheme.githubHmacSha256());
  const digest = GITHUB_SIGNATURE.slice('sha256='.length);
  const verify = (header: string) => verifySignature(config, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': header }, [GITHUB_SECRET]);

  test('a SHA-1 header where sha256= is required is malformed, and the detail names the prefix wanted', () => {
    expect(verify(`sha1=${createHmac('sha1', GITHUB_SECRET).update(GITHUB_PAYLOAD).digest('hex')}`)).toEqual({
      ok: false,
      reason: VerificationFailureReason.MALFORMED_HEADER,
      detail: "'X-Hub-Signature-256' does not start with 'sha256='",
    });
  });

  test('the right digest under another label of the same length is refused, not read past the label', () => {
    for (const label of ['sha384=', 'SHA256=', 'sha256:']) {
      expect(verify(`${label}${digest}`)).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER, detail: expect.stringContaining("does not start with 'sha256='") });
    }
  });

  test('junk before or after a valid hex digest is refused as malformed, and the detail says what a digest is', () => {
    for (const header of [`sha256=00${digest}`, `sha256=zz${digest}`, `sha256= ${digest}`, `sha256=${digest}00`, `sha256=${digest}.`]) {
      expect(verify(header)).toEqual({
        ok: false,
        reason: VerificationFailureReason.MALFORMED_HEADER,
        detail: "'X-Hub-Signature-256' holds no digest of 64 hexadecimal characters",
      });
    }
  });

  test('uppercase hex is the same digest', () => {
    expect(verify(`sha256=${digest.toUpperCase()}`)).toStrictEqual({ ok: true, secretIndex: 0 });
  });

  test('junk before or after a valid base64 digest is refused as malformed, and the detail says what a digest is', () => {
    const config64 = configOf(SignatureScheme.hmacSha256({ header: 'X-Shopify-Hmac-Sha256', encoding: DigestEncoding.BASE64 }));
    const good = hmac('shpss_secret', '{}', 'base64');
    expect(verifySignature(config64, '{}', { 'X-Shopify-Hmac-Sha256': good }, ['shpss_secret']).ok).toBe(true);
    for (const header of [`AAAA${good}`, `A${good}`, `${good}AAAA`, `${good}=`]) {
      expect(verifySignature(config64, '{}', { 'X-Shopify-Hmac-Sha256': header }, ['shpss_secret'])).toEqual({
        ok: false,
        reason: VerificationFailureReason.MALFORMED_HEADER,
        detail: "'X-Shopify-Hmac-Sha256' holds no digest of 44 base64 characters",
      });
    }
  });

  test('a scheme without a prefix takes the bare digest', () => {
    const bare = configOf(SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX }));
    expect(verifySignature(bare, GITHUB_PAYLOAD, { 'X-Signature': digest }, [GITHUB_SECRET])).toStrictEqual({ ok: true, secretIndex: 0 });
    // A config written before signaturePrefix was always set: no prefix either.
    const older = Object.fromEntries(Object.entries(bare).filter(([key]) => key !== 'signaturePrefix'));
    expect(verifySignature(older as unknown as SignatureSchemeConfig, GITHUB_PAYLOAD, { 'X-Signature': digest }, [GITHUB_SECRET])).toStrictEqual({ ok: true, secretIndex: 0 });
    expect(verifySignature(older as unknown as SignatureSchemeConfig, GITHUB_PAYLOAD, { 'X-Signature': GITHUB_SIGNATURE }, [GITHUB_SECRET])).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER });
  });

  test('a mismatch says which header did not match and never how', () => {
    expect(verify(`sha256=${'0'.repeat(64)}`)).toEqual({
      ok: false,
      reason: VerificationFailureReason.MISMATCH,
      detail: "the signature in 'X-Hub-Signature-256' matches the body under none of the signing secrets",
    });
  });

  test('a scheme that signs no timestamp reports none on success', () => {
    const result = verify(GITHUB_SIGNATURE);
    expect(result).toStrictEqual({ ok: true, secretIndex: 0 });
    expect(Object.keys(result)).not.toContain('timestampSeconds');
  });
});

describe('headers as received', () => {
  const config = configOf(SignatureScheme.githubHmacSha256());

  test('surrounding whitespace of a header value is not part of it', () => {
    expect(verifySignature(config, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': ` ${GITHUB_SIGNATURE}\t` }, [GITHUB_SECRET])).toStrictEqual({ ok: true, secretIndex: 0 });
  });

  test('the same header twice with the same value (up to surrounding whitespace) is one header', () => {
    const headers = { 'X-Hub-Signature-256': GITHUB_SIGNATURE, 'x-hub-signature-256': ` ${GITHUB_SIGNATURE} ` };
    expect(verifySignature(config, GITHUB_PAYLOAD, headers, [GITHUB_SECRET])).toStrictEqual({ ok: true, secretIndex: 0 });
  });

  test('the same header twice with different values is malformed, even when one of them is genuine, and the detail says so', () => {
    const headers = { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, 'X-Hub-Signature-256': GITHUB_SIGNATURE };
    expect(verifySignature(config, GITHUB_PAYLOAD, headers, [GITHUB_SECRET])).toEqual({
      ok: false,
      reason: VerificationFailureReason.MALFORMED_HEADER,
      detail: "the 'X-Hub-Signature-256' header appears more than once with different values",
    });
  });

  test('other headers, an undefined value and a blank duplicate do not count as the signature header', () => {
    const headers = { 'content-type': 'text/plain', 'x-hub-signature': 'sha1=abc', 'X-Hub-Signature-256': GITHUB_SIGNATURE, 'x-hub-signature-256': ' ', 'X-HUB-SIGNATURE-256': undefined };
    expect(verifySignature(config, GITHUB_PAYLOAD, headers, [GITHUB_SECRET])).toStrictEqual({ ok: true, secretIndex: 0 });
  });

  test('the missing-header detail names the header', () => {
    expect(verifySignature(config, GITHUB_PAYLOAD, {}, [GITHUB_SECRET])).toEqual({
      ok: false,
      reason: VerificationFailureReason.MISSING_HEADER,
      detail: "the 'X-Hub-Signature-256' header is missing or blank",
    });
  });
});

describe('the raw body', () => {
  const config = configOf(SignatureScheme.githubHmacSha256());
  const body = '{"name":"Zoë","city":"東京"}';
  const signature = `sha256=${hmac('s3cret', Buffer.from(body, 'utf8'))}`;

  test('a string body is hashed as its UTF-8 bytes, the same as the Buffer of those bytes', () => {
    expect(verifySignature(config, body, { 'X-Hub-Signature-256': signature }, ['s3cret'])).toStrictEqual({ ok: true, secretIndex: 0 });
    expect(verifySignature(config, Buffer.from(body, 'utf8'), { 'X-Hub-Signature-256': signature }, ['s3cret'])).toStrictEqual({ ok: true, secretIndex: 0 });
  });

  test('the same text in another encoding is another body', () => {
    expect(verifySignature(config, Buffer.from(body, 'utf16le'), { 'X-Hub-Signature-256': signature }, ['s3cret'])).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
    expect(verifySignature(config, Buffer.from(body, 'latin1'), { 'X-Hub-Signature-256': signature }, ['s3cret'])).toMatchObject({ ok: false, reason: VerificationFailureReason.MISMATCH });
  });

  test('an empty body is signed like any other', () => {
    expect(verifySignature(config, '', { 'X-Hub-Signature-256': `sha256=${hmac('s3cret', '')}` }, ['s3cret']).ok).toBe(true);
    expect(verifySignature(config, Buffer.alloc(0), { 'X-Hub-Signature-256': `sha256=${hmac('s3cret', '')}` }, ['s3cret']).ok).toBe(true);
  });
});

describe('key-value-list header format (Stripe)', () => {
  const config = configOf(SignatureScheme.stripe());
  const v1 = stripeV1(STRIPE_SECRET);
  const verify = (header: string, now = STRIPE_T) => verifySignature(config, STRIPE_BODY, { 'Stripe-Signature': header }, [STRIPE_SECRET], now);
  const accepted = { ok: true, secretIndex: 0, timestampSeconds: STRIPE_T };

  test('elements without "=" are ignored, including ones that begin like a key', () => {
    expect(verify(`t=${STRIPE_T},v1=${v1},tx`)).toStrictEqual(accepted);
    expect(verify(`tt,t=${STRIPE_T},v1=${v1}`)).toStrictEqual(accepted);
    expect(verify(`t=${STRIPE_T},,v1=${v1},v1x,junk`)).toStrictEqual(accepted);
  });

  test('whitespace around keys and values is not part of them', () => {
    expect(verify(`t=${STRIPE_T}, v1=${v1}`)).toStrictEqual(accepted);
    expect(verify(` t = ${STRIPE_T} , v1 = ${v1} `)).toStrictEqual(accepted);
  });

  test('keys are matched exactly: "T=" and "v10=" are other keys', () => {
    expect(verify(`T=${STRIPE_T},v1=${v1}`)).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER, detail: expect.stringContaining("exactly one 't=' element, found 0") });
    expect(verify(`t=${STRIPE_T},v10=${v1}`)).toMatchObject({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER, detail: expect.stringContaining("holds no 'v1=' signature") });
  });

  test('two timestamps are malformed, even equal ones, and the detail counts them', () => {
    for (const header of [`t=${STRIPE_T},t=${STRIPE_T + 1},v1=${v1}`, `t=${STRIPE_T},v1=${v1},t=${STRIPE_T}`]) {
      expect(verify(header)).toEqual({
        ok: false,
        reason: VerificationFailureReason.MALFORMED_HEADER,
        detail: "'Stripe-Signature' must hold exactly one 't=' element, found 2",
      });
    }
  });

  test('no timestamp is malformed, and the detail says none was found', () => {
    expect(verify(`v1=${v1}`)).toEqual({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER, detail: "'Stripe-Signature' must hold exactly one 't=' element, found 0" });
  });

  test('no signature key is malformed, and the detail names the key wanted', () => {
    for (const header of [`t=${STRIPE_T}`, `t=${STRIPE_T},v0=${v1}`, `t=${STRIPE_T},${v1}`]) {
      expect(verify(header)).toEqual({ ok: false, reason: VerificationFailureReason.MALFORMED_HEADER, detail: "'Stripe-Signature' holds no 'v1=' signature" });
    }
  });

  test('a timestamp that is not whole seconds is malformed, and the detail says so', () => {
    for (const t of ['1700000000.5', '-1700000000', '', '0x6553f100', '1'.repeat(13)]) {
      expect(verify(`t=${t},v1=${v1}`)).toEqual({
        ok: false,
        reason: VerificationFailureReason.MALFORMED_HEADER,
        detail: 'the signed timestamp is not a Unix time in whole seconds',
      });
    }
  });

  test('a scheme without its timestamp or signature key is a configuration error', () => {
    for (const key of ['timestampKey', 'signatureKey'] as const) {
      const broken = { ...config, [key]: undefined };
      expect(() => verifySignature(broken, STRIPE_BODY, { 'Stripe-Signature': `t=${STRIPE_T},v1=${v1}` }, [STRIPE_SECRET], STRIPE_T)).toThrow(
        new SignatureConfigurationError('a key-value-list scheme needs timestampKey and signatureKey'),
      );
    }
  });
});

describe('the replay window', () => {
  const config = configOf(SignatureScheme.slack());
  const signed = (t: number, body = SLACK_BODY) => ({ 'X-Slack-Signature': `v0=${hmac(SLACK_SECRET, `v0:${t}:${body}`)}`, 'X-Slack-Request-Timestamp': String(t) });

  test("a fresh request verifies against the receiver's clock when no time is passed", () => {
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(config, SLACK_BODY, signed(now), [SLACK_SECRET])).toStrictEqual({ ok: true, secretIndex: 0, timestampSeconds: now });
  });

  test("a stale request is refused against the receiver's clock when no time is passed", () => {
    const old = Math.floor(Date.now() / 1000) - 3600;
    expect(verifySignature(config, SLACK_BODY, signed(old), [SLACK_SECRET])).toMatchObject({
      ok: false,
      reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE,
      detail: expect.stringMatching(/^the signed timestamp is 3[56]\d\d s in the past; the tolerance is 300 s$/),
    });
  });

  test('the detail says exactly how far in the past or the future the timestamp is', () => {
    expect(verifySignature(config, SLACK_BODY, signed(SLACK_TIMESTAMP), [SLACK_SECRET], SLACK_TIMESTAMP + 1000)).toEqual({
      ok: false,
      reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE,
      detail: 'the signed timestamp is 1000 s in the past; the tolerance is 300 s',
    });
    expect(verifySignature(config, SLACK_BODY, signed(SLACK_TIMESTAMP), [SLACK_SECRET], SLACK_TIMESTAMP - 1000)).toEqual({
      ok: false,
      reason: VerificationFailureReason.TIMESTAMP_OUT_OF_TOLERANCE,
      detail: 'the signed timestamp is 1000 s in the future; the tolerance is 300 s',
    });
  });

  test('the timestamp as signed is the one reported, at the same second as the clock too', () => {
    expect(verifySignature(config, SLACK_BODY, signed(SLACK_TIMESTAMP), [SLACK_SECRET], SLACK_TIMESTAMP)).toStrictEqual({ ok: true, secretIndex: 0, timestampSeconds: SLACK_TIMESTAMP });
  });

  test.each([
    ['no toleranceSeconds', undefined],
    ['a zero toleranceSeconds', 0],
    ['a negative toleranceSeconds', -300],
    ['a toleranceSeconds that is not a number', '300'],
    ['a NaN toleranceSeconds', Number.NaN],
  ])('a timestamped scheme with %s is a configuration error, not a pass', (_what, toleranceSeconds) => {
    const broken = { ...config, toleranceSeconds } as unknown as SignatureSchemeConfig;
    const call = () => verifySignature(broken, SLACK_BODY, signed(SLACK_TIMESTAMP), [SLACK_SECRET], SLACK_TIMESTAMP);
    expect(call).toThrow(SignatureConfigurationError);
    expect(call).toThrow('the scheme signs a timestamp but sets no positive toleranceSeconds');
  });

  test('a template with {timestamp} in a scheme that carries none is a configuration error', () => {
    const broken = { ...configOf(SignatureScheme.githubHmacSha256()), signedPayload: '{timestamp}.{body}' };
    const call = () => verifySignature(broken, GITHUB_PAYLOAD, { 'X-Hub-Signature-256': GITHUB_SIGNATURE }, [GITHUB_SECRET]);
    expect(call).toThrow(SignatureConfigurationError);
    expect(call).toThrow('signedPayload uses {timestamp} but the scheme carries no timestamp');
  });
});

describe('secrets and the result', () => {
  const config = configOf(SignatureScheme.stripe());
  const header = `t=${STRIPE_T},v1=${stripeV1(STRIPE_SECRET)},v1=${stripeV1(STRIPE_PREVIOUS_SECRET)}`;
  const verify = (secrets: unknown[]) => verifySignature(config, STRIPE_BODY, { 'Stripe-Signature': header }, secrets as string[], STRIPE_T);

  test('when several secrets match, the first of them is reported', () => {
    expect(verify([STRIPE_SECRET, STRIPE_PREVIOUS_SECRET])).toStrictEqual({ ok: true, secretIndex: 0, timestampSeconds: STRIPE_T });
    expect(verify([STRIPE_PREVIOUS_SECRET, STRIPE_SECRET])).toStrictEqual({ ok: true, secretIndex: 0, timestampSeconds: STRIPE_T });
    expect(verify(['whsec_unrelated', STRIPE_PREVIOUS_SECRET, STRIPE_SECRET])).toStrictEqual({ ok: true, secretIndex: 1, timestampSeconds: STRIPE_T });
  });

  test('an empty secret list is a configuration error that says what to pass', () => {
    expect(() => verify([])).toThrow(new SignatureConfigurationError('no signing secret: pass the current secret (and, during a rotation, the previous one)'));
  });

  test('an empty secret, or one that is not a string, is a configuration error, wherever it stands in the list', () => {
    for (const secrets of [[''], ['', STRIPE_SECRET], [STRIPE_SECRET, undefined], [STRIPE_SECRET, 42]]) {
      expect(() => verify(secrets)).toThrow(new SignatureConfigurationError('a signing secret is empty or not a string'));
    }
  });

  test('a configuration error is named as such in logs and by instanceof', () => {
    let caught: unknown;
    try {
      verify([]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SignatureConfigurationError);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).name).toBe('SignatureConfigurationError');
    expect(String(caught)).toMatch(/^SignatureConfigurationError: no signing secret/);
  });

  test('an unknown header format is a configuration error naming it', () => {
    const broken = { ...config, headerFormat: 'bogus' } as unknown as SignatureSchemeConfig;
    expect(() => verifySignature(broken, STRIPE_BODY, { 'Stripe-Signature': `v1,${hmac('k', 'x', 'base64')}` }, [STRIPE_SECRET], STRIPE_T)).toThrow(
      new SignatureConfigurationError('unknown signature header format "bogus"'),
    );
  });

  test("a junk whsec_ secret is refused as a configuration error naming the secret's form", () => {
    const whsec = { ...configOf(SignatureScheme.standardWebhooks()) };
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(STRIPE_T), 'webhook-signature': `v1,${hmac('k', 'x', 'base64')}` };
    expect(() => verifySignature(whsec, '{}', headers, ['whsec_not base64!'], STRIPE_T)).toThrow(
      new SignatureConfigurationError('a signing secret is not whsec_ followed by padded standard base64 of the key'),
    );
  });
});
