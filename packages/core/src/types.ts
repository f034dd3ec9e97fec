/** Any value that survives `JSON.stringify` → `JSON.parse` unchanged. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A flat string→string map attached to a session and usable as a filter. */
export type Labels = Record<string, string>;

/** A time-to-live: milliseconds, or a string such as `'500ms'`, `'30s'`, `'30m'`, `'12h'`, `'7d'`. */
export type Ttl = number | string;

/** A source of the current time in epoch milliseconds. Inject one to move time in tests. */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
}

/** A stored session as the application sees it. Timestamps are epoch milliseconds. */
export interface Session<T = JsonValue> {
  /** The session id (any legal id, stored literally). */
  id: string;
  /** The application's JSON document. */
  data: T;
  /** A short filterable status such as `'active'` or `'archived'`. Defaults to `'active'`. */
  state: string;
  /** Flat filterable string map, for example `{ userId: 'u1' }`. */
  labels: Labels;
  /** 1 on creation, +1 on every successful save. */
  version: number;
  /** When the session was created. */
  createdAt: number;
  /** When the session was last saved or appended to. */
  updatedAt: number;
  /** When the session expires, or `null` for never. */
  expiresAt: number | null;
  /** Absolute end of life set by `maxLifetime`: `touch` and saves never move expiry past it. */
  maxExpiresAt: number | null;
}

/** What the application passes to `sessions.save`. */
export interface SessionInput<T = JsonValue> {
  /** The session id. */
  id: string;
  /** The JSON document to store. */
  data: T;
  /** Status string; default `'active'`. */
  state?: string;
  /** Labels; default `{}`. Replaces the stored labels. */
  labels?: Labels;
}

/** Order of a session listing, by creation time then id. */
export type SortOrder = 'asc' | 'desc';

/** Filter shared by `list`, `count` and `deleteWhere`. Every field narrows the match. */
export interface SessionFilter {
  /** One state or any of several states. */
  state?: string | string[];
  /** Every given label must be present with exactly this value. */
  labels?: Labels;
  /** Only sessions whose `updatedAt` is strictly greater than this (epoch ms). */
  updatedAfter?: number;
  /** Only sessions whose `updatedAt` is strictly less than this (epoch ms). */
  updatedBefore?: number;
}

/** A page request for `sessions.list`. */
export interface SessionListQuery extends SessionFilter {
  /** `'asc'` (oldest first, default) or `'desc'`, by `createdAt` then `id`. */
  order?: SortOrder;
  /** Page size, 1–1000; default 100. */
  limit?: number;
  /** The `cursor` of the previous page; omit for the first page. */
  cursor?: string;
}

/** One page of a listing. `cursor` is `null` on the last page. */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** Opaque cursor for the next page, or `null` when there are no more items. */
  cursor: string | null;
}

/** Which features an adapter offers. Core refuses calls to missing ones with `CapabilityError`. */
export interface AdapterCapabilities {
  /** `saveMany` / `setMany` are all-or-nothing. */
  atomicBatch: boolean;
  /** Several processes may share the backend safely. */
  multiProcess: boolean;
  /** Data survives a restart of the process. */
  persistent: boolean;
}

// ---------------------------------------------------------------------------
// The adapter contract: what a backend implements. Core does validation, encoding,
// TTL arithmetic, deadlines and retries; adapters only store and fetch.
// ---------------------------------------------------------------------------

/** A session as adapters store it: `data` is the codec's JSON text. */
export interface StoredSession {
  id: string;
  /** Encoded document: JSON text produced by the storage's codec. */
  data: string;
  state: string;
  labels: Labels;
  version: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  maxExpiresAt: number | null;
}

/**
 * One session write, fully computed by core. The adapter applies it atomically:
 *
 * - A live session with this id exists (not expired at `now`): if `expectedVersion` is set
 *   and differs from the stored version, or is 0, fail with `ConflictError`. Otherwise store
 *   `version + 1`, keep `createdAt` and `maxExpiresAt`, set `updatedAt = now` and the
 *   expiry from `resolveExpiry(write, stored)`.
 * - No live session exists: if `expectedVersion` is set and not 0, fail with `ConflictError`
 *   (current version 0). Otherwise remove any expired leftover (with its messages), and
 *   create version 1 with `createdAt = updatedAt = now` and `resolveExpiry(write, null)`.
 */
export interface SessionWrite {
  id: string;
  data: string;
  state: string;
  labels: Labels;
  /**
   * Requested expiry, or null for none. Omitted: keep the stored session's expiry (none for a
   * new one). Either way the result is clamped to `maxExpiresAt` (see `resolveExpiry`).
   */
  expiresAt?: number | null;
  /** Absolute end of life, used only when the session is created. */
  maxExpiresAt: number | null;
  /** Optimistic-concurrency condition; see the interface doc. */
  expectedVersion?: number;
}

/** A filter as adapters receive it: `state` normalised to a list. */
export interface AdapterSessionFilter {
  states?: string[];
  labels?: Labels;
  updatedAfter?: number;
  updatedBefore?: number;
}

/** The position after which a page starts, decoded from the cursor by core. */
export interface ListPosition {
  createdAt: number;
  id: string;
}

/** A listing request as adapters receive it. */
export interface AdapterListQuery extends AdapterSessionFilter {
  order: SortOrder;
  /** Maximum number of items to return. */
  limit: number;
  /** Return only items strictly after this position in `order`. */
  after?: ListPosition;
}

/** Per-call facts core hands to every adapter primitive. */
export interface CallContext {
  /** The current time from the storage's clock. Items with `expiresAt <= now` are expired. */
  now: number;
}

/** Session primitives. Every read treats sessions with `expiresAt <= ctx.now` as absent. */
export interface SessionDriver {
  /** The live session, or null. */
  get(id: string, ctx: CallContext): Promise<StoredSession | null>;
  /** Reads several sessions; the result has one entry per id, in order. */
  getMany(ids: readonly string[], ctx: CallContext): Promise<(StoredSession | null)[]>;
  /** Applies one write (see `SessionWrite`) and returns the stored result. */
  save(write: SessionWrite, ctx: CallContext): Promise<StoredSession>;
  /**
   * Applies several writes with distinct ids. When `capabilities.atomicBatch` is true, a
   * conflict on any write must leave every session unchanged.
   */
  saveMany(writes: readonly SessionWrite[], ctx: CallContext): Promise<StoredSession[]>;
  /**
   * Deletes a session and its messages. With `expectedVersion`, deletes only if the live
   * version matches, else `ConflictError`. Returns whether a live session was deleted.
   */
  delete(id: string, expectedVersion: number | undefined, ctx: CallContext): Promise<boolean>;
  /** Deletes several sessions and their messages; returns how many live ones were deleted. */
  deleteMany(ids: readonly string[], ctx: CallContext): Promise<number>;
  /**
   * Sets `expiresAt = min(expiresAt, maxExpiresAt)` on a live session without changing its
   * data, version or `updatedAt`. Returns the new expiry (or null), or `undefined` when absent.
   */
  touch(id: string, expiresAt: number | null, ctx: CallContext): Promise<number | null | undefined>;
  /** One page of live sessions matching the query, ordered by `(createdAt, id)`. */
  list(query: AdapterListQuery, ctx: CallContext): Promise<StoredSession[]>;
  /** Number of live sessions matching the filter. */
  count(filter: AdapterSessionFilter, ctx: CallContext): Promise<number>;
  /** Deletes live sessions matching the filter (with their messages); returns how many. */
  deleteWhere(filter: AdapterSessionFilter, ctx: CallContext): Promise<number>;
  /**
   * Optional: writes exact copies of sessions (version, timestamps, expiry, state, labels and
   * encoded data as given), replacing any session with the same id. A live session's messages
   * are left untouched; those of an expired or absent one are dropped, as a new session starts
   * empty. Each session is written atomically and label indexes stay consistent. Migration,
   * mirroring and import use it; call `validateStoredSessions` (core) first.
   */
  restore?(sessions: readonly StoredSession[], ctx: CallContext): Promise<void>;
  /**
   * Optional: deletes a live session and its messages only if nothing has changed it since the
   * caller read `expected`: its version, createdAt, updatedAt and expiresAt are the same and its
   * message log has `messageCount` messages. One atomic compare-and-delete on the backend, so a
   * save (moves version), an append (moves the count and updatedAt), a touch (moves expiresAt),
   * a trim (moves the count) or a delete and re-create (moves createdAt or version) that lands
   * after the caller's read makes it refuse. Returns whether it deleted; a mismatch, a missing
   * or an expired session is `false`, never a `ConflictError`. `archive` moves sessions with it.
   */
  deleteIfUnchanged?(id: string, expected: SessionFingerprint, ctx: CallContext): Promise<boolean>;
}

/**
 * The fields of a session that every write moves, as `SessionDriver.deleteIfUnchanged`
 * compares them. Read them with `get` and `MessageDriver.length` (or `range`).
 */
export interface SessionFingerprint {
  version: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  /** Messages in the session's log as `MessageDriver.length` counts them (0 without messages). */
  messageCount: number;
}

/** Options core passes to `MessageDriver.append`. */
export interface AdapterAppendOptions {
  /** When set, a second append with the same key for this session appends nothing. */
  idempotencyKey?: string;
}

/** Message-history primitives. Messages belong to a live session. */
export interface MessageDriver {
  /**
   * Appends encoded messages (JSON text) to a live session, sets its `updatedAt` to `now`
   * without changing its version, and returns the new length. A missing or expired session
   * is a `NotFoundError`. With an idempotency key already used for this session, appends
   * nothing and returns the current length.
   */
  append(
    sessionId: string,
    messages: readonly string[],
    options: AdapterAppendOptions,
    ctx: CallContext,
  ): Promise<number>;
  /**
   * Messages from `start` to `end` inclusive; negative indexes count from the end (-1 is the
   * last), like Redis `LRANGE`. Empty for a missing session.
   */
  range(sessionId: string, start: number, end: number, ctx: CallContext): Promise<string[]>;
  /** Number of messages; 0 for a missing session. */
  length(sessionId: string, ctx: CallContext): Promise<number>;
  /** Removes the oldest messages so at most `keepLast` remain; returns how many were removed. */
  trim(sessionId: string, keepLast: number, ctx: CallContext): Promise<number>;
}

/** A kv write as adapters receive it. */
export interface KvWrite {
  key: string;
  /** Encoded value (JSON text). */
  value: string;
  /** Absolute expiry, or null for none. */
  expiresAt: number | null;
}

/** A page request for kv keys. */
export interface AdapterKeysQuery {
  /** Only keys starting with this literal string (no glob semantics). */
  prefix: string;
  /** Maximum keys to return. */
  limit: number;
  /** Return only keys sorting strictly after this one (code-point order, see `compareIds`). */
  after?: string;
}

/** Key-value primitives. Every read treats entries with `expiresAt <= ctx.now` as absent. */
export interface KvDriver {
  get(key: string, ctx: CallContext): Promise<string | undefined>;
  getMany(keys: readonly string[], ctx: CallContext): Promise<(string | undefined)[]>;
  set(write: KvWrite, ctx: CallContext): Promise<void>;
  /** All-or-nothing when `capabilities.atomicBatch` is true. */
  setMany(writes: readonly KvWrite[], ctx: CallContext): Promise<void>;
  /** Returns whether a live entry was deleted. */
  delete(key: string, ctx: CallContext): Promise<boolean>;
  /** Returns how many live entries were deleted. */
  deleteMany(keys: readonly string[], ctx: CallContext): Promise<number>;
  /** Live keys with the prefix, in code-point order (`compareIds`), after `after`, at most `limit`. */
  keys(query: AdapterKeysQuery, ctx: CallContext): Promise<string[]>;
  /** Sets a new expiry on a live entry; returns false when absent. */
  expire(key: string, expiresAt: number | null, ctx: CallContext): Promise<boolean>;
  /**
   * Atomically adds `by` to an integer entry and returns the result. A missing entry starts at
   * 0 and gets `expiresAt`; an existing entry keeps its expiry. A non-integer entry is a
   * `ValidationError` and stays unchanged.
   */
  increment(key: string, by: number, expiresAt: number | null, ctx: CallContext): Promise<number>;
  /** Stores the entry only if no live entry exists; returns whether it was stored. */
  setIfAbsent(write: KvWrite, ctx: CallContext): Promise<boolean>;
  /**
   * Optional: the live entries for `keys` with their expiry (one per key, in order; undefined
   * when absent), so migration can copy entries exactly.
   */
  getEntries?(keys: readonly string[], ctx: CallContext): Promise<(KvWrite | undefined)[]>;
}

/** One job to enqueue, fully computed by core. */
export interface QueueJobWrite {
  /** Job id, unique within its queue. */
  id: string;
  /** Encoded payload: JSON text produced by the storage's codec. */
  payload: string;
  /** Epoch ms from which the job may be dequeued. */
  availableAt: number;
  /** Deliveries allowed before the job moves to the dead-letter list (at least 1). */
  maxAttempts: number;
}

/** A job handed to one worker, leased until `visibleUntil`. */
export interface LeasedJob {
  id: string;
  /** Encoded payload (JSON text). */
  payload: string;
  /** Deliveries so far, this one included (1 on the first delivery). */
  attempts: number;
  maxAttempts: number;
  /** Proves ownership of this delivery to `ack`, `nack` and `extend`; new on every delivery. */
  token: string;
  /** Epoch ms at which the lease ends and the job becomes deliverable again. */
  visibleUntil: number;
}

/** A job on a queue's dead-letter list. */
export interface DeadJob {
  id: string;
  /** Encoded payload (JSON text). */
  payload: string;
  /** Deliveries made before the job was given up. */
  attempts: number;
  /** Epoch ms at which the job moved to the dead-letter list. */
  failedAt: number;
}

/** How many jobs a queue holds, by state. */
export interface QueueSizes {
  /** Deliverable now. */
  ready: number;
  /** Waiting for their `availableAt`. */
  delayed: number;
  /** Handed to a worker whose lease has not ended. */
  leased: number;
  /** On the dead-letter list. */
  dead: number;
}

/** A page request for dead letters, ordered by `(failedAt, id)` ascending. */
export interface AdapterDeadLetterQuery {
  /** Maximum number of jobs to return. */
  limit: number;
  /** Return only jobs strictly after this position (`createdAt` holds `failedAt`). */
  after?: ListPosition;
}

/**
 * Queue primitives. A job is in exactly one state at `ctx.now`: delayed (`availableAt > now`),
 * ready, leased (a delivery whose `visibleUntil > now`), or dead. A lease that has ended makes
 * the job ready again from `visibleUntil`, or dead (with `failedAt = visibleUntil`) when its
 * attempts have reached `maxAttempts`. Every primitive is atomic: one delivery per lease, even
 * across processes.
 */
export interface QueueDriver {
  /**
   * Adds jobs to `queue` in the given order. A job whose id already exists in the queue (in
   * any state) is skipped. Returns how many were added.
   */
  enqueue(queue: string, jobs: readonly QueueJobWrite[], ctx: CallContext): Promise<number>;
  /**
   * Leases up to `limit` ready jobs, oldest `availableAt` first (then enqueue order): each gets
   * `attempts + 1`, a fresh token and `visibleUntil`. Never leases one job twice at once.
   */
  dequeue(
    queue: string,
    options: { visibleUntil: number; limit: number },
    ctx: CallContext,
  ): Promise<LeasedJob[]>;
  /**
   * Removes a leased job. Fails with `LeaseLostError` unless `token` is the job's current
   * token and its lease has not ended at `now`.
   */
  ack(queue: string, jobId: string, token: string, ctx: CallContext): Promise<void>;
  /**
   * Ends a lease early: the job becomes available at `availableAt`, or dead (`failedAt = now`)
   * when its attempts have reached `maxAttempts`. Returns which. Lease checks as for `ack`.
   */
  nack(
    queue: string,
    jobId: string,
    token: string,
    availableAt: number,
    ctx: CallContext,
  ): Promise<'queued' | 'dead'>;
  /** Moves a live lease's end to `visibleUntil`. Lease checks as for `ack`. */
  extend(
    queue: string,
    jobId: string,
    token: string,
    visibleUntil: number,
    ctx: CallContext,
  ): Promise<void>;
  /** Job counts by state at `now`. */
  size(queue: string, ctx: CallContext): Promise<QueueSizes>;
  /** One page of dead jobs ordered by `(failedAt, id)` (ids in `compareIds` order). */
  deadLetters(queue: string, query: AdapterDeadLetterQuery, ctx: CallContext): Promise<DeadJob[]>;
  /**
   * Moves the listed dead jobs back to the queue with 0 attempts, available at `now`; ids that
   * are not dead are ignored. Returns how many moved.
   */
  replay(queue: string, jobIds: readonly string[], ctx: CallContext): Promise<number>;
}

/**
 * Pub/sub primitives: at-most-once fan-out of JSON text to every current subscriber of a
 * channel, in this process and others sharing the backend. Messages on one channel reach a
 * listener in publish order. Nothing is stored for absent subscribers.
 */
export interface PubSubDriver {
  /** Sends `message` (encoded JSON text) to every subscriber of `channel`. */
  publish(channel: string, message: string, ctx: CallContext): Promise<void>;
  /**
   * Starts delivering `channel`'s messages to `listener` and resolves once messages published
   * afterwards are sure to arrive. Each call is independent: several listeners may share a
   * channel. Resolves to a function that stops this listener (idempotent).
   */
  subscribe(
    channel: string,
    listener: (message: string) => void,
    ctx: CallContext,
  ): Promise<() => Promise<void>>;
}

/** What core hands an adapter when it opens it. */
export interface AdapterOpenContext {
  /** The storage's clock, for background work such as sweeping. */
  clock: Clock;
  /** The storage's per-call deadline in milliseconds, for driver-level timeouts. */
  timeoutMs: number;
}

/** Result of an adapter's own health probe. */
export interface AdapterHealth {
  /** Anything useful to an operator (server version, pool size, ...). No secrets. */
  [key: string]: JsonValue;
}

/**
 * The interface a backend implements. Core wraps it in the `Storage` facade, which validates
 * input, encodes values, computes timestamps, enforces deadlines and retries conflicts, so an
 * adapter only stores and fetches.
 *
 * @example
 * ```ts
 * export function myAdapter(options: MyAdapterOptions): StowageAdapter {
 *   return { name: 'my', capabilities: { atomicBatch: true, multiProcess: true, persistent: true },
 *            open, close, sessions, messages, kv };
 * }
 * ```
 */
export interface StowageAdapter {
  /** Short adapter name used in errors and metrics, for example `'sqlite'`. */
  readonly name: string;
  /** What this adapter offers. */
  readonly capabilities: AdapterCapabilities;
  /** Session primitives; absent if the adapter stores no sessions. */
  readonly sessions?: SessionDriver;
  /** Message primitives; requires `sessions`. */
  readonly messages?: MessageDriver;
  /** Key-value primitives. */
  readonly kv?: KvDriver;
  /** Job queues with leases, retries and dead letters; absent if the adapter has none. */
  readonly queues?: QueueDriver;
  /** Publish/subscribe channels; absent if the adapter has none. */
  readonly pubsub?: PubSubDriver;
  /** Connects. Called once, lazily, before the first operation; called again after a failure. */
  open?(context: AdapterOpenContext): Promise<void>;
  /** Releases every resource. Called once, after in-flight calls have settled. */
  close(): Promise<void>;
  /** Probes the backend with a cheap round trip. Throws when it is unreachable. */
  health?(): Promise<AdapterHealth>;
  /** Removes expired data now, at most `limit` items; returns how many were removed. */
  sweep?(limit: number, ctx: CallContext): Promise<number>;
  /**
   * Optional: counts the items that have expired at `ctx.now` but are still stored, waiting
   * for `sweep` (or the background sweeper), without loading them: an index count where the
   * backend has one (SQL `count(*)`, a Redis sorted set), a scan of metadata otherwise. Reads
   * never return these items; this says how much a sweep would reclaim. Called on an open
   * adapter by operators' tools (`stowage inspect`); the `Storage` facade does not use it.
   *
   * @example
   * ```ts
   * const expired = await adapter.countExpired?.({ now: Date.now() });
   * console.log(expired ? `${expired.sessions} expired sessions not yet swept` : 'unknown');
   * ```
   */
  countExpired?(ctx: CallContext): Promise<ExpiredCounts>;
}

/** What `StowageAdapter.countExpired` reports. */
export interface ExpiredCounts {
  /** Expired sessions still stored (their messages go with them when swept). */
  sessions: number;
  /** Expired kv entries still stored, or null when the adapter cannot count them cheaply. */
  kv: number | null;
  /**
   * Set when the backend also drops expired data by itself this many ms after it expires
   * (Redis key TTLs, `expiryMarginMs`): items counted that expired longer ago than this may be
   * index entries whose data the server already removed, which a sweep still clears.
   */
  serverExpiryAfterMs?: number;
}
