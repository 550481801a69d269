// The REST API's resource policy: IP allowlists enforced by API Gateway itself (fail closed, beside
// the WAF rules, which match paths by regular expression), and the principals allowed on routes
// that authorize with IAM (SigV4).
//
// API Gateway evaluates the resource policy before any authorizer. With a resource policy in place,
// a request to a Cognito-authorized or unauthenticated route is refused unless a statement allows
// it, so the policy allows `execute-api:Invoke` on the whole stage and then denies what must not
// pass: a caller outside an allowlist, or a principal not named for an IAM route.
// @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
// @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
import { IntegrationConfigError } from '../core/errors';
import type { IamPrincipals } from '../identity/auth';

/**
 * API Gateway's longest resource policy, in characters (adjustable).
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html
 */
export const API_RESOURCE_POLICY_MAX_CHARACTERS = 8_192;

/**
 * What API Gateway adds to each `execute-api:/` resource when it stores the policy
 * (`arn:aws:execute-api:<region>:<account>:<api id>`): at most about 60 characters.
 */
const STORED_ARN_PREFIX_CHARACTERS = 60;

/** A route of an integration. */
export interface PolicyRoute {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The resource path without the stage, for example `/orders/{id}`. */
  readonly path: string;
}

/**
 * An integration's `Auth.iam` routes in the resource policy: one statement per distinct set of
 * principals; `addPrincipalArn` admits one more principal on all of them (`grantInvoke`).
 */
export class IamAccess {
  /** @internal */
  public readonly _statements: Array<{ readonly owner: string; readonly principals: IamPrincipals; readonly resources: string[]; readonly routes: PolicyRoute[] }> = [];

  /** The routes, for grants. */
  public get routes(): PolicyRoute[] {
    return this._statements.flatMap((s) => s.routes);
  }

  /** Admits one more principal (by ARN) on every IAM route of the integration. */
  public addPrincipalArn(arn: string): void {
    for (const s of this._statements) if (!s.principals.arns.includes(arn)) s.principals.arns.push(arn);
  }

  /** Admits the principals of one more account on every IAM route of the integration. */
  public addAccount(account: string): void {
    for (const s of this._statements) if (!s.principals.accounts.includes(account)) s.principals.accounts.push(account);
  }
}

interface AllowlistGroup {
  readonly cidrs: readonly string[];
  readonly owners: string[];
  readonly resources: string[];
}

type IamRoutes = IamAccess['_statements'][number];

type Statement = Record<string, unknown>;

/**
 * The `execute-api:/<stage>/<METHOD>/<path>` resources of a route: the path as written (each
 * `{parameter}` a `*`) and with a trailing slash, which API Gateway routes to the same method.
 */
export function routeResources(stageName: string, route: PolicyRoute): string[] {
  const path = route.path.replace(/^\//, '').replace(/\{[^}]+\}/g, '*');
  const base = `execute-api:/${stageName}/${route.method}/${path}`;
  return path === '' ? [base] : [base, `${base}/`];
}

/** The resource policy of a platform's REST API, written at synth from what its integrations declare. */
export class ApiResourcePolicy {
  private readonly groups = new Map<string, AllowlistGroup>();
  private readonly iamRoutes: IamRoutes[] = [];
  private platformAllowlist?: readonly string[];
  private readonly routes: Array<{ readonly owner: string; readonly route: PolicyRoute }> = [];

  /**
   * @param maxCharacters the account's quota on the policy's length (8,192 unless raised)
   */
  constructor(
    private readonly stageName: string,
    private readonly maxCharacters = API_RESOURCE_POLICY_MAX_CHARACTERS,
  ) {}

  /** Whether the API needs a resource policy at all. */
  public get isEmpty(): boolean {
    return this.groups.size === 0 && this.iamRoutes.length === 0 && this.platformAllowlist === undefined;
  }

  /** Records a route of the API, so that an allowlist that would also cover it is caught at synth. */
  public addRoute(owner: string, route: PolicyRoute): void {
    this.routes.push({ owner, route });
  }

  /** Every route of the stage admits only callers from these networks (the platform's allowlist). */
  public restrictStage(cidrs: readonly string[]): void {
    this.platformAllowlist = [...cidrs];
  }

  /**
   * An integration's routes admit only callers from these networks. Integrations with the same
   * networks share one statement.
   */
  public addAllowlist(owner: string, routes: readonly PolicyRoute[], cidrs: readonly string[]): void {
    const key = JSON.stringify([...cidrs].sort());
    const group = this.groups.get(key) ?? { cidrs: [...cidrs].sort(), owners: [], resources: [] };
    group.owners.push(owner);
    group.resources.push(...routes.flatMap((r) => routeResources(this.stageName, r)));
    this.groups.set(key, group);
  }

  /** An integration's IAM routes admit only their principals: routes with the same principals share a statement. */
  public addIamRoutes(owner: string, routes: ReadonlyArray<{ readonly route: PolicyRoute; readonly principals: IamPrincipals }>): IamAccess {
    const access = new IamAccess();
    const keyOf = (p: IamPrincipals) => JSON.stringify([p.accounts, p.arns, p.organizations].map((l) => [...l].sort()));
    for (const { route, principals } of routes) {
      let statement = access._statements.find((s) => keyOf(s.principals) === keyOf(principals));
      if (!statement) {
        statement = { owner, principals: { accounts: [...principals.accounts], arns: [...principals.arns], organizations: [...principals.organizations] }, resources: [], routes: [] };
        access._statements.push(statement);
        this.iamRoutes.push(statement);
      }
      statement.routes.push({ method: route.method, path: route.path });
      statement.resources.push(...routeResources(this.stageName, route));
    }
    return access;
  }

  /** The policy document, or undefined when no integration needs one. */
  public document(): { Version: string; Statement: Statement[] } | undefined {
    if (this.isEmpty) return undefined;
    const invoke = { Principal: '*', Action: 'execute-api:Invoke' };
    // With IAM routes, the stage-wide allow is for callers API Gateway did not authenticate with
    // IAM (OAuth 2.0 and webhook routes, whose authorizer or signature check decides): a signed
    // caller is allowed only by a statement naming it below, so that an account named for an IAM
    // route delegates to its own IAM policies, and no other principal gets in through this allow.
    const stage = `execute-api:/${this.stageName}/*`;
    const statements: Statement[] = [
      this.iamRoutes.length === 0
        ? { Sid: 'AllowStage', Effect: 'Allow', ...invoke, Resource: stage }
        : { Sid: 'AllowStage', Effect: 'Allow', ...invoke, Resource: stage, Condition: { Null: { 'aws:PrincipalArn': 'true' } } },
    ];
    if (this.platformAllowlist) {
      statements.push({ Sid: 'PlatformAllowlist', Effect: 'Deny', ...invoke, Resource: `execute-api:/${this.stageName}/*`, Condition: { NotIpAddress: { 'aws:SourceIp': [...this.platformAllowlist] } } });
    }
    [...this.groups.values()].forEach((g) => {
      statements.push({ Effect: 'Deny', ...invoke, Resource: one(g.resources), Condition: { NotIpAddress: { 'aws:SourceIp': one(g.cidrs) } } });
    });
    this.iamRoutes.forEach((r) => {
      // Roles and users named by ARN: admitted directly (the condition, unlike a Principal, allows wildcards and survives a re-created role).
      if (r.principals.arns.length > 0) statements.push({ Effect: 'Allow', ...invoke, Resource: one(r.resources), Condition: { ArnLike: { 'aws:PrincipalArn': one(r.principals.arns) } } });
      // Accounts: the account principal delegates to each account's own IAM policies.
      if (r.principals.accounts.length > 0) statements.push({ Effect: 'Allow', Principal: { AWS: one(r.principals.accounts) }, Action: 'execute-api:Invoke', Resource: one(r.resources) });
      if (r.principals.organizations.length > 0) statements.push({ Effect: 'Allow', ...invoke, Resource: one(r.resources), Condition: { StringEquals: { 'aws:PrincipalOrgID': one(r.principals.organizations) } } });
    });
    this.iamRoutes.forEach((r, i) => {
      // Denied unless the caller is one of the named principals: each negated key is true when the
      // caller does not match it (or the key is absent), and the keys of a condition AND.
      const condition: Record<string, Record<string, unknown>> = {};
      if (r.principals.arns.length > 0) condition.ArnNotLike = { 'aws:PrincipalArn': one(r.principals.arns) };
      if (r.principals.accounts.length > 0) condition.StringNotEquals = { 'aws:PrincipalAccount': one(r.principals.accounts) };
      if (r.principals.organizations.length > 0) condition.StringNotEquals = { ...condition.StringNotEquals, 'aws:PrincipalOrgID': one(r.principals.organizations) };
      statements.push({ Sid: `IamRoutes${i}`, Effect: 'Deny', ...invoke, Resource: one(r.resources), Condition: condition });
    });
    return { Version: '2012-10-17', Statement: statements };
  }

  /** The policy's length as API Gateway stores it (each `execute-api:/` expanded to the API's ARN), in characters. */
  public get storedCharacters(): number {
    const document = this.document();
    if (!document) return 0;
    const resources = document.Statement.reduce((n, s) => n + (Array.isArray(s.Resource) ? s.Resource.length : 1), 0);
    return JSON.stringify(document).length + resources * STORED_ARN_PREFIX_CHARACTERS;
  }

  /**
   * The synth-time errors: a policy longer than the account's quota, and an allowlist or IAM
   * statement whose resources also cover another integration's route (in a resource policy a `*`
   * for a path parameter matches any number of path segments).
   */
  public problems(): string[] {
    return [...this.overlaps(), ...this.lengthProblems()];
  }

  private overlaps(): string[] {
    const problems: string[] = [];
    const statements = [
      ...[...this.groups.values()].map((g) => ({ owners: g.owners, resources: g.resources, prop: 'waf.ipAllowlist' })),
      ...this.iamRoutes.map((r) => ({ owners: [r.owner], resources: r.resources, prop: 'inbound.routes[*].auth' })),
    ];
    for (const statement of statements) {
      const patterns = statement.resources.map(globToRegExp);
      for (const { owner, route } of this.routes) {
        if (statement.owners.includes(owner)) continue;
        const sample = routeResources(this.stageName, { method: route.method, path: route.path.replace(/\{[^}]+\}/g, 'x') })[0];
        if (!patterns.some((p) => p.test(sample))) continue;
        problems.push(
          new IntegrationConfigError(
            statement.owners.join(', '),
            statement.prop,
            `${route.method} ${route.path} of ${owner}`,
            'The API\'s resource policy would apply this control to another integration\'s route too: in a resource policy a path parameter ({id}) matches any number of path segments. ' +
              'Give the route a path outside this integration\'s parameterized paths, or give both integrations the same control.',
          ).message,
        );
      }
    }
    return problems;
  }

  private lengthProblems(): string[] {
    const characters = this.storedCharacters;
    if (characters <= this.maxCharacters) return [];
    const owners = [...[...this.groups.values()].flatMap((g) => g.owners), ...this.iamRoutes.map((r) => r.owner)];
    return [
      new IntegrationConfigError(
        owners.length > 6 ? `${owners.slice(0, 6).join(', ')} and ${owners.length - 6} more` : owners.join(', '),
        'waf.ipAllowlist',
        `${characters} characters of API resource policy`,
        `API Gateway stores at most ${this.maxCharacters} characters of resource policy per API (quota L-8B81B02C, https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html); ` +
          'each distinct allowlist is one statement (about 350 characters with one route). Give integrations that share partners the same allowlist (they share one statement), ' +
          'move a common allowlist to the platform, or raise the quota in Service Quotas and set the platform\'s apiResourcePolicyCharacters to it.',
      ).message,
    ];
  }
}

const one = <T>(values: readonly T[]): T | T[] => (values.length === 1 ? values[0] : [...values]);

/** A resource of the policy as API Gateway matches it: `*` any run of characters, `?` one. */
const globToRegExp = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
