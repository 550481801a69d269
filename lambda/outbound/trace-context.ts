// W3C Trace Context (https://www.w3.org/TR/trace-context/) and AWS X-Ray trace headers: what a
// producer puts in an outbound envelope (`sendOutbound`), and what the sender forwards to the
// partner (`traceparent` and `X-Amzn-Trace-Id`). Pure, but for node:crypto's randomBytes.
import { randomBytes } from 'node:crypto';

/** Random bytes (node:crypto's randomBytes; injectable for tests). */
export type RandomBytes = (size: number) => Buffer;

/** A parsed `traceparent` of version 00. */
export interface TraceContext {
  /** 32 lowercase hex characters, not all zeros. */
  readonly traceId: string;
  /** 16 lowercase hex characters, not all zeros: the caller's span. */
  readonly parentId: string;
  /** Bit 0 of the trace flags: the caller may have recorded its span. */
  readonly sampled: boolean;
}

/** A parsed X-Ray trace header (`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`). */
export interface XRayTraceHeader {
  /** `1-<8 hex>-<24 hex>`. */
  readonly root: string;
  /** 16 hex characters, where the header names a parent. */
  readonly parent?: string;
  /** `Sampled=1`. */
  readonly sampled: boolean;
}

/** The header a partner receives the X-Ray trace in. */
export const XRAY_TRACE_HEADER = 'X-Amzn-Trace-Id';

// Version 00: exactly four fields; the spec's hex is lowercase ("HEXDIGLC"), and a value with
// uppercase hex is invalid (section 3.2.2).
const TRACEPARENT_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZEROS = /^0+$/;
const XRAY_ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * A `traceparent` of version 00, or undefined when it is not one: the spec has a receiver ignore a
 * header whose trace-id or parent-id is all zeros or not lowercase hex of the right length.
 */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT_00.exec(value);
  if (!match || ALL_ZEROS.test(match[1]) || ALL_ZEROS.test(match[2])) return undefined;
  return { traceId: match[1], parentId: match[2], sampled: (parseInt(match[3], 16) & 0x01) === 1 };
}

/**
 * The `traceparent` header of a context. Only the sampled flag is carried: version 00 defines no
 * other flag and has every other bit set to zero (section 3.2.2.5).
 */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.parentId}-${context.sampled ? '01' : '00'}`;
}

/** An X-Ray trace header (`Root`, `Parent`, `Sampled`; other fields such as `Lineage` are ignored), or undefined. */
export function parseXRayHeader(header: string | undefined): XRayTraceHeader | undefined {
  if (typeof header !== 'string') return undefined;
  const fields = new Map<string, string>();
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const root = fields.get('Root');
  if (root === undefined || !XRAY_ROOT.test(root)) return undefined;
  const parent = fields.get('Parent');
  return { root, ...(parent !== undefined && SPAN_ID.test(parent) && !ALL_ZEROS.test(parent) ? { parent } : {}), sampled: fields.get('Sampled') === '1' };
}

/** A new span id: 8 random bytes, as 16 hex characters, never all zeros. */
export function newSpanId(random: RandomBytes = randomBytes): string {
  for (;;) {
    const id = random(8).toString('hex');
    if (!ALL_ZEROS.test(id)) return id;
  }
}

function newTraceId(random: RandomBytes): string {
  for (;;) {
    const id = random(16).toString('hex');
    if (!ALL_ZEROS.test(id)) return id;
  }
}

/**
 * The trace context of an X-Ray trace header: the trace-id is the Root's 8 + 24 hex digits (without
 * `1-` and the dash), the parent-id its Parent (8 random bytes when it names none), sampled when
 * `Sampled=1`. Undefined when the header is absent or has no valid Root.
 */
export function traceContextFromXRay(header: string | undefined, random: RandomBytes = randomBytes): TraceContext | undefined {
  const xray = parseXRayHeader(header);
  if (!xray) return undefined;
  return { traceId: xray.root.slice(2).replace('-', ''), parentId: xray.parent ?? newSpanId(random), sampled: xray.sampled };
}

/** The `traceparent` a producer puts in its envelope: from its X-Ray trace header, or undefined without one. */
export function traceparentFromXRay(header: string | undefined, random: RandomBytes = randomBytes): string | undefined {
  const context = traceContextFromXRay(header, random);
  return context && formatTraceparent(context);
}

/** The X-Ray trace header of a W3C context: Root `1-<first 8 hex>-<last 24 hex>` of the trace-id. */
export function xrayHeaderOf(context: TraceContext): string {
  return `Root=1-${context.traceId.slice(0, 8)}-${context.traceId.slice(8)};Parent=${context.parentId};Sampled=${context.sampled ? 1 : 0}`;
}

/** The trace headers of one outbound call. */
export interface OutboundTrace {
  /** The `traceparent` the partner receives: the producer's trace, the sender's span as parent. */
  readonly traceparent: string;
  /** The `X-Amzn-Trace-Id` the partner receives (and EventBridge's `TraceHeader`). */
  readonly xrayTraceHeader: string;
  /** Where the trace-id came from. */
  readonly source: 'envelope' | 'xray' | 'fresh';
}

/**
 * The trace headers of a call the sender makes for a record:
 *
 * - the envelope's `traceparent`, when valid, is continued: its trace-id and sampled flag, with the
 *   sender's span (`spanId`, else 8 new random bytes) as the parent-id;
 * - else the sender's own X-Ray trace header (`_X_AMZN_TRACE_ID`) gives the trace-id and flag, with
 *   `spanId`, else the header's Parent, else random bytes as the parent-id;
 * - else a fresh trace, not sampled (nothing recorded it).
 *
 * `X-Amzn-Trace-Id` is the sender's X-Ray header with `spanId` (when given) as its Parent, or,
 * without an X-Ray header, the W3C context written in X-Ray's form.
 */
export function outboundTrace(incoming: string | undefined, xrayHeader: string | undefined, spanId?: string, random: RandomBytes = randomBytes): OutboundTrace {
  const span = spanId !== undefined && SPAN_ID.test(spanId) && !ALL_ZEROS.test(spanId) ? spanId : undefined;
  const xray = parseXRayHeader(xrayHeader);
  const producer = parseTraceparent(incoming);
  let context: TraceContext;
  let source: OutboundTrace['source'];
  if (producer) {
    context = { traceId: producer.traceId, parentId: span ?? newSpanId(random), sampled: producer.sampled };
    source = 'envelope';
  } else if (xray) {
    context = { traceId: xray.root.slice(2).replace('-', ''), parentId: span ?? xray.parent ?? newSpanId(random), sampled: xray.sampled };
    source = 'xray';
  } else {
    context = { traceId: newTraceId(random), parentId: span ?? newSpanId(random), sampled: false };
    source = 'fresh';
  }
  const xrayTraceHeader = xray ? `Root=${xray.root};Parent=${span ?? xray.parent ?? context.parentId};Sampled=${xray.sampled ? 1 : 0}` : xrayHeaderOf(context);
  return { traceparent: formatTraceparent(context), xrayTraceHeader, source };
}
