import type { JsonValue } from '@stowage/core';

/** The storage family a target writes to; ratios compare targets of the same backend. */
export type Backend = 'memory' | 'sqlite' | 'file' | 'postgres' | 'redis';

/** Whether a target is a Stowage adapter, the raw driver floor, or a peer library. */
export type TargetKind = 'stowage' | 'raw' | 'peer';

/** One session as every target stores it: a JSON document plus a state and labels. */
export interface BenchDoc {
  /** The session id. */
  id: string;
  /** The application document. */
  data: JsonValue;
  /** A filterable status. */
  state: string;
  /** Filterable labels. */
  labels: Record<string, string>;
}

/** Listing and counting by state and by label; each call returns how many sessions it saw. */
export interface QueryCalls {
  /** Reads the first page (100 items) of sessions in a state; returns the page length. */
  listByState(state: string): Promise<number>;
  /** Reads the first page (100 items) of sessions with a label; returns the page length. */
  listByLabel(key: string, value: string): Promise<number>;
  /** Counts live sessions in a state. */
  countByState(state: string): Promise<number>;
  /** Counts live sessions with a label. */
  countByLabel(key: string, value: string): Promise<number>;
}

/** The query calls plus seeding the documents they run over. */
export interface QueryOps extends QueryCalls {
  /** Stores the documents that the queries run over (not timed). */
  seed(docs: readonly BenchDoc[]): Promise<void>;
}

/** Removing expired sessions: seed rows that are already expired, then remove them all. */
export interface SweepOps {
  /** Stores documents that are expired by the time `sweepAll` runs (not timed). */
  seedExpired(docs: readonly BenchDoc[]): Promise<void>;
  /** Removes every expired session; returns how many were removed. */
  sweepAll(): Promise<number>;
}

/**
 * One benchmarked library on one backend. Optional members are workloads the target cannot
 * do; `skips` says why, and the report prints that reason instead of a number.
 */
export interface Target {
  /** Unique display name, for example `stowage-sqlite` or `keyv-redis`. */
  readonly name: string;
  /** The backend, which picks the raw floor used for ratios. */
  readonly backend: Backend;
  /** Stowage adapter, raw driver or peer library. */
  readonly kind: TargetKind;
  /** Why a workload is missing, keyed by workload name. */
  readonly skips: Readonly<Record<string, string>>;
  /** Creates (or replaces) a session with the document. */
  save(doc: BenchDoc): Promise<void>;
  /** Reads a session; returns its document or null. */
  get(id: string): Promise<unknown>;
  /** Appends one message to a session's conversation (created by `save` first). */
  append(id: string, message: JsonValue): Promise<void>;
  /** Saves many sessions in one call. */
  saveMany?(docs: readonly BenchDoc[]): Promise<void>;
  /** Reads many sessions in one call. */
  getMany?(ids: readonly string[]): Promise<unknown[]>;
  /** Listing and counting, when the target can filter. */
  readonly query?: QueryOps;
  /** Sweeping expired sessions, when the target has a sweep. */
  readonly sweep?: SweepOps;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** Creates a target on a fresh namespace; `slot` keeps separate instances of one run apart. */
export type TargetFactory = (slot: string) => Promise<Target>;

/** A named factory plus what it needs, so a run can leave out unreachable backends. */
export interface TargetSpec {
  /** Same as the created target's name. */
  readonly name: string;
  /** Same as the created target's backend. */
  readonly backend: Backend;
  /** Same as the created target's kind. */
  readonly kind: TargetKind;
  /** Builds one instance. */
  readonly create: TargetFactory;
}
