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
