import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import type { FunctionHost } from '../core/platform-host';
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
  /** The EventBridge rule that starts the sync. */
  readonly rule: events.Rule;
  /** The expected interval between runs. */
  readonly every: Duration;
  /** The function that runs the sync. */
  readonly handler: lambda.IFunction;
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
    return { rule, every, handler };
  }
}
