import type { ManualClock, Storage, StorageOptions, StowageAdapter } from '@stowage/core';

/**
 * Reads the backend directly, bypassing the adapter, so cases can check what was really
 * stored. Every method reports physical presence: an expired item that has not been swept yet
 * still counts as present.
 */
export interface BackendInspector {
  /** Whether a session row / file / key exists for this id. */
  sessionExists(id: string): Promise<boolean>;
  /** How many message records are physically stored for this session id. */
  messageCount(sessionId: string): Promise<number>;
  /** Whether a kv entry exists for this key. */
  kvExists(key: string): Promise<boolean>;
  /** The raw stored form of a session (for checks such as "no plaintext at rest"). */
  rawSession?(id: string): Promise<string | undefined>;
  /** Releases the inspector's own connections. */
  close?(): Promise<void>;
}

/** How a contract run builds the adapter under test. */
export interface AdapterContractOptions {
  /** Name shown in the test report, for example `'sqlite'`. */
  name: string;
  /**
   * Builds a fresh adapter instance on the backend under test. Called once per group and
   * again by cases that need their own instance (lifecycle). Instances built by one run must
   * share the same backend and namespace, so data written through one is visible to another.
   */
  create: () => StowageAdapter | Promise<StowageAdapter>;
  /** Builds an inspector for the same backend and namespace as `create`. */
  inspect?: () => BackendInspector | Promise<BackendInspector>;
  /** Extra storage options for every storage the suite creates (for example a codec). */
  storageOptions?: Omit<StorageOptions, 'adapter' | 'url' | 'namespace' | 'clock'>;
  /** Case names (or `group/case` paths) to leave out, each with the reason in a comment. */
  exclude?: readonly string[];
}

/** What every case receives. */
export interface CaseContext {
  /** A storage over a shared adapter of the group, with the group's manual clock. */
  storage: Storage;
  /** The clock of `storage`; advancing it moves time for TTL checks. */
  clock: ManualClock;
  /** The backend inspector, when the run has one. */
  inspector: BackendInspector | undefined;
  /** The adapter instance under `storage`, for reading its name and capabilities. */
  adapter: StowageAdapter;
  /**
   * Builds a fresh, unopened adapter instance over the same backend. The case hands it to a
   * storage and closes that storage itself.
   */
  createAdapter(): Promise<StowageAdapter>;
  /** A random id unique to this call, with an optional readable prefix. */
  id(prefix?: string): string;
  /**
   * Opens another storage on a fresh adapter instance over the same backend (closed by the
   * suite after the case), optionally with its own options.
   */
  openStorage(options?: Omit<StorageOptions, 'adapter' | 'url' | 'namespace'>): Promise<Storage>;
}

/** The kinds of data a case needs the adapter to store. */
export type Requirement =
  | 'sessions'
  | 'messages'
  | 'kv'
  | 'queues'
  | 'pubsub'
  | 'inspector'
  | 'atomicBatch'
  | 'sweep'
  | 'restore'
  | 'deleteIfUnchanged'
  | 'kvEntries';

/** One conformance case. */
export interface ContractCase {
  /** The group (one file per group): sessions, versions, ttl, list, batch, ... */
  group: string;
  /** What the case proves, as a sentence. */
  name: string;
  /** What the adapter (or the run) must offer for the case to apply. */
  requires?: readonly Requirement[];
  /** Runs the case; throws (an assertion error) when the adapter breaks the contract. */
  run(ctx: CaseContext): Promise<void>;
}

/** The outcome of one case in a programmatic run. */
export interface CaseResult {
  group: string;
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  /** The failure, when failed. */
  error?: unknown;
}
