import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const TRACER = 'aware';

/**
 * Exports traces over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads it
 * and the other standard OTEL_* variables itself). Without it, the API's no-op tracer and
 * propagator make every call below free. Returns the provider to shut down on exit.
 */
export function startTracing(serviceName: string): NodeTracerProvider | undefined {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return provider;
}

/** The W3C `traceparent` of a span, to store with an outbox event or send with a message. */
export function traceparentOf(span: Span): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier.traceparent;
}

/** Starts a span whose parent is the `traceparent` given (a request header, a stored event). */
export function startSpan(
  name: string,
  kind: SpanKind,
  traceparent: string | undefined,
  attributes: Record<string, string | number> = {},
): Span {
  const parent = traceparent
    ? propagation.extract(ROOT_CONTEXT, { traceparent })
    : context.active();
  return trace.getTracer(TRACER).startSpan(name, { kind, attributes }, parent);
}

/** Ends a span, marking it failed when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : JSON.stringify(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

export { SpanKind };
