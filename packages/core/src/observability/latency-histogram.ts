/** Latency percentiles of one operation, in milliseconds. */
export interface LatencySummary {
  /** Median. */
  p50: number;
  p90: number;
  p99: number;
  /** Slowest call seen. */
  max: number;
  /** Arithmetic mean. */
  mean: number;
}

// Four buckets per doubling from 1 µs: each bucket spans 19 % of its lower bound, which bounds
// the error of a reported percentile. 120 buckets reach about 18 minutes.
const STEPS_PER_DOUBLING = 4;
const BUCKETS = 120;
const FLOOR_MS = 0.001;

/**
 * A fixed-size log-scale histogram of durations: constant memory (480 bytes) however many calls
 * it records. Percentiles are the upper bound of the bucket they fall in (at most 19 % high),
 * never more than the largest value seen.
 */
export class LatencyHistogram {
  private readonly buckets = new Uint32Array(BUCKETS);
  private count = 0;
  private sum = 0;
  private max = 0;

  /** Adds one duration in milliseconds. */
  record(ms: number): void {
    const value = Math.max(ms, 0);
    const index =
      value <= FLOOR_MS ? 0 : Math.ceil(Math.log2(value / FLOOR_MS) * STEPS_PER_DOUBLING);
    const bucket = index < BUCKETS ? index : BUCKETS - 1;
    this.buckets[bucket] = (this.buckets[bucket] as number) + 1;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** The percentiles of everything recorded; zeros before the first call. */
  summary(): LatencySummary {
    return {
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p99: this.percentile(0.99),
      max: this.max,
      mean: this.count === 0 ? 0 : this.sum / this.count,
    };
  }

  private percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i] as number;
      if (seen < rank) continue;
      // The last bucket is open-ended: only the maximum bounds it.
      return i === BUCKETS - 1
        ? this.max
        : Math.min(this.max, FLOOR_MS * 2 ** (i / STEPS_PER_DOUBLING));
    }
    return this.max;
  }
}
