import { CorruptionError, type JsonValue, type Labels, type Storage } from '@stowage/core';
import type { Request } from 'express';
import { type Session, type SessionData, Store } from 'express-session';
import { conditionalSave } from './conditional-save.js';
import { ADAPTER_NAME, isOutage, SessionUnavailableError } from './errors.js';
import { settle, snapshotOf } from './internal.js';
import { SessionLock, type SessionRelease } from './session-lock.js';
import { SessionTracker } from './session-tracker.js';
import {
  type ConcurrencyMode,
  resolveStoreOptions,
  type StowageStoreOptions,
} from './store-options.js';

/**
 * An express-session `Store` over a Stowage `Storage`. Every save is conditional on the version
 * the request loaded (kept beside the session object, never in the stored data or the cookie),
 * so a stale request can neither erase another request's update nor bring back a destroyed
 * session. Emits `'disconnect'` when the storage becomes unreachable and `'connect'` when it
 * answers again.
 *
 * @example
 * ```ts
 * const store = new StowageStore({ storage: createStorage('sqlite:./sessions.db') });
 * app.use(session({ store, secret, resave: false, saveUninitialized: false }));
 * ```
 */
export class StowageStore extends Store {
  /** The storage sessions live in. */
  readonly storage: Storage;
  /** The concurrency mode in force. */
  readonly concurrency: ConcurrencyMode;
  /** The state that marks express sessions in the storage. */
  readonly state: string;
  /** HTTP status of requests refused because the storage is unreachable. */
  readonly unavailableStatus: number;
  private readonly ttlMs: number;
  private readonly maxLifetimeMs: number | undefined;
  private readonly labelsOf: ((session: SessionData) => Labels) | undefined;
  private readonly lock: SessionLock | undefined;
  private readonly tracker = new SessionTracker();
  private reachable = true;
  private probing: Promise<boolean> | undefined;

  constructor(options: StowageStoreOptions) {
    super();
    const settings = resolveStoreOptions(options);
    this.storage = settings.storage;
    this.concurrency = settings.concurrency;
    this.state = settings.state;
    this.unavailableStatus = settings.unavailableStatus;
    this.ttlMs = settings.ttlMs;
    this.maxLifetimeMs = settings.maxLifetimeMs;
    this.labelsOf = settings.labels;
    if (settings.lock) {
      this.lock = new SessionLock({
        ...settings.lock,
        storage: settings.storage,
        onReleaseError: (error) => this.reportReleaseError(error),
      });
    }
  }

  /** Whether the last storage call (or probe) succeeded. */
  get connected(): boolean {
    return this.reachable;
  }

  /** Requests of this process waiting for their session's turn (`'serialize'` only). */
  get queuedRequests(): number {
    return this.lock?.pending ?? 0;
  }

  /** Loads a session's data (with its cookie), or null when it does not exist. */
  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.settle(this.fetch(sid), callback);
  }

  /** Saves a session, conditionally on the version its request loaded. */
  override set(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    this.settle(this.save(sid, session), callback);
  }

  /** Deletes a session. */
  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.settle(
      this.call(() => this.storage.sessions.delete(sid)).then(() => undefined),
      callback,
    );
  }

  /** Extends a live session's expiry without rewriting it; a missing session stays missing. */
  override touch(sid: string, session: SessionData, callback?: (err?: unknown) => void): void {
    this.settle(this.refresh(sid, session), callback);
  }

  /** Every live express session, by id. */
  override all(
    callback: (err: unknown, sessions?: { [sid: string]: SessionData } | null) => void,
  ): void {
    this.settle(this.collect(), callback);
  }

  /** Number of live express sessions. */
  override length(callback: (err: unknown, length?: number) => void): void {
    this.settle(
      this.call(() => this.storage.sessions.count({ state: this.state })),
      callback,
    );
  }

  /** Deletes every express session (and nothing else in the storage). */
  override clear(callback?: (err?: unknown) => void): void {
    this.settle(
      this.call(() => this.storage.sessions.deleteWhere({ state: this.state })).then(
        () => undefined,
      ),
      callback,
    );
  }

  /** Builds the request's session object and remembers which version it came from. */
  override createSession(req: Request, session: SessionData): Session & SessionData {
    const created = super.createSession(req, session);
    this.tracker.adopt(session, created);
    return created;
  }

  /**
   * Waits for the session's turn when `concurrency` is `'serialize'` (a no-op otherwise) and
   * resolves to the function that ends the turn. `stowageSession()` calls it before loading.
   */
  async lockSession(sid: string): Promise<SessionRelease> {
    if (!this.lock) return async () => {};
    try {
      return await this.lock.acquire(sid);
    } catch (error) {
      throw this.observe(error);
    }
  }

  /** Whether a session object differs from what was loaded or last saved (the cookie aside). */
  isModified(session: object): boolean {
    return this.tracker.isModified(session);
  }

  /** Whether the session object was loaded from (or already saved to) the storage. */
  isStored(session: object): boolean {
    return this.tracker.isStored(session);
  }

  /** Records a freshly generated session's content, so it is saved only once it changes. */
  markFresh(session: object): void {
    this.tracker.markFresh(session);
  }

  /** Labels the session carries into its next save, merged with the `labels` option's. */
  setLabels(session: object, labels: Labels): void {
    this.tracker.addLabels(session, labels);
  }

  /** Gives a regenerated session the labels of the one it replaces; it saves as a new session. */
  carryOver(from: object, to: object): void {
    this.tracker.carryOver(from, to);
  }

  /** Asks the storage whether it answers again; emits `'connect'` when it does. */
  probe(): Promise<boolean> {
    this.probing ??= this.storage
      .health()
      .then((report) => {
        if (report.ok) this.markReachable();
        return report.ok;
      })
      .finally(() => {
        this.probing = undefined;
      });
    return this.probing;
  }

  private settle<T>(
    promise: Promise<T>,
    callback: ((error: unknown, value?: T) => void) | undefined,
  ): void {
    settle(promise, callback, (error) => this.reportOrphan(error));
  }

  /**
   * A failed call made without a callback (`req.session.destroy()` with no argument): emitted
   * as `'error'` when someone listens, else a process warning, so it is neither lost nor fatal.
   */
  private reportOrphan(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else process.emitWarning(`Session store call failed: ${String(error)}`, 'StowageWarning');
  }

  private async fetch(sid: string): Promise<SessionData | null> {
    const stored = await this.call(() => this.storage.sessions.get(sid));
    if (!stored || stored.state !== this.state) return null;
    const data = stored.data as { cookie?: unknown } | null;
    if (typeof data !== 'object' || data === null || typeof data.cookie !== 'object') {
      throw new CorruptionError(`Stored session ${JSON.stringify(sid)} has no cookie`, {
        adapter: ADAPTER_NAME,
      });
    }
    this.tracker.record(data, stored.version, stored.labels, undefined);
    return data as unknown as SessionData;
  }

  private async save(sid: string, session: SessionData): Promise<void> {
    const tracked = this.tracker.get(session);
    const loadedVersion = tracked?.version ?? 0;
    const ttl = this.ttlFor(session);
    if (ttl <= 0) {
      await this.call(() => this.storage.sessions.delete(sid));
      return;
    }
    const saved = await conditionalSave(
      (input, options) => this.call(() => this.storage.sessions.save(input, options)),
      {
        input: {
          id: sid,
          data: JSON.parse(JSON.stringify(session)) as JsonValue,
          state: this.state,
          labels: { ...tracked?.labels, ...this.labelsOf?.(session) },
        },
        options:
          this.maxLifetimeMs === undefined ? { ttl } : { ttl, maxLifetime: this.maxLifetimeMs },
        loadedVersion,
        overwrite: this.concurrency === 'last-write-wins',
      },
    );
    if (saved) this.tracker.record(session, saved.version, saved.labels, snapshotOf(session));
  }

  private async refresh(sid: string, session: SessionData): Promise<void> {
    const ttl = this.ttlFor(session);
    if (ttl <= 0) return;
    await this.call(() => this.storage.sessions.touch(sid, ttl));
  }

  private async collect(): Promise<{ [sid: string]: SessionData }> {
    const found: { [sid: string]: SessionData } = {};
    await this.call(async () => {
      for await (const session of this.storage.sessions.iterate({ state: this.state })) {
        found[session.id] = session.data as unknown as SessionData;
      }
    });
    return found;
  }

  /** Remaining lifetime of the session's cookie, or the `ttl` option for a browser-session cookie. */
  private ttlFor(session: SessionData): number {
    const expires = (session.cookie as { expires?: Date | string | null } | undefined)?.expires;
    if (expires === undefined || expires === null) return this.ttlMs;
    return Math.min(new Date(expires).getTime() - Date.now(), Number.MAX_SAFE_INTEGER);
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await operation();
      this.markReachable();
      return result;
    } catch (error) {
      throw this.observe(error);
    }
  }

  /** Notes an outage (emitting `'disconnect'` once) and gives it an HTTP status. */
  private observe(error: unknown): unknown {
    if (!isOutage(error)) return error;
    if (this.reachable) {
      this.reachable = false;
      this.emit('disconnect');
    }
    return new SessionUnavailableError(this.unavailableStatus, error);
  }

  private markReachable(): void {
    if (!this.reachable) {
      this.reachable = true;
      this.emit('connect');
    }
  }

  private reportReleaseError(error: unknown): void {
    this.observe(error);
    // The lease expires by itself after lockLease; the warning says why a session was slow.
    process.emitWarning(
      `Could not release a session lock; it expires after its lease: ${String(error)}`,
      'StowageWarning',
    );
  }
}
