/** The scale workloads of a mode: listing, counting and sweeping at production sizes. */
export interface ScaleSizes {
  /** Session counts to list and count among, ascending; each step tops up the previous one. */
  counts: readonly number[];
  /** Calls of each listing/counting workload at each count (fewer when the budget ends first). */
  queryOps: number;
  /**
   * Time budget of one scale workload at one count, in ms: calls stop once it is spent and
   * `minOps` calls are done, so a call that takes seconds at a million rows cannot stretch the
   * run to an hour (its p95 is far past the target either way).
   */
  budgetMs: number;
  /** Calls a budgeted scale workload always makes. */
  minOps: number;
  /** Expired sessions removed by the scale sweep. */
  sweepN: number;
  /** The per-call p95 target for listing and counting, in ms. */
  queryTargetMs: number;
  /** The longest event-loop stall the sweep may cause, in ms. */
  stallTargetMs: number;
  /** How long the idle event loop is watched before the sweep, for a baseline, in ms. */
  idleWindowMs: number;
}

/** How much work each workload does; one set per mode. */
export interface Sizes {
  /** Rounds per workload; reported numbers are medians over rounds. */
  rounds: number;
  /** Sequential saves and gets per round. */
  ops: number;
  /**
   * Time budget of one round of save, get, mixed and the batches, in ms: a round ends after
   * `ops` calls (`batchRepeats` for batches) or once it has run this long with at least `minOps`
   * calls done (one for batches). Unset: no budget.
   */
  budgetMs?: number;
  /** Calls a budgeted round always makes. */
  minOps: number;
  /** Operations of the mixed workload per round. */
  mixedOps: number;
  /** Sessions the mixed workload draws from (also the save/get working set). */
  keys: number;
  /** Calls in flight in the mixed workload. */
  concurrency: number;
  /** Appends to one session in the long conversation (Stowage and raw drivers). */
  conversation: number;
  /**
   * Appends in the conversation of peers that rewrite the whole session on every append: their
   * cost grows with the square of the length, so quick mode gives them a shorter one.
   */
  peerConversation: number;
  /**
   * Time budget of a conversation, in ms: it stops once this is spent and half its appends are
   * done (the notes give the count). Unset: no budget.
   */
  conversationBudgetMs?: number;
  /** Rounds of the conversation (peers' conversations dominate a run's time). */
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
  /** Sweep rounds (each seeds its own expired sessions first). */
  sweepRounds: number;
  /**
   * Sessions for list/count and sweep on file targets, which scan one file per session with no
   * index: the same N would make one run last many minutes.
   */
  fileN: number;
  /** Whether listing, counting and sweeping run (all modes but `keys`). */
  scans: boolean;
  /** Scale workloads (PostgreSQL and SQLite only), or none. */
  scale?: ScaleSizes;
}

/**
 * Benchmark modes: `quick` for a run under a minute, `full` for the published numbers, `scale`
 * for only the scale workloads of `full`, `keys` for only its per-key workloads (save, get,
 * mixed, conversation, batches), `tiny` for the smoke test.
 */
export type Mode = 'quick' | 'full' | 'scale' | 'keys' | 'tiny';

const FULL_SCALE: ScaleSizes = {
  counts: [100_000, 1_000_000],
  queryOps: 50,
  budgetMs: 20_000,
  minOps: 12,
  sweepN: 1_000_000,
  queryTargetMs: 5,
  stallTargetMs: 50,
  idleWindowMs: 3000,
};

const FULL: Sizes = {
  rounds: 7,
  ops: 2000,
  minOps: 2000,
  mixedOps: 5000,
  keys: 1000,
  concurrency: 32,
  conversation: 1000,
  peerConversation: 1000,
  conversationRounds: 3,
  batch: 1000,
  batchRepeats: 10,
  queryN: 100_000,
  queryOps: 20,
  sweepN: 100_000,
  sweepRounds: 3,
  fileN: 10_000,
  scans: true,
  scale: FULL_SCALE,
};

/** The sizes of every mode. */
export const SIZES: Readonly<Record<Mode, Sizes>> = {
  quick: {
    rounds: 3,
    ops: 200,
    budgetMs: 150,
    minOps: 20,
    mixedOps: 400,
    keys: 100,
    concurrency: 32,
    conversation: 200,
    peerConversation: 100,
    conversationBudgetMs: 1000,
    conversationRounds: 1,
    batch: 50,
    batchRepeats: 10,
    queryN: 2000,
    queryOps: 3,
    sweepN: 2000,
    sweepRounds: 1,
    fileN: 200,
    scans: true,
  },
  full: FULL,
  scale: FULL,
  keys: { ...FULL, scans: false, scale: undefined },
  tiny: {
    rounds: 1,
    ops: 4,
    minOps: 4,
    mixedOps: 16,
    keys: 4,
    concurrency: 4,
    conversation: 10,
    peerConversation: 6,
    conversationRounds: 1,
    batch: 5,
    batchRepeats: 1,
    queryN: 40,
    queryOps: 1,
    sweepN: 20,
    sweepRounds: 1,
    fileN: 20,
    scans: true,
    scale: {
      counts: [120, 300],
      queryOps: 2,
      budgetMs: 20_000,
      minOps: 2,
      sweepN: 250,
      queryTargetMs: 5,
      stallTargetMs: 50,
      idleWindowMs: 100,
    },
  },
};
