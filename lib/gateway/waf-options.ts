import type { Size } from 'aws-cdk-lib';
import type { ManagedRuleGroup } from './waf-managed-rules';
import type { WafRateLimit } from './waf-rate-limit';

/** WAF controls of the whole platform. */
export interface PlatformWafOptions {
  /**
   * Networks allowed to call the API: requests from any other address are blocked (403). Bare
   * addresses mean /32 or /128; a network with host bits set, `/0` or an empty list is an error.
   * @default - no allowlist: every address may call
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-ipset-match.html
   */
  readonly ipAllowlist?: string[];
  /**
   * Requests per client IP address within a sliding window; more get 429.
   * @default WafRateLimit.perClientIp(6000, Duration.minutes(5)): 20 requests per second on
   *   average, a fifth of the stage's default throttle
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html
   */
  readonly rateLimit?: WafRateLimit;
  /**
   * Largest request body, at most 64 KB (the largest window WAF inspects for API Gateway). Above
   * 8 KB the core rule set's `SizeRestrictions_BODY` rule is set to count, the inspection window is
   * raised to the smallest of 16, 32, 48, 64 KB that holds the limit (above 16 KB at extra cost),
   * and the library's own rule blocks larger bodies (413), including any beyond the window.
   * @default - 8 KB, enforced by the core rule set's `SizeRestrictions_BODY` rule
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html
   */
  readonly maxBodySize?: Size;
  /**
   * The managed rule groups, in priority order; replaces the default list.
   * @default ManagedRuleGroup.defaults(): IP reputation, core rule set, known bad inputs, SQL injection
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
   */
  readonly managedRuleGroups?: ManagedRuleGroup[];
  /**
   * What WAF sees in front of a route's path: the stage (`/v1`) on the execute-api endpoint; the
   * base path, or `''`, behind a custom domain. Integration scopes match `<prefix><route path>`.
   * @default - [`/<stage name>`]
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-aws-waf.html
   */
  readonly uriPathPrefixes?: string[];
}

/**
 * WAF controls of one integration, applied to requests to its routes only (matched on the URI path
 * behind {@link PlatformWafOptions.uriPathPrefixes}). They add to the platform's controls: a request
 * must pass both allowlists and both rate limits.
 */
export interface IntegrationWafOptions {
  /**
   * Networks allowed to call this integration's routes (as {@link PlatformWafOptions.ipAllowlist}:
   * at most 10,000 networks per address version).
   * @default - no allowlist of its own
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-ipset-match.html
   */
  readonly ipAllowlist?: string[];
  /**
   * A rate limit per client IP address on this integration's routes, in addition to the platform's
   * (limit 10 to 2,000,000,000 requests; window 1, 2, 5 or 10 minutes).
   * @default - only the platform's
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html
   */
  readonly rateLimit?: WafRateLimit;
  /**
   * Largest request body on this integration's routes, instead of the platform's: at most 64 KB,
   * the largest window WAF inspects for API Gateway. A limit above 8 KB sets the core rule set's
   * `SizeRestrictions_BODY` rule to count for the whole WebACL and raises the inspection window to
   * hold it (above 16 KB at extra cost); the platform's limit then applies to the other routes
   * through the library's own rule.
   * @default - the platform's
   * @see https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html
   */
  readonly maxBodySize?: Size;
}
