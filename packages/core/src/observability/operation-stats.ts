import { LatencyHistogram, type LatencySummary } from './latency-histogram.js';

/** Counts and latency of one operation (or of all of them). */
export interface OperationStatsSummary {
  /** Finished calls. */
  count: number;
  /** Calls that failed. */
  errors: number;
  /** Durations of every finished call, successful or not, in milliseconds. */
  latency: LatencySummary;
}

/** Result of `storage.stats()`: what the storage has done since it was created. */
export interface StorageStats {
  /** When counting started (epoch ms, wall clock). */
  since: number;
  /** Calls started and not yet finished. */
  inFlight: number;
  /** Every operation together. */
  total: OperationStatsSummary;
  /** By operation name, for example `'sessions.get'`. */
  operations: Record<string, OperationStatsSummary>;
  /** Failures by error code, for example `{ CONFLICT: 3, TIMEOUT: 1 }`. */
  errors: Record<string, number>;
}

/** Operation names are a fixed set in core; the cap only guards against a custom caller. */
const MAX_OPERATIONS = 64;
const OTHER = 'other';

class Counter {
  count = 0;
  errors = 0;
  readonly latency = new LatencyHistogram();

  add(ms: number, failed: boolean): void {
    this.count++;
    if (failed) this.errors++;
    this.latency.record(ms);
  }

  summary(): OperationStatsSummary {
    return { count: this.count, errors: this.errors, latency: this.latency.summary() };
  }
}

/** Collects the numbers behind `storage.stats()` in fixed memory. */
export class OperationStats {
  private readonly since = Date.now();
  private readonly total = new Counter();
  private readonly byOperation = new Map<string, Counter>();
  private readonly byCode = new Map<string, number>();

  /** Records one finished call; `code` is the error code when it failed. */
  record(op: string, ms: number, code: string | undefined): void {
    const failed = code !== undefined;
    this.total.add(ms, failed);
    let counter = this.byOperation.get(op);
    if (!counter) {
      const name = this.byOperation.size < MAX_OPERATIONS ? op : OTHER;
      counter = this.byOperation.get(name) ?? new Counter();
      this.byOperation.set(name, counter);
    }
    counter.add(ms, failed);
    if (failed) this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
  }

  /** A snapshot; `inFlight` comes from whoever tracks calls in progress. */
  snapshot(inFlight: number): StorageStats {
    const operations: Record<string, OperationStatsSummary> = {};
    for (const [name, counter] of this.byOperation) operations[name] = counter.summary();
    return {
      since: this.since,
      inFlight,
      total: this.total.summary(),
      operations,
      errors: Object.fromEntries(this.byCode),
    };
  }
}
