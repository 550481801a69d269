import { IntegrationFunction } from '../functions/integration-function';
import { Annotations, Duration, Token } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { IngestFunction } from '../ingest/ingest-function';
import { IngestTargetConfig, IngestTargetKind } from '../ingest/ingest-config';
import type { IntegrationPlatform } from '../platform/integration-platform';
import { IntegrationQueue } from './integration-queue';
import { IntegrationConfigError } from '../core/errors';
import { grantKeyUseVia, KeyService } from '../core/key-use';

/**
 * What a target is bound with.
 * @jsii ignore TypeScript only: internal wiring of the library.
 */
export interface TargetBindContext {
  /** The integration construct: children go under it. */
  readonly scope: Construct;
  /** The integration's name. */
  readonly integrationName: string;
  /** The platform. */
  readonly platform: IntegrationPlatform;
  /** The ingest function that delivers to the target; grants go to its role. */
  readonly ingest: IngestFunction;
}

/**
 * What a bound target gives the route.
 * @jsii ignore TypeScript only: internal wiring of the library.
 */
export interface TargetConfig {
  /** The target as the ingest function sees it. */
  readonly ingestTarget: IngestTargetConfig;
  /** A short description for the inventory, for example `sqs:<queue path>`. */
  readonly description: string;
  /** Whether the target answers the caller (a Lambda function) rather than only taking the record. */
  readonly answersCaller: boolean;
  /** The queue, where the target is one. */
  readonly queue?: sqs.IQueue;
}

/** Options of {@link Target.eventBus}. */
export interface EventBusTargetOptions {
  /**
   * `Source` of the events.
   * @default `integrations.<integration name>`
   */
  readonly source?: string;
  /**
   * `DetailType` of the events.
   * @default - `<METHOD> <resource path>` of the route
   */
  readonly detailType?: string;
}

/**
 * Where an accepted request goes after the ingest function has verified and validated it.
 * Choose one with a static factory. Without a target, an integration gets its own encrypted SQS
 * queue with a dead-letter queue ({@link Target.defaultQueue}).
 */
export abstract class Target {
  /**
   * Invokes a Lambda function synchronously with the {@link IntegrationRecord}; its result is the
   * caller's response (return `{ statusCode, body, headers }` like an API Gateway proxy integration,
   * or any JSON value for a 200). A function error is a 502, so the caller retries.
   */
  public static lambda(fn: lambda.IFunction): Target {
    return new LambdaTarget(fn);
  }

  /**
   * Sends the record to an SQS queue (message attributes `integration`, `requestId`, `traceId`, and
   * the `AWSTraceHeader` system attribute); the caller gets 202 with the message id. Give the queue
   * a dead-letter queue: the library does for the queues it creates.
   */
  public static queue(queue: sqs.IQueue): Target {
    return new QueueTarget(queue);
  }

  /** Puts the record on an EventBridge event bus as the event's detail; the caller gets 202 with the event id. */
  public static eventBus(bus: events.IEventBus, options: EventBusTargetOptions = {}): Target {
    return new EventBusTarget(bus, options);
  }

  /**
   * The integration's own queue: KMS-encrypted with the platform key, TLS only, with a dead-letter
   * queue, and alarms on its backlog and dead letters. Routes of one integration share it: give the
   * same options on each, or on one only.
   * @throws IntegrationConfigError when two routes give it different options, or for bad options
   */
  public static defaultQueue(options: DefaultQueueOptions = {}): Target {
    return new DefaultQueueTarget(options);
  }

  /**
   * Grants the ingest function what it needs and describes the target for it.
   * @jsii ignore TypeScript only: the library calls it; its context holds internal building blocks.
   */
  public abstract bind(context: TargetBindContext): TargetConfig;
}

function allow(context: TargetBindContext, actions: string[], resources: string[]): void {
  context.ingest.handler.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
}

/**
 * The longest timeout a synchronous Lambda target may have, in seconds. The ingest function runs
 * 25 s and answers 503 1.5 s before that; before it invokes the target it may read the signing
 * secret, KMS and the deduplication table (each call 3 s at most per attempt), and a cold target's
 * initialization (up to 10 s, not counted in its own timeout) comes on top. A target that runs
 * longer is answered 503 while it still runs, and the sender's retry runs it again (its record
 * carries the same `deliveryId`).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html (init phase limit)
 */
export const MAX_LAMBDA_TARGET_TIMEOUT_SECONDS = 15;

/** The function behind a target, when it was defined in this app (an alias or version resolves to its function). */
function definedFunction(fn: lambda.IFunction): lambda.Function | undefined {
  if (fn instanceof lambda.Function) return fn;
  if (fn instanceof lambda.Alias) return definedFunction(fn.version);
  if (fn instanceof lambda.Version) return definedFunction(fn.lambda);
  return undefined;
}

class LambdaTarget extends Target {
  constructor(private readonly fn: lambda.IFunction) {
    super();
  }

  public bind(context: TargetBindContext): TargetConfig {
    const defined = definedFunction(this.fn);
    // Lambda's default timeout is 3 seconds (AWS::Lambda::Function Timeout).
    const timeout = defined ? (defined.timeout ?? Duration.seconds(3)) : undefined;
    if (timeout && !Token.isUnresolved(timeout.toSeconds()) && timeout.toSeconds() > MAX_LAMBDA_TARGET_TIMEOUT_SECONDS) {
      throw new IntegrationConfigError(
        context.integrationName,
        'target',
        `Target.lambda(${this.fn.node.path}) with a ${timeout.toHumanString()} timeout`,
        `The ingest waits for a Lambda target at most ${MAX_LAMBDA_TARGET_TIMEOUT_SECONDS} seconds; a slower target is answered 503 while it still runs and ` +
          'runs again on the sender\'s retry. Put a queue in front (Target.defaultQueue(), with the function as its consumer), use Target.eventBus(bus), ' +
          `or set the function's timeout to at most ${MAX_LAMBDA_TARGET_TIMEOUT_SECONDS} seconds.`,
      );
    }
    if (!defined) {
      Annotations.of(context.scope).addWarningV2(
        'cdk-secure-integrations:lambdaTargetTimeout',
        `The timeout of Lambda target ${this.fn.node.path} cannot be read at synth (an imported function, or one wrapped like a SingletonFunction): keep it at most ${MAX_LAMBDA_TARGET_TIMEOUT_SECONDS} seconds, ` +
          'or a slow invocation is answered 503 while it still runs and runs again on the sender\'s retry.',
      );
    }
    if (defined && !IntegrationFunction.isIntegrationFunction(defined.node.scope)) {
      Annotations.of(context.scope).addWarningV2(
        'cdk-secure-integrations:plainLambdaTarget',
        `Lambda target ${this.fn.node.path} is a plain lambda.Function: the compliance packs will flag what it lacks (a dead-letter queue, reserved ` +
          'concurrency, an encrypted log group with a retention, tracing, a role of its own in a managed policy). Create it with IntegrationFunction ' +
          '(new IntegrationFunction(this, \'Handler\', { entry: \'src/handler.ts\' })), which applies them all.',
      );
    }
    allow(context, ['lambda:InvokeFunction'], [this.fn.functionArn]);
    return {
      ingestTarget: { kind: IngestTargetKind.LAMBDA, address: this.fn.functionArn },
      description: `lambda:${this.fn.node.path}`,
      answersCaller: true,
    };
  }
}

class QueueTarget extends Target {
  constructor(
    private readonly queue: sqs.IQueue,
    private readonly fixedName?: string,
  ) {
    super();
  }

  public bind(context: TargetBindContext): TargetConfig {
    allow(context, ['sqs:SendMessage', 'sqs:GetQueueUrl'], [this.queue.queueArn]);
    if (this.queue.encryptionMasterKey) {
      // Only through SQS: the same key may protect PII fields, which only grantDecrypt may open.
      grantKeyUseVia(context.ingest.handler.role, this.queue.encryptionMasterKey, KeyService.SQS, ['kms:GenerateDataKey', 'kms:Decrypt']);
    }
    return {
      // A queue with a fixed name is found by name at run time; otherwise its URL travels as a deploy-time value.
      ingestTarget: { kind: IngestTargetKind.SQS, address: this.fixedName ?? this.queue.queueUrl },
      description: `sqs:${this.queue.node.path}`,
      answersCaller: false,
      queue: this.queue,
    };
  }
}

/** Options of the integration's own queue ({@link Target.defaultQueue}). */
export interface DefaultQueueOptions {
  /**
   * How long the queue keeps a record no consumer took, at most 7 days.
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
  /**
   * Receives before a record moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * How long a received record stays invisible; at least six times the consumer function's timeout.
   * @default Duration.seconds(180)
   */
  readonly visibilityTimeout?: Duration;
}

/** The options each integration's default queue was made with, to refuse a second, different set. */
const defaultQueueOptions = new WeakMap<IntegrationQueue, string>();

class DefaultQueueTarget extends Target {
  constructor(private readonly options: DefaultQueueOptions) {
    super();
  }

  public bind(context: TargetBindContext): TargetConfig {
    const given = JSON.stringify(this.options, (_k, v: unknown) => (v instanceof Duration ? v.toSeconds() : v));
    const existing = context.scope.node.tryFindChild('Queue') as IntegrationQueue | undefined;
    if (existing && given !== '{}' && defaultQueueOptions.get(existing) !== '{}' && defaultQueueOptions.get(existing) !== given) {
      throw new IntegrationConfigError(context.integrationName, 'target', `Target.defaultQueue(${given})`, 'The routes of one integration share its queue: give the same options on each route, or on one only.');
    }
    const queue = existing ?? new IntegrationQueue(context.scope, 'Queue', { encryptionKey: context.platform.encryptionKey, ...this.options });
    if (!existing || given !== '{}') defaultQueueOptions.set(queue, given);
    return new QueueTarget(queue.queue, queue.fixedQueueName).bind(context);
  }
}

class EventBusTarget extends Target {
  constructor(
    private readonly bus: events.IEventBus,
    private readonly options: EventBusTargetOptions,
  ) {
    super();
  }

  public bind(context: TargetBindContext): TargetConfig {
    allow(context, ['events:PutEvents'], [this.bus.eventBusArn]);
    return {
      ingestTarget: {
        kind: IngestTargetKind.EVENTBRIDGE,
        address: this.bus.eventBusArn,
        source: this.options.source ?? `integrations.${context.integrationName}`,
        detailType: this.options.detailType,
      },
      description: `eventbridge:${this.bus.node.path}`,
      answersCaller: false,
    };
  }
}
