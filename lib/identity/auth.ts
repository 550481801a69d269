import { Token } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { IntegrationConfigError } from '../core/errors';

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
