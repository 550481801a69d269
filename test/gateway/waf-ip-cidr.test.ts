import { Token } from 'aws-cdk-lib';
import { IpAddressVersion, MAX_ADDRESSES_PER_IP_SET, parseNetworkCidr, splitAllowlist } from '../../lib/gateway/waf-ip-cidr';

describe('parseNetworkCidr', () => {
  test.each([
    ['10.0.0.0/8', IpAddressVersion.IPV4, '10.0.0.0/8'],
    ['192.0.2.7', IpAddressVersion.IPV4, '192.0.2.7/32'],
    [' 198.51.100.0/24 ', IpAddressVersion.IPV4, '198.51.100.0/24'],
    ['255.255.255.255/32', IpAddressVersion.IPV4, '255.255.255.255/32'],
    ['2001:db8::/32', IpAddressVersion.IPV6, '2001:db8::/32'],
    ['2001:DB8:0:0:0:0:0:7', IpAddressVersion.IPV6, '2001:db8::7/128'],
    ['2001:0db8:0000:0000:0000:0000:0000:0000/48', IpAddressVersion.IPV6, '2001:db8::/48'],
    ['::ffff:192.0.2.0/120', IpAddressVersion.IPV6, '::ffff:c000:200/120'],
    ['::1', IpAddressVersion.IPV6, '::1/128'],
    ['fe80::/10', IpAddressVersion.IPV6, 'fe80::/10'],
  ])('%s is the network %s %s', (entry, version, cidr) => {
    expect(parseNetworkCidr(entry)).toEqual({ version, cidr });
  });

  test.each([
    ['10.0.0.5/24', '10.0.0.0/24', '10.0.0.5/32'],
    ['192.168.1.1/16', '192.168.0.0/16', '192.168.1.1/32'],
    ['2001:db8::1/32', '2001:db8::/32', '2001:db8::1/128'],
    ['2001:db8:abcd:12::/56', '2001:db8:abcd::/56', '2001:db8:abcd:12::/128'],
  ])('%s has host bits set and names the network %s', (entry, network, host) => {
    const result = parseNetworkCidr(entry);
    expect(result).toContain(`${entry} has host bits set; the network is ${network}`);
    expect(result).toContain(host);
  });

  test.each(['0.0.0.0/0', '::/0'])('%s is rejected: /0 is no allowlist', (entry) => {
    expect(parseNetworkCidr(entry)).toMatch(/\/0 matches every address, so it is no allowlist/);
  });

  test.each(['10.0.0.256', '010.0.0.1', '10.0.0', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', '1::2::3', '12345::', 'fe80::1%eth0', '2001:db8::/129', 'example.com', ''])(
    '%p is malformed',
    (entry) => {
      expect(typeof parseNetworkCidr(entry)).toBe('string');
      expect(parseNetworkCidr(entry)).not.toMatch(/host bits/);
    },
  );
});

describe('splitAllowlist', () => {
  test('splits IPv4 from IPv6, normalizes and deduplicates', () => {
    expect(splitAllowlist('Owner', 'waf.ipAllowlist', ['192.0.2.7', '2001:db8::/32', '192.0.2.7/32', '2001:0DB8::/32', '10.0.0.0/8'])).toEqual({
      ipv4: ['192.0.2.7/32', '10.0.0.0/8'],
      ipv6: ['2001:db8::/32'],
    });
  });

  test('an empty list is an error naming prop, value and fix', () => {
    expect(() => splitAllowlist('Owner', 'waf.ipAllowlist', [])).toThrow(/waf\.ipAllowlist.*\[\].*needs at least one network/);
  });

  test('an entry error names the entry index', () => {
    expect(() => splitAllowlist('Owner', 'waf.ipAllowlist', ['10.0.0.0/8', '10.1.2.3/16'])).toThrow(
      /waf\.ipAllowlist\[1\].*'10\.1\.2\.3\/16'.*the network is 10\.1\.0\.0\/16/,
    );
  });

  test(`more than ${MAX_ADDRESSES_PER_IP_SET} networks of one version do not fit one IP set`, () => {
    const many = Array.from({ length: MAX_ADDRESSES_PER_IP_SET + 1 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    expect(() => splitAllowlist('Owner', 'waf.ipAllowlist', many)).toThrow(/waf\.ipAllowlist.*10001 IPv4 networks.*at most 10,000/);
  });
});

describe('parseNetworkCidr: the reasons an entry is refused', () => {
  test('more than one "/" is refused with the reason', () => {
    expect(parseNetworkCidr('10.0.0.0/8/8')).toBe('An entry is one address or one network in CIDR notation, with at most one "/".');
  });

  test.each(['example.com', '10.0.0', '10.0.0.0 /8', 'fe80::1%eth0', ''])('%p is no address, and the reason shows the forms that are', (entry) => {
    expect(parseNetworkCidr(entry)).toBe('Write an IPv4 address like 203.0.113.7 or an IPv6 address like 2001:db8::7 (no zone id), optionally followed by "/prefix".');
  });

  test.each(['1e1', '010', '08', '00', '+8', '8.0', ' 8', '8 8', '0x8', '33', '100', '-0', ''])('an IPv4 prefix length of %p is refused, not read as a number', (prefix) => {
    expect(parseNetworkCidr(`10.0.0.0/${prefix}`)).toBe('The prefix length of an IPv4 network is a whole number from 1 to 32.');
  });

  test.each(['1e2', '032', '+32', '129', '1000'])('an IPv6 prefix length of %p is refused, naming the IPv6 range', (prefix) => {
    expect(parseNetworkCidr(`2001:db8::/${prefix}`)).toBe('The prefix length of an IPv6 network is a whole number from 1 to 128.');
  });

  test('the widest and narrowest prefix lengths of each version are taken', () => {
    expect(parseNetworkCidr('128.0.0.0/1')).toEqual({ version: IpAddressVersion.IPV4, cidr: '128.0.0.0/1' });
    expect(parseNetworkCidr('8000::/1')).toEqual({ version: IpAddressVersion.IPV6, cidr: '8000::/1' });
    expect(parseNetworkCidr('2001:db8::1/128')).toEqual({ version: IpAddressVersion.IPV6, cidr: '2001:db8::1/128' });
    expect(parseNetworkCidr('10.0.0.0/32')).toEqual({ version: IpAddressVersion.IPV4, cidr: '10.0.0.0/32' });
  });

  test('an IPv6 address written with all eight groups (no "::") is read group by group', () => {
    expect(parseNetworkCidr('2001:db8:1:2:3:4:5:6')).toEqual({ version: IpAddressVersion.IPV6, cidr: '2001:db8:1:2:3:4:5:6/128' });
    expect(parseNetworkCidr('2001:db8:1:2:3:4:5:6/64')).toBe(
      '2001:db8:1:2:3:4:5:6/64 has host bits set; the network is 2001:db8:1:2::/64. Write 2001:db8:1:2::/64 for the network, or 2001:db8:1:2:3:4:5:6/128 for the one address.',
    );
    expect(parseNetworkCidr('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120')).toEqual({ version: IpAddressVersion.IPV6, cidr: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120' });
  });

  test('an IPv4 network with host bits set gets the whole fix', () => {
    expect(parseNetworkCidr('10.0.0.5/24')).toBe('10.0.0.5/24 has host bits set; the network is 10.0.0.0/24. Write 10.0.0.0/24 for the network, or 10.0.0.5/32 for the one address.');
  });
});

describe('splitAllowlist: entries that cannot be checked', () => {
  test('an entry that is not a string is refused, naming its index', () => {
    expect(() => splitAllowlist('Owner', 'waf.ipAllowlist', ['10.0.0.0/8', 42 as unknown as string])).toThrow(
      /waf\.ipAllowlist\[1\].*Allowlist entries are literal strings known at synth, so they can be checked\./,
    );
  });

  test('an unresolved token is refused: it cannot be checked at synth', () => {
    const token = Token.asString({ Ref: 'AllowedCidr' });
    expect(() => splitAllowlist('Owner', 'waf.ipAllowlist', [token])).toThrow(/waf\.ipAllowlist\[0\].*Allowlist entries are literal strings known at synth, so they can be checked\./);
  });

  test('a list that is not an array is refused like an empty one', () => {
    expect(() => splitAllowlist('Owner', 'waf.ipAllowlist', '10.0.0.0/8' as unknown as string[])).toThrow(/waf\.ipAllowlist.*needs at least one network/);
  });
});

describe(`splitAllowlist: at most ${MAX_ADDRESSES_PER_IP_SET} networks of each version`, () => {
  const ipv4 = (count: number) => Array.from({ length: count }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
  const ipv6 = (count: number) => Array.from({ length: count }, (_, i) => `2001:db8:${i.toString(16)}::/48`);

  test('exactly the limit of each version fits, IPv4 and IPv6 counted apart', () => {
    const result = splitAllowlist('Owner', 'waf.ipAllowlist', [...ipv4(MAX_ADDRESSES_PER_IP_SET), ...ipv6(MAX_ADDRESSES_PER_IP_SET)]);
    expect(result.ipv4).toHaveLength(MAX_ADDRESSES_PER_IP_SET);
    expect(result.ipv6).toHaveLength(MAX_ADDRESSES_PER_IP_SET);
  });

  test('duplicates count once: the limit is on distinct networks', () => {
    const entries = [...ipv4(MAX_ADDRESSES_PER_IP_SET), '10.0.0.0/24', ' 10.0.1.0/24 ', '10.0.2.0/24'];
    expect(splitAllowlist('Owner', 'waf.ipAllowlist', entries).ipv4).toHaveLength(MAX_ADDRESSES_PER_IP_SET);
  });

  test('one IPv6 network more than an IP set holds is refused, with the documentation and the fix', () => {
    expect(() => splitAllowlist('Owner', 'waf.ipAllowlist', ipv6(MAX_ADDRESSES_PER_IP_SET + 1))).toThrow(
      'An AWS WAF IP set holds at most 10,000 addresses or ranges (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-ipset-match.html); merge adjacent ranges into wider networks.',
    );
    expect(() => splitAllowlist('Owner', 'waf.ipAllowlist', ipv6(MAX_ADDRESSES_PER_IP_SET + 1))).toThrow(/10001 IPv6 networks/);
  });
});
