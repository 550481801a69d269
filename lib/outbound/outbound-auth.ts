import { Duration, SecretValue, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { IntegrationConfigError } from '../core/errors';
import { HTTP_TOKEN } from '../gateway/signature-scheme';
import { checkEndpoint } from './endpoint';

/** The partner's OAuth 2.0 client credentials, for {@link OutboundAuth.oauth2ClientCredentials}. */
export interface OutboundOAuth2Props {
  /** The partner's token endpoint (`https://`), where EventBridge obtains and refreshes access tokens. */
  readonly tokenEndpoint: string;
  /** The client id the partner issued. */
  readonly clientId: string;
  /** The secret that holds the client secret the partner issued (its whole value, or `jsonField` of it). */
  readonly clientSecret: secretsmanager.ISecret;
  /**
   * The JSON field of `clientSecret` that holds the value.
   * @default - the whole secret string
   */
  readonly clientSecretJsonField?: string;
  /**
   * Scopes requested with each token (`scope`, space-separated, RFC 6749 section 3.3).
   * @default - none requested
   */
  readonly scopes?: string[];
}

/** An API key sent in a header, for {@link OutboundAuth.apiKey}. */
export interface OutboundApiKeyProps {
  /** The header, for example `x-api-key`. */
  readonly header: string;
  /** The secret that holds the key. */
  readonly value: secretsmanager.ISecret;
  /**
   * The JSON field of `value` that holds the key.
   * @default - the whole secret string
   */
  readonly jsonField?: string;
}

/** HTTP Basic credentials (RFC 7617), for {@link OutboundAuth.basic}. */
export interface OutboundBasicAuthProps {
  /** The user name. */
  readonly username: string;
  /** The secret that holds the password. */
  readonly password: secretsmanager.ISecret;
  /**
   * The JSON field of `password` that holds it.
   * @default - the whole secret string
   */
  readonly jsonField?: string;
}

/** A client certificate for mutual TLS, for {@link OutboundAuth.mutualTls}. */
export interface OutboundMutualTlsProps {
  /**
   * The secret that holds the certificate and its key, as JSON
   * `{ "certificate": "<PEM chain, leaf first>", "privateKey": "<PEM, unencrypted>" }`. The sender
   * reads AWSCURRENT (cached 5 minutes): renew by putting a new value. The inventory lists it.
   */
  readonly clientCertificate: secretsmanager.ISecret;
}

/** Options of the signed outbound modes ({@link OutboundAuth.hmacSha256}, {@link OutboundAuth.standardWebhooks}). */
export interface OutboundSigningProps {
  /**
   * A client certificate to present as well (a partner that requires mutual TLS and a signature).
   * @default - none
   */
  readonly clientCertificate?: secretsmanager.ISecret;
  /**
   * How often the platform rotates the signing secret (the partner verifies with AWSCURRENT and,
   * during the overlap, AWSPREVIOUS).
   * @default Duration.days(30), and at most the classification's limit
   */
  readonly rotateEvery?: Duration;
}

/** Options of {@link OutboundAuth.hmacSha256}. */
export interface OutboundHmacProps extends OutboundSigningProps {
  /**
   * The header that carries `sha256=<hex HMAC-SHA256 of the body>`.
   * @default 'X-Signature-256'
   */
  readonly header?: string;
}

/**
 * What an outbound integration's auth resolved to.
 * @jsii ignore TypeScript only: read by the library's outbound bind step.
 */
export interface OutboundAuthConfig {
  /** `api-destination`: an EventBridge connection holds the credential; `direct`: the sender signs. */
  readonly mode: 'api-destination' | 'direct';
  /** For the inventory: `oauth2-client-credentials`, `api-key`, `basic`, `hmac-sha256`, `standard-webhooks`. */
  readonly method: string;
  /** The connection's authorization. */
  readonly authorization?: events.Authorization;
  /** The partner-issued secret the connection copies (listed in the inventory). */
  readonly partnerSecret?: secretsmanager.ISecret;
  /** How the sender signs. */
  readonly signing?: { readonly kind: 'hmac-sha256' | 'standard-webhooks'; readonly header?: string; readonly rotateEvery?: Duration };
  /** The client certificate the sender presents (mutual TLS). */
  readonly clientCertificate?: secretsmanager.ISecret;
}

/**
 * How an outbound integration authenticates to its partner. Choose one with a static factory:
 *
 * - through an EventBridge API destination, whose connection holds the partner's credential
 *   (encrypted with the platform key) and refreshes OAuth 2.0 tokens:
 *   {@link OutboundAuth.oauth2ClientCredentials}, {@link OutboundAuth.apiKey}, {@link OutboundAuth.basic};
 * - through the library's sender function, which signs each request with a secret of the
 *   integration that the platform generates and rotates: {@link OutboundAuth.hmacSha256},
 *   {@link OutboundAuth.standardWebhooks}.
 *
 * API destinations cannot sign a request, wait more than 5 seconds for an answer or present a
 * client certificate; that is what the sender is for.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html
 */
export abstract class OutboundAuth {
  /**
   * OAuth 2.0 client credentials (RFC 6749 section 4.4): EventBridge requests a token from
   * `tokenEndpoint` with the client id and secret, sends it as a bearer token, and requests a new
   * one when the partner answers 401 or the token expires. The connection copies the secret's
   * value at deploy: after the partner rotates it, update the secret and deploy.
   * @throws IntegrationConfigError (at bind) for a token endpoint that is not https://, an empty client id, or a scope with a space
   */
  public static oauth2ClientCredentials(props: OutboundOAuth2Props): OutboundAuth {
    return new ConnectionAuth('oauth2-client-credentials', (owner, prop) => {
      const { url } = checkEndpoint(owner, `${prop}.tokenEndpoint`, props.tokenEndpoint, false);
      requireText(owner, `${prop}.clientId`, props.clientId);
      for (const [i, scope] of (props.scopes ?? []).entries()) {
        if (typeof scope !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope)) {
          throw new IntegrationConfigError(owner, `${prop}.scopes[${i}]`, scope, 'A scope is printable ASCII without spaces, quotes or backslashes (RFC 6749 section 3.3).');
        }
      }
      const bodyParameters: Record<string, events.HttpParameter> = { grant_type: events.HttpParameter.fromString('client_credentials') };
      if (props.scopes && props.scopes.length > 0) bodyParameters.scope = events.HttpParameter.fromString(props.scopes.join(' '));
      return {
        authorization: events.Authorization.oauth({
          authorizationEndpoint: url,
          clientId: props.clientId,
          clientSecret: secretValue(props.clientSecret, props.clientSecretJsonField),
          httpMethod: events.HttpMethod.POST,
          bodyParameters,
        }),
        partnerSecret: props.clientSecret,
      };
    });
  }

  /**
   * An API key in a header, from a secret: the connection copies the value at deploy.
   * @throws IntegrationConfigError (at bind) for a header that is not an HTTP token, or `Authorization`
   */
  public static apiKey(props: OutboundApiKeyProps): OutboundAuth {
    return new ConnectionAuth('api-key', (owner, prop) => {
      if (typeof props.header !== 'string' || !HTTP_TOKEN.test(props.header) || props.header.length > 512) {
        throw new IntegrationConfigError(owner, `${prop}.header`, props.header, 'Give a header name (an RFC 9110 token, at most 512 characters), for example x-api-key.');
      }
      return { authorization: events.Authorization.apiKey(props.header, secretValue(props.value, props.jsonField)), partnerSecret: props.value };
    });
  }

  /**
   * HTTP Basic authentication: the connection copies the password at deploy.
   * @throws IntegrationConfigError (at bind) for an empty user name or one with a colon (RFC 7617 section 2)
   */
  public static basic(props: OutboundBasicAuthProps): OutboundAuth {
    return new ConnectionAuth('basic', (owner, prop) => {
      requireText(owner, `${prop}.username`, props.username);
      if (props.username.includes(':')) throw new IntegrationConfigError(owner, `${prop}.username`, props.username, 'A Basic user name cannot contain a colon (RFC 7617 section 2).');
      return { authorization: events.Authorization.basic(props.username, secretValue(props.password, props.jsonField)), partnerSecret: props.password };
    });
  }

  /**
   * Each request signed by the sender: `<header>: sha256=<hex HMAC-SHA256 of the body>` with the
   * integration's signing secret (64 random letters and digits, rotated by the platform), the
   * form GitHub's `X-Hub-Signature-256` made common. The partner verifies with the secret's
   * AWSCURRENT value, or AWSPREVIOUS during the overlap after a rotation.
   * @throws IntegrationConfigError (at bind) for a header that is not an HTTP token
   */
  public static hmacSha256(props: OutboundHmacProps = {}): OutboundAuth {
    return new SignedAuth('hmac-sha256', props.header ?? 'X-Signature-256', props.rotateEvery, props.clientCertificate);
  }

  /**
   * Mutual TLS: the sender presents a client certificate the partner trusts (API destinations
   * cannot). The certificate and key live in a secret of yours; renewing it is putting a new value.
   */
  public static mutualTls(props: OutboundMutualTlsProps): OutboundAuth {
    return new MutualTlsAuth(props.clientCertificate);
  }

  /**
   * Each request signed by the sender after the Standard Webhooks spec (`webhook-id`,
   * `webhook-timestamp`, `webhook-signature: v1,<base64>`), with a `whsec_` secret of the
   * integration that the platform generates and rotates; the partner verifies with any Standard
   * Webhooks library.
   * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
   */
  public static standardWebhooks(props: OutboundSigningProps = {}): OutboundAuth {
    return new SignedAuth('standard-webhooks', undefined, props.rotateEvery, props.clientCertificate);
  }

  /**
   * Resolves and checks the auth.
   * @internal
   */
  public abstract _bind(owner: string, prop: string): OutboundAuthConfig;
}

class ConnectionAuth extends OutboundAuth {
  constructor(
    private readonly method: string,
    private readonly resolve: (owner: string, prop: string) => { authorization: events.Authorization; partnerSecret: secretsmanager.ISecret },
  ) {
    super();
  }

  public _bind(owner: string, prop: string): OutboundAuthConfig {
    return { mode: 'api-destination', method: this.method, ...this.resolve(owner, prop) };
  }
}

class SignedAuth extends OutboundAuth {
  constructor(
    private readonly kind: 'hmac-sha256' | 'standard-webhooks',
    private readonly header: string | undefined,
    private readonly rotateEvery: Duration | undefined,
    private readonly clientCertificate: secretsmanager.ISecret | undefined,
  ) {
    super();
  }

  public _bind(owner: string, prop: string): OutboundAuthConfig {
    if (this.header !== undefined && (typeof this.header !== 'string' || !HTTP_TOKEN.test(this.header) || /^(authorization|proxy-authorization|cookie|content-type|content-length|host|connection|keep-alive|transfer-encoding|te|trailer|upgrade|traceparent|tracestate|x-amzn-trace-id|idempotency-key|webhook-[a-z-]+)$/i.test(this.header))) {
      throw new IntegrationConfigError(owner, `${prop}.header`, this.header, 'Give a header name of its own (an RFC 9110 token; not Authorization, Content-Type, Host or another header HTTP or the library sets), for example X-Signature-256.');
    }
    return {
      mode: 'direct',
      method: this.clientCertificate ? `${this.kind}+mutual-tls` : this.kind,
      signing: { kind: this.kind, header: this.header, rotateEvery: this.rotateEvery },
      clientCertificate: this.clientCertificate,
    };
  }
}

class MutualTlsAuth extends OutboundAuth {
  constructor(private readonly clientCertificate: secretsmanager.ISecret) {
    super();
  }

  public _bind(owner: string, prop: string): OutboundAuthConfig {
    if (!this.clientCertificate || typeof this.clientCertificate.secretArn !== 'string') {
      throw new IntegrationConfigError(owner, `${prop}.clientCertificate`, this.clientCertificate, 'Give the secret that holds { certificate, privateKey } (PEM).');
    }
    return { mode: 'direct', method: 'mutual-tls', clientCertificate: this.clientCertificate };
  }
}

/** A dynamic reference to the secret (aws-cdk-lib picks its full ARN, or its name for one imported by name). */
function secretValue(secret: secretsmanager.ISecret, jsonField: string | undefined): SecretValue {
  return jsonField === undefined ? secret.secretValue : secret.secretValueFromJson(jsonField);
}

function requireText(owner: string, prop: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || Token.isUnresolved(value)) {
    throw new IntegrationConfigError(owner, prop, value, 'Give a literal, non-empty value.');
  }
}

/** The default rotation interval of an outbound signing secret. */
export const DEFAULT_OUTBOUND_SIGNING_ROTATION = Duration.days(30);
