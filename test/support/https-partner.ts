// A partner's HTTPS endpoint for the outbound sender's tests: a throwaway CA and a server
// certificate for 127.0.0.1 made with openssl, and a server on 127.0.0.1 that records what it
// receives and answers as the test says.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A CA and a certificate it issued for 127.0.0.1 (PEM). */
export interface TestCertificates {
  readonly dir: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** Makes a CA and a server certificate for IP 127.0.0.1 (P-256 keys: fast), valid for a day, in a temp dir. */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'outbound-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=outbound test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', ...ecKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'server.ext');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { dir, ca: read('ca.pem'), cert: read('server.pem'), key: read('server.key') };
}

/** A client certificate the test CA issued (clientAuth, valid a day), for partners that require mutual TLS. */
export function makeClientCertificate(certificates: TestCertificates, commonName: string): { readonly cert: string; readonly key: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: certificates.dir, stdio: 'pipe' });
  const name = commonName.replace(/[^A-Za-z0-9]/g, '_');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`);
  writeFileSync(join(certificates.dir, `${name}.ext`), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  return { cert: readFileSync(join(certificates.dir, `${name}.pem`), 'utf8'), key: readFileSync(join(certificates.dir, `${name}.key`), 'utf8') };
}

/** Removes the certificates' directory. */
export function removeCertificates(certificates: TestCertificates | undefined): void {
  if (certificates) rmSync(certificates.dir, { recursive: true, force: true });
}

/** An agent that trusts the test CA only (no keep-alive: every test starts from a fresh connection). */
export function trustingAgent(certificates: TestCertificates): Agent {
  return new Agent({ ca: certificates.ca, keepAlive: false });
}

/** A request the partner received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The subject CN of the client certificate the caller presented (mutual TLS partners only). */
  readonly clientCertificateCn?: string;
}

/** How the partner answers a request. */
export interface PartnerAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Milliseconds to wait before answering (a slow partner). */
  readonly delayMs?: number;
}

/** A partner endpoint on 127.0.0.1 with the test certificate. */
export class TestPartner {
  /** Starts one; `answer` says how it answers (200 by default). */
  static async start(certificates: TestCertificates, options: { readonly requireClientCertificate?: boolean } = {}): Promise<TestPartner> {
    const partner = new TestPartner(certificates, options.requireClientCertificate ?? false);
    await new Promise<void>((resolve) => partner.server.listen(0, '127.0.0.1', resolve));
    return partner;
  }

  readonly requests: ReceivedRequest[] = [];
  answer: (request: ReceivedRequest) => PartnerAnswer = () => ({ status: 200 });
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(certificates: TestCertificates, requireClientCertificate: boolean) {
    const tls = requireClientCertificate ? { requestCert: true, rejectUnauthorized: true, ca: certificates.ca } : {};
    this.server = createServer({ cert: certificates.cert, key: certificates.key, ...tls }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const peer = requireClientCertificate ? (req.socket as import('node:tls').TLSSocket).getPeerCertificate() : undefined;
        const received: ReceivedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          ...(peer?.subject ? { clientCertificateCn: String(peer.subject.CN) } : {}),
        };
        this.requests.push(received);
        const answer = this.answer(received);
        const send = () => {
          res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
          res.end(JSON.stringify({ status: answer.status }));
        };
        if (answer.delayMs) {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            if (!res.destroyed) send();
          }, answer.delayMs);
          this.timers.add(timer);
        } else send();
      });
    });
  }

  /** The partner's base URL (`https://127.0.0.1:<port>`). */
  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Forgets what it received and answers 200 again. */
  reset(): void {
    this.requests.length = 0;
    this.answer = () => ({ status: 200 });
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
