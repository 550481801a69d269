import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import type { FunctionHost } from '../core/platform-host';
import { bindApiOutbound, type ApiOutboundOptions } from '../outbound/api-outbound';
import type { OutboundApiBindContext, OutboundApiBinding } from '../outbound/outbound-binding';
import { ScheduleTarget, scheduleRuleName } from './schedule-target';

/** Options of {@link Outbound.schedule}. */
export interface ScheduledOutboundOptions {
  /**
   * The function that runs the sync. It should call `recordSync({ integration, succeeded, records })`
   * (from `cdk-secure-integrations/runtime`) once per run, so the heartbeat sees it.
   */
  readonly handler: lambda.IFunction;
  /** How often it runs (whole minutes, at least 1). */
  readonly every: Duration;
}

/** What an outbound side made. */
export interface OutboundConfig {
  /** `schedule` ({@link Outbound.schedule}) or `api` ({@link Outbound.api}). */
  readonly kind: string;
  /** The EventBridge rule that starts the sync (a schedule), or that delivers records to the API destination. */
  readonly rule?: events.Rule;
  /** For a schedule: the expected interval between runs. */
  readonly every?: Duration;
  /** For a schedule: the function that runs the sync. */
  readonly handler?: lambda.IFunction;
  /**
   * For an API call: what was built (queue, sender, connection, destination, signing secret).
   * @jsii ignore TypeScript only: see SecureIntegration's outboundQueue and grantSendOutbound.
   */
  readonly api?: OutboundApiBinding;
}

/**
 * What the integration gives its outbound side to bind to.
 * @jsii ignore TypeScript only: the context of the library's own bind step.
 */
export interface OutboundBindContext {
  readonly scope: Construct;
  readonly integrationName: string;
  /** The dead-letter queue of the stack takes failed invocations. */
  readonly platform: Pick<FunctionHost, 'functionDeadLetterQueue'>;
  /** The name prefix of the platform's schedule rules (one Lambda permission per function and stack admits them all). */
  readonly scheduleRulePrefix: string;
  /** What an `Outbound.api` side takes (absent for a schedule-only caller). */
  readonly api?: Omit<OutboundApiBindContext, 'scope' | 'integrationName'>;
}

/**
 * Work the integration does on its own schedule (a nightly ERP export, an hourly warehouse push).
 * Choose one with a static factory.
 */
export abstract class Outbound {
  /**
   * Runs `handler` every `every` from an EventBridge schedule, with `{ "integration": <name> }` as its
   * input; failed invocations are retried twice and then kept in the platform's dead-letter queue.
   * The integration gets a heartbeat alarm unless it sets its own `heartbeat`.
   */
  public static schedule(options: ScheduledOutboundOptions): Outbound {
    return new ScheduledOutbound(options);
  }

  /**
   * Delivers the integration's records to a partner's HTTPS endpoint through a path the library
   * owns. Producers put records on the integration's outbound queue (`sendOutbound(integration,
   * payload)` from `cdk-secure-integrations/runtime`, after `integration.grantSendOutbound(fn)`);
   * the sender function checks each against `payloadSchema` (a violation is dead-lettered with the
   * reason, not sent), encrypts or decrypts the PII fields as `pii` says, and adds a W3C
   * `traceparent`, the X-Ray trace header and an `Idempotency-Key` (the record's id). Then:
   *
   * - with OAuth 2.0 client credentials, an API key or Basic auth, an EventBridge API destination
   *   calls the endpoint (the connection holds the credential on the platform key and refreshes
   *   tokens; `rateLimitPerSecond`; retries for 24 hours; then the dead-letter queue);
   * - with a signature (`OutboundAuth.hmacSha256()`, `.standardWebhooks()`), the sender calls it
   *   itself, signed with a secret the platform rotates, waiting up to `timeout`, retrying 5xx,
   *   429 and timeouts with backoff for about 23 hours, dead-lettering other refusals at once.
   *
   * The integration gets queue and dead-letter alarms, and for a signed call the SLO alarms on its
   * `request_count`, `error_rate` and `p95_latency` (the sender emits them, and
   * `last_successful_sync`); the inventory records the host, the auth method and the credentials.
   * @throws IntegrationConfigError (at bind) for an endpoint that is not https:// or is private,
   *   a rate limit, timeout, concurrency or attempt count out of range, an option of the other
   *   mode, a reserved or secret-looking header, an invalid payload schema, or `pii` without
   *   `piiFields` (or, for CONFIDENTIAL and RESTRICTED data with `piiFields`, no `pii`)
   */
  public static api(options: ApiOutboundOptions): Outbound {
    return new ApiOutbound(options);
  }

  /**
   * Creates the outbound side.
   * @jsii ignore TypeScript only: the library calls it; its context holds internal building blocks.
   */
  public abstract bind(context: OutboundBindContext): OutboundConfig;
}

class ScheduledOutbound extends Outbound {
  constructor(private readonly options: ScheduledOutboundOptions) {
    super();
  }

  public bind({ scope, integrationName, platform, scheduleRulePrefix }: OutboundBindContext): OutboundConfig {
    const { every, handler } = this.options;
    const minutes = every.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1) {
      throw new IntegrationConfigError(integrationName, 'outbound.every', every.toHumanString(), 'An EventBridge schedule runs every whole number of minutes, at least 1.');
    }
    const rule = new events.Rule(scope, 'Schedule', {
      ruleName: scheduleRuleName(scheduleRulePrefix, integrationName),
      description: `Starts the sync of integration ${integrationName} every ${every.toHumanString()}`,
      schedule: events.Schedule.rate(every),
    });
    rule.addTarget(
      new ScheduleTarget({
        handler,
        input: events.RuleTargetInput.fromObject({ integration: integrationName }),
        deadLetterQueue: platform.functionDeadLetterQueue,
        rulePrefix: scheduleRulePrefix,
      }),
    );
    return { kind: 'schedule', rule, every, handler };
  }
}

class ApiOutbound extends Outbound {
  constructor(private readonly options: ApiOutboundOptions) {
    super();
  }

  public bind({ scope, integrationName, api }: OutboundBindContext): OutboundConfig {
    if (!api) throw new Error('Outbound.api: bound without the API context');
    const binding = bindApiOutbound(this.options, { ...api, scope, integrationName });
    return { kind: 'api', rule: binding.rule, api: binding };
  }
}
