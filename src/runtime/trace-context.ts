/**
 * W3C Trace Context (`traceparent: 00-<trace-id>-<parent-id>-<flags>`): the ids a load balancer
 * or client tracer puts on a request, so a request's log line can be found from its trace
 * (Cloud Run, Azure Application Gateway and OpenTelemetry SDKs send it).
 */

export interface TraceContext {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** The caller's span: 16 lowercase hex digits. */
  readonly parentSpanId: string;
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The trace context of a `traceparent` header, or undefined when it is absent or invalid (the
 * spec says to ignore an invalid one rather than fail the request).
 */
export function parseTraceparent(header: string | string[] | undefined): TraceContext | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return undefined;
  const [, version = '', traceId = '', parentSpanId = '', flags = '', rest] = match;
  // Version ff is forbidden; version 00 has exactly four fields; later versions may add more.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentSpanId)) return undefined;
  return { traceId, parentSpanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}
