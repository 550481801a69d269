import { canonicalDn, isDistinguishedName } from '../../../lambda/shared/distinguished-name';

describe('canonicalDn', () => {
  test.each([
    ['CN=a,O=B,C=US', 'C=US,CN=a,O=B'],
    ['CN=a, O=B, C=US', 'C=US,CN=a,O=B'],
    ['/C=US/O=B/CN=a', 'C=US,CN=a,O=B'],
    ['C=US\nO=B\nCN=a', 'C=US,CN=a,O=B'],
    ['cn=a,o=B', 'CN=a,O=B'],
    ['CN=Acme\\, Inc,C=US', 'C=US,CN=Acme\\, Inc'],
  ])('%j is %j', (dn, canonical) => {
    expect(canonicalDn(dn)).toBe(canonical);
  });

  test('values keep their case: a subject differing only in a value\'s case is another subject', () => {
    expect(canonicalDn('CN=Orders')).not.toBe(canonicalDn('CN=orders'));
  });

  test.each([['CN=a', true], ['orders.partner.example', false], ['', false], ['CN=a\u0007', false], [42, false]])('isDistinguishedName(%j) is %p', (dn, ok) => {
    expect(isDistinguishedName(dn)).toBe(ok);
  });
});
