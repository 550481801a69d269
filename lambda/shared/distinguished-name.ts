// One form for an X.509 distinguished name, so that a DN written in a construct's props matches
// the one API Gateway reports for a client certificate whatever their spelling: RFC 4514 strings
// (`CN=a,O=B,C=US`, spaces after commas or not), OpenSSL's slash form (`/C=US/O=B/CN=a`), or Node's
// one attribute per line. Attribute types are upper-cased, values trimmed (escapes kept), and the
// RDNs sorted: a DN names the same holder in any order a tool prints it.

/** The canonical form of a distinguished name: `TYPE=value` RDNs, sorted, joined with `,`. */
export function canonicalDn(dn: string): string {
  const text = dn.trim();
  const parts = text.startsWith('/') ? text.slice(1).split(/(?<!\\)\//) : text.includes('\n') ? text.split('\n') : text.split(/(?<!\\),/);
  return parts
    .map((rdn) => rdn.trim())
    .filter((rdn) => rdn.length > 0)
    .map((rdn) => {
      const eq = rdn.indexOf('=');
      return eq < 0 ? rdn : `${rdn.slice(0, eq).trim().toUpperCase()}=${rdn.slice(eq + 1).trim()}`;
    })
    .sort()
    .join(',');
}

/** Whether a DN has at least one `TYPE=value` RDN and no control characters. */
export function isDistinguishedName(dn: unknown): dn is string {
  if (typeof dn !== 'string' || /\p{Cc}/u.test(dn.replace(/\n/g, ''))) return false;
  const rdns = canonicalDn(dn).split(',');
  return rdns.length > 0 && rdns.every((rdn) => /^[A-Z][A-Z0-9.]*=.+$/.test(rdn));
}
