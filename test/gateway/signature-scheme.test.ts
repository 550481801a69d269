import { CfnParameter, Stack } from 'aws-cdk-lib';
import { DigestEncoding, SecretEncoding, SignatureHeaderFormat, SignatureScheme } from '../../lib/gateway/signature-scheme';

describe('SignatureScheme factories', () => {
  test('githubHmacSha256 binds X-Hub-Signature-256 with the sha256= prefix over the body, no timestamp, X-GitHub-Delivery as the delivery id', () => {
    // WHEN
    const config = SignatureScheme.githubHmacSha256().bind();
    // THEN
    expect(config).toEqual({
      scheme: 'github-hmac-sha256',
      description: 'X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of {body}>',
      signatureHeader: 'X-Hub-Signature-256',
      headerFormat: SignatureHeaderFormat.DIGEST,
      signaturePrefix: 'sha256=',
      encoding: DigestEncoding.HEX,
      signedPayload: '{body}',
      deliveryId: { header: 'X-GitHub-Delivery' },
    });
  });

  test('stripe binds a t=/v1= list over "{timestamp}.{body}" with a 300 s default tolerance', () => {
    const config = SignatureScheme.stripe().bind();
    expect(config).toMatchObject({
      signatureHeader: 'Stripe-Signature',
      headerFormat: SignatureHeaderFormat.KEY_VALUE_LIST,
      timestampKey: 't',
      signatureKey: 'v1',
      encoding: DigestEncoding.HEX,
      signedPayload: '{timestamp}.{body}',
      toleranceSeconds: 300,
    });
  });

  test("stripe's delivery id is the event id in the body", () => {
    expect(SignatureScheme.stripe().bind().deliveryId).toEqual({ bodyPointer: '/id' });
  });

  test('stripe takes a custom tolerance', () => {
    expect(SignatureScheme.stripe({ toleranceSeconds: 60 }).bind().toleranceSeconds).toBe(60);
  });

  test('slack binds v0= over "v0:{timestamp}:{body}" with X-Slack-Request-Timestamp and a 300 s tolerance', () => {
    const config = SignatureScheme.slack().bind();
    expect(config).toMatchObject({
      signatureHeader: 'X-Slack-Signature',
      headerFormat: SignatureHeaderFormat.DIGEST,
      signaturePrefix: 'v0=',
      timestampHeader: 'X-Slack-Request-Timestamp',
      signedPayload: 'v0:{timestamp}:{body}',
      toleranceSeconds: 300,
    });
  });

  test('slack binds no delivery id (slash commands carry none)', () => {
    expect(Object.keys(SignatureScheme.slack().bind())).not.toContain('deliveryId');
  });

  test('the existing schemes leave idHeader and secretEncoding out (their secrets are UTF-8 text)', () => {
    for (const scheme of [SignatureScheme.githubHmacSha256(), SignatureScheme.stripe(), SignatureScheme.slack()]) {
      expect(Object.keys(scheme.bind())).not.toContain('idHeader');
      expect(Object.keys(scheme.bind())).not.toContain('secretEncoding');
    }
  });

  test('hmacSha256 Shopify-style binds a bare base64 digest over the body and leaves the timestamp fields out', () => {
    const config = SignatureScheme.hmacSha256({ header: 'X-Shopify-Hmac-Sha256', encoding: DigestEncoding.BASE64 }).bind();
    expect(config).toMatchObject({ signatureHeader: 'X-Shopify-Hmac-Sha256', signaturePrefix: '', encoding: 'base64', signedPayload: '{body}' });
    expect(Object.keys(config)).not.toContain('timestampHeader');
    expect(Object.keys(config)).not.toContain('toleranceSeconds');
    expect(Object.keys(config)).not.toContain('deliveryId');
  });

  test('hmacSha256 binds deliveryIdHeader as the delivery id (Shopify)', () => {
    const config = SignatureScheme.hmacSha256({ header: 'X-Shopify-Hmac-Sha256', encoding: DigestEncoding.BASE64, deliveryIdHeader: 'X-Shopify-Webhook-Id' }).bind();
    expect(config.deliveryId).toEqual({ header: 'X-Shopify-Webhook-Id' });
  });

  test('hmacSha256 with a timestamp header defaults to "{timestamp}.{body}" and 300 s', () => {
    const config = SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, timestampHeader: 'X-Timestamp' }).bind();
    expect(config).toMatchObject({ timestampHeader: 'X-Timestamp', signedPayload: '{timestamp}.{body}', toleranceSeconds: 300 });
  });

  test('hmacSha256 accepts a Zendesk-style template without a separator', () => {
    const config = SignatureScheme.hmacSha256({
      header: 'X-Zendesk-Webhook-Signature',
      encoding: DigestEncoding.BASE64,
      timestampHeader: 'X-Zendesk-Webhook-Signature-Timestamp',
      signedPayload: '{timestamp}{body}',
    }).bind();
    expect(config.signedPayload).toBe('{timestamp}{body}');
  });

  test('the bound config is plain data that survives JSON unchanged', () => {
    const config = SignatureScheme.slack({ toleranceSeconds: 120 }).bind();
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  test('tolerance boundaries 1 s and 3600 s are accepted', () => {
    expect(SignatureScheme.slack({ toleranceSeconds: 1 }).bind().toleranceSeconds).toBe(1);
    expect(SignatureScheme.slack({ toleranceSeconds: 3600 }).bind().toleranceSeconds).toBe(3600);
  });

  test('an unresolved header name (a CloudFormation parameter) is not validated at synth', () => {
    const header = new CfnParameter(new Stack(), 'Header').valueAsString;
    expect(() => SignatureScheme.hmacSha256({ header, encoding: DigestEncoding.HEX })).not.toThrow();
  });
});

describe('SignatureScheme.standardWebhooks', () => {
  test('binds webhook-signature as a space list of v1, entries over "{id}.{timestamp}.{body}", whsec_ secrets, 300 s, webhook-id as the delivery id', () => {
    // WHEN
    const config = SignatureScheme.standardWebhooks().bind();
    // THEN
    expect(config).toEqual({
      scheme: 'standard-webhooks-v1',
      description:
        'webhook-signature: v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{body}> (space-separated), id in webhook-id, timestamp in webhook-timestamp, whsec_ base64 secret',
      signatureHeader: 'webhook-signature',
      headerFormat: SignatureHeaderFormat.SPACE_LIST,
      signaturePrefix: 'v1,',
      timestampHeader: 'webhook-timestamp',
      idHeader: 'webhook-id',
      encoding: DigestEncoding.BASE64,
      secretEncoding: SecretEncoding.WHSEC_BASE64,
      signedPayload: '{id}.{timestamp}.{body}',
      toleranceSeconds: 300,
      deliveryId: { header: 'webhook-id' },
    });
  });

  test('takes a custom tolerance, and its config survives JSON unchanged', () => {
    const config = SignatureScheme.standardWebhooks({ toleranceSeconds: 60 }).bind();
    expect(config.toleranceSeconds).toBe(60);
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  test('rejects a zero tolerance, naming the factory, the prop and the fix', () => {
    expect(() => SignatureScheme.standardWebhooks({ toleranceSeconds: 0 })).toThrow(
      /^SignatureScheme\.standardWebhooks: invalid `toleranceSeconds` 0\. Use a whole number of seconds from 1 to 3600; 300 \(five minutes\)/,
    );
  });

  test('rejects a tolerance over an hour', () => {
    expect(() => SignatureScheme.standardWebhooks({ toleranceSeconds: 7200 })).toThrow(/SignatureScheme\.standardWebhooks: invalid `toleranceSeconds` 7200\. Use a whole number/);
  });

  test('rejects a tolerance given in milliseconds, and a fractional one', () => {
    expect(() => SignatureScheme.standardWebhooks({ toleranceSeconds: 300_000 })).toThrow(/invalid `toleranceSeconds` 300000/);
    expect(() => SignatureScheme.standardWebhooks({ toleranceSeconds: 2.5 })).toThrow(/invalid `toleranceSeconds` 2\.5/);
  });

  test('leaves an unresolved tolerance (a CloudFormation parameter) to deploy time', () => {
    const tolerance = new CfnParameter(new Stack(), 'Tolerance', { type: 'Number' }).valueAsNumber;
    expect(() => SignatureScheme.standardWebhooks({ toleranceSeconds: tolerance })).not.toThrow();
  });
});

describe('SignatureScheme validation', () => {
  test('rejects an empty header name', () => {
    expect(() => SignatureScheme.hmacSha256({ header: '', encoding: DigestEncoding.HEX })).toThrow(
      /SignatureScheme\.hmacSha256: invalid `header` ''\. Name the HTTP header/,
    );
  });

  test('rejects a missing header name from an untyped caller', () => {
    const options = { encoding: DigestEncoding.HEX } as unknown as { header: string; encoding: DigestEncoding };
    expect(() => SignatureScheme.hmacSha256(options)).toThrow(/invalid `header` \(not set\)\. Name the HTTP header/);
  });

  test('rejects a header name with a space, citing RFC 9110 tokens', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X Signature', encoding: DigestEncoding.HEX })).toThrow(
      /invalid `header` 'X Signature'\. A header name is an HTTP token \(RFC 9110 section 5\.6\.2\)/,
    );
  });

  test('rejects a header name written with its colon', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature:', encoding: DigestEncoding.HEX })).toThrow(/invalid `header` 'X-Signature:'\. A header name is an HTTP token/);
  });

  test('rejects an invalid timestamp header name', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, timestampHeader: 'X-Time(stamp)' })).toThrow(
      /invalid `timestampHeader` 'X-Time\(stamp\)'\. A header name is an HTTP token/,
    );
  });

  test('rejects a timestamp header that is the signature header in another case', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, timestampHeader: 'x-signature' })).toThrow(
      /invalid `timestampHeader` 'x-signature'\. The timestamp and the signature travel in two different headers/,
    );
  });

  test('rejects an unknown encoding', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: 'HEX' as unknown as DigestEncoding })).toThrow(
      /invalid `encoding` 'HEX'\. Use DigestEncoding\.HEX or DigestEncoding\.BASE64/,
    );
  });

  test('rejects a prefix with a space', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, prefix: 'sha256 =' })).toThrow(
      /invalid `prefix` 'sha256 ='\. Use up to 32 visible ASCII characters without spaces/,
    );
  });

  test('rejects a tolerance without a timestamp header', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, toleranceSeconds: 300 })).toThrow(
      /invalid `toleranceSeconds` 300\. A replay tolerance needs a signed timestamp: set timestampHeader/,
    );
  });

  test('rejects a zero tolerance', () => {
    expect(() => SignatureScheme.stripe({ toleranceSeconds: 0 })).toThrow(/SignatureScheme\.stripe: invalid `toleranceSeconds` 0\. Use a whole number of seconds from 1 to 3600/);
  });

  test('rejects a tolerance over an hour', () => {
    expect(() => SignatureScheme.slack({ toleranceSeconds: 3601 })).toThrow(/SignatureScheme\.slack: invalid `toleranceSeconds` 3601\. Use a whole number of seconds from 1 to 3600/);
  });

  test('rejects a fractional tolerance', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, timestampHeader: 'X-Timestamp', toleranceSeconds: 1.5 })).toThrow(
      /invalid `toleranceSeconds` 1\.5\. Use a whole number of seconds/,
    );
  });

  test('rejects a signed payload without {body}', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, signedPayload: 'payload' })).toThrow(
      /invalid `signedPayload` 'payload'\. Include \{body\} exactly once/,
    );
  });

  test('rejects a signed payload with {body} twice', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, signedPayload: '{body}.{body}' })).toThrow(
      /invalid `signedPayload` '\{body\}\.\{body\}'\. Include \{body\} exactly once/,
    );
  });

  test('rejects an unknown placeholder', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, timestampHeader: 'X-Timestamp', signedPayload: '{ts}.{body}' })).toThrow(
      /invalid `signedPayload` '\{ts\}\.\{body\}'\. The only placeholders are \{body\} and \{timestamp\}/,
    );
  });

  test('rejects {id} in hmacSha256 (only standardWebhooks signs a message id)', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, timestampHeader: 'X-Timestamp', signedPayload: '{id}.{timestamp}.{body}' })).toThrow(
      /invalid `signedPayload` '\{id\}\.\{timestamp\}\.\{body\}'\. The only placeholders are \{body\} and \{timestamp\}/,
    );
  });

  test('rejects a timestamp header whose timestamp is not signed', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, timestampHeader: 'X-Timestamp', signedPayload: '{body}' })).toThrow(
      /invalid `signedPayload` '\{body\}'\. Include \{timestamp\} exactly once: a timestamp that is not signed/,
    );
  });

  test('rejects an invalid deliveryIdHeader name', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, deliveryIdHeader: 'X Webhook Id' })).toThrow(
      /SignatureScheme\.hmacSha256: invalid `deliveryIdHeader` 'X Webhook Id'\. A header name is an HTTP token \(RFC 9110 section 5\.6\.2\)/,
    );
  });

  test('rejects an empty deliveryIdHeader', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, deliveryIdHeader: '' })).toThrow(
      /invalid `deliveryIdHeader` ''\. Name the HTTP header/,
    );
  });

  test('rejects a deliveryIdHeader that is the signature header in another case', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Shopify-Hmac-Sha256', encoding: DigestEncoding.BASE64, deliveryIdHeader: 'x-shopify-hmac-sha256' })).toThrow(
      /invalid `deliveryIdHeader` 'x-shopify-hmac-sha256'\. The delivery id travels in its own header, not in 'X-Shopify-Hmac-Sha256'/,
    );
  });

  test('rejects a deliveryIdHeader that is the timestamp header', () => {
    expect(() =>
      SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, timestampHeader: 'X-Timestamp', deliveryIdHeader: 'X-Timestamp' }),
    ).toThrow(/invalid `deliveryIdHeader` 'X-Timestamp'\. The delivery id travels in its own header, not in 'X-Timestamp'/);
  });

  test('rejects {timestamp} without a timestamp header', () => {
    expect(() => SignatureScheme.hmacSha256({ header: 'X-Signature', encoding: DigestEncoding.HEX, signedPayload: '{timestamp}.{body}' })).toThrow(
      /invalid `signedPayload` '\{timestamp\}\.\{body\}'\. The template uses \{timestamp\}: set timestampHeader/,
    );
  });
});
