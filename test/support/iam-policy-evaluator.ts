/**
 * A small evaluator of AWS IAM policy statements, for tests that check what a policy DOES rather
 * than what it says: given the statements that apply to a request (the principal's identity policy,
 * the resource's policy), it returns the decision AWS's documented evaluation logic reaches.
 *
 * - An explicit Deny in any applicable statement wins.
 * - Otherwise an Allow decides: from the identity policy or the resource policy when the principal
 *   and the resource are in the same account, from both when they are not.
 * - A KMS key's policy must allow the account for IAM policies to allow use of the key.
 * - Otherwise the request is implicitly denied.
 *
 * Not modelled: SCPs, RCPs, permissions boundaries, session policies, KMS grants, policy variables,
 * Binary operators. Anything it does not model throws, so a test never passes on a guess.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
 */

import { BlockList, isIP } from 'node:net';

/** One value or a list, as policy elements take them. */
export type OneOrMany<T> = T | readonly T[];
/** Condition values in a policy: strings, or booleans and numbers as JSON allows. */
export type ConditionValue = OneOrMany<string | number | boolean>;
/** `{ operator: { key: values } }`. */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, ConditionValue>>>>;
/** `"*"` or `{ AWS: [...], Service: [...] }`. */
export type PrincipalElement = '*' | Readonly<Record<string, OneOrMany<string>>>;

/** A policy statement with every CloudFormation intrinsic resolved. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: PrincipalElement;
  readonly NotPrincipal?: PrincipalElement;
  readonly Action?: OneOrMany<string>;
  readonly NotAction?: OneOrMany<string>;
  readonly Resource?: OneOrMany<string>;
  readonly NotResource?: OneOrMany<string>;
  readonly Condition?: ConditionBlock;
}

/** Who makes the request: an IAM principal by ARN (a role's ARN for its sessions), or an AWS service. */
export type RequestPrincipal = { readonly arn: string } | { readonly service: string };
/** A value of the request context: single-valued keys hold a scalar, multivalued keys a list. */
export type ContextValue = string | number | boolean | readonly string[];
/** The request context; key names are case-insensitive. */
export type RequestContext = Readonly<Record<string, ContextValue>>;

/** A request as AWS authorizes it. */
export interface AuthorizationRequest {
  readonly principal: RequestPrincipal;
  /** `service:Action`. */
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  /**
   * Context keys besides the principal's own: the evaluator adds `aws:PrincipalArn` and
   * `aws:PrincipalAccount` (IAM principal) or `aws:PrincipalServiceName` (service), unless given here.
   */
  readonly context?: RequestContext;
}

/** The policies that apply to a request. */
export interface ApplicablePolicies {
  /** The principal's identity-based policies (statements without Principal). */
  readonly identity?: readonly PolicyStatement[];
  /**
   * The resource-based policy (statements with Principal or NotPrincipal). For a KMS key, its key
   * policy: the identity policies then allow only where it allows the account. Omitted for a KMS
   * key, the decision is the identity policies' alone, as if the key policy allowed the account
   * (the default key policy does).
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
   */
  readonly resource?: readonly PolicyStatement[];
  /** @default - the account field of the resource ARN */
  readonly resourceAccount?: string;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

const list = <T>(value: OneOrMany<T> | undefined): readonly T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value as T]);

/** A glob as a regular expression's source: `*` becomes `any`, `?` becomes `one`, the rest literal. */
function globSource(pattern: string, any: string, one: string): string {
  if (pattern.includes('${')) throw new Error(`policy variables are not supported: ${pattern}`);
  return pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, any).replace(/\?/g, one);
}

/** Whole-string match with `*` (any run) and `?` (one character). */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  return new RegExp(`^${globSource(pattern, '.*', '.')}$`, ignoreCase ? 'is' : 's').test(value);
}

/** The six components of an ARN (the last keeps its colons), or undefined for a non-ARN. */
function arnParts(value: string): string[] | undefined {
  const parts = value.split(':');
  return parts.length < 6 || parts[0] !== 'arn' ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * ArnEquals / ArnLike: each of the six colon-delimited components (the sixth keeps its colons)
 * matched separately, each with `*` and `?` wildcards.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
 */
export function arnMatch(pattern: string, value: string): boolean {
  const p = arnParts(pattern);
  const v = arnParts(value);
  return p !== undefined && v !== undefined && p.every((component, i) => globMatch(component, v[i]));
}

/**
 * A Resource or NotResource pattern against the request's resource: `*`, or an ARN whose `*` and
 * `?` match within a colon-delimited segment, except that a `*` ending a segment "can expand to
 * match beyond the colon boundaries". Anything else throws, as IAM refuses such a policy.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 */
function resourceMatch(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.startsWith('arn:')) throw new Error(`resource ${pattern} is neither "*" nor an ARN`);
  const segment = (text: string) => (text.endsWith('*') ? `${globSource(text.slice(0, -1), '[^:]*', '[^:]')}.*` : globSource(text, '[^:]*', '[^:]'));
  return new RegExp(`^${pattern.split(':').map(segment).join(':')}$`).test(resource);
}

const accountOfArn = (arn: string): string | undefined => arnParts(arn)?.[4] || undefined;

/** The account an `AWS` principal value names as a whole (an account id or its `:root` ARN), or undefined. */
const accountNamed = (value: string): string | undefined => (/^\d{12}$/.test(value) ? value : /^arn:[^:]+:iam::(\d{12}):root$/.exec(value)?.[1]);

function principalMatches(element: PrincipalElement, principal: RequestPrincipal): boolean {
  if (element === '*') return true;
  return Object.entries(element).some(([type, values]) =>
    list(values).some((v) => {
      if (type === 'AWS') {
        // "*" and {"AWS": "*"} both name every principal; an account id or its :root ARN, every principal of the account.
        if (v === '*') return true;
        if (!('arn' in principal)) return false;
        const account = accountNamed(v);
        return account !== undefined ? accountOfArn(principal.arn) === account : v === principal.arn;
      }
      return type === 'Service' && 'service' in principal && v === principal.service;
    }),
  );
}

/**
 * Whether a NotPrincipal element spares the request's principal from its statement. AWS may check
 * the principal's account before the principal itself, so an IAM principal is spared only when the
 * element names both; its account alone spares the account (its root user), not the account's
 * roles. Naming the principal without its account throws: AWS "might deny access to the entire
 * account containing the principal", which this evaluator does not guess.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
function sparedByNotPrincipal(element: PrincipalElement, principal: RequestPrincipal): boolean {
  if (element === '*' || !('arn' in principal)) return principalMatches(element, principal);
  const values = list(element.AWS);
  const account = accountOfArn(principal.arn);
  const namesAccount = values.some((v) => v === '*' || (account !== undefined && accountNamed(v) === account));
  const namesItself = values.some((v) => v === '*' || v === principal.arn);
  if (namesItself && !namesAccount) throw new Error(`NotPrincipal names ${principal.arn} but not its account: AWS may deny the whole account, name its :root ARN too`);
  // The account's root user is the account itself.
  return namesAccount && (namesItself || accountNamed(principal.arn) !== undefined);
}

interface Operator {
  readonly negated: boolean;
  readonly match: (policyValue: string, contextValue: string) => boolean;
}
/** A value of a Bool or Null condition: `true` or `false` (JSON booleans read as such). Anything else throws. */
function booleanOf(text: string): boolean {
  if (text !== 'true' && text !== 'false') throw new Error(`${JSON.stringify(text)} is neither true nor false`);
  return text === 'true';
}
/** A number of a Numeric condition: an integer or a decimal. Anything else throws (`Number('')` would be 0). */
function numberOf(text: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`${JSON.stringify(text)} is not a number for a Numeric condition operator`);
  return Number(text);
}
/**
 * A time of a Date condition, in milliseconds: a W3C profile of ISO 8601 (a time needs its zone:
 * without one, `Date.parse` would read local time; four digits are a year), or epoch seconds.
 * Anything else throws.
 * @see https://www.w3.org/TR/NOTE-datetime
 */
function timeOf(text: string): number {
  if (/^\d{4}(-\d\d(-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?)?)?$/.test(text)) {
    const time = Date.parse(text);
    if (!Number.isNaN(time)) return time;
  } else if (/^\d+$/.test(text)) return Number(text) * 1000;
  throw new Error(`${JSON.stringify(text)} is not an ISO 8601 date or epoch time for a Date condition operator`);
}
/** An ordering operator: the request's value against the policy's, both read by `parse`. */
const ordered = (parse: (text: string) => number, test: (request: number, policy: number) => boolean) => (p: string, a: string) => test(parse(a), parse(p));
const numeric = (test: (request: number, policy: number) => boolean) => ordered(numberOf, test);
const date = (test: (request: number, policy: number) => boolean) => ordered(timeOf, test);
/** Whether an IPv4 or IPv6 address is in a CIDR network (or equals a bare address). */
const ipMatch = (cidr: string, address: string): boolean => {
  const family = isIP(address);
  const [network, prefix] = cidr.split('/');
  if (family === 0 || isIP(network) !== family) return false;
  const list = new BlockList();
  list.addSubnet(network, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
};
const OPERATORS: Record<string, Operator> = {
  IpAddress: { negated: false, match: (p, a) => ipMatch(p, a) },
  NotIpAddress: { negated: true, match: (p, a) => ipMatch(p, a) },
  StringEquals: { negated: false, match: (p, a) => p === a },
  StringNotEquals: { negated: true, match: (p, a) => p === a },
  StringEqualsIgnoreCase: { negated: false, match: (p, a) => p.toLowerCase() === a.toLowerCase() },
  StringNotEqualsIgnoreCase: { negated: true, match: (p, a) => p.toLowerCase() === a.toLowerCase() },
  StringLike: { negated: false, match: (p, a) => globMatch(p, a) },
  StringNotLike: { negated: true, match: (p, a) => globMatch(p, a) },
  // ArnEquals and ArnLike behave the same: per component, with wildcards.
  ArnEquals: { negated: false, match: (p, a) => arnMatch(p, a) },
  ArnLike: { negated: false, match: (p, a) => arnMatch(p, a) },
  ArnNotEquals: { negated: true, match: (p, a) => arnMatch(p, a) },
  ArnNotLike: { negated: true, match: (p, a) => arnMatch(p, a) },
  Bool: { negated: false, match: (p, a) => booleanOf(p) === booleanOf(a) },
  NumericEquals: { negated: false, match: numeric((a, p) => a === p) },
  NumericNotEquals: { negated: true, match: numeric((a, p) => a === p) },
  NumericLessThan: { negated: false, match: numeric((a, p) => a < p) },
  NumericLessThanEquals: { negated: false, match: numeric((a, p) => a <= p) },
  NumericGreaterThan: { negated: false, match: numeric((a, p) => a > p) },
  NumericGreaterThanEquals: { negated: false, match: numeric((a, p) => a >= p) },
  DateEquals: { negated: false, match: date((a, p) => a === p) },
  DateNotEquals: { negated: true, match: date((a, p) => a === p) },
  DateLessThan: { negated: false, match: date((a, p) => a < p) },
  DateLessThanEquals: { negated: false, match: date((a, p) => a <= p) },
  DateGreaterThan: { negated: false, match: date((a, p) => a > p) },
  DateGreaterThanEquals: { negated: false, match: date((a, p) => a >= p) },
};

/** Looks a key up case-insensitively; an empty list counts as absent. */
function lookup(context: RequestContext, key: string): ContextValue | undefined {
  const found = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  return Array.isArray(found) && found.length === 0 ? undefined : found;
}

/**
 * Whether a Condition element holds for a request context: operators AND, keys within an operator
 * AND, values of one key OR (NOR for negated operators).
 * - Plain operator, key absent: false; negated operators (StringNotEquals, ArnNotLike...) true.
 * - `...IfExists`, key absent: true. `Null`: true when the key's presence is as stated (it takes no IfExists).
 * - `ForAllValues:`: every request value satisfies the operator (true when the key is absent or an empty string).
 * - `ForAnyValue:`: at least one request value does (false when the key is absent or an empty string).
 * - A policy variable (`${...}`) in a value throws: this evaluator does not substitute them.
 */
export function conditionHolds(condition: ConditionBlock | undefined, context: RequestContext): boolean {
  return Object.entries(condition ?? {}).every(([rawOperator, keys]) => {
    const [qualifier, name] = rawOperator.includes(':') ? rawOperator.split(':') : [undefined, rawOperator];
    if (qualifier !== undefined && qualifier !== 'ForAllValues' && qualifier !== 'ForAnyValue') throw new Error(`unknown set qualifier ${qualifier}`);
    const ifExists = name.endsWith('IfExists');
    const base = ifExists ? name.slice(0, -'IfExists'.length) : name;
    return Object.entries(keys).every(([key, value]) => {
      const policyValues = list(value).map(String);
      const variable = policyValues.find((v) => v.includes('${'));
      if (variable !== undefined) throw new Error(`policy variables are not supported: ${variable}`);
      const actual = lookup(context, key);
      if (rawOperator === 'Null') return policyValues.some((v) => booleanOf(v) === (actual === undefined));
      const operator = OPERATORS[base];
      if (!operator) throw new Error(`condition operator ${rawOperator} is not supported by this evaluator`);
      const satisfies = (v: string) => (operator.negated ? !policyValues.some((p) => operator.match(p, v)) : policyValues.some((p) => operator.match(p, v)));
      if (actual === undefined && ifExists) return true;
      const values = actual === undefined ? [] : list(actual as OneOrMany<string | number | boolean>).map(String);
      // For the set operators an empty string is an empty data set.
      const set = values.length === 1 && values[0] === '' ? [] : values;
      if (qualifier === 'ForAllValues') return set.every(satisfies);
      if (qualifier === 'ForAnyValue') return set.some(satisfies);
      if (actual === undefined) return operator.negated;
      if (values.length !== 1) throw new Error(`${key} has ${values.length} values: a multivalued key needs ForAllValues: or ForAnyValue:`);
      return satisfies(values[0]);
    });
  });
}

/** The request context with the principal's own keys added. */
export function requestContext(request: AuthorizationRequest): RequestContext {
  const account = 'arn' in request.principal ? accountOfArn(request.principal.arn) : undefined;
  const own: Record<string, ContextValue> =
    'arn' in request.principal
      ? { 'aws:PrincipalArn': request.principal.arn, ...(account !== undefined ? { 'aws:PrincipalAccount': account } : {}) }
      : { 'aws:PrincipalServiceName': request.principal.service };
  const given = Object.keys(request.context ?? {}).map((k) => k.toLowerCase());
  return { ...Object.fromEntries(Object.entries(own).filter(([k]) => !given.includes(k.toLowerCase()))), ...request.context };
}

/** Whether a statement applies to a request: principal (resource policy only), action, resource, condition. */
export function statementApplies(statement: PolicyStatement, request: AuthorizationRequest, inResourcePolicy: boolean): boolean {
  const has = (element: keyof PolicyStatement) => statement[element] !== undefined;
  if (inResourcePolicy !== (has('Principal') || has('NotPrincipal'))) {
    throw new Error(`statement ${statement.Sid ?? ''}: ${inResourcePolicy ? 'a resource policy statement needs' : 'an identity policy statement takes no'} Principal`);
  }
  if (has('NotPrincipal') && statement.Effect === 'Allow') throw new Error(`statement ${statement.Sid ?? ''}: NotPrincipal with Allow is not supported`);
  if (has('Action') === has('NotAction') || has('Resource') === has('NotResource')) {
    throw new Error(`statement ${statement.Sid ?? ''} needs exactly one of Action/NotAction and one of Resource/NotResource`);
  }
  if (statement.Principal !== undefined && !principalMatches(statement.Principal, request.principal)) return false;
  if (statement.NotPrincipal !== undefined && sparedByNotPrincipal(statement.NotPrincipal, request.principal)) return false;
  const action = (patterns: OneOrMany<string> | undefined) => list(patterns).some((p) => globMatch(p, request.action, true));
  if (has('Action') ? !action(statement.Action) : action(statement.NotAction)) return false;
  const resource = (patterns: OneOrMany<string> | undefined) => list(patterns).some((p) => resourceMatch(p, request.resource));
  if (has('Resource') ? !resource(statement.Resource) : resource(statement.NotResource)) return false;
  return conditionHolds(statement.Condition, requestContext(request));
}

/**
 * Whether a resource-policy statement names the request's principal only through its account (an
 * account id or `:root` ARN): such a statement delegates to the account, whose identity policies
 * must then allow too, also within the account.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
 */
function namesOnlyTheAccount(statement: PolicyStatement, principal: RequestPrincipal): boolean {
  // Only Allow statements reach here, and those have a Principal (NotPrincipal takes Deny only).
  const element = statement.Principal ?? '*';
  if (element === '*' || !('arn' in principal)) return false;
  const values = list(element.AWS);
  const direct = values.some((v) => v === '*' || v === principal.arn);
  return !direct;
}

/**
 * The decision for a request: an explicit Deny in any applicable statement wins; otherwise, in one
 * account, an Allow from either the identity policy or a resource-policy statement naming the
 * principal itself (or every principal) allows, while one naming only its account needs the
 * identity policy too; across accounts both must allow; otherwise the request is implicitly denied.
 * For a KMS key with its key policy given, an identity policy's Allow counts only where an Allow
 * of the key policy names the account ("Without permission from the key policy, IAM policies that
 * allow permissions have no effect").
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
 */
export function evaluate(request: AuthorizationRequest, policies: ApplicablePolicies): Decision {
  const identity = (policies.identity ?? []).filter((s) => statementApplies(s, request, false));
  const resource = (policies.resource ?? []).filter((s) => statementApplies(s, request, true));
  if ([...identity, ...resource].some((s) => s.Effect === 'Deny')) return 'ExplicitDeny';
  // Every applicable statement left is an Allow.
  const allows = (statements: PolicyStatement[]) => statements.length > 0;
  const principalAccount = 'arn' in request.principal ? accountOfArn(request.principal.arn) : undefined;
  const resourceAccount = policies.resourceAccount ?? accountOfArn(request.resource);
  const crossAccount = principalAccount !== undefined && resourceAccount !== undefined && principalAccount !== resourceAccount;
  const direct = resource.filter((st) => !namesOnlyTheAccount(st, request.principal));
  const keyPolicyGiven = arnParts(request.resource)?.[2] === 'kms' && policies.resource !== undefined;
  const identityAllows = allows(identity) && (!keyPolicyGiven || allows(resource.filter((st) => namesOnlyTheAccount(st, request.principal))));
  const allowed = crossAccount ? allows(identity) && allows(resource) : identityAllows || allows(direct);
  return allowed ? 'Allow' : 'ImplicitDeny';
}

// ---------------------------------------------------------------------------------------------
// Resolving a synthesized template's intrinsics to deterministic fake values.

/** The fake environment intrinsics resolve in. */
export interface FakeEnvironment {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly urlSuffix: string;
}
export const FAKE_ENVIRONMENT: FakeEnvironment = { partition: 'aws', region: 'us-east-1', account: '123456789012', urlSuffix: 'amazonaws.com' };

/** The parts of a template the resolver reads. */
export interface TemplateJson {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: Readonly<Record<string, unknown>> }>>;
}

/** The random suffix Secrets Manager appends to a secret's name in its ARN, fixed here. */
export const FAKE_SECRET_SUFFIX = 'AbCdEf';

function fakeArn(template: TemplateJson, id: string, env: FakeEnvironment): string {
  const { Type: type, Properties: props = {} } = resourceOf(template, id);
  const { partition: p, region: r, account: a } = env;
  switch (type) {
    case 'AWS::IAM::Role':
      return `arn:${p}:iam::${a}:role/${id}`;
    case 'AWS::IAM::ManagedPolicy':
      return `arn:${p}:iam::${a}:policy/${id}`;
    case 'AWS::Lambda::Function':
      return `arn:${p}:lambda:${r}:${a}:function:${id}`;
    case 'AWS::SecretsManager::Secret':
      return `arn:${p}:secretsmanager:${r}:${a}:secret:${typeof props.Name === 'string' ? props.Name : id}-${FAKE_SECRET_SUFFIX}`;
    case 'AWS::SQS::Queue':
      return `arn:${p}:sqs:${r}:${a}:${id}`;
    case 'AWS::SNS::Topic':
      return `arn:${p}:sns:${r}:${a}:${id}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${p}:logs:${r}:${a}:log-group:${id}:*`;
    case 'AWS::CloudWatch::Alarm':
    case 'AWS::CloudWatch::CompositeAlarm':
      return `arn:${p}:cloudwatch:${r}:${a}:alarm:${typeof props.AlarmName === 'string' ? props.AlarmName : id}`;
    case 'AWS::KMS::Key':
      return `arn:${p}:kms:${r}:${a}:key/${id}`;
    case 'AWS::Cognito::UserPool':
      return `arn:${p}:cognito-idp:${r}:${a}:userpool/${id}`;
    default: {
      const [, service, kind] = type.split('::');
      return `arn:${p}:${service.toLowerCase()}:${r}:${a}:${kind.toLowerCase()}/${id}`;
    }
  }
}

/** What `Ref` returns, by type: an ARN for secrets, managed policies and topics, a URL for queues, a name otherwise. */
function fakeRef(template: TemplateJson, id: string, env: FakeEnvironment): string {
  const pseudo: Record<string, string> = { 'AWS::Partition': env.partition, 'AWS::Region': env.region, 'AWS::AccountId': env.account, 'AWS::URLSuffix': env.urlSuffix };
  if (id in pseudo) return pseudo[id];
  const type = resourceOf(template, id).Type;
  if (['AWS::SecretsManager::Secret', 'AWS::IAM::ManagedPolicy', 'AWS::SNS::Topic'].includes(type)) return fakeArn(template, id, env);
  if (type === 'AWS::SQS::Queue') return `https://sqs.${env.region}.${env.urlSuffix}/${env.account}/${id}`;
  return id;
}

function resourceOf(template: TemplateJson, id: string): TemplateJson['Resources'][string] {
  const resource = template.Resources[id];
  if (!resource) throw new Error(`no resource or pseudo parameter ${id} in the template`);
  return resource;
}

/**
 * Resolves `Ref`, `Fn::GetAtt` (`Arn` only), `Fn::Join`, `Fn::Sub`, `Fn::Select` and `Fn::Split`
 * against a template, with deterministic fake names and ARNs (see {@link fakeArn}). Other
 * intrinsics throw.
 */
export function resolveIntrinsics(value: unknown, template: TemplateJson, env: FakeEnvironment = FAKE_ENVIRONMENT): unknown {
  const resolve = (v: unknown) => resolveIntrinsics(v, template, env);
  const str = (v: unknown) => {
    const s = resolve(v);
    if (typeof s !== 'string') throw new Error(`expected a string, got ${JSON.stringify(s)}`);
    return s;
  };
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [fn, arg] = entries.length === 1 ? entries[0] : [];
  const getAtt = (id: string, attribute: string) => {
    if (attribute !== 'Arn') throw new Error(`Fn::GetAtt ${id}.${attribute}: only Arn is supported`);
    return fakeArn(template, id, env);
  };
  switch (fn) {
    case 'Ref':
      return fakeRef(template, String(arg), env);
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      return getAtt(id, attribute);
    }
    case 'Fn::Join':
      return (resolve(arg[1]) as unknown[]).map(str).join(arg[0]);
    case 'Fn::Select':
      return (resolve(arg[1]) as unknown[])[Number(resolve(arg[0]))];
    case 'Fn::Split':
      return str(arg[1]).split(arg[0]);
    case 'Fn::Sub': {
      const [text, variables = {}] = Array.isArray(arg) ? arg : [arg];
      return String(text).replace(/\$\{(!?)([^}]+)\}/g, (_m, literal: string, name: string) => {
        if (literal) return `\${${name}}`;
        if (name in variables) return str(variables[name]);
        const [id, attribute] = name.split('.');
        return attribute === undefined ? fakeRef(template, id, env) : getAtt(id, attribute);
      });
    }
  }
  if (fn?.startsWith('Fn::')) throw new Error(`intrinsic ${fn} is not supported by this resolver`);
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
}

// ---------------------------------------------------------------------------------------------
// Reading the policies of a synthesized template.

/** The statements of a policy document, intrinsics resolved. */
export function statementsOf(document: unknown, template: TemplateJson, env: FakeEnvironment = FAKE_ENVIRONMENT): PolicyStatement[] {
  const resolved = resolveIntrinsics(document, template, env) as { Statement?: OneOrMany<PolicyStatement> };
  return [...list(resolved.Statement)];
}

const refersTo = (value: unknown, id: string) => list(value as OneOrMany<unknown>).some((v) => JSON.stringify(v) === JSON.stringify({ Ref: id }));

/**
 * A role's identity policy: its inline policies, the managed policies of the template in its
 * `ManagedPolicyArns` or naming it in `Roles`, and the `AWS::IAM::Policy` resources naming it.
 * A managed policy from outside the template (an AWS managed policy) throws: its statements are unknown.
 */
export function identityPolicyOfRole(template: TemplateJson, roleId: string, env: FakeEnvironment = FAKE_ENVIRONMENT): PolicyStatement[] {
  const role = resourceOf(template, roleId);
  if (role.Type !== 'AWS::IAM::Role') throw new Error(`${roleId} is a ${role.Type}, not an AWS::IAM::Role`);
  const documents: unknown[] = list(role.Properties?.Policies as OneOrMany<{ PolicyDocument: unknown }>).map((p) => p.PolicyDocument);
  const attached = new Set<string>();
  for (const arn of list(role.Properties?.ManagedPolicyArns as OneOrMany<unknown>)) {
    const id = (arn as { Ref?: string }).Ref;
    if (id === undefined || template.Resources[id]?.Type !== 'AWS::IAM::ManagedPolicy') throw new Error(`${roleId}: managed policy ${JSON.stringify(arn)} is not in the template`);
    attached.add(id);
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    const named = refersTo(resource.Properties?.Roles, roleId);
    if ((resource.Type === 'AWS::IAM::ManagedPolicy' && (attached.has(id) || named)) || (resource.Type === 'AWS::IAM::Policy' && named)) {
      documents.push(resource.Properties?.PolicyDocument);
    }
  }
  return documents.flatMap((d) => statementsOf(d, template, env));
}

/**
 * The resource policies of a template's topics (`AWS::SNS::TopicPolicy`) or queues
 * (`AWS::SQS::QueuePolicy`), by the logical id of the topic or queue they name.
 */
export function topicOrQueuePolicies(template: TemplateJson, type: 'AWS::SNS::TopicPolicy' | 'AWS::SQS::QueuePolicy', env: FakeEnvironment = FAKE_ENVIRONMENT): Map<string, PolicyStatement[]> {
  const policies = new Map<string, PolicyStatement[]>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== type) continue;
    const named = list((type === 'AWS::SNS::TopicPolicy' ? resource.Properties?.Topics : resource.Properties?.Queues) as OneOrMany<{ Ref?: string }>);
    for (const ref of named) {
      if (ref.Ref === undefined) throw new Error(`${type} names its ${type === 'AWS::SNS::TopicPolicy' ? 'topic' : 'queue'} by Ref here`);
      policies.set(ref.Ref, [...(policies.get(ref.Ref) ?? []), ...statementsOf(resource.Properties?.PolicyDocument, template, env)]);
    }
  }
  return policies;
}

/** The key policy of a key of the template. */
export function keyPolicy(template: TemplateJson, keyId: string, env: FakeEnvironment = FAKE_ENVIRONMENT): PolicyStatement[] {
  const key = resourceOf(template, keyId);
  if (key.Type !== 'AWS::KMS::Key') throw new Error(`${keyId} is a ${key.Type}, not an AWS::KMS::Key`);
  return statementsOf(key.Properties?.KeyPolicy, template, env);
}

/** The ARN `Fn::GetAtt [id, Arn]` or `Ref` of a resource, faked as {@link resolveIntrinsics} fakes it. */
export function fakeArnOf(template: TemplateJson, id: string, env: FakeEnvironment = FAKE_ENVIRONMENT): string {
  return fakeArn(template, id, env);
}

/** The resource policy of each secret (`AWS::SecretsManager::ResourcePolicy`), by the secret's logical id. */
export function secretResourcePolicies(template: TemplateJson, env: FakeEnvironment = FAKE_ENVIRONMENT): Map<string, PolicyStatement[]> {
  const policies = new Map<string, PolicyStatement[]>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::SecretsManager::ResourcePolicy') continue;
    const secretId = (resource.Properties?.SecretId as { Ref?: string }).Ref;
    if (secretId === undefined) throw new Error('a secret resource policy names its secret by Ref here');
    policies.set(secretId, [...(policies.get(secretId) ?? []), ...statementsOf(resource.Properties?.ResourcePolicy, template, env)]);
  }
  return policies;
}

/**
 * A function's resource policy as Lambda renders its `AWS::Lambda::Permission`s: the principal
 * (a service or an account/ARN), `SourceAccount` as `StringEquals AWS:SourceAccount`, `SourceArn`
 * as `ArnLike AWS:SourceArn`, `PrincipalOrgID` as `StringEquals aws:PrincipalOrgID`.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 */
export function lambdaResourcePolicy(template: TemplateJson, functionId: string, env: FakeEnvironment = FAKE_ENVIRONMENT): PolicyStatement[] {
  const functionArn = fakeArn(template, functionId, env);
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Permission')
    .map((r) => resolveIntrinsics(r.Properties, template, env) as Record<string, string | undefined>)
    .filter((p) => p.FunctionName === functionArn || p.FunctionName === functionId)
    .map((p): PolicyStatement => {
      for (const key of ['EventSourceToken', 'FunctionUrlAuthType']) if (p[key] !== undefined) throw new Error(`Lambda permission property ${key} is not supported`);
      const principal = p.Principal ?? '';
      const principalElement: PrincipalElement = principal === '*' ? '*' : principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal };
      const condition: Record<string, Record<string, string>> = {};
      if (p.SourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': p.SourceAccount };
      if (p.PrincipalOrgID !== undefined) condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': p.PrincipalOrgID };
      if (p.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': p.SourceArn };
      return {
        Effect: 'Allow',
        Principal: principalElement,
        Action: String(p.Action),
        Resource: functionArn,
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      };
    });
}
