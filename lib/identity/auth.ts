import { Token } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { IntegrationConfigError } from '../core/errors';

/** The principals an `Auth.iam` route admits. Give at least one. */
export interface IamAuthProps {
  /**
   * AWS account ids (12 digits) whose principals may call, each subject to its own IAM policies.
   * @default - none
   */
  readonly accounts?: string[];
  /**
   * Roles that may call (their sessions sign with SigV4).
   * @default - none
   */
  readonly roles?: iam.IRole[];
  /**
   * ARNs of IAM principals (roles or users; `*` wildcards allowed, for example
   * `arn:aws:iam::111111111111:role/partner-*`) that may call.
   * @default - none
   */
  readonly principalArns?: string[];
  /**
   * AWS Organizations ids (`o-` and 10 to 32 characters) whose principals may call.
   * @default - none
   */
  readonly organizationIds?: string[];
}

/** What an `Auth.iam` route admits, checked. */
export interface IamPrincipals {
  readonly accounts: string[];
  readonly arns: string[];
  readonly organizations: string[];
}

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}|\*):[A-Za-z0-9+=,.@_/*?-]+$/;

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

  /** `oauth2` or `iam`. */
  public abstract readonly kind: 'oauth2' | 'iam';
}

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
    principalArns.forEach((a, i) => {
      if (!Token.isUnresolved(a) && !PRINCIPAL_ARN.test(a)) {
        throw new IntegrationConfigError(owner, `${prop}.principalArns[${i}]`, a, 'Give an IAM role or user ARN, for example "arn:aws:iam::111111111111:role/partner-orders".');
      }
    });
    organizationIds.forEach((o, i) => {
      if (!Token.isUnresolved(o) && !ORGANIZATION_ID.test(o)) throw new IntegrationConfigError(owner, `${prop}.organizationIds[${i}]`, o, 'An AWS Organizations id is "o-" and 10 to 32 lowercase letters or digits.');
    });
    return { accounts: [...accounts], arns: [...roles.map((r) => r.roleArn), ...principalArns], organizations: [...organizationIds] };
  }
}
