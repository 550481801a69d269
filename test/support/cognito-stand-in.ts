// CLEARLY MARKED STAND-IN for the parts of Cognito that moto 5.2.1 lacks: the app-client secret API
// (AddUserPoolClientSecret, ListUserPoolClientSecrets, DeleteUserPoolClientSecret) and the
// OAuth 2.0 token endpoint. Everything else (CreateUserPool, CreateUserPoolClient,
// DescribeUserPoolClient, ...) is forwarded to moto_server unchanged, so user pools and app
// clients are real moto resources with moto's generated client secrets.
//
// What the stand-in does, from Cognito's API reference:
//  - an app client holds at most 2 secrets ("Supports up to 2 active secrets per app client");
//    AddUserPoolClientSecret beyond that is LimitExceededException; a secret's id is
//    `<client-id>--<epoch>`; ListUserPoolClientSecrets never returns values;
//  - a client's first secret is the one CreateUserPoolClient(GenerateSecret) made: the stand-in
//    reads it from moto's DescribeUserPoolClient the first time the client is touched;
//  - ASSUMPTION (not documented): DescribeUserPoolClient's ClientSecret is the oldest active secret
//    (the rotation reads it only while the client has exactly one secret, at its first rotation);
//  - the token endpoint grants a client_credentials token to a client id and any of its active
//    secrets (HTTP Basic), and answers 400 invalid_client otherwise (RFC 6749 section 5.2).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { motoEndpoint } from './aws-env';

export interface StandInSecret {
  readonly id: string;
  value: string;
}

export interface CognitoCall {
  readonly op: string;
  readonly phase: string;
  readonly clientId?: string;
  readonly clientSecretId?: string;
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });

/** The stand-in's state and server. */
export class CognitoStandIn {
  /** Active secrets by `${userPoolId}/${clientId}`. */
  readonly secrets = new Map<string, StandInSecret[]>();
  /** Every call of the emulated operations, the forwarded ones and the token endpoint, with the phase a test set. */
  readonly calls: CognitoCall[] = [];
  /** Set by a test: the rotation step being run, recorded with each call. */
  phase = '';
  private clock = 1764400000;
  private readonly server: Server;
  private url = '';

  constructor() {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(body);
        },
        (error: Error) => {
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ __type: 'InternalErrorException', message: error.message }));
        },
      );
    });
  }

  /** Starts listening on 127.0.0.1; returns the endpoint. */
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  stop(): Promise<void> {
    // Keep-alive sockets of the SDK clients would hold the server (and the jest worker) open.
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** The token endpoint URL. */
  get tokenEndpoint(): string {
    return `${this.url}/oauth2/token`;
  }

  /** The active secrets' ids of a client. */
  ids(userPoolId: string, clientId: string): string[] {
    return (this.secrets.get(`${userPoolId}/${clientId}`) ?? []).map((s) => s.id);
  }

  /** Whether the token endpoint would accept this client id and secret. */
  accepts(userPoolId: string, clientId: string, secret: string): boolean {
    return (this.secrets.get(`${userPoolId}/${clientId}`) ?? []).some((s) => s.value === secret);
  }

  /** Adds a secret as an operator would (outside the rotation). */
  async addByOperator(userPoolId: string, clientId: string): Promise<StandInSecret> {
    const list = await this.clientSecrets(userPoolId, clientId);
    const added = { id: `${clientId}--${this.clock++}`, value: randomBytes(24).toString('base64url') };
    list.push(added);
    return added;
  }

  private async forward(target: string, body: string): Promise<{ status: number; body: string }> {
    const res = await fetch(motoEndpoint(), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': target,
        authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0',
      },
      body,
    });
    return { status: res.status, body: await res.text() };
  }

  /** The client's active secrets, seeded from moto's generated secret the first time. */
  private async clientSecrets(userPoolId: string, clientId: string): Promise<StandInSecret[]> {
    const key = `${userPoolId}/${clientId}`;
    let list = this.secrets.get(key);
    if (list) return list;
    const described = await this.forward('AWSCognitoIdentityProviderService.DescribeUserPoolClient', JSON.stringify({ UserPoolId: userPoolId, ClientId: clientId }));
    if (described.status !== 200) throw Object.assign(new Error('app client not found'), { notFound: true });
    const generated = (JSON.parse(described.body) as { UserPoolClient?: { ClientSecret?: string } }).UserPoolClient?.ClientSecret;
    list = generated ? [{ id: `${clientId}--${this.clock++}`, value: generated }] : [];
    this.secrets.set(key, list);
    return list;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const body = await read(req);
    const json = (status: number, out: unknown) => ({ status, body: JSON.stringify(out) });
    if (req.url === '/oauth2/token') {
      const [clientId, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
      this.calls.push({ op: 'token', phase: this.phase, clientId });
      const ok = new URLSearchParams(body).get('grant_type') === 'client_credentials' && [...this.secrets.entries()].some(([k, list]) => k.endsWith(`/${clientId}`) && list.some((s) => s.value === secret));
      return ok ? json(200, { access_token: 'at', token_type: 'Bearer', expires_in: 3600 }) : json(400, { error: 'invalid_client' });
    }
    const target = String(req.headers['x-amz-target']);
    const op = target.split('.')[1];
    const input = JSON.parse(body || '{}') as { UserPoolId: string; ClientId: string; ClientSecretId?: string };
    const emulated = ['AddUserPoolClientSecret', 'ListUserPoolClientSecrets', 'DeleteUserPoolClientSecret'];
    if (!emulated.includes(op)) {
      const forwarded = await this.forward(target, body);
      if (op === 'DescribeUserPoolClient' && forwarded.status === 200) {
        this.calls.push({ op, phase: this.phase, clientId: input.ClientId });
        const out = JSON.parse(forwarded.body) as { UserPoolClient: { ClientSecret?: string } };
        const list = this.secrets.get(`${input.UserPoolId}/${input.ClientId}`);
        if (list) {
          if (list.length > 0) out.UserPoolClient.ClientSecret = list[0].value;
          else delete out.UserPoolClient.ClientSecret;
        }
        return json(200, out);
      }
      return forwarded;
    }
    let list: StandInSecret[];
    try {
      list = await this.clientSecrets(input.UserPoolId, input.ClientId);
    } catch {
      return json(400, { __type: 'ResourceNotFoundException', message: 'app client not found' });
    }
    this.calls.push({ op, phase: this.phase, clientId: input.ClientId, clientSecretId: input.ClientSecretId });
    if (op === 'AddUserPoolClientSecret') {
      if (list.length >= 2) return json(400, { __type: 'LimitExceededException', message: 'an app client can have at most 2 secrets' });
      const added = { id: `${input.ClientId}--${this.clock++}`, value: randomBytes(32).toString('base64url') };
      list.push(added);
      return json(200, { ClientSecretDescriptor: { ClientSecretId: added.id, ClientSecretValue: added.value, ClientSecretCreateDate: this.clock } });
    }
    if (op === 'ListUserPoolClientSecrets') return json(200, { ClientSecrets: list.map((s) => ({ ClientSecretId: s.id, ClientSecretCreateDate: this.clock })) });
    const i = list.findIndex((s) => s.id === input.ClientSecretId);
    if (i < 0) return json(400, { __type: 'ResourceNotFoundException', message: 'no such client secret' });
    list.splice(i, 1);
    return json(200, {});
  }
}
