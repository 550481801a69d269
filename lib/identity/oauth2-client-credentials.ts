import { Aws, Duration, Fn, Lazy, Names, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledgeMachineOnlyUserPool } from '../compliance/acknowledgements';
import { IntegrationConfigError } from '../core/errors';
import { MAX_RESOURCE_SERVERS_PER_POOL, MAX_SCOPE_LENGTH, MAX_SCOPES_PER_CLIENT, MAX_SCOPES_PER_RESOURCE_SERVER, RESOURCE_SERVER_IDENTIFIER_PATTERN, SCOPE_NAME_PATTERN, validateDomainPrefix } from './scope-names';

/** Properties of an {@link OAuth2ClientCredentials} front door. */
export interface OAuth2ClientCredentialsProps {
  /**
   * Identifier of the resource server; every scope is `<identifier>/<scope>`.
   * @default 'integrations'
   */
  readonly resourceServerIdentifier?: string;
  /**
   * Prefix of the Cognito domain that serves the token endpoint
   * (`https://<prefix>.auth.<region>.amazoncognito.com/oauth2/token`). Lowercase letters, digits and
   * hyphens, 1 to 63 characters, unique in the region across all AWS accounts, and free of the
   * reserved words `aws`, `amazon` and `cognito`.
   * @default - `integrations-<hash of the construct path>-<account id>`
   * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
   */
  readonly domainPrefix?: string;
  /**
   * Lifetime of the access tokens issued to integration clients (5 minutes to 1 day).
   * @default Duration.minutes(60)
   */
  readonly accessTokenValidity?: Duration;
}

/** One scope declared on the resource server, with the integration that owns it. */
export interface DeclaredScope {
  /** The scope name, without the resource server prefix. */
  readonly name: string;
  /** What the scope allows. */
  readonly description: string;
  /** The integration that owns the scope. */
  readonly owner: string;
}

/**
 * The OAuth 2.0 client-credentials front door (RFC 6749 section 4.4): a Cognito user pool with no
 * human users (no self sign-up, admin-created users only, MFA required, strong password policy), a
 * resource server that declares every scope an integration uses, a domain for the token endpoint,
 * and one app client per integration limited to its own scopes.
 */
export class OAuth2ClientCredentials extends Construct {
  /** The user pool; it holds app clients only. */
  public readonly userPool: cognito.UserPool;
  /** The resource server. */
  public readonly resourceServer: cognito.CfnUserPoolResourceServer;
  /** The domain serving the token endpoint. */
  public readonly domain: cognito.UserPoolDomain;
  /** The resource server identifier. */
  public readonly resourceServerIdentifier: string;
  private readonly scopes = new Map<string, DeclaredScope & { readonly server: number }>();
  /** Every resource server: the first holds the first 100 scopes, each further one the next 100. */
  private readonly resourceServers: cognito.CfnUserPoolResourceServer[] = [];
  private readonly clientNames = new Map<string, string>();
  private readonly accessTokenValidity: Duration;

  constructor(scope: Construct, id: string, props: OAuth2ClientCredentialsProps = {}) {
    super(scope, id);
    this.resourceServerIdentifier = props.resourceServerIdentifier ?? 'integrations';
    if (!Token.isUnresolved(this.resourceServerIdentifier) && !RESOURCE_SERVER_IDENTIFIER_PATTERN.test(this.resourceServerIdentifier)) {
      throw new IntegrationConfigError(
        'IntegrationPlatform',
        'resourceServerIdentifier',
        this.resourceServerIdentifier,
        'Use 1 to 256 printable ASCII characters without spaces, quotes or backslashes, for example "integrations".',
      );
    }
    this.accessTokenValidity = props.accessTokenValidity ?? Duration.minutes(60);
    const minutes = this.accessTokenValidity.toMinutes({ integral: false });
    // Cognito takes an access token validity from 5 minutes to 1 day (AccessTokenValidity of CreateUserPoolClient).
    if (!Number.isInteger(minutes) || minutes < 5 || minutes > 24 * 60) {
      throw new IntegrationConfigError(
        this.node.path,
        'oauth2.accessTokenValidity',
        this.accessTokenValidity.toHumanString(),
        'Cognito issues access tokens valid from 5 minutes to 1 day, in whole minutes (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html); the library defaults to 60 minutes. A shorter life limits what a leaked token can do; partners then ask more often.',
      );
    }

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(1),
      },
      accountRecovery: cognito.AccountRecovery.NONE,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeMachineOnlyUserPool(this.userPool);

    this.resourceServer = this.addResourceServer();

    if (props.domainPrefix !== undefined) validateDomainPrefix(props.domainPrefix);
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? this.defaultDomainPrefix() },
    });

    this.node.addValidation({
      validate: () =>
        this.resourceServers.length > MAX_RESOURCE_SERVERS_PER_POOL
          ? [
              `The platform declares ${this.scopes.size} scopes, which take ${this.resourceServers.length} resource servers of ${MAX_SCOPES_PER_RESOURCE_SERVER} scopes; Cognito allows ` +
                `${MAX_RESOURCE_SERVERS_PER_POOL} a user pool (https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html). Let each integration's routes share scopes, or split the catalog over two platforms.`,
            ]
          : [],
    });
  }

  /**
   * A resource server for the next {@link MAX_SCOPES_PER_RESOURCE_SERVER} scopes (Cognito's custom
   * scopes per resource server): the first is `<identifier>`, the k-th `<identifier>-<k>`. Scopes
   * are assigned in declaration order, so a catalog that grows at the end keeps every scope's name.
   */
  private addResourceServer(): cognito.CfnUserPoolResourceServer {
    const index = this.resourceServers.length;
    const identifier = this.serverIdentifier(index);
    const server = new cognito.CfnUserPoolResourceServer(this, index === 0 ? 'ResourceServer' : `ResourceServer${index + 1}`, {
      userPoolId: this.userPool.userPoolId,
      identifier,
      // The name allows fewer characters than the identifier (which may be a URL).
      name: Token.isUnresolved(this.resourceServerIdentifier) ? `integrations${index === 0 ? '' : `-${index + 1}`}` : identifier.replace(/[^\w\s+=,.@-]/g, '-').slice(0, 256),
      scopes: Lazy.any({
        // Cognito takes scope descriptions of at most 256 characters.
        produce: () => [...this.scopes.values()].filter((s) => s.server === index).map((s) => ({ scopeName: s.name, scopeDescription: s.description.slice(0, 256) })),
      }),
    });
    this.resourceServers.push(server);
    return server;
  }

  private serverIdentifier(index: number): string {
    return index === 0 ? this.resourceServerIdentifier : `${this.resourceServerIdentifier}-${index + 1}`;
  }
  /** The token endpoint clients call with `grant_type=client_credentials`. */
  public get tokenEndpoint(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }

  /** The scopes declared so far. */
  public get declaredScopes(): DeclaredScope[] {
    return [...this.scopes.values()];
  }

  /** The full scope string an access token carries: `<resource-server>/<name>`. */
  public fullScope(name: string): string {
    const server = this.scopes.get(name)?.server ?? this.resourceServers.length - 1;
    return `${this.serverIdentifier(server)}/${name}`;
  }

  /**
   * Declares a scope on the resource server for one integration.
   *
   * @throws IntegrationConfigError when the name breaks Cognito's scope pattern, or when another
   *   integration owns the scope already (a shared scope would let one integration's client call
   *   the other's routes).
   */
  public declareScope(scope: DeclaredScope, prop: string): void {
    if (!SCOPE_NAME_PATTERN.test(scope.name)) {
      throw new IntegrationConfigError(
        scope.owner,
        prop,
        scope.name,
        'A scope name is 1 to 256 printable ASCII characters without spaces, quotes, "/" or "\\"; ' +
          `the token carries it as "${this.resourceServerIdentifier}/<name>". Write for example "orders.write".`,
      );
    }
    const full = this.fullScope(scope.name);
    if (!Token.isUnresolved(full) && full.length > MAX_SCOPE_LENGTH) {
      throw new IntegrationConfigError(
        scope.owner,
        prop,
        scope.name,
        `The token carries the scope as "${full.slice(0, 40)}...", ${full.length} characters; Cognito allows ${MAX_SCOPE_LENGTH}. Use a shorter scope name.`,
      );
    }
    const existing = this.scopes.get(scope.name);
    if (existing && existing.owner !== scope.owner) {
      throw new IntegrationConfigError(
        scope.owner,
        prop,
        scope.name,
        `Integration '${existing.owner}' already owns this scope; a shared scope would let its client call this ` +
          `integration's routes. Use a scope of this integration's own, for example "${scope.owner.toLowerCase()}.${scope.name}".`,
      );
    }
    if (!existing) {
      let server = this.resourceServers.length - 1;
      if ([...this.scopes.values()].filter((s) => s.server === server).length >= MAX_SCOPES_PER_RESOURCE_SERVER) {
        this.addResourceServer();
        server++;
      }
      this.scopes.set(scope.name, { ...scope, server });
    }
  }

  /**
   * Creates the app client of one integration: client-credentials grant only, a generated secret,
   * and only the given scopes (already declared with {@link declareScope}).
   * @param clientName the client's name, unique in the pool: the rotation of its secret checks the client by it
   */
  public addClient(scope: Construct, id: string, scopeNames: string[], clientName?: string): cognito.UserPoolClient {
    if (scopeNames.length > MAX_SCOPES_PER_CLIENT) {
      throw new IntegrationConfigError(
        scope.node.path,
        'inbound.routes[*].scopes',
        scopeNames.length,
        `One app client may hold at most ${MAX_SCOPES_PER_CLIENT} scopes: let routes share scopes (for example one "orders.write" for every write route) or split the integration.`,
      );
    }
    if (clientName !== undefined) {
      const existing = this.clientNames.get(clientName);
      if (existing) throw new Error(`OAuth2ClientCredentials: app client name ${clientName} is used by ${existing} already`);
      this.clientNames.set(clientName, scope.node.path);
    }
    const client = new cognito.UserPoolClient(scope, id, {
      userPool: this.userPool,
      userPoolClientName: clientName,
      generateSecret: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: this.accessTokenValidity,
      oAuth: {
        flows: { clientCredentials: true },
        scopes: scopeNames.map((name) => cognito.OAuthScope.custom(this.fullScope(name))),
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });
    // No user sign-in flow (the pool has no users): only the refresh flow, which Cognito always keeps.
    (client.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
    // The scopes must exist on their resource servers before a client may ask for them.
    for (const server of new Set(scopeNames.map((name) => this.scopes.get(name)?.server ?? 0))) client.node.addDependency(this.resourceServers[server]);
    return client;
  }

  private defaultDomainPrefix(): string {
    const hash = Names.uniqueId(this).slice(-8).toLowerCase();
    return Fn.join('-', ['integrations', hash, Aws.ACCOUNT_ID]);
  }
}
