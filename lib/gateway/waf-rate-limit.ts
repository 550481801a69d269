import { Duration, Token } from 'aws-cdk-lib';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { IntegrationConfigError } from '../core/errors';

/**
 * Smallest and largest `Limit` of a rate-based statement CloudFormation accepts (the resource
 * schema of `AWS::WAFv2::WebACL`, `RateLimit`: minimum 10, maximum 2,000,000,000).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-wafv2-webacl-ratebasedstatement.html
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html
 */
export const RATE_LIMIT_RANGE = { min: 10, max: 2_000_000_000 } as const;

/**
 * Evaluation windows, in seconds, a rate-based statement accepts (`EvaluationWindowSec`).
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html
 */
export const RATE_LIMIT_WINDOWS_SECONDS: readonly number[] = [60, 120, 300, 600];

/** The key of the JSON body WAF returns with a 429. */
export const RATE_LIMITED_BODY_KEY = 'RateLimited';

/**
 * The platform's default: 6,000 requests per client address in 5 minutes (20 per second on
 * average), a fifth of the stage's default throttle of 100 per second, so one client alone cannot
 * use up the stage's throttle.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
export const DEFAULT_PLATFORM_RATE_LIMIT = { limit: 6_000, windowSeconds: 300 } as const;

/**
 * A WAF rate-based rule keyed on the client's IP address. Requests over the limit get `429 Too
 * Many Requests` with a JSON body and a `Retry-After` header of the window's length, until the
 * address's rate falls below the limit.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based.html
 */
export class WafRateLimit {
  /**
   * At most `limit` requests from one client IP address within the sliding `window`.
   * @param limit requests per window: a whole number from 10 to 2,000,000,000
   * @param window the evaluation window: 1, 2, 5 or 10 minutes (default 5 minutes)
   */
  public static perClientIp(limit: number, window: Duration = Duration.seconds(DEFAULT_PLATFORM_RATE_LIMIT.windowSeconds)): WafRateLimit {
    return new WafRateLimit(limit, window);
  }

  /** No rate-based rule. */
  public static disabled(): WafRateLimit {
    return new WafRateLimit(undefined, undefined);
  }

  private constructor(
    /** Requests per window, or undefined when disabled. */
    public readonly limit: number | undefined,
    /** The evaluation window, or undefined when disabled. */
    public readonly window: Duration | undefined,
  ) {}

  /** Whether this adds a rule. */
  public get enabled(): boolean {
    return this.limit !== undefined;
  }
}

/**
 * Checks a rate limit against CloudFormation's range and WAF's windows.
 * @throws IntegrationConfigError naming the prop, the value and the allowed values
 */
export function validateRateLimit(owner: string, prop: string, rate: WafRateLimit): void {
  if (!(rate instanceof WafRateLimit)) {
    throw new IntegrationConfigError(owner, prop, rate, 'Use WafRateLimit.perClientIp(limit, window) or WafRateLimit.disabled().');
  }
  if (!rate.enabled) return;
  const limit = rate.limit as number;
  if (!Token.isUnresolved(limit) && (!Number.isInteger(limit) || limit < RATE_LIMIT_RANGE.min || limit > RATE_LIMIT_RANGE.max)) {
    throw new IntegrationConfigError(
      owner,
      `${prop}.limit`,
      limit,
      `A rate-based rule's limit is a whole number of requests per window from ${RATE_LIMIT_RANGE.min} to ` +
        `${RATE_LIMIT_RANGE.max.toLocaleString('en-US')} (AWS::WAFv2::WebACL RateBasedStatement Limit, ` +
        'https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html).',
    );
  }
  const window = rate.window as Duration;
  if (!window.isUnresolved()) {
    const seconds = window.toSeconds({ integral: false });
    if (!RATE_LIMIT_WINDOWS_SECONDS.includes(seconds)) {
      throw new IntegrationConfigError(
        owner,
        `${prop}.window`,
        window.toHumanString(),
        `AWS WAF counts over a window of ${RATE_LIMIT_WINDOWS_SECONDS.join(', ')} seconds only (EvaluationWindowSec); use ` +
          'Duration.minutes(1), (2), (5) or (10) and scale the limit to it.',
      );
    }
  }
}

/** The `RateBasedStatement` of a (checked, enabled) rate limit, optionally scoped down. */
export function rateBasedStatement(rate: WafRateLimit, scopeDown?: wafv2.CfnWebACL.StatementProperty): wafv2.CfnWebACL.StatementProperty {
  return {
    rateBasedStatement: {
      aggregateKeyType: 'IP',
      limit: rate.limit as number,
      evaluationWindowSec: (rate.window as Duration).toSeconds(),
      scopeDownStatement: scopeDown,
    },
  };
}

/** A block action answering `429 Too Many Requests` with the JSON body and a `Retry-After` header. */
export function rateLimitedAction(rate: WafRateLimit): wafv2.CfnWebACL.RuleActionProperty {
  return {
    block: {
      customResponse: {
        responseCode: 429,
        customResponseBodyKey: RATE_LIMITED_BODY_KEY,
        responseHeaders: [{ name: 'Retry-After', value: String((rate.window as Duration).toSeconds()) }],
      },
    },
  };
}

/** The body WAF sends with a 429. */
export const RATE_LIMITED_BODY: wafv2.CfnWebACL.CustomResponseBodyProperty = {
  contentType: 'APPLICATION_JSON',
  content: JSON.stringify({ message: 'Too many requests from this address; retry after the number of seconds in Retry-After.' }),
};
