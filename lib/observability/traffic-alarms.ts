import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IntegrationConfigError } from '../core/errors';
import { AlarmContext, describeAlarm, NamedAlarm } from './alarm-description';
import { IntegrationMetrics } from './integration-metrics';

/** The learned expectation's shape: hourly request counts, 3 hours running below the band. */
export const LEARNED_SILENCE_SHAPE = { period: Duration.hours(1), evaluationPeriods: 3, datapointsToAlarm: 3 } as const;
/** The latency anomaly alarm's shape: p95 per 15 minutes, 3 of the last 4 above the band. */
export const LATENCY_ANOMALY_SHAPE = { period: Duration.minutes(15), evaluationPeriods: 4, datapointsToAlarm: 3 } as const;
/** Default width of the anomaly-detection bands, in standard deviations. */
export const DEFAULT_BAND_WIDTH = 3;

/**
 * How much traffic an inbound integration expects, so that a partner that stops sending is
 * noticed. It counts the requests that reach the ingest function (`request_count`), accepted or
 * rejected by it; requests the stage refuses before (authorizer, body validator, throttling) burn
 * the data-quality SLO instead, and page through it.
 *
 * @example
 * expect: TrafficExpectation.atLeast(100, Duration.hours(1)) // pages when fewer than 100 requests arrive in an hour
 */
export abstract class TrafficExpectation {
  /**
   * At least `requests` requests in every `per` (a sliding window, evaluated every minute): fewer,
   * none included, pages. For partners with steady traffic whose silence is an incident. Right after
   * the first deployment it pages until the partner has sent that many: deploy before the partner
   * goes live, or expect that page.
   * @param requests a positive whole number
   * @param per whole minutes, from 1 minute to 1 day (CloudWatch's longest alarm period)
   * @throws IntegrationConfigError at synth for other values
   */
  public static atLeast(requests: number, per: Duration): TrafficExpectation {
    return new AtLeast(requests, per);
  }

  /**
   * Learned from the integration's own history: CloudWatch anomaly detection on the hourly request
   * count (zeros included), and a ticket when 3 hours running fall below the band. The model learns
   * hourly, daily and weekly patterns from up to two weeks of data, so a Sunday as quiet as the last
   * ones stays inside the band; a single quiet hour never alarms. Nothing alarms while the model
   * trains. Not verified against AWS: that `FILL(requests, 0)` yields zeros when the metric has no
   * data point at all in the alarm's 3 hours (if it yields nothing, total silence reads as missing
   * data, which this alarm treats as healthy); use `atLeast` where a partner's silence must page.
   * @param stdDevs the band's width in standard deviations, from 1 to 10 @default 3
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Anomaly_Detection.html
   */
  public static learned(stdDevs: number = DEFAULT_BAND_WIDTH): TrafficExpectation {
    return new Learned(stdDevs);
  }

  /**
   * No expectation: silence is normal for this integration (for example webhooks of rare events).
   * Say why: the reason is recorded in the integration's construct metadata
   * (`cdk-secure-integrations:noTrafficExpectation`), so reviews of the cloud assembly see it.
   */
  public static none(reason: string): TrafficExpectation {
    return new NoExpectation(reason);
  }

  /** @internal */
  public abstract _silenceAlarm(scope: Construct, props: TrafficAlarmsProps): cloudwatch.Alarm | undefined;
  /** @internal */
  public abstract readonly _severity: string;
}

class AtLeast extends TrafficExpectation {
  public readonly _severity = 'page';
  constructor(
    private readonly requests: number,
    private readonly per: Duration,
  ) {
    super();
  }

  public _silenceAlarm(scope: Construct, props: TrafficAlarmsProps): cloudwatch.Alarm {
    const owner = props.context.integration;
    if (!(Number.isInteger(this.requests) && this.requests > 0)) {
      throw new IntegrationConfigError(owner, 'expect.atLeast', this.requests, 'Give a positive whole number of requests, for example TrafficExpectation.atLeast(100, Duration.hours(1)).');
    }
    const seconds = this.per.isUnresolved() ? Number.NaN : this.per.toSeconds();
    if (!(seconds >= 60 && seconds <= 86_400 && seconds % 60 === 0)) {
      throw new IntegrationConfigError(owner, 'expect.per', Token.isUnresolved(seconds) ? '(a token)' : this.per.toHumanString(), 'Give whole minutes from 1 minute to 1 day: the window is one CloudWatch alarm period.');
    }
    const requests = new IntegrationMetrics(owner).requestCount(this.per);
    const alarm = new cloudwatch.Alarm(scope, 'Silence', {
      alarmName: `${props.alarmNamePrefix}silence`,
      metric: new cloudwatch.MathExpression({ expression: 'FILL(requests, 0)', usingMetrics: { requests }, period: this.per, label: 'requests (0 when none)' }),
      threshold: this.requests,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No request at all is no data point: the silence this alarm is for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        `PAGE: fewer than ${this.requests} requests in the last ${this.per.toHumanString()} (expected at least that many). The partner stopped sending, ` +
          'cannot reach the API (DNS, certificate, WAF, network), or sends to another endpoint. Check the partner\'s delivery log and the access log.',
      ),
    });
    alarm.addAlarmAction(new actions.SnsAction(props.pageTopic));
    alarm.addOkAction(new actions.SnsAction(props.pageTopic));
    return alarm;
  }
}

class Learned extends TrafficExpectation {
  public readonly _severity = 'ticket';
  constructor(private readonly stdDevs: number) {
    super();
  }

  public _silenceAlarm(scope: Construct, props: TrafficAlarmsProps): cloudwatch.Alarm {
    validateBandWidth(props.context.integration, 'expect', this.stdDevs);
    const { period, evaluationPeriods, datapointsToAlarm } = LEARNED_SILENCE_SHAPE;
    const requests = new IntegrationMetrics(props.context.integration).requestCount(period);
    const alarm = new cloudwatch.AnomalyDetectionAlarm(scope, 'Silence', {
      alarmName: `${props.alarmNamePrefix}silence`,
      // FILLed, so the model learns the quiet hours as zeros rather than as gaps.
      metric: new cloudwatch.MathExpression({ expression: 'FILL(requests, 0)', usingMetrics: { requests }, period, label: 'requests per hour (0 when none)' }),
      stdDevs: this.stdDevs,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        `TICKET: unusually little traffic: the hourly request count has been below its learned band (${this.stdDevs} standard deviations, ` +
          `weekly pattern included) for ${datapointsToAlarm} hours running. The partner may have stopped sending or cannot reach the API. ` +
          'If the traffic changed for good, the model adapts within about two weeks.',
      ),
    });
    alarm.addAlarmAction(new actions.SnsAction(props.ticketTopic));
    return alarm;
  }
}

class NoExpectation extends TrafficExpectation {
  public readonly _severity = 'none';
  constructor(readonly reason: string) {
    super();
  }

  public _silenceAlarm(scope: Construct, props: TrafficAlarmsProps): undefined {
    if (typeof this.reason !== 'string' || this.reason.trim().length < 10) {
      throw new IntegrationConfigError(props.context.integration, 'expect', this.reason, 'Say in a sentence why silence is normal for this integration, for example "GitHub sends only on releases".');
    }
    (scope.node.scope ?? scope).node.addMetadata('cdk-secure-integrations:noTrafficExpectation', this.reason.trim());
    return undefined;
  }
}

function validateBandWidth(owner: string, prop: string, stdDevs: number): void {
  if (!(typeof stdDevs === 'number' && Number.isFinite(stdDevs) && stdDevs >= 1 && stdDevs <= 10)) {
    throw new IntegrationConfigError(owner, prop, stdDevs, 'Give a band width from 1 to 10 standard deviations; 3 keeps ordinary variation inside the band.');
  }
}

/** Properties of {@link TrafficAlarms}. */
export interface TrafficAlarmsProps {
  readonly context: AlarmContext;
  /** Prefix of the alarm names; `silence` and `latency-anomaly` are appended. */
  readonly alarmNamePrefix: string;
  readonly pageTopic: sns.ITopic;
  readonly ticketTopic: sns.ITopic;
  /** @default TrafficExpectation.learned() */
  readonly expect?: TrafficExpectation;
}

/**
 * The anomaly alarms of an inbound integration: silence (its traffic expectation) and unusual
 * latency (p95 above its learned band, 3 of the last 4 quarter-hours: a ticket, besides the SLO's
 * fixed objective). Rejections need no anomaly band: the data-quality SLO burns on them, and a band
 * around a count that is usually zero has no width, so every single rejection would breach it.
 */
export class TrafficAlarms extends Construct {
  /** The silence alarm, unless the expectation is `none`. */
  public readonly silenceAlarm?: cloudwatch.Alarm;
  /** The latency anomaly alarm. */
  public readonly latencyAnomalyAlarm: cloudwatch.Alarm;
  /** The alarms with their severity and literal name, for the inventory. */
  public readonly notifyingAlarms: NamedAlarm[] = [];

  constructor(scope: Construct, id: string, props: TrafficAlarmsProps) {
    super(scope, id);
    const expectation = props.expect ?? TrafficExpectation.learned();
    this.silenceAlarm = expectation._silenceAlarm(this, props);
    if (this.silenceAlarm) this.notifyingAlarms.push({ alarm: this.silenceAlarm, severity: expectation._severity, name: `${props.alarmNamePrefix}silence` });

    const { period, evaluationPeriods, datapointsToAlarm } = LATENCY_ANOMALY_SHAPE;
    this.latencyAnomalyAlarm = new cloudwatch.AnomalyDetectionAlarm(this, 'LatencyAnomaly', {
      alarmName: `${props.alarmNamePrefix}latency-anomaly`,
      metric: new IntegrationMetrics(props.context.integration).p95Latency(period),
      stdDevs: DEFAULT_BAND_WIDTH,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: describeAlarm(
        props.context,
        `TICKET: unusually slow: p95 latency above its learned band (${DEFAULT_BAND_WIDTH} standard deviations) in ${datapointsToAlarm} of the last ` +
          `${evaluationPeriods} quarter-hours, though it may still meet the SLO. A slower target, KMS or Secrets Manager, cold starts after a deploy, or larger payloads.`,
      ),
    });
    this.latencyAnomalyAlarm.addAlarmAction(new actions.SnsAction(props.ticketTopic));
    this.notifyingAlarms.push({ alarm: this.latencyAnomalyAlarm, severity: 'ticket', name: `${props.alarmNamePrefix}latency-anomaly` });
  }
}
