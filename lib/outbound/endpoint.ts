import { BlockList, isIP } from 'node:net';
import { Token } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../core/errors';

/**
 * Addresses an outbound endpoint may not name unless `allowPrivateEndpoint` is set: private,
 * loopback, link-local, shared (carrier-grade NAT), unspecified, multicast and reserved ranges.
 * @see https://www.rfc-editor.org/rfc/rfc6890 (special-purpose IPv4 and IPv6 registries)
 */
const PRIVATE_RANGES: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

/** The instance metadata service (IPv4 and IPv6): never an endpoint, even with `allowPrivateEndpoint` (the classic SSRF target). */
const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254'];

/** Host names that resolve to this machine or a private network by convention (RFC 6761, RFC 6762, and the `.internal` TLD ICANN reserved for private use). */
const PRIVATE_NAME = /(^|\.)(localhost|local|internal|home\.arpa)$/i;

/** The longest invocation endpoint an EventBridge API destination takes. @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateApiDestination.html */
export const MAX_ENDPOINT_LENGTH = 2047;

const blocked = new BlockList();
for (const [address, prefix, type] of PRIVATE_RANGES) blocked.addSubnet(address, prefix, type);

/** An endpoint, checked: its URL and host, fixed at synth. */
export interface CheckedEndpoint {
  readonly url: string;
  readonly host: string;
}

/**
 * Checks a partner endpoint: an `https://` URL given literally (no token: the host is fixed at
 * synth and recorded in the inventory), without user info or fragment, at most 2,047 characters,
 * whose host is not an IP address of a private, loopback, link-local or reserved range nor a
 * private name (`localhost`, `*.local`, `*.internal`) unless `allowPrivate`, and never the
 * instance metadata service.
 * @throws IntegrationConfigError naming `prop` for any of these
 */
export function checkEndpoint(owner: string, prop: string, endpoint: unknown, allowPrivate: boolean): CheckedEndpoint {
  if (typeof endpoint !== 'string' || Token.isUnresolved(endpoint)) {
    throw new IntegrationConfigError(owner, prop, endpoint, 'Give the partner endpoint as a literal https:// URL: its host is fixed at synth and recorded in the inventory.');
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new IntegrationConfigError(owner, prop, endpoint, 'Give an absolute URL, for example https://api.partner.example/v1/invoices.');
  }
  if (url.protocol !== 'https:') {
    throw new IntegrationConfigError(owner, prop, endpoint, 'Outbound calls use HTTPS only: give an https:// URL (credentials and personal data never travel in clear text).');
  }
  if (url.username || url.password) {
    throw new IntegrationConfigError(owner, prop, endpoint, 'Credentials never go in the URL: remove the user info and choose an OutboundAuth.');
  }
  if (url.hash) throw new IntegrationConfigError(owner, prop, endpoint, 'Remove the fragment (#...): it is never sent to the server.');
  if (endpoint.length > MAX_ENDPOINT_LENGTH) {
    throw new IntegrationConfigError(owner, prop, `${endpoint.slice(0, 60)}...`, `Give at most ${MAX_ENDPOINT_LENGTH} characters (EventBridge's limit for an API destination's endpoint).`);
  }
  // A trailing dot is the same name, fully qualified (`localhost.`); an IPv4-mapped IPv6 address is its IPv4 address.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const family = isIP(host);
  // Stryker disable next-line Regex: equivalent, see reports/mutation/EQUIVALENT.md
  const mapped = family === 6 ? (/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host)?.[1] ?? ipv4OfMappedHex(host)) : undefined;
  if ((family !== 0 && METADATA_ADDRESSES.includes(normalizeIp(host, family))) || (mapped !== undefined && METADATA_ADDRESSES.includes(mapped))) {
    throw new IntegrationConfigError(owner, prop, endpoint, 'That is the instance metadata service, never a partner: give the partner\'s address.');
  }
  if (!allowPrivate) {
    const isPrivate = family === 4 ? blocked.check(host, 'ipv4') : family === 6 ? (mapped ? blocked.check(mapped, 'ipv4') : blocked.check(host, 'ipv6')) : PRIVATE_NAME.test(host);
    if (isPrivate) {
      throw new IntegrationConfigError(
        owner,
        prop,
        endpoint,
        'The host is a private, loopback, link-local or reserved address (or a private name): a partner is reached on a public address. Set allowPrivateEndpoint: true if this is deliberate (a partner reached over a VPN or Direct Connect).',
      );
    }
  }
  return { url: url.toString(), host: url.host };
}

/** The IPv4 address of an IPv4-mapped IPv6 address in hex form (`::ffff:a9fe:a9fe`, as the URL parser writes it), or undefined. */
function ipv4OfMappedHex(host: string): string | undefined {
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(host);
  if (!m) return undefined;
  const hi = parseInt(m[1], 16);
  const lo = parseInt(m[2], 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

function normalizeIp(host: string, family: number): string {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see reports/mutation/EQUIVALENT.md
  return family === 6 ? host.toLowerCase() : host;
}
