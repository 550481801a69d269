// One HTTPS request to the partner, with node:https: TLS verified against the agent's trust store,
// a deadline for the whole exchange, and no redirect ever followed (node:https follows none).
import { request, type Agent } from 'node:https';

/** A direct call. */
export interface PartnerRequest {
  /** The partner endpoint from the config (`https://` only; never taken from a record). */
  readonly endpoint: string;
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly headers: Readonly<Record<string, string>>;
  /** The body, exactly as signed. */
  readonly body: string;
  /** Milliseconds the whole exchange may take, from connecting to the response's last byte. */
  readonly timeoutMs: number;
  /**
   * The agent: keep-alive connections and the trust store (tests pass one trusting their own CA).
   * @default - Node's global agent
   */
  readonly agent?: Agent;
  /** A client certificate to present (mutual TLS): PEM chain and private key. */
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
}

/** How a call ended. */
export type PartnerResponse =
  /** The partner answered (any status, redirects included: they are not followed). */
  | { readonly kind: 'response'; readonly status: number; readonly headers: Readonly<Record<string, string | string[] | undefined>> }
  /** No complete answer within `timeoutMs`. */
  | { readonly kind: 'timeout' }
  /** No answer: DNS, connection, TLS (an untrusted or mismatched certificate) or a reset. `code` is Node's error code. */
  | { readonly kind: 'network'; readonly code: string; readonly message: string };

/** The most of a response body read (and discarded) before the connection is dropped: the sender needs only the status. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

/** The endpoint as a URL, or an Error when it is not an `https://` URL. */
export function httpsEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`the partner endpoint ${JSON.stringify(endpoint)} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new Error(`the partner endpoint ${JSON.stringify(endpoint)} is not https://: the sender calls partners over TLS only`);
  return url;
}

class DeadlineError extends Error {
  constructor() {
    super('the partner did not answer in time');
    this.name = 'DeadlineError';
  }
}

/**
 * Sends one request and resolves with how it ended; it never rejects for the partner's sake (a
 * status, a timeout or a network failure are outcomes). Throws only for a non-https endpoint.
 * The response body is read and discarded (up to {@link MAX_RESPONSE_BYTES}); it is never logged.
 */
export function sendToPartner(req: PartnerRequest): Promise<PartnerResponse> {
  const url = httpsEndpoint(req.endpoint);
  const body = Buffer.from(req.body, 'utf8');
  return new Promise<PartnerResponse>((resolve) => {
    let settled = false;
    const settle = (outcome: PartnerResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const call = request(
      url,
      {
        method: req.method,
        headers: { ...req.headers, 'content-length': String(body.length) },
        ...(req.agent ? { agent: req.agent } : {}),
        // The agent pools connections by TLS options, so a renewed certificate opens new ones.
        ...(req.clientCertificate ? { cert: req.clientCertificate.cert, key: req.clientCertificate.key } : {}),
        // Never downgraded: the agent's CA list may be replaced (tests), verification may not.
        rejectUnauthorized: true,
      },
      (res) => {
        let read = 0;
        const answered = () => settle({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers });
        // The status decides: a partner that answers 2xx and then stalls its body has accepted the
        // record (waiting for the body would time out and send it again). The rest is drained.
        answered();
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          // Enough: the status is known and the rest is not needed. The connection is not reused.
          if (read > MAX_RESPONSE_BYTES) {
            answered();
            res.destroy();
          }
        });
        res.on('end', answered);
        // A reset before the last byte: no complete answer.
        res.on('error', (error: NodeJS.ErrnoException) => settle({ kind: 'network', code: error.code ?? error.name, message: error.message }));
        res.on('close', () => (res.complete ? answered() : settle({ kind: 'network', code: 'ECONNRESET', message: 'the response ended before its last byte' })));
      },
    );
    // The deadline covers the whole exchange (Node's own `timeout` option only measures idle time).
    const timer = setTimeout(() => {
      settle({ kind: 'timeout' });
      call.destroy(new DeadlineError());
    }, req.timeoutMs);
    call.on('error', (error: NodeJS.ErrnoException) => {
      if (!(error instanceof DeadlineError)) settle({ kind: 'network', code: error.code ?? error.name, message: error.message });
    });
    call.end(body);
  });
}
