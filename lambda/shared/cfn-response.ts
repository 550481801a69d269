// The CloudFormation side of a Lambda-backed custom resource: CloudFormation invokes the function
// (asynchronously) and waits for a response PUT to the request's pre-signed ResponseURL. The work
// itself (the inventory's register.ts, the truststore writer) throws on failure; this wrapper turns its outcome into exactly one
// response, SUCCESS or FAILED, and answers FAILED before the function's own timeout so a stack
// never waits an hour for a response that cannot come.
import * as http from 'node:http';
import * as https from 'node:https';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

/** What the work returns, and CloudFormation receives (Data is readable with Fn::GetAtt). */
export interface CustomResourceResult {
  readonly PhysicalResourceId: string;
  readonly Data: Record<string, string>;
}

/** Where the wrapper logs. */
export interface Log {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

/** Sends a response body to the ResponseURL. */
export type ResponseSender = (responseUrl: string, body: string) => Promise<void>;

/** Time kept back from the function's timeout to send a FAILED response. */
export const RESPONSE_SAFETY_MARGIN_MS = 5_000;
/** CloudFormation rejects response bodies over 4 KB; the reason is cut well below. */
const MAX_REASON_CHARS = 1_000;

/** PUTs the body as S3 expects for a pre-signed URL: no content type, explicit length. */
export const putResponse: ResponseSender = (responseUrl, body) =>
  new Promise((resolve, reject) => {
    const url = new URL(responseUrl);
    const request = (url.protocol === 'http:' ? http : https).request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 10_000 },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`custom resource response rejected: HTTP ${res.statusCode}`))));
      },
    );
    request.on('timeout', () => request.destroy(new Error('custom resource response timed out')));
    request.on('error', reject);
    request.end(body);
  });

export interface RespondOptions {
  readonly send?: ResponseSender;
  readonly log: Log;
  /** Milliseconds left in this invocation (Lambda's context.getRemainingTimeInMillis). */
  readonly remainingTimeMs?: () => number;
  /** Where to read the logs, for the failure reason (Lambda's context.logStreamName). */
  readonly logStreamName?: string;
  /** The physical id answered when a Create fails (CloudFormation then sends a Delete with it, which must do nothing). */
  readonly createFailedPhysicalId: string;
}

/** Whether an event is a CloudFormation custom resource request. */
export function isCustomResourceEvent(event: unknown): event is CloudFormationCustomResourceEvent {
  const e = event as Partial<CloudFormationCustomResourceEvent> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    (e.RequestType === 'Create' || e.RequestType === 'Update' || e.RequestType === 'Delete') &&
    typeof e.ResponseURL === 'string' &&
    typeof e.StackId === 'string'
  );
}

/** Runs `work` and sends CloudFormation its outcome; throws only when the response cannot be sent (Lambda then retries). */
export async function respondToCloudFormation(
  event: CloudFormationCustomResourceEvent,
  work: () => Promise<CustomResourceResult>,
  options: RespondOptions,
): Promise<CloudFormationCustomResourceResponse> {
  const common = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
  const existingId = event.RequestType === 'Create' ? options.createFailedPhysicalId : event.PhysicalResourceId;
  let timer: NodeJS.Timeout | undefined;
  let response: CloudFormationCustomResourceResponse;
  try {
    const budget = options.remainingTimeMs ? options.remainingTimeMs() - RESPONSE_SAFETY_MARGIN_MS : undefined;
    const deadline =
      budget === undefined
        ? new Promise<never>(() => undefined)
        : new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no result within ${Math.max(budget, 0)} ms; the function is about to time out`)), Math.max(budget, 0));
          });
    const result = await Promise.race([work(), deadline]);
    response = { Status: 'SUCCESS', ...common, PhysicalResourceId: result.PhysicalResourceId, Data: result.Data };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    options.log.error('custom resource request failed', { requestType: event.RequestType, error: message, errorName: (error as Error)?.name });
    const where = options.logStreamName ? ` (log stream ${options.logStreamName})` : '';
    response = { Status: 'FAILED', ...common, PhysicalResourceId: existingId, Reason: `${message}`.slice(0, MAX_REASON_CHARS) + where };
  } finally {
    if (timer) clearTimeout(timer);
  }
  await (options.send ?? putResponse)(event.ResponseURL, JSON.stringify(response));
  options.log.info('custom resource response sent', { status: response.Status, physicalResourceId: response.PhysicalResourceId });
  return response;
}
