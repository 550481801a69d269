// The X-Ray subsegment of a direct call: a remote node of the service map named by the partner's
// host, whose id the partner receives as the parent of its trace (send.ts's `traceCall`).
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { PartnerResponse } from './http';
import type { PartnerCallTarget } from './send';

/**
 * A `traceCall` for the sender's dependencies: runs the call inside a new subsegment of the
 * invocation, with X-Ray's remote-call fields (`http.request`, `http.response.status`) and its
 * flags (fault for a 5xx or no answer, error for a 4xx, throttle for a 429). Without tracing, the
 * call runs without a span.
 */
export function partnerCallTracing(tracer: Tracer): (target: PartnerCallTarget, run: (spanId?: string) => Promise<PartnerResponse>) => Promise<PartnerResponse> {
  return async (target, run) => {
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    if (!parent) return run(undefined);
    const subsegment = parent.addNewSubsegment(target.host);
    subsegment.namespace = 'remote';
    try {
      const response = await run(subsegment.id);
      const status = response.kind === 'response' ? response.status : undefined;
      subsegment.addAttribute('http', { request: { method: target.method, url: target.url }, ...(status === undefined ? {} : { response: { status } }) });
      if (status === undefined || status >= 500) subsegment.addFaultFlag();
      else if (status >= 400) {
        subsegment.addErrorFlag();
        if (status === 429) subsegment.addThrottleFlag();
      }
      return response;
    } catch (error) {
      subsegment.addError(error as Error);
      throw error;
    } finally {
      subsegment.close();
    }
  };
}
