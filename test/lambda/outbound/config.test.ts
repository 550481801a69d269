import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOutboundConfig } from '../../../lambda/outbound/config';
import { requestHeaders } from '../../../lambda/outbound/headers';
import type { OutboundConfigFile } from '../../../lib/outbound/outbound-config';

const dir = mkdtempSync(join(tmpdir(), 'outbound-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base: OutboundConfigFile = {
  version: 1,
  integration: 'PartnerOrders',
  mode: 'direct',
  endpoint: 'https://partner.example.com/orders',
  method: 'POST',
  timeoutMs: 5_000,
  maxAttempts: 30,
  deadLetterQueueUrl: { env: 'OUTBOUND_REF_DLQ' },
};
const env = { OUTBOUND_REF_DLQ: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq', OUTBOUND_REF_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s', OUTBOUND_REF_BUS: 'outbound-bus' };
let n = 0;
const load = (file: unknown, vars: NodeJS.ProcessEnv = env) => {
  const path = join(dir, `config-${n++}.json`);
  writeFileSync(path, JSON.stringify(file));
  return loadOutboundConfig(path, vars);
};

describe('the sender config file', () => {
  test("environment references are resolved; the hmac header defaults to OutboundAuth.hmacSha256()'s; query: PII entries are not payload paths", () => {
    const config = load({ ...base, signing: { kind: 'hmac-sha256', secretArn: { env: 'OUTBOUND_REF_SECRET' } }, pii: { mode: 'decrypt', paths: ['customer.email', 'query:email'] }, headers: { 'X-Partner-Account': 'acme' } });
    expect(config.deadLetterQueueUrl).toBe(env.OUTBOUND_REF_DLQ);
    expect(config.signing).toEqual({ kind: 'hmac-sha256', secretArn: env.OUTBOUND_REF_SECRET, header: 'X-Signature-256' });
    expect(config.pii).toEqual({ mode: 'decrypt', paths: ['customer.email'] });
  });

  test('api-destination mode needs the bus and the source', () => {
    expect(load({ ...base, mode: 'api-destination', eventBusName: { env: 'OUTBOUND_REF_BUS' }, eventSource: 'integrations.outbound' }).eventBusName).toBe('outbound-bus');
    expect(() => load({ ...base, mode: 'api-destination' })).toThrow('needs eventBusName and eventSource');
  });

  test.each([
    ['another version', { ...base, version: 2 }, 'version 2 is not supported'],
    ['an http:// endpoint', { ...base, endpoint: 'http://partner.example.com/orders' }, 'is not https://'],
    ['an endpoint that is no URL', { ...base, endpoint: 'partner.example.com' }, 'is not a URL'],
    ['a GET', { ...base, method: 'GET' }, 'is not POST, PUT or PATCH'],
    ['no timeout', { ...base, timeoutMs: 0 }, 'timeoutMs must be a positive number'],
    ['no attempts', { ...base, maxAttempts: 0 }, 'maxAttempts must be a positive integer'],
    ['a header name that is not a token', { ...base, headers: { 'X Note': 'a' } }, 'is not a valid HTTP header'],
    ['a header value with a line break', { ...base, headers: { 'X-Note': 'a\r\nX-Injected: 1' } }, 'is not a valid HTTP header'],
    ['a signing header that is not a name', { ...base, signing: { kind: 'hmac-sha256', secretArn: 'arn', header: 'X Signature' } }, 'signing header'],
    ['a signing header of the connection', { ...base, signing: { kind: 'hmac-sha256', secretArn: 'arn', header: 'Host' } }, 'signing header "Host" is not a header the sender can set'],
    ['an unknown signing kind', { ...base, signing: { kind: 'md5', secretArn: 'arn' } }, 'unknown signing kind'],
  ])('%s is refused at the cold start', (_what, file, message) => {
    expect(() => load(file)).toThrow(message);
  });

  test('a reference to a variable the function does not have is refused', () => {
    expect(() => load(base, {})).toThrow('OUTBOUND_REF_DLQ, which is not set');
  });
});

describe('the headers of a direct call', () => {
  test("content-type is JSON unless the config names another; the sender's own headers override the config's, whatever their case", () => {
    const headers = requestHeaders({ 'Content-Type': 'application/vnd.partner+json', 'X-Partner-Account': 'acme', traceparent: 'forged' }, { traceparent: '00-t-p-01', 'Idempotency-Key': 'm-1' });
    expect(headers).toEqual({ 'Content-Type': 'application/vnd.partner+json', 'X-Partner-Account': 'acme', traceparent: '00-t-p-01', 'Idempotency-Key': 'm-1' });
    expect(requestHeaders(undefined, {})).toEqual({ 'content-type': 'application/json' });
    // Headers of the connection, and those the sender sets, are never the config's (the construct refuses them at synth).
    expect(requestHeaders({ Host: 'other.example.com', 'Content-Length': '1', 'X-Amzn-Trace-Id': 'Root=forged', 'webhook-signature': 'v1,forged' }, {})).toEqual({ 'content-type': 'application/json' });
  });
});
