// The per-stack half of a platform: the functions and the dashboard whose configuration lists the
// integrations of one stack. The platform's stack has one set (under the platform, ids unchanged);
// every further stack holding integrations (a spill stack, a nested stack of the user's, a sibling
// stack) gets its own. CloudFormation could not deploy one shared set: the ingest's route table and
// the rotation function's credential list would reference resources of the stacks that reference
// the function, a circular dependency.
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionHost } from '../core/platform-host';
import { IngestFunction, type IngestHost } from '../ingest/ingest-function';
import { CredentialSweepAlarm } from '../observability/credential-alarms';
import { FunctionFailureAlarm } from '../observability/function-failure-alarm';
import { UnroutedRequestAlarm } from '../observability/unrouted-request-alarm';
import { PlatformDashboard } from '../observability/platform-dashboard';
import { RotationFunction } from '../secrets/rotation-function';
import { createFunctionDeadLetterQueue } from './rule-dead-letter-queue';

/** What a stack's workers take from their platform. */
export interface StackWorkersHost extends FunctionHost {
  /** The API whose routes the stack's ingest serves (created on first use). */
  readonly api: IngestHost['api'];
  readonly alarmNamePrefix: string;
  readonly secretNamePrefix: string;
  readonly pageTopic: sns.ITopic;
  readonly ticketTopic: sns.ITopic;
  readonly runbookUrl?: string;
  readonly ingestReservedConcurrency?: number;
  /** Called when a stack's rotation function is created (the platform then adds its one rule for rotation failures). */
  onRotationFunction(): void;
}

/** Properties of {@link StackWorkers}. */
export interface StackWorkersProps {
  /** The construct the workers go under: the platform in its own stack, a construct of the other stack otherwise. */
  readonly scope: Construct;
  /** Appended to the workers' alarm names, so that each stack's alarms have their own: empty in the platform's stack. */
  readonly alarmNameSuffix: string;
  /** A short description of the stack, for alarm descriptions. */
  readonly where: string;
  /**
   * The dead-letter queue the workers use.
   * @default - one of the stack's own, created on first use
   */
  readonly deadLetterQueue?: () => sqs.IQueue;
  /**
   * Reserved concurrency of the ingest function.
   * @default - the host's `ingestReservedConcurrency`
   */
  readonly ingestReservedConcurrency?: number;
}

/** The ingest function, rotation function and dashboard of the integrations of one stack, each created on first use. */
export class StackWorkers {
  private _ingest?: IngestFunction;
  private _rotation?: RotationFunction;
  private _dashboard?: PlatformDashboard;
  private _deadLetterQueue?: sqs.IQueue;

  constructor(
    private readonly host: StackWorkersHost,
    private readonly props: StackWorkersProps,
  ) {}

  /**
   * The dead-letter queue of the stack's functions and event rules: the platform's in its own
   * stack; in any other, one of the stack's own, so that the rules a queue policy lists (one ARN
   * each, within SQS's 8,192 bytes) and the references to them stay in their stack.
   */
  public get functionDeadLetterQueue(): sqs.IQueue {
    if (this.props.deadLetterQueue) return this.props.deadLetterQueue();
    this._deadLetterQueue ??= createFunctionDeadLetterQueue(this.props.scope, {
      encryptionKey: this.host.encryptionKey,
      alarmName: `${this.host.alarmNamePrefix}function-dead-letters${this.props.alarmNameSuffix}`,
      topic: this.host.ticketTopic,
      runbookUrl: this.host.runbookUrl,
    });
    return this._deadLetterQueue;
  }

  /** What the stack's functions take: the platform's key and API, and the workers' dead-letter queue. */
  private get functionHost(): IngestHost {
    const { host } = this;
    const deadLetterQueue = () => this.functionDeadLetterQueue;
    return {
      get encryptionKey() {
        return host.encryptionKey;
      },
      get functionDeadLetterQueue() {
        return deadLetterQueue();
      },
      get network() {
        return host.network;
      },
      get api() {
        return host.api;
      },
    };
  }

  /** The scope the workers go under. */
  public get scope(): Construct {
    return this.props.scope;
  }

  /** The ingest function every route of the stack passes through, with the alarms that page when it fails and when it gets a request for a route it lacks. */
  public get ingest(): IngestFunction {
    if (!this._ingest) {
      const role = `the platform's ingest function (every inbound route ${this.props.where})`;
      this._ingest = new IngestFunction(this.props.scope, 'Ingest', { platform: this.functionHost, reservedConcurrentExecutions: this.props.ingestReservedConcurrency ?? this.host.ingestReservedConcurrency });
      new FunctionFailureAlarm(this.props.scope, 'IngestFailureAlarm', {
        alarmName: `${this.host.alarmNamePrefix}ingest-failures${this.props.alarmNameSuffix}`,
        function: this._ingest.handler.function,
        topic: this.host.pageTopic,
        role,
        runbookUrl: this.host.runbookUrl,
      });
      new UnroutedRequestAlarm(this.props.scope, 'IngestUnroutedAlarm', {
        alarmName: `${this.host.alarmNamePrefix}ingest-unrouted${this.props.alarmNameSuffix}`,
        function: this._ingest.handler.function,
        topic: this.host.pageTopic,
        role,
        runbookUrl: this.host.runbookUrl,
      });
    }
    return this._ingest;
  }

  /** The rotation function of the stack's credentials (the four steps and the hourly sweep), with the alarm that pages when the sweep stops. */
  public get rotationFunction(): RotationFunction {
    if (!this._rotation) {
      this._rotation = new RotationFunction(this.props.scope, 'Rotation', { platform: this.functionHost, secretNamePrefix: this.host.secretNamePrefix });
      this.host.onRotationFunction();
      new CredentialSweepAlarm(this.props.scope, 'CredentialSweepAlarm', {
        alarmName: `${this.host.alarmNamePrefix}credential-sweep${this.props.alarmNameSuffix}`,
        functionName: this._rotation.handler.function.functionName,
        topic: this.host.pageTopic,
        runbookUrl: this.host.runbookUrl,
      });
    }
    return this._rotation;
  }

  /** The overview dashboard of the stack's integrations: a row each. */
  public get dashboard(): PlatformDashboard {
    this._dashboard ??= new PlatformDashboard(this.props.scope, 'Dashboard');
    return this._dashboard;
  }
}
