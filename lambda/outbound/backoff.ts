// How long a record the partner could not take stays invisible before SQS delivers it again.
// Pure: no imports.

/** The wait after the first failed receive, in seconds. */
export const FIRST_RETRY_DELAY_SECONDS = 30;
/** The longest wait between two attempts, in seconds. */
export const MAX_RETRY_DELAY_SECONDS = 3_600;
/**
 * SQS's longest visibility timeout, in seconds (12 hours): a partner's `Retry-After` is capped there.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 */
export const SQS_MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/**
 * The longest wait a partner's `Retry-After` gets: SQS's 12 hours less Lambda's longest run (15
 * minutes) and a minute, which the receive has already used part of; SQS refuses a ChangeMessageVisibility past
 * 12 hours from the receive, and the record would then come back minutes later.
 */
export const MAX_RETRY_AFTER_SECONDS = SQS_MAX_VISIBILITY_TIMEOUT_SECONDS - 960;

/**
 * The visibility timeout to set after the `receiveCount`-th receive of a record failed (SQS's
 * `ApproximateReceiveCount`, 1 on the first delivery): 30 s, 60 s, 120 s ... doubling, capped at
 * 3,600 s. A partner's `Retry-After` (seconds) lengthens it, up to SQS's 12 hours, never shortens it.
 *
 * With a queue's maxReceiveCount (the sender's `maxAttempts`) of 30, the 29 waits between the first
 * and the 30th attempt add up to
 *
 *     30 + 60 + 120 + 240 + 480 + 960 + 1,920 + 22 × 3,600 = 83,010 s ≈ 23.1 h,
 *
 * and the record reaches the dead-letter queue one more wait (3,600 s) after the 30th attempt
 * failed, about 24.1 h after it was first sent: the retry span of an EventBridge API destination
 * (24 hours, 185 attempts at most), so both modes give a partner the same day to come back.
 * See {@link totalRetrySeconds}.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
export function visibilityTimeoutSeconds(receiveCount: number, retryAfterSeconds?: number): number {
  const n = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  // 2^(n-1) overflows nothing that matters: past 8 the cap applies.
  const backoff = n > 8 ? MAX_RETRY_DELAY_SECONDS : Math.min(MAX_RETRY_DELAY_SECONDS, FIRST_RETRY_DELAY_SECONDS * 2 ** (n - 1));
  if (retryAfterSeconds === undefined || !Number.isFinite(retryAfterSeconds) || retryAfterSeconds <= backoff) return backoff;
  // SQS allows at most 12 hours counted from the receive, not from the change: the function's own
  // run comes off that, so a longer Retry-After is capped where SQS still accepts it.
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.ceil(retryAfterSeconds));
}

/** The seconds between a record's first attempt and its `maxAttempts`-th: the sum of the first `maxAttempts - 1` waits. */
export function totalRetrySeconds(maxAttempts: number): number {
  let total = 0;
  for (let n = 1; n < maxAttempts; n++) total += visibilityTimeoutSeconds(n);
  return total;
}

/**
 * A `Retry-After` header's delay in seconds (RFC 9110 section 10.2.3: delay-seconds or an HTTP-date),
 * or undefined when absent or unreadable.
 */
export function retryAfterSeconds(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  // An HTTP-date starts with the day's name (IMF-fixdate, or the obsolete RFC 850 and asctime forms).
  const at = /^[A-Za-z]{3}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
