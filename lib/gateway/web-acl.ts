import { createHash } from 'node:crypto';
import { Annotations, ArnFormat, Duration, Lazy, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import { BODY_TOO_LARGE_ACTION, BODY_TOO_LARGE_BODY, BODY_TOO_LARGE_BODY_KEY, MANAGED_BODY_LIMIT, bodyLargerThan, inspectionWindowKib, validateBodyLimit } from './waf-body-size';
import { CapacityEstimate, WEB_ACL_INCLUDED_CAPACITY, WEB_ACL_MAX_CAPACITY, estimateCapacity } from './waf-capacity';
import { referenceStatements, WAF_MAX_REFERENCE_STATEMENTS, WAF_MAX_RATE_BASED_RULES } from './waf-quotas';
import { splitAllowlist } from './waf-ip-cidr';
import { ManagedRuleGroup, ManagedRuleOverride, SIZE_RESTRICTIONS_BODY_RULE, validateManagedRuleGroups } from './waf-managed-rules';
import type { IntegrationWafOptions, PlatformWafOptions } from './waf-options';
import { pathScopeStatement, validatePathPrefixes } from './waf-path-scope';
import { DEFAULT_PLATFORM_RATE_LIMIT, RATE_LIMITED_BODY, RATE_LIMITED_BODY_KEY, WafRateLimit, rateBasedStatement, rateLimitedAction, validateRateLimit } from './waf-rate-limit';

export { DEFAULT_MANAGED_RULE_GROUPS, ManagedRuleGroup, ManagedRuleOverride } from './waf-managed-rules';
export type { ManagedRuleGroupOptions } from './waf-managed-rules';
export type { CapacityEstimate } from './waf-capacity';
export { WafRateLimit } from './waf-rate-limit';
export type { IntegrationWafOptions, PlatformWafOptions } from './waf-options';
export { IpAddressVersion, parseNetworkCidr } from './waf-ip-cidr';

/**
 * Rule priority bands, lowest evaluated first. Labelling rules come first (they only count); then
 * the allowlists (cheapest, and nothing from outside should count against anyone's rate); then the
 * rate limits, so a flood is answered 429 before heavier inspection; then the body-size rules, so a
 * body larger than WAF's inspection window is blocked before a managed rule reads only its head;
 * the managed rule groups last. A band holds the platform's rule first, then integrations by name.
 */
export const WAF_PRIORITY_BANDS = { scope: 0, ipAllowlist: 10_000, rateLimit: 20_000, bodySize: 30_000, managedRuleGroups: 40_000 } as const;

/** The label an integration's scope rule puts on requests to its routes (`<namespace>:<name>`). */
export const INTEGRATION_LABEL_NAMESPACE = 'cdk-secure-integrations:integration';

/** Properties of an {@link IntegrationWebAcl}. */
export interface IntegrationWebAclProps {
  /** The stage the WebACL protects. */
  readonly stage: apigateway.Stage;
  /** The key that encrypts the WAF log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * Retention of the WAF log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The platform's WAF controls: allowlist, rate limit, body size, managed rule groups.
   * @default - defaults of each {@link PlatformWafOptions} field
   */
  readonly waf?: PlatformWafOptions;
}

/** What {@link IntegrationWebAcl.addIntegrationControls} added. */
export interface IntegrationWafControls {
  /** The label on requests to the integration's routes. */
  readonly label: string;
  /** The names of the integration's rules in the WebACL. */
  readonly ruleNames: string[];
  /** The integration's IP sets (IPv4 and/or IPv6), when it has an allowlist. */
  readonly ipSets: wafv2.CfnIPSet[];
}

interface IntegrationEntry {
  readonly name: string;
  readonly scope: wafv2.CfnWebACL.StatementProperty;
  readonly rateLimit?: WafRateLimit;
  readonly bodyBytes?: number;
}

/**
 * A REGIONAL WAFv2 WebACL in front of the platform's stage: IP allowlists, rate limits with a 429
 * answer, a body-size limit that agrees with WAF's inspection window, AWS managed rule groups, for
 * the platform and per integration; logging to a KMS-encrypted `aws-waf-logs-*` log group, and an
 * association that depends on the stage explicitly (the stage ARN is built from the API id and the
 * stage name, which carries no dependency).
 */
export class IntegrationWebAcl extends Construct {
  /** The WebACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The WAF log group (its name starts with `aws-waf-logs-`, as WAF requires). */
  public readonly logGroup: logs.LogGroup;
  /** The association of the WebACL with the stage. */
  public readonly association: wafv2.CfnWebACLAssociation;
  /** The IP sets of the platform's allowlist (none without one). */
  public readonly allowlistIpSets: wafv2.CfnIPSet[] = [];
  private readonly ipSetsByContent = new Map<string, wafv2.CfnIPSet>();
  /** Integration allowlists by their addresses: one rule for the integrations that share them. */
  private readonly allowlistGroups = new Map<string, { readonly ruleName: string; readonly members: string[]; readonly statement: wafv2.CfnWebACL.StatementProperty; readonly ipSets: wafv2.CfnIPSet[] }>();
  /** The prefixes WAF sees in front of route paths. */
  public readonly uriPathPrefixes: string[];
  private readonly metricPrefix: string;
  private readonly managedGroups: ManagedRuleGroup[];
  private readonly rateLimit: WafRateLimit;
  private readonly allowlist?: wafv2.CfnWebACL.StatementProperty;
  private readonly bodyBytes?: number;
  private readonly integrations = new Map<string, IntegrationEntry>();
  private readonly integrationScopes: Construct;

  constructor(scope: Construct, id: string, props: IntegrationWebAclProps) {
    super(scope, id);
    const waf = props.waf ?? {};
    const owner = this.node.path;
    this.metricPrefix = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    this.uriPathPrefixes = validatePathPrefixes(owner, 'waf.uriPathPrefixes', waf.uriPathPrefixes ?? [defaultPrefix(props.stage)]);
    this.managedGroups = [...(waf.managedRuleGroups ?? ManagedRuleGroup.defaults())];
    validateManagedRuleGroups(owner, 'waf.managedRuleGroups', this.managedGroups);
    this.rateLimit = waf.rateLimit ?? WafRateLimit.perClientIp(DEFAULT_PLATFORM_RATE_LIMIT.limit);
    validateRateLimit(owner, 'waf.rateLimit', this.rateLimit);
    this.bodyBytes = waf.maxBodySize === undefined ? undefined : validateBodyLimit(owner, 'waf.maxBodySize', waf.maxBodySize);
    if (waf.ipAllowlist !== undefined) {
      const { statement, ipSets } = this.allowlistStatement(this, 'Allowlist', owner, 'waf.ipAllowlist', waf.ipAllowlist);
      this.allowlist = statement;
      this.allowlistIpSets.push(...ipSets);
    }
    this.integrationScopes = new Construct(this, 'Integrations');

    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: `cdk-secure-integrations WebACL of stack ${Stack.of(this).stackName}`,
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: this.metricPrefix },
      rules: Lazy.any({ produce: () => this.renderRules() }),
      customResponseBodies: Lazy.any({ produce: () => this.renderResponseBodies() }),
      associationConfig: Lazy.any({ produce: () => this.renderAssociationConfig() }),
    });
    this.node.addValidation({ validate: () => this.checkCapacityAndBodyLimit() });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400, separator: '-' })}`,
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // WAF wants the log group ARN without the ':*' suffix that the log group's Arn attribute carries.
    const logGroupArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: this.logGroup.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [logGroupArn],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(this.logGroup);

    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
    this.association.node.addDependency(props.stage);
  }

  /** Adds a managed rule group after the others. */
  public addManagedRuleGroup(group: ManagedRuleGroup): void {
    const next = [...this.managedGroups, group];
    validateManagedRuleGroups(this.node.path, 'managedRuleGroups', next);
    this.managedGroups.push(group);
  }

  /**
   * Adds an integration's WAF controls, which apply to requests to its routes only. Requests to the
   * routes are labelled `cdk-secure-integrations:integration:<name>` by a counting rule, and the
   * integration's rules match that label.
   *
   * @param integrationName the integration's unique name on the platform
   * @param paths the integration's route paths as declared, without the stage, e.g. `/orders/{id}`
   * @param waf the integration's controls
   * @returns what was added, or undefined when `waf` asks for nothing
   * @throws IntegrationConfigError for bad input, naming `waf.<field>`
   */
  public addIntegrationControls(integrationName: string, paths: string[], waf: IntegrationWafOptions | undefined): IntegrationWafControls | undefined {
    if (typeof integrationName !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(integrationName)) {
      throw new IntegrationConfigError(this.node.path, 'integrationName', integrationName, 'Use a letter followed by letters, digits, "-" or "_", at most 64 characters.');
    }
    if (waf === undefined) return undefined;
    if (waf.rateLimit !== undefined) validateRateLimit(integrationName, 'waf.rateLimit', waf.rateLimit);
    if (waf.ipAllowlist === undefined && !waf.rateLimit?.enabled && waf.maxBodySize === undefined) return undefined;
    if (this.integrations.has(integrationName)) {
      throw new IntegrationConfigError(integrationName, 'waf', integrationName, 'This integration has WAF controls already; give them in one call.');
    }
    const scope = pathScopeStatement(integrationName, 'waf (inbound route paths)', this.uriPathPrefixes, paths);
    const bodyBytes = waf.maxBodySize === undefined ? undefined : validateBodyLimit(integrationName, 'waf.maxBodySize', waf.maxBodySize);
    const ipSets: wafv2.CfnIPSet[] = [];
    let allowlistRule: string | undefined;
    if (waf.ipAllowlist !== undefined) {
      // Integrations that trust the same addresses share one rule (named after the first of them) and its IP sets:
      // each rule's references count against WAF's 50 per web ACL.
      const key = JSON.stringify(splitAllowlist(integrationName, 'waf.ipAllowlist', waf.ipAllowlist));
      let group = this.allowlistGroups.get(key);
      if (!group) {
        const made = this.allowlistStatement(new Construct(this.integrationScopes, integrationName), 'Allowlist', integrationName, 'waf.ipAllowlist', waf.ipAllowlist);
        group = { ruleName: `Integration-${integrationName}-IpAllowlist`, members: [], statement: made.statement, ipSets: made.ipSets };
        this.allowlistGroups.set(key, group);
      }
      group.members.push(integrationName);
      ipSets.push(...group.ipSets);
      allowlistRule = group.ruleName;
    }
    const rateLimit = waf.rateLimit?.enabled ? waf.rateLimit : undefined;
    this.integrations.set(integrationName, { name: integrationName, scope, rateLimit, bodyBytes });
    const ruleNames = [`Integration-${integrationName}-Scope`];
    if (allowlistRule) ruleNames.push(allowlistRule);
    if (rateLimit) ruleNames.push(`Integration-${integrationName}-RateLimit`);
    if (bodyBytes !== undefined) ruleNames.push(`Integration-${integrationName}-BodySize`);
    return { label: `${INTEGRATION_LABEL_NAMESPACE}:${integrationName}`, ruleNames, ipSets };
  }

  /** The WebACL's rules as they will be synthesized, in priority order. */
  public get rules(): wafv2.CfnWebACL.RuleProperty[] {
    return this.renderRules();
  }

  /** The estimated web ACL capacity (WCU) of the rules. */
  public get estimatedCapacity(): CapacityEstimate {
    const given = new Map<string, number>();
    for (const g of this.managedGroups) if (g.options.capacity !== undefined) given.set(`${g.vendorName}/${g.name}`, g.options.capacity);
    return estimateCapacity(this.renderRules(), given);
  }

  private allowlistStatement(
    scope: Construct,
    idPrefix: string,
    owner: string,
    prop: string,
    entries: readonly string[],
  ): { statement: wafv2.CfnWebACL.StatementProperty; ipSets: wafv2.CfnIPSet[] } {
    const split = splitAllowlist(owner, prop, entries);
    const ipSets: wafv2.CfnIPSet[] = [];
    for (const [version, addresses] of [
      ['IPV4', split.ipv4],
      ['IPV6', split.ipv6],
    ] as const) {
      if (addresses.length === 0) continue;
      const suffix = version === 'IPV4' ? 'Ipv4' : 'Ipv6';
      // Integrations with the same allowlist share its IP set: each reference counts against WAF's 50 per web ACL.
      const content = `${version}:${[...addresses].sort().join(',')}`;
      let ipSet = this.ipSetsByContent.get(content);
      if (!ipSet) {
        ipSet = new wafv2.CfnIPSet(scope, `${idPrefix}${suffix}`, {
          scope: 'REGIONAL',
          ipAddressVersion: version,
          addresses,
          description: `Allowlist ${suffix} of ${owner}`.replace(/[^a-zA-Z0-9=:#@/\-,.\s]/g, '-').slice(0, 256),
        });
        this.ipSetsByContent.set(content, ipSet);
      }
      ipSets.push(ipSet);
    }
    const refs: wafv2.CfnWebACL.StatementProperty[] = ipSets.map((s) => ({ ipSetReferenceStatement: { arn: s.attrArn } }));
    const inList = refs.length === 1 ? refs[0] : { orStatement: { statements: refs } };
    return { statement: { notStatement: { statement: inList } }, ipSets };
  }

  private renderRules(): wafv2.CfnWebACL.RuleProperty[] {
    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    const add = (name: string, priority: number, statement: wafv2.CfnWebACL.StatementProperty, action: wafv2.CfnWebACL.RuleActionProperty, labels?: string[]) =>
      rules.push({
        name,
        priority,
        action,
        statement,
        ruleLabels: labels?.map((l) => ({ name: l })),
        visibilityConfig: this.visibility(name),
      });
    const entries = [...this.integrations.values()].sort((a, b) => a.name.localeCompare(b.name));
    const label = (e: IntegrationEntry): wafv2.CfnWebACL.StatementProperty => ({ labelMatchStatement: { scope: 'LABEL', key: `${INTEGRATION_LABEL_NAMESPACE}:${e.name}` } });
    const B = WAF_PRIORITY_BANDS;

    entries.forEach((e, i) => add(`Integration-${e.name}-Scope`, B.scope + i, e.scope, { count: {} }, [`${INTEGRATION_LABEL_NAMESPACE}:${e.name}`]));

    if (this.allowlist) add('PlatformIpAllowlist', B.ipAllowlist, this.allowlist, { block: {} });
    const groups = [...this.allowlistGroups.values()].sort((a, b) => a.ruleName.localeCompare(b.ruleName));
    groups.forEach((g, i) => {
      const labels = [...g.members].sort().map((name) => label({ name } as IntegrationEntry));
      add(g.ruleName, B.ipAllowlist + 1 + i, { andStatement: { statements: [labels.length === 1 ? labels[0] : { orStatement: { statements: labels } }, g.statement] } }, { block: {} });
    });

    if (this.rateLimit.enabled) add('PlatformRateLimit', B.rateLimit, rateBasedStatement(this.rateLimit), rateLimitedAction(this.rateLimit));
    entries.forEach((e, i) => {
      if (e.rateLimit) add(`Integration-${e.name}-RateLimit`, B.rateLimit + 1 + i, rateBasedStatement(e.rateLimit, label(e)), rateLimitedAction(e.rateLimit));
    });

    const body = this.bodyPlan();
    if (body.platformRule) {
      const own = entries.filter((e) => e.bodyBytes !== undefined).map(label);
      const size = bodyLargerThan(body.platformBytes);
      const statement =
        own.length === 0 ? size : { andStatement: { statements: [size, { notStatement: { statement: own.length === 1 ? own[0] : { orStatement: { statements: own } } } }] } };
      add('PlatformBodySize', B.bodySize, statement, BODY_TOO_LARGE_ACTION);
    }
    entries.forEach((e, i) => {
      if (e.bodyBytes !== undefined) add(`Integration-${e.name}-BodySize`, B.bodySize + 1 + i, { andStatement: { statements: [label(e), bodyLargerThan(e.bodyBytes)] } }, BODY_TOO_LARGE_ACTION);
    });

    this.managedGroups.forEach((group, i) => {
      const rendered = (body.overrideManagedBodyRule && group.isCommonRuleSet ? group.withOverrides(ManagedRuleOverride.count(SIZE_RESTRICTIONS_BODY_RULE)) : group)._render();
      rules.push({ name: group.name, priority: B.managedRuleGroups + i, overrideAction: rendered.overrideAction, statement: rendered.statement, visibilityConfig: this.visibility(group.name) });
    });
    const names = new Set<string>();
    for (const r of rules) {
      if (names.has(r.name)) throw new IntegrationConfigError(this.node.path, 'waf.managedRuleGroups', r.name, 'A managed rule group has the name of another rule of this WebACL; rule names must be unique.');
      names.add(r.name);
    }
    return rules;
  }

  /**
   * How the body limits fit together. Without any limit of the library's, the core rule set keeps
   * its 8 KB. With one: the platform rule enforces the platform's limit (8 KB when not set) for every
   * route without its own; when any limit exceeds 8 KB, the core rule set's body rule only counts and
   * the inspection window holds the largest limit, so every allowed body is inspected whole.
   */
  private bodyPlan(): { platformRule: boolean; platformBytes: number; overrideManagedBodyRule: boolean; windowKib?: number } {
    const managedBytes = MANAGED_BODY_LIMIT.toBytes();
    const platformBytes = this.bodyBytes ?? managedBytes;
    const integrationBytes = [...this.integrations.values()].flatMap((e) => (e.bodyBytes === undefined ? [] : [e.bodyBytes]));
    const largest = Math.max(platformBytes, ...integrationBytes);
    const overrideManagedBodyRule = largest > managedBytes;
    return {
      platformRule: this.bodyBytes !== undefined || overrideManagedBodyRule,
      platformBytes,
      overrideManagedBodyRule,
      windowKib: overrideManagedBodyRule ? inspectionWindowKib(largest) : undefined,
    };
  }

  private renderAssociationConfig(): wafv2.CfnWebACL.AssociationConfigProperty | undefined {
    const { windowKib } = this.bodyPlan();
    return windowKib === undefined ? undefined : { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: `KB_${windowKib}` } } };
  }

  private renderResponseBodies(): Record<string, wafv2.CfnWebACL.CustomResponseBodyProperty> | undefined {
    const entries = [...this.integrations.values()];
    const bodies: Record<string, wafv2.CfnWebACL.CustomResponseBodyProperty> = {};
    if (this.rateLimit.enabled || entries.some((e) => e.rateLimit)) bodies[RATE_LIMITED_BODY_KEY] = RATE_LIMITED_BODY;
    if (this.bodyPlan().platformRule || entries.some((e) => e.bodyBytes !== undefined)) bodies[BODY_TOO_LARGE_BODY_KEY] = BODY_TOO_LARGE_BODY;
    return Object.keys(bodies).length > 0 ? bodies : undefined;
  }

  private checkCapacityAndBodyLimit(): string[] {
    const { wcu, unknownGroups } = this.estimatedCapacity;
    const errors: string[] = [...this.checkRuleQuotas()];
    if (wcu > WEB_ACL_MAX_CAPACITY) {
      errors.push(
        `${this.node.path}: the WebACL's rules need about ${wcu} WCU; AWS WAF allows ${WEB_ACL_MAX_CAPACITY} per web ACL ` +
          '(https://docs.aws.amazon.com/waf/latest/developerguide/limits.html). Drop managed rule groups or merge integration controls.',
      );
    } else if (wcu > WEB_ACL_INCLUDED_CAPACITY) {
      Annotations.of(this).addWarningV2(
        'cdk-secure-integrations:wafCapacity',
        `The WebACL's rules need about ${wcu} WCU, above the ${WEB_ACL_INCLUDED_CAPACITY} included in the price: each further 500 WCU ` +
          'costs extra per million requests (https://docs.aws.amazon.com/waf/latest/developerguide/aws-waf-capacity-units.html).',
      );
    }
    if (unknownGroups.length > 0) {
      Annotations.of(this).addWarningV2(
        'cdk-secure-integrations:wafCapacityUnknown',
        `The capacity of ${unknownGroups.join(', ')} is unknown to the library and not in the WCU estimate; give it as ManagedRuleGroupOptions.capacity.`,
      );
    }
    const crs = this.managedGroups.find((g) => g.isCommonRuleSet);
    if (!this.bodyPlan().platformRule && (crs === undefined || crs.counts(SIZE_RESTRICTIONS_BODY_RULE))) {
      Annotations.of(this).addWarningV2(
        'cdk-secure-integrations:wafNoBodyLimit',
        'No WAF rule limits the request body size (the core rule set, or its SizeRestrictions_BODY rule, does not block): only API Gateway\'s ' +
          '10 MB payload limit applies, and WAF inspects only the first 16 KB. Set waf.maxBodySize.',
      );
    }
    return errors;
  }

  /**
   * WAF's fixed quotas on one web ACL's rules and the account's IP sets, counted in the rules as
   * synthesized: at most 10 rate-based rules and 50 reference statements (IP set, regex pattern set
   * and rule group references) per web ACL. Every IP set is referenced, so a platform makes at most
   * 50 of the account's 100 (default) IP sets.
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/limits.html
   */
  private checkRuleQuotas(): string[] {
    const rules = this.renderRules();
    const errors: string[] = [];
    const rateBased = rules.filter((r) => (r.statement as wafv2.CfnWebACL.StatementProperty).rateBasedStatement !== undefined);
    if (rateBased.length > WAF_MAX_RATE_BASED_RULES) {
      errors.push(
        `${this.node.path}: the WebACL has ${rateBased.length} rate-based rules (the platform's and one per integration with waf.rateLimit); AWS WAF allows ` +
          `${WAF_MAX_RATE_BASED_RULES} per web ACL (https://docs.aws.amazon.com/waf/latest/developerguide/limits.html). Keep waf.rateLimit for the integrations that need ` +
          'a limit of their own and let the others share the platform\'s, or limit them with API Gateway throttling (inbound route throttling).',
      );
    }
    const references = rules.reduce((sum, r) => sum + referenceStatements(r.statement as wafv2.CfnWebACL.StatementProperty), 0);
    if (references > WAF_MAX_REFERENCE_STATEMENTS) {
      errors.push(
        `${this.node.path}: the WebACL's rules hold ${references} reference statements (each IP allowlist refers to one IP set per address family); AWS WAF allows ` +
          `${WAF_MAX_REFERENCE_STATEMENTS} per web ACL (https://docs.aws.amazon.com/waf/latest/developerguide/limits.html). Give integrations that trust the same partner ` +
          'addresses the same waf.ipAllowlist (they share one IP set), or move allowlists to the platform (waf.ipAllowlist of the platform).',
      );
    }
    return errors;
  }

  /**
   * WAF's `BlockedRequests` of one rule of this WebACL (Sum per period): dimensions `WebACL` and
   * `Rule` are the metric names of the WebACL's and the rule's visibility configs.
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html
   */
  public metricBlockedRequests(ruleName: string, period: Duration = Duration.minutes(5)): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: this.metricPrefix, Region: Stack.of(this).region, Rule: this.visibility(ruleName).metricName },
      statistic: 'Sum',
      period,
      label: `WAF blocked: ${ruleName}`,
    });
  }

  private visibility(ruleName: string): wafv2.CfnWebACL.VisibilityConfigProperty {
    const name = `${this.metricPrefix}-${ruleName}`;
    const metricName = name.length <= 128 ? name : `${name.slice(0, 119)}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
    return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
  }
}

/** `/<stage name>` from the stage's literal name (the `stageName` attribute is a token). */
function defaultPrefix(stage: apigateway.Stage): string {
  const name = (stage.node.defaultChild as apigateway.CfnStage | undefined)?.stageName;
  if (typeof name !== 'string' || Token.isUnresolved(name)) {
    throw new IntegrationConfigError(stage.node.path, 'waf.uriPathPrefixes', name, 'The stage name is not known at synth; give waf.uriPathPrefixes, e.g. ["/v1"].');
  }
  return `/${name}`;
}
