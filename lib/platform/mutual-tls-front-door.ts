import { Annotations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import type { FunctionHost } from '../core/platform-host';
import type { IntegrationApi } from '../gateway/integration-api';
import { MutualTlsDomain } from '../gateway/mutual-tls-domain';
import { canonicalDn } from '../../lambda/shared/distinguished-name';
import type { MutualTlsAuth, MutualTlsClient } from '../identity/auth';

/** One route as the front door sees it: how it authenticates, and where it was declared. */
interface NotedRoute {
  readonly integration: string;
  readonly prop: string;
  readonly auth: string;
}

/**
 * The platform API's front door: which routes authenticate how, and the mutual TLS domain when a
 * route asks for one. Mutual TLS is a property of the API's only way in (its custom domain, with
 * the default endpoint disabled), so it binds every route of the platform:
 * - the platform has one domain: every `Auth.mutualTls` names the same one;
 * - a webhook route and a mutual TLS domain exclude each other (webhook senders present no
 *   client certificate), whichever comes first;
 * - integrations share the truststore, so once two integrations have mutual TLS routes, each
 *   route must name its `clients` (subject and issuer);
 * - a client's issuer must be a CA of the truststore (where the library holds the truststore);
 * - OAuth 2.0 and IAM routes still work, through the domain: a warning says their callers need a
 *   client certificate.
 */
export class MutualTlsFrontDoor {
  private domainAuth?: MutualTlsAuth;
  /** The route that created the domain, for messages. */
  private domainOwner = '';
  private _domain?: MutualTlsDomain;
  private readonly routes: NotedRoute[] = [];
  private readonly openMtlsRoutes: NotedRoute[] = [];
  private readonly mtlsIntegrations = new Set<string>();
  /** The truststore's CAs (canonical subject DN to expiry), where the library holds the truststore. */
  private truststoreCas?: Map<string, string>;
  private warnedOthers = false;

  constructor(
    private readonly scope: Construct,
    private readonly api: () => IntegrationApi,
    private readonly host: FunctionHost,
  ) {}

  /** The mutual TLS domain, once a route asked for it. */
  public get domain(): MutualTlsDomain | undefined {
    return this._domain;
  }

  /**
   * Notes a route that is not mutual TLS (`oauth2`, `iam` or `signature:<scheme>`).
   * @throws IntegrationConfigError for a webhook route on a platform with a mutual TLS domain
   */
  public noteRoute(integration: string, prop: string, auth: string): void {
    const route = { integration, prop, auth };
    if (this._domain && auth.startsWith('signature:')) throw webhookConflict(route, this.domainOwner);
    this.routes.push(route);
    this.warnAboutOthers();
  }

  /**
   * Admits a mutual TLS route: creates the domain with the first one, checks it against the
   * others, and returns the route's clients (undefined: any trusted certificate).
   * @throws IntegrationConfigError on a second domain, a webhook route, shared routes without
   *   clients, or a client whose issuer is not a CA of the truststore
   */
  public admitMutualTlsRoute(auth: MutualTlsAuth, integration: string, prop: string): MutualTlsClient[] | undefined {
    const clients = auth.clients(integration, `${prop}.auth`);
    if (!this._domain) {
      const webhook = this.routes.find((r) => r.auth.startsWith('signature:'));
      if (webhook) throw webhookConflict(webhook, `${integration} ${prop}`);
      const config = auth.domain(integration, `${prop}.auth`);
      const truststore = config.truststore._bind(integration, `${prop}.auth.truststore`, new Date());
      this.domainAuth = auth;
      this.domainOwner = `${integration} ${prop}`;
      if (truststore.kind === 'pem') this.truststoreCas = new Map(truststore.certificates.map((c) => [canonicalDn(c.subject), c.notAfter]));
      this._domain = new MutualTlsDomain(this.scope, 'MutualTls', { api: this.api(), config, truststore, host: this.host });
    } else if (!auth.sameDomainAs(this.domainAuth!)) {
      throw new IntegrationConfigError(
        integration,
        `${prop}.auth`,
        'Auth.mutualTls({ ... })',
        `The platform's API already has a mutual TLS domain (from ${this.domainOwner}), and an API has one way in: give every route the same Auth.mutualTls object (or the same domainName, certificate and truststore objects), or put this integration on a platform of its own.`,
      );
    }
    (clients ?? []).forEach((client, i) => {
      if (this.truststoreCas && !this.truststoreCas.has(client.issuer)) {
        throw new IntegrationConfigError(
          integration,
          `${prop}.auth.clients[${i}].issuer`,
          client.issuer,
          `API Gateway admits only certificates issued by a CA of the truststore, whose CAs are: ${[...this.truststoreCas.keys()].join('; ')}. Give the issuing CA's subject DN, or add that CA to the truststore.`,
        );
      }
    });
    const route = { integration, prop, auth: 'mtls' };
    this.mtlsIntegrations.add(integration);
    if (clients === undefined) this.openMtlsRoutes.push(route);
    if (this.mtlsIntegrations.size > 1 && this.openMtlsRoutes.length > 0) {
      const open = this.openMtlsRoutes[0];
      throw new IntegrationConfigError(
        open.integration,
        `${open.prop}.auth.clients`,
        undefined,
        `Integrations ${[...this.mtlsIntegrations].join(', ')} share the platform's truststore, so any of their partners' certificates would reach this route: list the certificates that may call it, for example clients: [{ subject: 'CN=orders.partner.example,O=Partner Corp,C=US', issuer: 'CN=Partner Root CA,O=Partner Corp,C=US' }].`,
      );
    }
    this.warnAboutOthers();
    return clients;
  }

  /**
   * What the inventory records of a mutual TLS route's clients: each admitted certificate with its
   * issuing CA's expiry, or, for a route open to any trusted certificate, each CA of the truststore.
   */
  public inventoryClients(clients: MutualTlsClient[] | undefined): Array<{ subject: string; issuer: string; issuerNotAfter?: string }> {
    const expiry = (issuer: string) => this.truststoreCas?.get(issuer);
    const withExpiry = (subject: string, issuer: string) => ({ subject, issuer, ...(expiry(issuer) ? { issuerNotAfter: expiry(issuer) } : {}) });
    if (clients) return clients.map((c) => withExpiry(c.subject, c.issuer));
    return [...(this.truststoreCas?.keys() ?? [])].map((issuer) => withExpiry('*', issuer));
  }


  private warnAboutOthers(): void {
    if (!this._domain || this.warnedOthers) return;
    const others = this.routes.filter((r) => r.auth === 'oauth2' || r.auth === 'iam');
    if (others.length === 0) return;
    this.warnedOthers = true;
    Annotations.of(this.scope).addWarningV2(
      'cdk-secure-integrations:routesBehindMutualTls',
      `The platform's API is reachable only through its mutual TLS domain, so the callers of its OAuth 2.0 and IAM routes (${others.map((r) => `${r.integration} ${r.prop}`).join(', ')}) ` +
        'must present a client certificate the truststore trusts, on top of their token or signature. Put mutual TLS integrations on a platform of their own if they must not.',
    );
  }
}

function webhookConflict(webhook: NotedRoute, mtls: string): IntegrationConfigError {
  return new IntegrationConfigError(
    webhook.integration,
    webhook.prop,
    webhook.auth,
    `The platform's API requires mutual TLS (${mtls}), and webhook senders present no client certificate: their deliveries would fail the TLS handshake. Put the mutual TLS integrations on a platform of their own (a second IntegrationPlatform in another stack).`,
  );
}
