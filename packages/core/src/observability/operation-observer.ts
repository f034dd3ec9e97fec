import { StowageError } from '../errors.js';
import type { OperationEvent } from '../runtime.js';
import { OperationStats } from './operation-stats.js';
import type { SpanLike, TracerLike } from './tracer.js';

/** OpenTelemetry `SpanKind.CLIENT`: a call out to a database. */
const SPAN_KIND_CLIENT = 2;
/** OpenTelemetry `SpanStatusCode.ERROR`. */
const SPAN_STATUS_ERROR = 2;

/** Adapter names whose OpenTelemetry `db.system` value differs from the name. */
const DB_SYSTEMS: Record<string, string> = { postgres: 'postgresql' };

/**
 * The one place every facade operation is observed: it times the call once and feeds the
 * `onOperation` hook, `storage.stats()` and, when a tracer is set, one OpenTelemetry span. Spans
 * carry the operation, adapter and outcome, never ids, values or error messages (which name
 * ids), since those may be personal data.
 */
export class OperationObserver {
  /** Counters behind `storage.stats()`. */
  readonly stats = new OperationStats();

  constructor(
    private readonly hook: ((event: OperationEvent) => void) | undefined,
    private readonly tracer: TracerLike | undefined,
  ) {}

  /** Runs `task` as operation `op` of the adapter `source.name` names (read when it ends). */
  observe<T>(op: string, source: { readonly name: string }, task: () => Promise<T>): Promise<T> {
    if (!this.tracer) return this.measure(op, source, task, undefined);
    return this.tracer.startActiveSpan(
      `stowage.${op}`,
      { kind: SPAN_KIND_CLIENT, attributes: { 'stowage.operation': op } },
      (span) => this.measure(op, source, task, span),
    );
  }

  // Plain promise callbacks rather than async/await: this runs on every call, and each async
  // frame costs an extra promise.
  private measure<T>(
    op: string,
    source: { readonly name: string },
    task: () => Promise<T>,
    span: SpanLike | undefined,
  ): Promise<T> {
    const started = performance.now();
    let running: Promise<T>;
    try {
      running = task();
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.then(
      (value) => {
        this.finish(op, source.name, started, span, undefined);
        return value;
      },
      (error: unknown) => {
        this.finish(op, source.name, started, span, { error });
        throw error;
      },
    );
  }

  private finish(
    op: string,
    adapter: string,
    started: number,
    span: SpanLike | undefined,
    failure: { error: unknown } | undefined,
  ): void {
    const ms = performance.now() - started;
    const code = failure ? codeOf(failure.error) : undefined;
    this.stats.record(op, ms, code);
    if (span) finishSpan(span, adapter, failure?.error, code);
    if (this.hook) this.report(this.hook, { op, adapter, ms, ok: !failure }, code);
  }

  private report(
    hook: (event: OperationEvent) => void,
    event: OperationEvent,
    code: string | undefined,
  ): void {
    if (code !== undefined) event.code = code;
    try {
      hook(event);
    } catch (error) {
      // A broken metrics hook must not fail the storage call it reports on.
      process.emitWarning(`Stowage onOperation hook threw: ${String(error)}`, 'StowageWarning');
    }
  }
}

function codeOf(error: unknown): string {
  return error instanceof StowageError ? error.code : 'BACKEND';
}

function finishSpan(
  span: SpanLike,
  adapter: string,
  failure: unknown,
  code: string | undefined,
): void {
  span.setAttribute('db.system', DB_SYSTEMS[adapter] ?? adapter);
  span.setAttribute('stowage.adapter', adapter);
  span.setAttribute('stowage.outcome', code === undefined ? 'ok' : 'error');
  if (code !== undefined) {
    span.setAttribute('error.type', code);
    const name = failure instanceof Error ? failure.name : 'Error';
    // Name and code only: messages and stacks of Stowage errors quote ids.
    span.recordException({ name, code });
    span.setStatus({ code: SPAN_STATUS_ERROR, message: `${name} (${code})` });
  }
  span.end();
}
