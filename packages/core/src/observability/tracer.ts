/** A span attribute value, as OpenTelemetry accepts it. */
export type SpanAttributeValue = string | number | boolean;

/**
 * The part of an OpenTelemetry `Span` Stowage uses. A real span from `@opentelemetry/api` fits,
 * so core needs no runtime dependency on it.
 */
export interface SpanLike {
  setAttribute(key: string, value: SpanAttributeValue): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: { name?: string; message?: string; code?: string | number }): void;
  end(): void;
}

/** The options Stowage passes when it starts a span. */
export interface SpanStartOptions {
  /** OpenTelemetry `SpanKind`; Stowage uses 2 (`CLIENT`). */
  kind?: number;
  attributes?: Record<string, SpanAttributeValue>;
}

/**
 * The part of an OpenTelemetry `Tracer` Stowage uses: `startActiveSpan`, so spans of the database
 * driver's own instrumentation nest under the Stowage span. `trace.getTracer('my-app')` from
 * `@opentelemetry/api` fits as is.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * const storage = createStorage('sqlite:./app.db', { tracer: trace.getTracer('my-app') });
 * ```
 */
export interface TracerLike {
  startActiveSpan<F extends (span: SpanLike) => unknown>(
    name: string,
    options: SpanStartOptions,
    fn: F,
  ): ReturnType<F>;
}
