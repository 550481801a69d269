import { Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { IntegrationConfigError } from '../core/errors';
import { canonicalDn, isDistinguishedName } from '../../lambda/shared/distinguished-name';
import type { Truststore, TruststoreSource } from './truststore';

/** The principals an `Auth.iam` route admits. Give at least one. */
export interface IamAuthProps {
  /**
   * AWS account ids (12 digits) whose principals may call when their own IAM policies allow
   * `execute-api:Invoke` on the route (the account delegates, also when it is the API's own).
   * @default - none
   */
  readonly accounts?: string[];
  /**
   * Roles that may call (their sessions sign with SigV4). The API's resource policy admits them
   * directly: a role of the API's own account needs no policy of its own for the call.
   * @default - none
   */
  readonly roles?: iam.IRole[];
  /**
   * ARNs of IAM roles or users that may call, admitted directly like `roles`; `*` wildcards are
   * allowed in the name (`arn:aws:iam::111111111111:role/partner-*`), never in the account. An
   * account's `:root` ARN names the account (as `accounts`). Session ARNs (`arn:aws:sts::...:
   * assumed-role/...`) never match: give the role's ARN.
   * @default - none
   */
  readonly principalArns?: string[];
  /**
   * AWS Organizations ids (`o-` and 10 to 32 characters): every principal of the organization's
   * accounts may call, without a policy of its own. Prefer `accounts`, which leave each account's
   * IAM policies in charge.
   * @default - none
   */
  readonly organizationIds?: string[];
}

/** The custom domain, truststore and admitted clients of an `Auth.mutualTls` route. */
export interface MutualTlsAuthProps {
  /**
   * The custom domain name clients call (lowercase, no trailing dot), for example
   * `partners.example.com`. One platform's API has one mutual TLS domain: every `Auth.mutualTls`
   * of a platform names the same domain, certificate and truststore.
   */
  readonly domainName: string;
  /** The ACM certificate for `domainName`, in the platform's region (REGIONAL domains). */
  readonly certificate: acm.ICertificate;
  /** The CA certificates that issue the clients' certificates. */
  readonly truststore: Truststore;
  /**
   * The client certificates that may call this route: each a subject DN and the DN of the CA that
   * issued it (a CA of the truststore), as API Gateway reports them in
   * `$context.identity.clientCert.subjectDN` and `issuerDN` (the access log's `clientCertSubject`
   * and `clientCertIssuer`). RFC 4514 (`CN=a,O=B,C=US`) and OpenSSL's slash form (`/C=US/O=B/CN=a`)
   * both work; spacing and RDN order do not matter. The ingest function refuses (403) any other
   * certificate. The issuer is part of the match because any CA of the truststore can write any
   * subject: without it, one partner's CA could mint another partner's subject. Required when more
   * than one integration of the platform has mutual TLS routes.
   * @default - any certificate the truststore trusts (allowed only while one integration uses the domain)
   */
  readonly clients?: MutualTlsClient[];
  /**
   * The ACM-issued public certificate that proves you own `domainName`: API Gateway requires it
   * when `certificate` is imported into ACM or issued by AWS Private CA.
   * @default - none (`certificate` is ACM-issued and public)
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mutual-tls.html
   */
  readonly ownershipVerificationCertificate?: acm.ICertificate;
  /**
   * The domain's endpoint type. Mutual TLS works only on REGIONAL custom domains: EDGE and
   * PRIVATE are refused at synth.
   * @default apigateway.EndpointType.REGIONAL
   */
  readonly endpointType?: apigateway.EndpointType;
}

/** A client certificate a mutual TLS route admits. */
export interface MutualTlsClient {
  /** The certificate's subject DN, for example `CN=orders.partner.example,O=Partner Corp,C=US`. */
  readonly subject: string;
  /** The DN of the CA that issued it, for example `CN=Partner Root CA,O=Partner Corp,C=US`: a CA of the truststore. */
  readonly issuer: string;
}

/** An `Auth.mutualTls` mode's domain, checked (the truststore is bound by the platform). */
export interface MutualTlsDomainConfig {
  readonly domainName: string;
  readonly certificate: acm.ICertificate;
  readonly truststore: Truststore;
  readonly ownershipVerificationCertificate?: acm.ICertificate;
}

/** What an `Auth.iam` route admits, checked. */
export interface IamPrincipals {
  readonly accounts: string[];
  readonly arns: string[];
  readonly organizations: string[];
}

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** A role or user ARN of one account: wildcards only in the name (`role/partner-*`), never in the account. */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/[A-Za-z0-9+=,.@_/*?-]+$/;
/** An account's root ARN, which in a resource policy names the whole account (group 1: the account). */
export const ROOT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

/**
 * How a route's callers authenticate. Choose one with a static factory; set the platform's default
 * with `IntegrationPlatformProps.defaultRouteAuth` and override it per route with `auth`.
 */
export abstract class Auth {
  /**
   * The OAuth 2.0 client-credentials grant (RFC 6749, section 4.4): Cognito issues the integration's
   * app client an access token carrying the route's scopes; API Gateway's Cognito authorizer
   * checks it. The default.
   */
  public static oauth2ClientCredentials(): Auth {
    return new OAuth2Auth();
  }

  /**
   * AWS Signature Version 4 (`AuthorizationType: AWS_IAM`): API Gateway authenticates the caller's
   * signature, and the API's resource policy denies every principal but those named here (and
   * those `SecureIntegration.grantInvoke` adds). A caller of another account also needs an IAM
   * policy of its own allowing `execute-api:Invoke` on the route.
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
   * @throws IntegrationConfigError (at bind) when no principal is named or one is malformed
   */
  public static iam(props: IamAuthProps): Auth {
    return new IamAuth(props);
  }

  /**
   * Mutual TLS (RFC 8705 section 2 names the pattern for OAuth clients; here the certificate is
   * the credential): the platform's API gets a REGIONAL custom domain with a TLS 1.2 security
   * policy (API Gateway enables mutual TLS only with TLS_1_2) and the truststore, and its default
   * `execute-api` endpoint is disabled so no client goes around the domain. The ingest function
   * admits only `clients` (subject and issuer) and hands the certificate's subject, issuer and serial on with
   * the record.
   * Every route of the platform is then reached through the domain only: its OAuth 2.0 and IAM
   * callers need a client certificate too, and webhook routes are refused (their senders present
   * none): put mutual TLS integrations on a platform of their own.
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mutual-tls.html
   * @throws IntegrationConfigError (at bind) on an EDGE or PRIVATE endpoint, a domain name that is
   *   not lowercase DNS, an empty or malformed subject, a truststore API Gateway would refuse
   */
  public static mutualTls(props: MutualTlsAuthProps): Auth {
    return new MutualTlsAuth(props);
  }

  /** `oauth2`, `iam` or `mtls`. */
  public abstract readonly kind: 'oauth2' | 'iam' | 'mtls';
}

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An `Auth.mutualTls` mode. */
export class MutualTlsAuth extends Auth {
  public readonly kind = 'mtls' as const;

  constructor(private readonly props: MutualTlsAuthProps) {
    super();
  }

  /**
   * The domain, checked.
   * @throws IntegrationConfigError naming the prop, the value and the fix
   */
  public domain(owner: string, prop: string): MutualTlsDomainConfig {
    const { domainName, certificate, truststore, ownershipVerificationCertificate, endpointType = apigateway.EndpointType.REGIONAL } = this.props ?? ({} as MutualTlsAuthProps);
    if (endpointType !== apigateway.EndpointType.REGIONAL) {
      throw new IntegrationConfigError(owner, `${prop}.endpointType`, endpointType, 'API Gateway supports mutual TLS on REGIONAL custom domains only (not EDGE or PRIVATE): remove endpointType, or put a REGIONAL domain behind your CDN.');
    }
    if (typeof domainName !== 'string' || (!Token.isUnresolved(domainName) && !DOMAIN_NAME.test(domainName))) {
      throw new IntegrationConfigError(owner, `${prop}.domainName`, domainName, 'Give the lowercase DNS name clients call, without scheme, port, path or trailing dot, for example \'partners.example.com\'.');
    }
    if (!certificate || typeof certificate.certificateArn !== 'string') {
      throw new IntegrationConfigError(owner, `${prop}.certificate`, certificate, 'Give the ACM certificate for the domain name, in the platform\'s region: acm.Certificate.fromCertificateArn(this, \'Cert\', arn) or new acm.Certificate(...).');
    }
    if (!truststore || typeof (truststore as { _bind?: unknown })._bind !== 'function') {
      throw new IntegrationConfigError(owner, `${prop}.truststore`, truststore, 'Give the CAs of your clients\' certificates: Truststore.fromPemFile(\'certs/partners-ca.pem\') or Truststore.fromS3Object({ bucket, key, version }).');
    }
    return { domainName, certificate, truststore, ownershipVerificationCertificate };
  }

  /**
   * The admitted clients, checked, their DNs in canonical form; undefined for any certificate the truststore trusts.
   * @throws IntegrationConfigError naming the prop, the value and the fix
   */
  public clients(owner: string, prop: string): MutualTlsClient[] | undefined {
    const clients = this.props?.clients;
    if (clients === undefined) return undefined;
    const fix =
      'List the client certificates that may call, each by subject and issuer DN as API Gateway reports them (the access log\'s clientCertSubject and clientCertIssuer), ' +
      'for example [{ subject: \'CN=orders.partner.example,O=Partner Corp,C=US\', issuer: \'CN=Partner Root CA,O=Partner Corp,C=US\' }].';
    if (!Array.isArray(clients) || clients.length === 0) throw new IntegrationConfigError(owner, `${prop}.clients`, clients, fix);
    const seen = new Map<string, MutualTlsClient>();
    clients.forEach((c, i) => {
      if (!c || typeof c !== 'object') throw new IntegrationConfigError(owner, `${prop}.clients[${i}]`, c, fix);
      for (const field of ['subject', 'issuer'] as const) {
        if (!isDistinguishedName(c[field])) throw new IntegrationConfigError(owner, `${prop}.clients[${i}].${field}`, c[field], fix);
      }
      const client = { subject: canonicalDn(c.subject), issuer: canonicalDn(c.issuer) };
      seen.set(`${client.issuer}|${client.subject}`, client);
    });
    return [...seen.values()];
  }

  /** Whether `other` configures the same domain (one domain per API). */
  public sameDomainAs(other: MutualTlsAuth): boolean {
    const a = this.props;
    const b = other.props;
    return a === b || (a.domainName === b.domainName && a.certificate === b.certificate && a.truststore === b.truststore && a.ownershipVerificationCertificate === b.ownershipVerificationCertificate);
  }
}

export type { TruststoreSource };

class OAuth2Auth extends Auth {
  public readonly kind = 'oauth2' as const;
}

/** An `Auth.iam` mode. */
export class IamAuth extends Auth {
  public readonly kind = 'iam' as const;

  constructor(private readonly props: IamAuthProps) {
    super();
  }

  /**
   * The principals, checked.
   * @throws IntegrationConfigError naming the prop, the value and the fix
   */
  public principals(owner: string, prop: string): IamPrincipals {
    const { accounts = [], roles = [], principalArns = [], organizationIds = [] } = this.props ?? {};
    if (accounts.length + roles.length + principalArns.length + organizationIds.length === 0) {
      throw new IntegrationConfigError(owner, prop, 'Auth.iam({})', 'Name who may call: Auth.iam({ accounts, roles, principalArns, organizationIds }) with at least one; the API\'s resource policy denies everyone else.');
    }
    accounts.forEach((a, i) => {
      if (!Token.isUnresolved(a) && !ACCOUNT_ID.test(a)) throw new IntegrationConfigError(owner, `${prop}.accounts[${i}]`, a, 'An AWS account id is 12 digits, for example "111111111111".');
    });
    const arns: string[] = [];
    const rootAccounts: string[] = [];
    principalArns.forEach((a, i) => {
      if (Token.isUnresolved(a)) return void arns.push(a);
      const root = ROOT_ARN.exec(a);
      if (root) return void rootAccounts.push(root[1]);
      if (!PRINCIPAL_ARN.test(a)) {
        throw new IntegrationConfigError(
          owner,
          `${prop}.principalArns[${i}]`,
          a,
          'Give an IAM role or user ARN with its 12-digit account, for example "arn:aws:iam::111111111111:role/partner-orders" (wildcards only in the name; a session\'s assumed-role ARN never matches, its role\'s does).',
        );
      }
      arns.push(a);
    });
    organizationIds.forEach((o, i) => {
      if (!Token.isUnresolved(o) && !ORGANIZATION_ID.test(o)) throw new IntegrationConfigError(owner, `${prop}.organizationIds[${i}]`, o, 'An AWS Organizations id is "o-" and 10 to 32 lowercase letters or digits.');
    });
    return { accounts: [...new Set([...accounts, ...rootAccounts])], arns: [...roles.map((r) => r.roleArn), ...arns], organizations: [...organizationIds] };
  }
}
