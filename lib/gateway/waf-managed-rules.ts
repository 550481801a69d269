import { Token } from 'aws-cdk-lib';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { IntegrationConfigError } from '../core/errors';

/**
 * The AWS managed rule groups every platform WebACL starts with, in priority order.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
 */
export const DEFAULT_MANAGED_RULE_GROUPS: readonly string[] = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
];

/** The core rule set, whose `SizeRestrictions_BODY` rule blocks bodies over 8 KB. */
export const COMMON_RULE_SET = 'AWSManagedRulesCommonRuleSet';
/**
 * The core rule set's rule that blocks request bodies over 8 KB (8,192 bytes).
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
 */
export const SIZE_RESTRICTIONS_BODY_RULE = 'SizeRestrictions_BODY';

/**
 * Web ACL capacity units (WCU) of the AWS managed rule groups this library knows, as AWS publishes
 * them for each group ("VendorName: AWS, Name: ..., WCU: n").
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
 */
export const AWS_MANAGED_RULE_GROUP_CAPACITY: Readonly<Record<string, number>> = {
  AWSManagedRulesCommonRuleSet: 700,
  AWSManagedRulesAdminProtectionRuleSet: 100,
  AWSManagedRulesKnownBadInputsRuleSet: 200,
  AWSManagedRulesSQLiRuleSet: 200,
  AWSManagedRulesLinuxRuleSet: 200,
  AWSManagedRulesUnixRuleSet: 100,
  AWSManagedRulesWindowsRuleSet: 200,
  AWSManagedRulesPHPRuleSet: 100,
  AWSManagedRulesWordPressRuleSet: 100,
  AWSManagedRulesAmazonIpReputationList: 25,
  AWSManagedRulesAnonymousIpList: 50,
};

/** WAF entity names (rule, rule group, rule in a group): letters, digits, `_` and `-`, 1 to 128. */
const ENTITY_NAME = /^[0-9A-Za-z_-]{1,128}$/;
/** A managed rule group version, as CloudFormation accepts it. */
const VERSION = /^[\w#:.\-/]{1,64}$/;

/** What a {@link ManagedRuleOverride} does to one rule of a managed group. */
enum OverrideKind {
  COUNT = 'COUNT',
  BLOCK = 'BLOCK',
}

/**
 * A new action for one rule of a managed rule group (`RuleActionOverrides`, which replaced
 * `ExcludedRules`: excluding a rule is setting it to count).
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-rule-group-override-options.html
 */
export class ManagedRuleOverride {
  /**
   * The rule only counts (and labels) matching requests; it no longer blocks them. This is how a
   * rule is excluded from a managed group.
   */
  public static count(ruleName: string): ManagedRuleOverride {
    return new ManagedRuleOverride(ruleName, OverrideKind.COUNT);
  }

  /** The rule blocks matching requests (for rules whose own action is count). */
  public static block(ruleName: string): ManagedRuleOverride {
    return new ManagedRuleOverride(ruleName, OverrideKind.BLOCK);
  }

  private constructor(
    /** The rule's name inside the group, e.g. `SizeRestrictions_BODY`. */
    public readonly ruleName: string,
    private readonly kind: OverrideKind,
  ) {}

  /** Whether the rule is set to count. */
  public get isCount(): boolean {
    return this.kind === OverrideKind.COUNT;
  }

  /** The CloudFormation `RuleActionOverride`. @internal */
  public _render(): wafv2.CfnWebACL.RuleActionOverrideProperty {
    return { name: this.ruleName, actionToUse: this.kind === OverrideKind.COUNT ? { count: {} } : { block: {} } };
  }
}

/** Options of a {@link ManagedRuleGroup}. */
export interface ManagedRuleGroupOptions {
  /**
   * New actions for single rules of the group: {@link ManagedRuleOverride.count} to exclude a rule
   * (count-mode), {@link ManagedRuleOverride.block} to enforce a rule that only counts.
   * @default - every rule keeps its own action
   */
  readonly ruleOverrides?: ManagedRuleOverride[];
  /**
   * Run the whole group in count mode: matches are counted, labelled and logged, nothing is
   * blocked. For trying a group on live traffic before enforcing it.
   * @default false
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-rule-group-override-options.html
   */
  readonly countOnly?: boolean;
  /**
   * The version of the group to pin.
   * @default - the vendor's default version
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-managed-rule-groups-versioning.html
   */
  readonly version?: string;
  /**
   * The group's capacity in web ACL capacity units, for a group the library does not know; used
   * only for the synth-time capacity check.
   * @default - the published WCU for the AWS groups in {@link AWS_MANAGED_RULE_GROUP_CAPACITY};
   *   unknown for others (the check warns that it cannot count them)
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-waf-capacity-units.html
   */
  readonly capacity?: number;
}

/** A managed rule group in the platform's WebACL. */
export class ManagedRuleGroup {
  /** An AWS managed rule group, e.g. `ManagedRuleGroup.aws('AWSManagedRulesLinuxRuleSet')`. */
  public static aws(name: string, options: ManagedRuleGroupOptions = {}): ManagedRuleGroup {
    return new ManagedRuleGroup('AWS', name, options);
  }

  /** A rule group of an AWS Marketplace seller (you subscribe to it first). */
  public static fromVendor(vendorName: string, name: string, options: ManagedRuleGroupOptions = {}): ManagedRuleGroup {
    return new ManagedRuleGroup(vendorName, name, options);
  }

  /** The default list: {@link DEFAULT_MANAGED_RULE_GROUPS}, every rule with its own action. */
  public static defaults(): ManagedRuleGroup[] {
    return DEFAULT_MANAGED_RULE_GROUPS.map((name) => ManagedRuleGroup.aws(name));
  }

  private constructor(
    /** The vendor, `AWS` for AWS Managed Rules. */
    public readonly vendorName: string,
    /** The group's name. */
    public readonly name: string,
    /** The options given. */
    public readonly options: ManagedRuleGroupOptions,
  ) {}

  /** The same group with more rule overrides (later ones win for the same rule). */
  public withOverrides(...overrides: ManagedRuleOverride[]): ManagedRuleGroup {
    return new ManagedRuleGroup(this.vendorName, this.name, { ...this.options, ruleOverrides: [...(this.options.ruleOverrides ?? []), ...overrides] });
  }

  /** Whether this is AWS's core rule set, which holds `SizeRestrictions_BODY`. */
  public get isCommonRuleSet(): boolean {
    return this.vendorName === 'AWS' && this.name === COMMON_RULE_SET;
  }

  /** The capacity (WCU) when known. */
  public get capacity(): number | undefined {
    return this.options.capacity ?? (this.vendorName === 'AWS' ? AWS_MANAGED_RULE_GROUP_CAPACITY[this.name] : undefined);
  }

  /** Whether `ruleName` is set to count, by override or because the whole group counts. */
  public counts(ruleName: string): boolean {
    if (this.options.countOnly) return true;
    const last = [...(this.options.ruleOverrides ?? [])].reverse().find((o) => o.ruleName === ruleName);
    return last !== undefined && last.isCount;
  }

  /** The `ManagedRuleGroupStatement` and the rule's override action. @internal */
  public _render(): { statement: wafv2.CfnWebACL.StatementProperty; overrideAction: wafv2.CfnWebACL.OverrideActionProperty } {
    const byRule = new Map<string, wafv2.CfnWebACL.RuleActionOverrideProperty>();
    for (const o of this.options.ruleOverrides ?? []) byRule.set(o.ruleName, o._render());
    return {
      statement: {
        managedRuleGroupStatement: {
          vendorName: this.vendorName,
          name: this.name,
          version: this.options.version,
          ruleActionOverrides: byRule.size > 0 ? [...byRule.values()] : undefined,
        },
      },
      overrideAction: this.options.countOnly ? { count: {} } : { none: {} },
    };
  }
}

/**
 * Checks a list of managed rule groups: names, vendors, versions, overrides, capacities, and that
 * no group appears twice.
 * @throws IntegrationConfigError naming the entry, its value and the fix
 */
export function validateManagedRuleGroups(owner: string, prop: string, groups: readonly ManagedRuleGroup[]): void {
  const seen = new Set<string>();
  groups.forEach((group, i) => {
    const at = `${prop}[${i}]`;
    if (!(group instanceof ManagedRuleGroup)) {
      throw new IntegrationConfigError(owner, at, group, 'Use ManagedRuleGroup.aws(name) or ManagedRuleGroup.fromVendor(vendor, name).');
    }
    if (typeof group.vendorName !== 'string' || group.vendorName.trim().length === 0 || group.vendorName.length > 128) {
      throw new IntegrationConfigError(owner, `${at}.vendorName`, group.vendorName, 'Name the vendor (1 to 128 characters): "AWS" for AWS Managed Rules.');
    }
    if (typeof group.name !== 'string' || !ENTITY_NAME.test(group.name)) {
      throw new IntegrationConfigError(owner, `${at}.name`, group.name, 'A rule group name is 1 to 128 letters, digits, "_" or "-", e.g. "AWSManagedRulesLinuxRuleSet".');
    }
    if (group.vendorName === 'AWS' && !group.name.startsWith('AWSManagedRules')) {
      throw new IntegrationConfigError(
        owner,
        `${at}.name`,
        group.name,
        'AWS managed rule group names start with "AWSManagedRules" (see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html); ' +
          'for a Marketplace group use ManagedRuleGroup.fromVendor(vendor, name).',
      );
    }
    const key = `${group.vendorName}/${group.name}`;
    if (seen.has(key)) throw new IntegrationConfigError(owner, at, key, 'Each managed rule group can appear once in a WebACL; merge the two entries.');
    seen.add(key);
    const { version, capacity, ruleOverrides } = group.options;
    if (version !== undefined && !Token.isUnresolved(version) && !VERSION.test(version)) {
      throw new IntegrationConfigError(owner, `${at}.version`, version, 'A version is 1 to 64 of letters, digits and "_#:.-/", e.g. "Version_1.12".');
    }
    if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1)) {
      throw new IntegrationConfigError(owner, `${at}.capacity`, capacity, 'Give the group\'s capacity as a positive whole number of WCU, as its vendor publishes it.');
    }
    (ruleOverrides ?? []).forEach((o, j) => {
      if (!(o instanceof ManagedRuleOverride) || typeof o.ruleName !== 'string' || !ENTITY_NAME.test(o.ruleName)) {
        throw new IntegrationConfigError(
          owner,
          `${at}.ruleOverrides[${j}]`,
          o instanceof ManagedRuleOverride ? o.ruleName : o,
          'Use ManagedRuleOverride.count(ruleName) or .block(ruleName) with the rule\'s name in the group (1 to 128 letters, digits, "_" or "-").',
        );
      }
    });
  });
}
