/** How much work each workload does; one set per mode. */
export interface Sizes {
  /** Rounds per workload; reported numbers are medians over rounds. */
  rounds: number;
  /** Sequential saves and gets per round. */
  ops: number;
  /** Operations of the mixed workload per round. */
  mixedOps: number;
  /** Sessions the mixed workload draws from (also the save/get working set). */
  keys: number;
  /** Calls in flight in the mixed workload. */
  concurrency: number;
  /** Appends to one session in the long conversation. */
  conversation: number;
  /**
   * Rounds of the conversation: peers re-write the whole history on every append, so their
   * 1000-append conversations dominate a run's time.
   */
  conversationRounds: number;
  /** Sessions per batch call. */
  batch: number;
  /** Batch calls per round. */
  batchRepeats: number;
  /** Sessions stored for listing and counting. */
  queryN: number;
  /** Calls of each listing/counting workload per round. */
  queryOps: number;
  /** Expired sessions removed per sweep round. */
  sweepN: number;
  /**
   * Sessions for list/count and sweep on file targets, which scan one file per session with no
   * index: the same N would make one run last many minutes.
   */
  fileN: number;
}

/** Benchmark modes: `quick` for a run under a minute, `full` for the published numbers, `tiny` for the smoke test. */
export type Mode = 'quick' | 'full' | 'tiny';

/** The sizes of every mode. */
export const SIZES: Readonly<Record<Mode, Sizes>> = {
  quick: {
    rounds: 3,
    ops: 200,
    mixedOps: 400,
    keys: 200,
    concurrency: 32,
    conversation: 1000,
    conversationRounds: 1,
    batch: 1000,
    batchRepeats: 1,
    queryN: 10_000,
    queryOps: 4,
    sweepN: 10_000,
    fileN: 1000,
  },
  full: {
    rounds: 7,
    ops: 2000,
    mixedOps: 5000,
    keys: 1000,
    concurrency: 32,
    conversation: 1000,
    conversationRounds: 3,
    batch: 1000,
    batchRepeats: 10,
    queryN: 100_000,
    queryOps: 20,
    sweepN: 100_000,
    fileN: 10_000,
  },
  tiny: {
    rounds: 1,
    ops: 4,
    mixedOps: 16,
    keys: 4,
    concurrency: 4,
    conversation: 10,
    conversationRounds: 1,
    batch: 5,
    batchRepeats: 1,
    queryN: 40,
    queryOps: 1,
    sweepN: 20,
    fileN: 20,
  },
};
