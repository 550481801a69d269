// The SDK client settings of the ingest function: every call ends well inside the function's own
// timeout (lib/ingest/ingest-function.ts), so the ingest always answers with its signals.

/** How long, in ms, a connection may take to open. */
export const CONNECTION_TIMEOUT_MS = 1_000;

/** How long, in ms, a call to SQS, EventBridge, Secrets Manager, KMS or DynamoDB may take per attempt (3 attempts by default). */
export const SERVICE_REQUEST_TIMEOUT_MS = 3_000;

/**
 * How long, in ms, a synchronous invocation of a Lambda target may take at most: the longest target
 * timeout the library accepts (`MAX_LAMBDA_TARGET_TIMEOUT_SECONDS`, 15 s) and a cold start. The
 * ingest's deadline (1.5 s before its own 25 s timeout) aborts the call first when less time is left.
 */
export const LAMBDA_REQUEST_TIMEOUT_MS = 22_000;

/** Settings of the clients of SQS, EventBridge, Secrets Manager, KMS and DynamoDB. */
export const SERVICE_CLIENT = { requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: SERVICE_REQUEST_TIMEOUT_MS } } as const;

/**
 * Settings of the Lambda client that invokes targets: one attempt. After a timeout the SDK would
 * invoke again while the first invocation may still run: the target would run twice. The sender
 * retries instead (a 502); a target that finished after all sees that delivery's `deliveryId` again.
 */
export const LAMBDA_TARGET_CLIENT = { maxAttempts: 1, requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: LAMBDA_REQUEST_TIMEOUT_MS } } as const;
