import { isIPv4, isIPv6 } from 'node:net';
import { Token } from 'aws-cdk-lib';
import { IntegrationConfigError } from '../core/errors';

/**
 * Most addresses or ranges one `AWS::WAFv2::IPSet` holds.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-ipset-match.html
 */
export const MAX_ADDRESSES_PER_IP_SET = 10_000;

/** The address version of an IP set: WAF holds one version per set. */
export enum IpAddressVersion {
  IPV4 = 'IPV4',
  IPV6 = 'IPV6',
}

/** One allowlist entry as a network: its version and its normalized `address/prefix`. */
export interface NetworkCidr {
  readonly version: IpAddressVersion;
  /** The network address and prefix length, e.g. `10.0.0.0/24` or `2001:db8::/32`. */
  readonly cidr: string;
}

/** An allowlist split by address version, deduplicated, in the order given. */
export interface SplitAllowlist {
  readonly ipv4: string[];
  readonly ipv6: string[];
}

const BITS: Record<IpAddressVersion, number> = { [IpAddressVersion.IPV4]: 32, [IpAddressVersion.IPV6]: 128 };

/**
 * Parses one allowlist entry: a bare address (taken as /32 or /128) or a network in CIDR notation.
 * Addresses are checked with node:net (`isIPv4`, `isIPv6`) and IPv6 is canonicalized by the WHATWG
 * URL parser, never by a regular expression.
 *
 * @returns the network, or the reason the entry is not one (a sentence for an error's fix)
 */
export function parseNetworkCidr(entry: string): NetworkCidr | string {
  const text = entry.trim();
  const parts = text.split('/');
  if (parts.length > 2) return 'An entry is one address or one network in CIDR notation, with at most one "/".';
  const [address, prefixText] = parts;
  const version = isIPv4(address) ? IpAddressVersion.IPV4 : isIPv6(address) && !address.includes('%') ? IpAddressVersion.IPV6 : undefined;
  if (version === undefined) {
    return 'Write an IPv4 address like 203.0.113.7 or an IPv6 address like 2001:db8::7 (no zone id), optionally followed by "/prefix".';
  }
  const bits = BITS[version];
  let prefix = bits;
  if (prefixText !== undefined) {
    // Digits without a leading zero: '010' is no prefix length (read as octal elsewhere, it is /8).
    if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
      return `The prefix length of an ${version === IpAddressVersion.IPV4 ? 'IPv4' : 'IPv6'} network is a whole number from 1 to ${bits}.`;
    }
    prefix = Number(prefixText);
  }
  if (prefix === 0) {
    return `/0 matches every address, so it is no allowlist (and AWS WAF rejects /0); leave the allowlist out to allow all addresses, or list the networks to allow.`;
  }
  const value = version === IpAddressVersion.IPV4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostBits = BigInt(bits - prefix);
  const network = (value >> hostBits) << hostBits;
  const format = version === IpAddressVersion.IPV4 ? bigIntToIpv4 : bigIntToIpv6;
  if (network !== value) {
    return (
      `${text} has host bits set; the network is ${format(network)}/${prefix}. Write ${format(network)}/${prefix} for the ` +
      `network, or ${format(value)}/${bits} for the one address.`
    );
  }
  return { version, cidr: `${format(network)}/${prefix}` };
}

/**
 * Checks an allowlist and splits it into the IPv4 and the IPv6 networks (WAF wants one address
 * version per IP set).
 *
 * @param owner construct path or integration name, for the error message
 * @param prop the prop that holds the list, e.g. `waf.ipAllowlist`
 * @throws IntegrationConfigError for an empty list, a malformed entry, a network with host bits
 *   set (naming the network), `/0`, or more networks of one version than an IP set holds
 */
export function splitAllowlist(owner: string, prop: string, entries: readonly string[]): SplitAllowlist {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new IntegrationConfigError(
      owner,
      prop,
      entries,
      'An allowlist needs at least one network: list the addresses or CIDR ranges to allow, or leave the prop out to allow every address.',
    );
  }
  const ipv4 = new Set<string>();
  const ipv6 = new Set<string>();
  entries.forEach((entry, i) => {
    if (typeof entry !== 'string' || Token.isUnresolved(entry)) {
      throw new IntegrationConfigError(owner, `${prop}[${i}]`, entry, 'Allowlist entries are literal strings known at synth, so they can be checked.');
    }
    const parsed = parseNetworkCidr(entry);
    if (typeof parsed === 'string') throw new IntegrationConfigError(owner, `${prop}[${i}]`, entry, parsed);
    (parsed.version === IpAddressVersion.IPV4 ? ipv4 : ipv6).add(parsed.cidr);
  });
  for (const [version, set] of [
    ['IPv4', ipv4],
    ['IPv6', ipv6],
  ] as const) {
    if (set.size > MAX_ADDRESSES_PER_IP_SET) {
      throw new IntegrationConfigError(
        owner,
        prop,
        `${set.size} ${version} networks`,
        `An AWS WAF IP set holds at most ${MAX_ADDRESSES_PER_IP_SET.toLocaleString('en-US')} addresses or ranges ` +
          '(https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-ipset-match.html); merge adjacent ranges into wider networks.',
      );
    }
  }
  return { ipv4: [...ipv4], ipv6: [...ipv6] };
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** IPv6 text (already checked by `isIPv6`) to a 128-bit number, via the URL parser's canonical form. */
function ipv6ToBigInt(address: string): bigint {
  // The WHATWG URL host parser rewrites an embedded dotted quad into two hex groups and compresses.
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.includes('::') ? canonical.split('::') : [canonical, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups];
  // Stryker disable next-line StringLiteral: equivalent, see reports/mutation/EQUIVALENT.md
  if (groups.length !== 8) throw new Error(`unexpected canonical IPv6 form '${canonical}' of '${address}'`);
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** A 128-bit number to canonical (RFC 5952) IPv6 text, compressed by the URL parser. */
function bigIntToIpv6(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
