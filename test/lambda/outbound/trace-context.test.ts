import {
  formatTraceparent,
  newSpanId,
  outboundTrace,
  parseTraceparent,
  parseXRayHeader,
  traceContextFromXRay,
  traceparentFromXRay,
  XRAY_TRACE_HEADER,
  xrayHeaderOf,
} from '../../../lambda/outbound/trace-context';

// The examples of the W3C Trace Context spec (section 3.2) and of the X-Ray documentation.
const W3C_EXAMPLE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const XRAY_EXAMPLE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
/** Deterministic "random" bytes: 0x11, 0x22, ... (mod 256) */
const counting = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i + 1) * 0x11));

describe('traceparent (W3C Trace Context, version 00)', () => {
  test('a valid header is read: trace-id, parent-id and the sampled flag', () => {
    expect(parseTraceparent(W3C_EXAMPLE)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', sampled: true });
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')?.sampled).toBe(false);
    // Flags other than sampled are read but not carried: version 00 defines none.
    expect(formatTraceparent(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03')!)).toBe(W3C_EXAMPLE);
  });

  test.each([
    ['uppercase hex', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
    ['an all-zero trace-id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['an all-zero parent-id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['another version', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['the forbidden version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['a short trace-id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['a short parent-id', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01'],
    ['one-digit flags', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1'],
    ['a fifth field', `${W3C_EXAMPLE}-extra`],
    ['surrounding space', ` ${W3C_EXAMPLE}`],
    ['an empty string', ''],
  ])('%s is not a valid traceparent', (_what, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  test('a value that is not a string is not a traceparent', () => {
    for (const value of [undefined, null, 42, { traceId: 'x' }]) expect(parseTraceparent(value)).toBeUndefined();
  });
});

describe('X-Ray trace header', () => {
  test("the trace-id is Root's 8 + 24 hex digits, the parent-id its Parent, sampled from Sampled=1", () => {
    expect(traceparentFromXRay(XRAY_EXAMPLE)).toBe('00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01');
    expect(traceparentFromXRay('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0')).toBe('00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-00');
    // Sampled=? (not decided yet) and no Sampled field: not sampled.
    expect(traceparentFromXRay('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?')?.endsWith('-00')).toBe(true);
    // Lambda adds Lineage: ignored.
    expect(traceparentFromXRay(`${XRAY_EXAMPLE};Lineage=a87bd80c:1|68fd508a:5`)).toBe('00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01');
  });

  test('without a Parent, the parent-id is 8 random bytes', () => {
    expect(traceContextFromXRay('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1', counting)).toEqual({ traceId: '5759e988bd862e3fe1be46a994272793', parentId: '1122334455667788', sampled: true });
    const random = traceContextFromXRay('Root=1-5759e988-bd862e3fe1be46a994272793');
    expect(random?.parentId).toMatch(/^[0-9a-f]{16}$/);
  });

  test('a header without a valid Root gives nothing', () => {
    for (const header of [undefined, '', 'Parent=53995c3f42cd8ad8;Sampled=1', 'Root=2-5759e988-bd862e3fe1be46a994272793', 'Root=1-5759e988bd862e3fe1be46a994272793', 'Root=1-5759E988-BD862E3FE1BE46A994272793']) {
      expect(traceparentFromXRay(header)).toBeUndefined();
    }
  });

  test('an all-zero or malformed Parent is ignored', () => {
    expect(parseXRayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000')?.parent).toBeUndefined();
    expect(parseXRayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f')?.parent).toBeUndefined();
  });

  test('a W3C context written as an X-Ray header reads back as the same context', () => {
    const context = { traceId: '5759e988bd862e3fe1be46a994272793', parentId: '53995c3f42cd8ad8', sampled: true };
    expect(xrayHeaderOf(context)).toBe(XRAY_EXAMPLE);
    expect(traceContextFromXRay(xrayHeaderOf(context))).toEqual(context);
  });
});

describe('the trace headers of an outbound call', () => {
  const SENDER_XRAY = 'Root=1-65a1b2c3-0123456789abcdef01234567;Parent=aaaaaaaaaaaaaaaa;Sampled=1;Lineage=1:2';

  test("the producer's traceparent is continued: its trace-id and flag, the sender's span as parent-id", () => {
    const trace = outboundTrace(W3C_EXAMPLE, SENDER_XRAY, 'bbbbbbbbbbbbbbbb');
    expect(trace).toEqual({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-bbbbbbbbbbbbbbbb-01',
      // The sender's own X-Ray trace, its span as Parent (Lineage is the sender's, not forwarded).
      xrayTraceHeader: 'Root=1-65a1b2c3-0123456789abcdef01234567;Parent=bbbbbbbbbbbbbbbb;Sampled=1',
      source: 'envelope',
    });
  });

  test('without a span, the parent-id is new (never the producer\'s), and the X-Ray Parent stays the sender\'s segment', () => {
    const trace = outboundTrace(W3C_EXAMPLE, SENDER_XRAY, undefined, counting);
    expect(trace.traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-1122334455667788-01');
    expect(trace.xrayTraceHeader).toBe('Root=1-65a1b2c3-0123456789abcdef01234567;Parent=aaaaaaaaaaaaaaaa;Sampled=1');
  });

  test("an invalid envelope traceparent is ignored: the sender's X-Ray trace is continued", () => {
    const trace = outboundTrace('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', SENDER_XRAY, 'bbbbbbbbbbbbbbbb');
    expect(trace.traceparent).toBe('00-65a1b2c30123456789abcdef01234567-bbbbbbbbbbbbbbbb-01');
    expect(trace.source).toBe('xray');
    // Without a span, the X-Ray header's Parent.
    expect(outboundTrace(undefined, SENDER_XRAY).traceparent).toBe('00-65a1b2c30123456789abcdef01234567-aaaaaaaaaaaaaaaa-01');
  });

  test('without either, a fresh trace, not sampled; the X-Ray header is the same context in its form', () => {
    const trace = outboundTrace(undefined, undefined, undefined, counting);
    expect(trace.traceparent).toBe('00-112233445566778899aabbccddeeff10-1122334455667788-00');
    expect(trace.xrayTraceHeader).toBe('Root=1-11223344-5566778899aabbccddeeff10;Parent=1122334455667788;Sampled=0');
    expect(trace.source).toBe('fresh');
    const random = outboundTrace(undefined, undefined);
    expect(parseTraceparent(random.traceparent)).toBeDefined();
  });

  test('with no X-Ray header, X-Amzn-Trace-Id carries the continued W3C trace', () => {
    expect(outboundTrace(W3C_EXAMPLE, undefined, 'bbbbbbbbbbbbbbbb').xrayTraceHeader).toBe('Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=bbbbbbbbbbbbbbbb;Sampled=1');
  });

  test('a span id is 8 random bytes, never all zeros', () => {
    let calls = 0;
    const zerosFirst = (size: number) => (calls++ === 0 ? Buffer.alloc(size) : counting(size));
    expect(newSpanId(zerosFirst)).toBe('1122334455667788');
    expect(calls).toBe(2);
    expect(newSpanId()).not.toBe(newSpanId());
  });
});

describe('trace headers: the edges of each format', () => {
  const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
  const PARENT = '53995c3f42cd8ad8';

  test('the X-Ray header a partner receives is named X-Amzn-Trace-Id', () => {
    expect(XRAY_TRACE_HEADER).toBe('X-Amzn-Trace-Id');
  });

  test('a traceparent inside an array or another object is not a traceparent, although it prints as one', () => {
    expect(parseTraceparent([W3C_EXAMPLE])).toBeUndefined();
    expect(parseTraceparent({ toString: () => W3C_EXAMPLE })).toBeUndefined();
    expect(outboundTrace([W3C_EXAMPLE] as unknown as string, undefined, 'bbbbbbbbbbbbbbbb', counting).source).toBe('fresh');
  });

  test('whitespace around X-Ray field names and values is not part of them', () => {
    expect(parseXRayHeader(` Root = ${ROOT} ; Parent = ${PARENT} ; Sampled = 1 `)).toEqual({ root: ROOT, parent: PARENT, sampled: true });
  });

  test('X-Ray fields without "=" are ignored, even ones that begin like a field name', () => {
    expect(parseXRayHeader(`Root=${ROOT};Parentx;Sampled=1;Sampledx`)).toEqual({ root: ROOT, sampled: true });
    expect(parseXRayHeader(`Root=${ROOT};Parent=${PARENT};Parentx;Rootx`)).toEqual({ root: ROOT, parent: PARENT, sampled: false });
  });

  test('a header without Root, whatever else it holds, is no X-Ray trace', () => {
    expect(parseXRayHeader(`Parent=${PARENT};Sampled=1`)).toBeUndefined();
    expect(parseXRayHeader(`root=${ROOT};Parent=${PARENT}`)).toBeUndefined();
    expect(traceContextFromXRay(`Self=${ROOT}`)).toBeUndefined();
  });

  test('a Root with anything before or after its three parts is no Root', () => {
    for (const root of [`0${ROOT}`, `x${ROOT}`, `${ROOT}0`, `${ROOT}-1`, `1-5759e988-bd862e3fe1be46a99427279`]) {
      expect(parseXRayHeader(`Root=${root};Parent=${PARENT}`)).toBeUndefined();
    }
  });

  test('a Parent with anything before or after its 16 hex digits is ignored', () => {
    for (const parent of [`0${PARENT}`, `${PARENT}0`, `x${PARENT}`, `${PARENT}x`, PARENT.toUpperCase()]) {
      expect(parseXRayHeader(`Root=${ROOT};Parent=${parent};Sampled=1`)).toEqual({ root: ROOT, sampled: true });
    }
  });

  test("a span id that is not 16 lowercase hex digits, or all zeros, is not used: the sender's X-Ray Parent or a new span is", () => {
    const xray = `Root=${ROOT};Parent=${PARENT};Sampled=1`;
    for (const span of ['0000000000000000', 'bbbbbbbbbbbbbbb', 'bbbbbbbbbbbbbbbbb', 'BBBBBBBBBBBBBBBB', 'xbbbbbbbbbbbbbbb', '']) {
      expect(outboundTrace(undefined, xray, span, counting)).toEqual({
        traceparent: `00-5759e988bd862e3fe1be46a994272793-${PARENT}-01`,
        xrayTraceHeader: xray,
        source: 'xray',
      });
      expect(outboundTrace(W3C_EXAMPLE, undefined, span, counting).traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-1122334455667788-01');
    }
  });

  test('a fresh trace-id is never all zeros: random bytes that are all zeros are drawn again', () => {
    let calls = 0;
    const zerosFirst = (size: number) => (calls++ === 0 ? Buffer.alloc(size) : counting(size));
    const trace = outboundTrace(undefined, undefined, 'bbbbbbbbbbbbbbbb', zerosFirst);
    expect(trace.traceparent).toBe('00-112233445566778899aabbccddeeff10-bbbbbbbbbbbbbbbb-00');
    expect(parseTraceparent(trace.traceparent)).toBeDefined();
  });
});
