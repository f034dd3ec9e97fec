import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Clock } from '@stowage/core';
import { Checkpointer } from './checkpointer.js';
import type { Store } from './store.js';

/**
 * How long one sweep transaction may run before it commits and hands the event loop back.
 * better-sqlite3 runs every statement on the loop's thread, so this bounds the stall a sweep
 * causes. The WAL checkpoint that follows each transaction runs on a worker thread when it can
 * (see `Checkpointer`), else in a turn of the event loop of its own.
 */
export const SWEEP_SLICE_MS = 10;
/** Expired rows one transaction looks up at most, whatever the limit. */
const SLICE_ROWS = 1000;

/** What one sweep transaction did. */
interface Slice {
  removed: number;
  /** Whether it stopped early (time or row cap): more expired rows may be waiting. */
  more: boolean;
}

/**
 * Removes expired rows in bounded batches. Each batch is a series of `BEGIN IMMEDIATE`
 * transactions of at most `SWEEP_SLICE_MS` each, with the event loop handed back between them,
 * so a batch of any size never blocks the process for long and never overlaps another writer;
 * the background loop also holds a lease row in the meta table, so among several processes
 * sharing the file only one sweeps at a time.
 */
export class Sweeper {
  private readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Immediate | undefined;
  /** The last failure of the background loop, reported by `health()` until a batch succeeds. */
  lastError: Error | undefined;
  private readonly slice: (limit: number, now: number, deadline: number) => Slice;
  private readonly release: () => void;
  private readonly checkpointer: Checkpointer;

  /** `file`: the database file when the adapter opened it itself, for the checkpoint worker. */
  constructor(
    private readonly store: Store,
    file?: string,
  ) {
    const { db, tables: t } = store;
    const expiredSessions = db
      .prepare(`SELECT id FROM ${t.sessions} WHERE expires_at <= ? ORDER BY expires_at LIMIT ?`)
      .pluck();
    const expiredKv = db.prepare(
      `DELETE FROM ${t.kv} WHERE key IN (SELECT key FROM ${t.kv} WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`,
    );
    const readLease = db.prepare(
      `SELECT value AS owner, expires_at AS expiresAt FROM ${t.meta} WHERE key = 'sweep_lease'`,
    );
    const writeLease = db.prepare(
      `INSERT INTO ${t.meta} (key, value, expires_at) VALUES ('sweep_lease', ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    );
    const dropLease = db.prepare(`DELETE FROM ${t.meta} WHERE key = 'sweep_lease' AND value = ?`);

    // Sessions one by one until the deadline (each takes four small deletes), then kv entries
    // in one statement of at most SLICE_ROWS once no expired session is left.
    const slice = db.transaction((limit: number, now: number, deadline: number): Slice => {
      const ask = Math.min(limit, SLICE_ROWS);
      const ids = expiredSessions.all(now, ask) as string[];
      let removed = 0;
      for (const id of ids) {
        store.removeSession(id);
        removed++;
        if (removed < ids.length && performance.now() >= deadline) return { removed, more: true };
      }
      if (ids.length === ask) return { removed, more: true };
      const left = ask - removed;
      const kv = expiredKv.run(now, left).changes;
      return { removed: removed + kv, more: kv === left };
    });
    const lease = db.transaction((now: number, until: number) => {
      const row = readLease.get() as { owner: string; expiresAt: number } | undefined;
      if (row && row.owner !== this.owner && row.expiresAt > now) return false;
      writeLease.run(this.owner, until);
      return true;
    });
    this.slice = (limit, now, deadline) => slice.immediate(limit, now, deadline);
    this.acquireLease = (now, until) => lease.immediate(now, until);
    this.release = () => {
      dropLease.run(this.owner);
    };
    // A sweep writes a WAL page for every index entry it removes. Left to SQLite, the
    // automatic checkpoint (at 1000 WAL pages) runs inside whichever commit crosses the mark,
    // adding its copy and two fsyncs to that transaction's stall. A passive checkpoint after
    // each sweep transaction, awaited before the next one, keeps the WAL short; on a worker
    // thread its copy and fsyncs leave the event loop free, and on the main connection (the
    // fallback) it at least runs in a turn of its own, never inside a transaction's pause.
    this.checkpointer = new Checkpointer(db, file);
  }

  /**
   * Takes or renews the sweep lease until `until` unless another live owner holds it; returns
   * whether this sweeper now holds it.
   */
  readonly acquireLease: (now: number, until: number) => boolean;

  /**
   * Removes at most `limit` expired sessions (with their messages) and kv entries, in
   * transactions of at most `SWEEP_SLICE_MS`, yielding to the event loop between them; resolves
   * to how many were removed.
   */
  async sweep(limit: number, now: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const done = this.slice(limit - removed, now, performance.now() + SWEEP_SLICE_MS);
      removed += done.removed;
      if (done.removed > 0) {
        await yieldToLoop();
        // A storage closed while this sweep waited: what was removed stays removed.
        if (!this.store.db.open) return removed;
        await this.checkpointer.run();
      }
      if (!done.more || removed >= limit) return removed;
      await yieldToLoop();
      if (!this.store.db.open) return removed;
    }
  }

  /**
   * Starts the background loop: every `intervalMs`, transactions of at most `batchSize` rows
   * and `SWEEP_SLICE_MS`, each followed by a WAL checkpoint, one step per turn of the event
   * loop, until no expired row is left.
   */
  start(clock: Clock, intervalMs: number, batchSize: number): void {
    if (intervalMs === 0) return;
    const fail = (error: unknown): void => {
      this.lastError = error instanceof Error ? error : new Error(String(error));
    };
    const tick = (): void => {
      this.pending = undefined;
      try {
        const now = clock.now();
        if (!this.acquireLease(now, now + intervalMs * 2)) return;
        const done = this.slice(batchSize, now, performance.now() + SWEEP_SLICE_MS);
        this.lastError = undefined;
        if (done.removed === 0) return;
        // Checkpoint, then go on if more may be waiting, yielding to other work in between.
        this.pending = setImmediate(() => {
          this.pending = undefined;
          this.checkpointer.run().then(() => {
            // Unless the loop was stopped while the checkpoint ran.
            if (done.more && this.timer) this.pending = setImmediate(tick);
          }, fail);
        });
      } catch (error) {
        fail(error);
      }
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
  }

  /**
   * Stops the loop, gives up the lease so another process can take over at once, and ends the
   * checkpoint worker; call before closing the connection.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.pending) clearImmediate(this.pending);
    this.timer = undefined;
    this.pending = undefined;
    try {
      if (this.store.db.open) this.release();
    } finally {
      await this.checkpointer.close();
    }
  }
}
